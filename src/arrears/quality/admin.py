"""Quality review's settings in the admin: the sampling rules and the scorecard's versions. Every save
is audited; a version's weights are fixed once saved (a change of weights is a new version), so an
old review is always explained by the weights it was scored with."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms import ModelForm
from django.http import HttpRequest

from arrears.audit.operations import record
from arrears.quality import rules
from arrears.quality.models import SamplingRule, Scorecard

WEIGHT_FIELDS = tuple(f"weight_{name}" for name in rules.CRITERIA)


class ScorecardForm(ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Scorecard
        fields = ["version", "active", *WEIGHT_FIELDS]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors or self.instance.pk:
            return data
        try:
            weights: dict[str, Any] = {name: data.get(f"weight_{name}") for name in rules.CRITERIA}
            rules.Weights(**weights)
        except rules.RuleError as exc:
            raise ValidationError(str(exc)) from None
        return data


def _audit(request: HttpRequest, obj: Any, kind: str, fields: tuple[str, ...]) -> None:
    record(
        actor=request.user.get_username(),
        action=f"quality.{kind}_saved",
        object_type=kind,
        object_id=obj.pk,
        after={f: getattr(obj, f) for f in fields},
    )


@admin.register(SamplingRule)
class SamplingRuleAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("kind", "active", "percent", "first_n", "seed")
    fields = ("kind", "active", "percent", "first_n", "seed")

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        _audit(request, obj, "sampling_rule", ("kind", "active", "percent", "first_n", "seed"))


@admin.register(Scorecard)
class ScorecardAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    form = ScorecardForm
    list_display = ("version", "active", *WEIGHT_FIELDS)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return ("version", *WEIGHT_FIELDS) if obj is not None else ()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        _audit(request, obj, "scorecard", ("version", "active", *WEIGHT_FIELDS))

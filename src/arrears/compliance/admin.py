"""Overrides packs in the admin: compliance officers (and superusers) only; every save audited."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms import ModelForm
from django.http import HttpRequest

from arrears.compliance.models import PackOverrides
from arrears.compliance.operations import save_overrides, validate_overrides
from arrears.errors import ArrearsError

COMPLIANCE_GROUP = "compliance_officer"


def _is_compliance_officer(request: HttpRequest) -> bool:
    user = request.user
    return bool(user.is_active and (user.is_superuser or user.groups.filter(name=COMPLIANCE_GROUP).exists()))


class PackOverridesForm(ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = PackOverrides
        fields = ["code", "name", "version", "effective_from", "effective_to", "rules", "allow_looser", "active"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        candidate = PackOverrides(**{f: data.get(f) for f in self.Meta.fields})
        try:
            validate_overrides(candidate)
        except ArrearsError as exc:
            raise ValidationError({"rules": exc.message}) from None
        return data


@admin.register(PackOverrides)
class PackOverridesAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    form = PackOverridesForm
    list_display = ("code", "name", "version", "effective_from", "effective_to", "active", "updated_by", "updated_at")
    list_filter = ("code", "active")
    readonly_fields = ("updated_by", "updated_at")

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _is_compliance_officer(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_compliance_officer(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return _is_compliance_officer(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_compliance_officer(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # deactivate or end it instead: past decisions must stay explainable

    def save_model(self, request: HttpRequest, obj: PackOverrides, form: Any, change: bool) -> None:
        save_overrides(actor=request.user.get_username(), overrides=obj)

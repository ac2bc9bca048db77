"""The one door for changing an overrides pack: validate against the base pack, save, audit."""

from __future__ import annotations

from typing import Any

import yaml
from django.db import transaction

from arrears.audit.operations import record
from arrears.compliance.models import PackOverrides
from arrears.compliance.packs import load_pack
from arrears.errors import ValidationFailed


def validate_overrides(overrides: PackOverrides) -> None:
    """Refuse a document that is not YAML, names an unknown rule or parameter, or loosens a rule."""
    try:
        rules = yaml.safe_load(overrides.rules or "")
    except yaml.YAMLError as exc:
        raise ValidationFailed(f"not valid YAML: {exc}", field="rules") from None
    if not isinstance(rules, dict) or not rules:
        raise ValidationFailed('a mapping of rule ids, e.g. CN-HOURS: {params: {end: "21:00"}}', field="rules")
    load_pack(overrides.code, on=overrides.effective_from, overrides=[overrides.as_mapping()])


def save_overrides(*, actor: str, overrides: PackOverrides) -> PackOverrides:
    """Create or change an overrides pack; the audit trail keeps the document before and after."""
    validate_overrides(overrides)
    with transaction.atomic():
        before: Any = None
        if overrides.pk:
            before = PackOverrides.objects.select_for_update().get(pk=overrides.pk).snapshot()
        overrides.updated_by = actor
        overrides.save()
        record(
            actor=actor,
            action="compliance.overrides.created" if before is None else "compliance.overrides.changed",
            object_type="compliance.PackOverrides",
            object_id=overrides.pk,
            before=before,
            after=overrides.snapshot(),
        )
    return overrides

"""Reads: the overrides packs in force for a base pack on a day."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q

from arrears.compliance.models import PackOverrides


def overrides_in_force(code: str, *, on: dt.date) -> list[dict[str, Any]]:
    """The active overrides packs of `code` in force on `on`, oldest first (later ones win)."""
    rows = PackOverrides.objects.filter(code=code.upper(), active=True, effective_from__lte=on).filter(
        Q(effective_to__isnull=True) | Q(effective_to__gt=on)
    )
    return [row.as_mapping() for row in rows.order_by("effective_from", "id")]

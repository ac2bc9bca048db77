"""The policy pack this bank has configured."""

from __future__ import annotations

from django.conf import settings


def pack_code() -> str:
    """ARREARS_COMPLIANCE_PACK: CN by default, or US."""
    return str(getattr(settings, "ARREARS_COMPLIANCE_PACK", "CN"))

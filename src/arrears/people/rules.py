"""Who may see what: masking of personal data by role (CN-PI-MIN)."""

from __future__ import annotations


def mask_national_id(value: str) -> str:
    """Keep the first 3 and last 4 characters: 110105********1234."""
    if len(value) <= 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_phone(value: str) -> str:
    """Keep the first 3 and last 4 digits: 138****5678."""
    digits = value.strip()
    if len(digits) <= 7:
        return digits
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]

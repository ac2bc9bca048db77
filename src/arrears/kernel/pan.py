"""Card numbers (PANs) and the internal account reference that stands in for them. Pure: no Django.

A PAN is shown with at most its first six and last four digits (PCI DSS 3.4); everything in between
is a `*`. A number too short to keep six and four with something hidden shows only its last four.
Pages, letters, exports and the API name an account by its reference, never by its PAN.
"""

from __future__ import annotations

import secrets

REF_PREFIX = "AC"
REF_ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ23456789"  # no 0/O, 1/I/L, U: read aloud and typed without doubt
REF_LENGTH = 12


def mask_pan(value: str) -> str:
    """622588******1234: the first 6 and last 4 digits at most; a short number keeps only its last 4."""
    pan = value.strip()
    if len(pan) >= 13:
        return pan[:6] + "*" * (len(pan) - 10) + pan[-4:]
    if len(pan) > 4:
        return "*" * (len(pan) - 4) + pan[-4:]
    return "*" * len(pan)


def new_account_ref() -> str:
    """An opaque account reference, AC + 12 random characters (about 59 bits): nothing of the PAN in it."""
    return REF_PREFIX + "".join(secrets.choice(REF_ALPHABET) for _ in range(REF_LENGTH))


def is_account_ref(value: str) -> bool:
    """Whether the text has the shape of an account reference (any case: people type it)."""
    text = value.strip().upper()
    return (
        len(text) == len(REF_PREFIX) + REF_LENGTH
        and text.startswith(REF_PREFIX)
        and all(c in REF_ALPHABET for c in text[len(REF_PREFIX) :])
    )

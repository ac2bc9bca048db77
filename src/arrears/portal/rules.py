"""The portal's sign-in rules: pure functions over strings and instants (no Django)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from arrears.errors import ValidationFailed

# GB 11643: the weights of the first 17 digits and the check character for each remainder mod 11.
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"


def national_id_check(first17: str) -> str:
    """The check character of an 18-character resident ID number (GB 11643, ISO 7064 MOD 11-2)."""
    return _CHECK[sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True)) % 11]


def normalise_national_id(text: str) -> str:
    """An 18-character Chinese resident ID, without spaces, with its check character upper case;
    ValidationFailed (field `national_id`) when it is not one."""
    value = "".join(text.split()).upper()
    if not value:
        raise ValidationFailed("give your national ID number", field="national_id", code="required")
    well_formed = len(value) == 18 and value[:17].isascii() and value[:17].isdigit() and value[17] in _CHECK
    if not well_formed or national_id_check(value[:17]) != value[17]:
        raise ValidationFailed(
            "is not a valid 18-character resident ID number", field="national_id", code="national_id_invalid"
        )
    return value


def normalise_last_four(text: str) -> str:
    value = "".join(text.split())
    if not value:
        raise ValidationFailed("give the last four digits of your card number", field="last_four", code="required")
    if len(value) != 4 or not value.isascii() or not value.isdigit():
        raise ValidationFailed(
            "must be the last four digits of your card number", field="last_four", code="last_four_invalid"
        )
    return value


def normalise_code(text: str, length: int) -> str | None:
    """The one-time code typed, or None when it cannot be one (which is a wrong code, not a form error)."""
    value = "".join(text.split())
    return value if len(value) == length and value.isascii() and value.isdigit() else None


@dataclass(frozen=True)
class Lifetime:
    idle: dt.timedelta
    longest: dt.timedelta


def session_end_reason(*, started: dt.datetime, seen: dt.datetime, now: dt.datetime, lifetime: Lifetime) -> str | None:
    """Why a session has ended by `now` ("idle" or "expired"), or None while it is alive."""
    if now - started >= lifetime.longest:
        return "expired"
    if now - seen >= lifetime.idle:
        return "idle"
    return None

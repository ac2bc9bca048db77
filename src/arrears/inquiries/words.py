"""Amounts, rates, dates and the ledger's codes as the answers word them, in the language in force
(the caller wraps them in `translation.override`)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import formats

from arrears.errors import ValidationFailed
from arrears.ledger.models import Component, EntryKind
from arrears.money import format_fen

LANGUAGES = ("zh-hans", "en")
DAYS_A_YEAR = 365  # CN-RATE: a daily rate is shown with its annualised rate, daily x 365


def checked_language(language: str) -> str:
    if language not in LANGUAGES:
        raise ValidationFailed(
            f"{language!r} is not a language: zh-hans or en",
            field="language",
            code="not_a_choice",
            params={"values": ", ".join(LANGUAGES)},
        )
    return language


def yuan(fen: int) -> str:
    """Integer fen with separators and two decimals: 123456 -> 1,234.56."""
    text = format_fen(fen)
    whole, cents = text.split(".")
    sign = "-" if whole.startswith("-") else ""
    return f"{sign}{int(whole.lstrip('-')):,}.{cents}"


def amount(value: str | Decimal) -> str:
    """A decimal amount (possibly more exact than a fen, as an interest term is) with separators and
    two decimals when whole fen, all its decimals otherwise."""
    number = Decimal(str(value))
    if number == number.quantize(Decimal("0.01")):
        return f"{number.quantize(Decimal('0.01')):,.2f}"
    return f"{number.normalize():,f}"


def percent(rate: str | Decimal, *, places: int = 4) -> str:
    """A fraction as a percentage with at most `places` decimals: 0.0005 -> 0.05%."""
    number = Decimal(str(rate)) * 100
    text = f"{number.quantize(Decimal(1).scaleb(-places)):f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return f"{text}%"


def annual(rate: str | Decimal) -> Decimal:
    return Decimal(str(rate)) * DAYS_A_YEAR


def day(value: dt.date | str) -> str:
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10])
    return formats.date_format(value, "DATE_FORMAT")


def component(code: str) -> str:
    try:
        return str(Component(code).label)
    except ValueError:
        return code


def kind(code: str) -> str:
    try:
        return str(EntryKind(code).label)
    except ValueError:
        return code

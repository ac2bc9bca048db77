"""Amounts, rates and dates as a page shows them, in the language of the page.

Amounts: separators and two decimals (1,234,567.89), from integer fen or a decimal string.
Rates: a percentage with at most four decimals, trailing zeros dropped (0.000500 -> 0.05%).
Dates: the language's one format (arrears/formats): 2026年11月14日 / 14 Nov 2026; instants add 10:05
in the bank's zone. Templates use the `yuan`, `amount`, `percent` filters ({% load money %}) and
`{{ day|date }}` / `{{ instant|date:"DATETIME_FORMAT" }}`.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.utils import formats, timezone

from arrears.kernel import clock
from arrears.money import format_fen


def yuan(fen: int | None) -> str:
    """Integer fen as an amount: 123456789 -> 1,234,567.89."""
    if fen is None:
        return "—"
    text = format_fen(int(fen))
    whole, cents = text.split(".")
    sign = "-" if whole.startswith("-") else ""
    return f"{sign}{int(whole.lstrip('-')):,}.{cents}"


def amount(value: object) -> str:
    """A decimal amount (a Decimal or a string like "26359560.23") with separators and two decimals;
    anything that is not a number is shown as it is."""
    if value is None or value == "":
        return "—"
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    if not number.is_finite():
        return str(value)
    return f"{number.quantize(Decimal('0.01')):,.2f}"


def percent(rate: object, *, places: int = 4) -> str:
    """A rate (a fraction: 0.000500 a day, 0.18 a year) as a percentage, at most `places` decimals."""
    try:
        number = Decimal(str(rate)) * 100
    except InvalidOperation:
        return str(rate)
    if not number.is_finite():
        return str(rate)
    text = f"{number.quantize(Decimal(1).scaleb(-places)):f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return f"{text}%"


def day(value: dt.date | str | None) -> str:
    """A date in the language's format; an ISO string is read first."""
    if value is None or value == "":
        return "—"
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value[:10])
        except ValueError:
            return str(value)
    if isinstance(value, dt.datetime):
        value = value.astimezone(clock.bank_zone()).date() if timezone.is_aware(value) else value.date()
    return formats.date_format(value, "DATE_FORMAT")


def instant(value: dt.datetime | None) -> str:
    """An instant in the bank's zone, in the language's date-and-time format."""
    if value is None:
        return "—"
    if timezone.is_aware(value):
        value = value.astimezone(clock.bank_zone())
    return formats.date_format(value, "DATETIME_FORMAT")

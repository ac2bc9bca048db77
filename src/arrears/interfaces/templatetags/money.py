"""Amounts and rates on the pages: {% load money %}, then `|yuan` (integer fen), `|amount` (a decimal or
a decimal string) and `|percent` (a rate as a fraction). All in arrears.interfaces.web.formatting."""

from __future__ import annotations

from django import template

from arrears.interfaces.web import formatting

register = template.Library()


@register.filter
def yuan(fen: int | None) -> str:
    """Integer fen as a two-decimal amount: 123456 -> 1,234.56."""
    return formatting.yuan(fen)


@register.filter
def amount(value: object) -> str:
    """A decimal amount with separators and two decimals: "26359560.23" -> 26,359,560.23."""
    return formatting.amount(value)


@register.filter
def percent(rate: object) -> str:
    """A rate as a percentage with at most four decimals: "0.000500" -> 0.05%."""
    return formatting.percent(rate)

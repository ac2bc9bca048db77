from __future__ import annotations

from django import template

from arrears.money import format_fen

register = template.Library()


@register.filter
def yuan(fen: int | None) -> str:
    """Integer fen as a two-decimal amount: 123456 -> 1,234.56."""
    if fen is None:
        return "—"
    text = format_fen(int(fen))
    whole, cents = text.split(".")
    sign = "-" if whole.startswith("-") else ""
    return f"{sign}{int(whole.lstrip('-')):,}.{cents}"

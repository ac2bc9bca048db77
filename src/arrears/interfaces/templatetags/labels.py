"""Codes the domain stores, in the language of the page: {% load labels %}{{ plan.method|plan_method }}."""

from __future__ import annotations

from django import template

from arrears.interfaces.web import labels

register = template.Library()


@register.filter
def plan_method(method: str | None) -> str:
    """equal_payment -> 等额本息 (zh-Hans) / equal instalments of principal and interest (English)."""
    return labels.plan_method_label(method or "")

"""{% concession_section %}: concessions on the customer 360 page (a form and the list, its own reads)."""

from __future__ import annotations

from typing import Any

from django import template

from arrears.concessions.models import ConcessionKind, ReasonCode
from arrears.concessions.queries import awaiting, case_concessions, customer_wording_in_force
from arrears.interfaces.web.concessions import status_line

register = template.Library()


@register.inclusion_tag("arrears/concessions/_section.html", takes_context=True)
def concession_section(context: Any) -> dict[str, Any]:
    case = context["case"]
    request = context.get("request")
    language = "zh-hans" if (getattr(request, "LANGUAGE_CODE", "zh-hans") or "").startswith("zh") else "en"
    concessions = case_concessions(case.pk)
    memo: dict[Any, Any] = {}
    for c in concessions:
        # The customer's wording only while it is true: a request (worded as a request) or a grant.
        in_force = customer_wording_in_force(c)
        c.summary_text = (c.summary_zh if language == "zh-hans" else c.summary_en) if in_force else ""  # type: ignore[attr-defined]
        waiting = awaiting(c.approval, memo) if c.status == "pending" and hasattr(c, "approval") else None
        c.status_text = status_line(c, waiting)  # type: ignore[attr-defined]
    return {
        "case": case,
        "concessions": concessions,
        "accounts": context.get("accounts", []),
        "kinds": ConcessionKind.choices,
        "reasons": ReasonCode.choices,
        "request": request,
        "csrf_token": context.get("csrf_token"),
    }

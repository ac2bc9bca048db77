"""{% plan_section %}: the repayment-plan section of the customer 360 page (its own reads)."""

from __future__ import annotations

from typing import Any

from django import template

from arrears.cycle import business_date
from arrears.interfaces.web.labels import plan_method_label
from arrears.interfaces.web.plans import status_line
from arrears.plans.models import Plan, PlanStatus
from arrears.plans.operations import payoff_amount_fen, policy

register = template.Library()


@register.inclusion_tag("arrears/plans/_section.html", takes_context=True)
def plan_section(context: Any) -> dict[str, Any]:
    case = context["case"]
    request = context.get("request")
    plans = list(
        Plan.objects.filter(case__customer_id=case.customer_id)
        .select_related("account")
        .prefetch_related("schedule")
        .order_by("-id")[:5]
    )
    money = context.get("figures") or {}
    by_account = {a.account_id: a for a in money["c"].accounts} if "c" in money else {}
    language = "zh-hans" if (getattr(request, "LANGUAGE_CODE", "zh-hans") or "").startswith("zh") else "en"
    lead_max = policy().lead_max_fen if plans else 0
    for plan in plans:
        plan.status_text = status_line(plan, lead_max)  # type: ignore[attr-defined]
        plan.method_label = plan_method_label(plan.method)  # type: ignore[attr-defined]
        plan.summary_text = (plan.summary or {}).get(language, "")  # type: ignore[attr-defined]
        plan.payoff_fen = payoff_amount_fen(plan) if plan.status == PlanStatus.ACTIVE else 0  # type: ignore[attr-defined]
        account = by_account.get(plan.account_id)
        # The active plan's balance and amount due, as the header and the accounts table count them.
        plan.figures = account.plan if account and account.plan and account.plan.plan_id == plan.pk else None  # type: ignore[attr-defined]
    return {
        "case": case,
        "plans": plans,
        "accounts": context.get("accounts", []),
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "today": business_date.current(),
    }

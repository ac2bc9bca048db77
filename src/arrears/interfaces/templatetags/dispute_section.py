"""{% dispute_section %}: the disputes of the customer (case page) or the account (account page), the
annotation CN-LETTER asks for and the form to open one; {% dispute_sla %}: the lead page's figures."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template

from arrears.application.team_figures import teams_led_by
from arrears.cases.models import Case
from arrears.disputes import rules
from arrears.disputes.models import OPEN_STATUSES, Dispute, DisputeChannel, DisputeKind
from arrears.disputes.queries import DUE_SOON_DAYS, sla_figures
from arrears.interfaces.web.context_processors import business_date_of
from arrears.ledger.models import Account, Entry

register = template.Library()
CHOICES = 40  # the newest charges offered in the form


@register.inclusion_tag("arrears/disputes/_section.html", takes_context=True)
def dispute_section(context: Any) -> dict[str, Any]:
    request = context.get("request")
    account = context.get("account")
    choices: list[tuple[int, str, str]]  # (id, reference, masked number)
    if isinstance(account, Account):
        choices = [(account.pk, account.ref, account.masked_number)]
    elif context.get("rows"):  # the case page's accounts table, already read (the number is masked there)
        choices = [(row["a"].account_id, row["a"].ref, row["a"].number) for row in context["rows"]]
    else:
        choices = [(a.pk, a.ref, a.masked_number) for a in Account.objects.filter(customer=context["customer"])]
    ids = [pk for pk, _, _ in choices]
    found = list(Dispute.objects.filter(account_id__in=ids).select_related("account").order_by("-id")[:20])
    entries = list(
        Entry.objects.filter(account_id__in=ids, kind__in=rules.LINE_KINDS, amount_fen__gt=0)
        .select_related("account")
        .order_by("-posting_date", "-id")[:CHOICES]
    )
    return {
        "open_disputes": [d for d in found if d.status in OPEN_STATUSES],
        "closed_disputes": [d for d in found if d.status not in OPEN_STATUSES],
        "accounts": [(ref, masked) for _, ref, masked in choices],
        "entries": entries,
        "kinds": DisputeKind.choices,
        "channels": DisputeChannel.choices,
        "next": request.get_full_path() if request else "/",
        "csrf_token": context.get("csrf_token"),
        "request": request,
    }


@register.inclusion_tag("arrears/disputes/_lead.html", takes_context=True)
def dispute_sla(context: Any) -> dict[str, Any]:
    """The disputes of the customers of the teams the person leads: two queries."""
    request = context["request"]
    today = business_date_of(request)
    mine = Dispute.objects.filter(
        customer_id__in=Case.objects.filter(team__in=teams_led_by(request.user)).values("customer_id")
    )
    attention = list(
        mine.filter(status__in=OPEN_STATUSES, due_on__lte=today + dt.timedelta(days=DUE_SOON_DAYS)).order_by(
            "due_on", "id"
        )[:10]
    )
    for d in attention:
        d.late = d.sla_breached or d.due_on < today  # type: ignore[attr-defined]
    return {"sla": sla_figures(mine, business_date=today), "attention": attention, "soon_days": DUE_SOON_DAYS}

"""Server-rendered pages: parse, one call, render."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from arrears.application import figures
from arrears.application.reads import record_request_reads
from arrears.cases.queries import account_for, visible_accounts
from arrears.cycle import business_date
from arrears.cycle.runner import last_completed
from arrears.errors import NotFound
from arrears.interfaces.web.figures import account_view
from arrears.interfaces.web.labels import classification_label, component_label, entry_kind_label, explanation_label
from arrears.ledger.models import Account, AccountStatus
from arrears.scenario import statement_lines


@login_required
def home(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    if query and Account.objects.filter(number=query).exists():
        return redirect("account", number=query)
    visible = visible_accounts(request.user)  # a collector: their team's; a lead: their teams'; SEES_ALL: all
    rows = figures.portfolio(within=visible)
    total = sum(r.accounts for r in rows) or 1
    buckets = [
        {
            "label": str(AccountStatus.CHARGED_OFF.label) if r.charged_off else r.label,
            "n": r.accounts,
            "class": classification_label(r.classification),
            "share": round(100 * r.accounts / total, 1),
            "balance": r.balance_fen,
            "still_owed": r.still_owed_fen,
            "owed": r.owed_fen,
        }
        for r in rows
    ]
    worst = [account_view(f) for f in figures.most_days_past_due(business_date=business_date.current(), within=visible)]
    names = dict(Account.objects.filter(pk__in=[w["f"].account_id for w in worst]).values_list("id", "customer__name"))
    for w in worst:
        w["customer"] = names.get(w["f"].account_id, "")
    record_request_reads(request, object_type="account", ids=[w["f"].account_id for w in worst])
    return render(
        request,
        "arrears/home.html",
        {
            "buckets": buckets,
            "worst": worst,
            "last_cycle_date": last_completed(),
            "query": query,
            "not_found": bool(query),
        },
    )


@login_required
def account_detail(request: HttpRequest, number: str) -> HttpResponse:
    try:
        account = account_for(request.user, number)
    except NotFound:
        raise Http404(_("No such account, or not one you can see.")) from None
    statements = list(account.statements.order_by("-statement_date")[:12])
    for s in statements:
        s.lines = [_labelled(line) for line in statement_lines(s)]  # type: ignore[attr-defined]
    money = figures.account_figures([account.pk], business_date=business_date.current())[account.pk]
    record_request_reads(request, object_type="account", ids=[account.pk])
    return render(
        request,
        "arrears/account.html",
        {
            "account": account,
            "statements": statements,
            "bucket_changes": account.bucket_changes.order_by("-change_date")[:24],
            **account_view(money),
        },
    )


def _labelled(line: dict[str, Any]) -> dict[str, Any]:
    """A statement line with its type, allocation and interest terms in the language of the page."""
    line["type"] = entry_kind_label(line["type"])
    if "allocation" in line:
        line["allocation"] = {component_label(c): v for c, v in line["allocation"].items()}
    parts = (line.get("explanation") or {}).get("parts")
    if parts:
        terms = [{**p, "what": explanation_label(p["what"])} for p in parts]
        line["explanation"] = {**line["explanation"], "parts": terms}
    return line

"""Server-rendered pages: parse, one call, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from arrears.application import figures
from arrears.application.personal_data import find_account, may_reveal, reveal
from arrears.application.reads import record_request_reads
from arrears.cases.queries import account_for, visible_accounts
from arrears.cycle import business_date
from arrears.cycle.runner import last_completed
from arrears.delinquency.chargeoff import AFTER_CHARGE_OFF
from arrears.errors import NotFound, NotPermitted, ValidationFailed
from arrears.interfaces.web import formatting
from arrears.interfaces.web.errors import error_line
from arrears.interfaces.web.figures import account_view
from arrears.interfaces.web.labels import classification_label, component_label, entry_kind_label, explanation_label
from arrears.interfaces.web.recovery import positions_view
from arrears.ledger.models import Account, AccountStatus
from arrears.scenario import statement_lines
from arrears.scoring.queries import latest_scores, view_of


@login_required
def home(request: HttpRequest) -> HttpResponse:
    # The search posts (a card number never travels in a URL) and answers alike for an account that
    # does not exist and one this person may not see.
    query = request.POST.get("q", "").strip() if request.method == "POST" else ""
    if query:
        found = find_account(user=request.user, query=query)
        if found is not None:
            return redirect("account", ref=found.ref)
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
            "not_found": bool(query),
        },
    )


@login_required
def account_detail(request: HttpRequest, ref: str) -> HttpResponse:
    try:
        account = account_for(request.user, ref)
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
            "may_reveal": may_reveal(request.user),
            "position": positions_view([account.pk]).get(account.pk) if account.status in AFTER_CHARGE_OFF else None,
            "scores": [view_of(s) for s in latest_scores(account_ids=[account.pk]).values()],
            **account_view(money),
        },
    )


@login_required
@require_POST
def reveal_page(request: HttpRequest, ref: str) -> HttpResponse:
    """The audited reveal of one masked value; the page that shows it is never cached."""
    field = request.POST.get("field", "")
    try:
        value = reveal(user=request.user, ref=ref, field=field, reason=request.POST.get("reason", ""))
    except NotFound:
        raise Http404(_("No such account, or not one you can see.")) from None
    except NotPermitted:
        raise PermissionDenied(_("Your role may not reveal this.")) from None
    except ValidationFailed as exc:
        messages.error(request, error_line(exc))
        back = request.POST.get("back", "")
        return redirect(back if _is_local(back) else "home")
    response = render(
        request,
        "arrears/revealed.html",
        {
            "ref": ref,
            "field": REVEALED_LABELS.get(field, field),
            "value": value,
            "back": _local_or_blank(request.POST.get("back", "")),
        },
    )
    response["Cache-Control"] = "no-store"
    return response


REVEALED_LABELS = {"number": _lazy("Card number"), "phone": _lazy("Mobile"), "national_id": _lazy("National ID")}


def _is_local(url: str) -> bool:
    return url.startswith("/") and url_has_allowed_host_and_scheme(url, allowed_hosts=None)


def _local_or_blank(url: str) -> str:
    return url if _is_local(url) else ""


def _labelled(line: dict[str, Any]) -> dict[str, Any]:
    """A statement line with its type, allocation and interest terms in the language of the page, its
    amounts with separators and two decimals, its rates as percentages and its dates in the page's format."""
    line["type"] = entry_kind_label(line["type"])
    line["date"] = formatting.day(line["date"])
    line["amount"] = formatting.amount(line["amount"])
    if "allocation" in line:
        line["allocation"] = {component_label(c): formatting.amount(v) for c, v in line["allocation"].items()}
    explanation = line.get("explanation") or {}
    parts = explanation.get("parts")
    if parts:
        terms = [
            {
                **p,
                "what": explanation_label(p["what"]),
                "base": formatting.amount(p.get("base")),
                "rate": formatting.percent(p.get("rate")),
                "interest": formatting.amount(p.get("interest")),
            }
            for p in parts
        ]
        line["explanation"] = {**explanation, "parts": terms}
    elif explanation.get("rule") == "late_fee":
        line["explanation"] = {
            **explanation,
            "base": formatting.amount(explanation.get("base")),
            "rate": formatting.percent(explanation.get("rate")),
            "amount": formatting.amount(explanation.get("amount")),
        }
    return line

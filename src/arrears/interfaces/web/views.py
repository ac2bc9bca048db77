"""Server-rendered pages: parse, one call, render."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from arrears.cases.queries import account_for
from arrears.cycle.runner import last_completed
from arrears.delinquency.rules import classification
from arrears.errors import NotFound
from arrears.interfaces.web.labels import classification_label, component_label, entry_kind_label, explanation_label
from arrears.ledger.models import Account, AccountStatus
from arrears.money import from_fen
from arrears.scenario import statement_lines


@login_required
def home(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    if query and Account.objects.filter(number=query).exists():
        return redirect("account", number=query)
    rows = (
        Account.objects.exclude(status=AccountStatus.CLOSED)
        .values("bucket", "status")
        .annotate(
            n=Count("id"),
            owed=Sum("principal_fen") + Sum("interest_fen") + Sum("fees_fen"),
            written_off=Sum("charged_off_fen"),
        )
        .order_by("bucket")
    )
    buckets: dict[str, dict[str, object]] = {}
    for r in rows:
        charged_off = r["status"] == AccountStatus.CHARGED_OFF
        label = str(AccountStatus.CHARGED_OFF.label) if charged_off else f"M{r['bucket']}"
        b = buckets.setdefault(
            label,
            {
                "label": label,
                "n": 0,
                "owed": 0,
                "class": classification_label(classification(r["bucket"], charged_off=charged_off)),
            },
        )
        b["n"] = int(b["n"]) + r["n"]  # type: ignore[call-overload]
        b["owed"] = int(b["owed"]) + (r["written_off"] if charged_off else r["owed"] or 0)  # type: ignore[call-overload]
    total = sum(int(b["n"]) for b in buckets.values()) or 1  # type: ignore[call-overload]
    for b in buckets.values():
        b["share"] = round(100 * int(b["n"]) / total, 1)  # type: ignore[call-overload]
        b["owed"] = from_fen(int(b["owed"]))  # type: ignore[call-overload]
    worst = (
        Account.objects.filter(dpd__gt=0, status__in=[AccountStatus.OPEN, AccountStatus.BLOCKED])
        .select_related("customer")
        .order_by("-dpd", "id")[:20]
    )
    return render(
        request,
        "arrears/home.html",
        {
            "buckets": list(buckets.values()),
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
    return render(
        request,
        "arrears/account.html",
        {
            "account": account,
            "statements": statements,
            "bucket_changes": account.bucket_changes.order_by("-change_date")[:24],
            "classification": classification_label(
                classification(account.bucket, charged_off=account.status == AccountStatus.CHARGED_OFF)
            ),
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

"""Server-rendered pages: parse, one call, render."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from arrears.cycle.runner import last_completed
from arrears.delinquency.rules import classification
from arrears.ledger.models import Account, AccountStatus
from arrears.money import from_fen
from arrears.scenario import statement_lines


@login_required
def home(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    if query:
        account = Account.objects.filter(number=query).first()
        if account:
            return redirect("account", number=account.number)
    rows = (
        Account.objects.exclude(status=AccountStatus.CLOSED)
        .values("bucket", "status")
        .annotate(n=Count("id"), owed=Sum("principal_fen") + Sum("interest_fen") + Sum("fees_fen"),
                  written_off=Sum("charged_off_fen"))
        .order_by("bucket")
    )
    buckets: dict[str, dict[str, object]] = {}
    for r in rows:
        charged_off = r["status"] == AccountStatus.CHARGED_OFF
        label = "核销 / charged off" if charged_off else f"M{r['bucket']}"
        b = buckets.setdefault(label, {"label": label, "n": 0, "owed": 0,
                                       "class": classification(r["bucket"], charged_off=charged_off)})
        b["n"] = int(b["n"]) + r["n"]  # type: ignore[call-overload]
        b["owed"] = int(b["owed"]) + (r["written_off"] if charged_off else r["owed"] or 0)  # type: ignore[call-overload]
    total = sum(int(b["n"]) for b in buckets.values()) or 1  # type: ignore[call-overload]
    for b in buckets.values():
        b["share"] = round(100 * int(b["n"]) / total, 1)  # type: ignore[call-overload]
        b["owed"] = from_fen(int(b["owed"]))  # type: ignore[call-overload]
    worst = Account.objects.filter(dpd__gt=0, status__in=[AccountStatus.OPEN, AccountStatus.BLOCKED]).select_related(
        "customer").order_by("-dpd", "id")[:20]
    return render(request, "arrears/home.html", {
        "buckets": list(buckets.values()), "worst": worst, "business_date": last_completed(), "query": query,
        "not_found": bool(query),
    })


@login_required
def account_detail(request: HttpRequest, number: str) -> HttpResponse:
    account = get_object_or_404(Account.objects.select_related("customer", "product"), number=number)
    statements = list(account.statements.order_by("-statement_date")[:12])
    for s in statements:
        s.lines = statement_lines(s)  # type: ignore[attr-defined]
    return render(request, "arrears/account.html", {
        "account": account, "statements": statements,
        "bucket_changes": account.bucket_changes.order_by("-change_date")[:24],
        "classification": classification(account.bucket, charged_off=account.status == AccountStatus.CHARGED_OFF),
    })

"""Concession form of the 360 page and the approvals inbox: parse, one call, render."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from arrears.application.reads import record_request_reads
from arrears.cases.queries import case_for
from arrears.concessions.operations import ConcessionIn, decide_approval, request_concession
from arrears.concessions.queries import inbox, my_requests
from arrears.cycle import business_date
from arrears.errors import ArrearsError, NotFound, ValidationFailed
from arrears.interfaces.web.errors import error_line
from arrears.money import parse_amount


def _amount(text: str, field: str) -> Decimal | None:
    return parse_amount(text, field=field) if text.strip() else None


def _payments(text: str) -> list[tuple[dt.date, Decimal]]:
    rows = []
    for n, line in enumerate((x for x in text.splitlines() if x.strip()), start=1):
        parts = line.split()
        try:
            date = dt.date.fromisoformat(parts[0])
        except (IndexError, ValueError):
            raise ValidationFailed(
                f"line {n}: give a date as YYYY-MM-DD, then the amount",
                field="payments",
                code="payment_line_malformed",
                params={"line": n},
            ) from None
        amount = _amount(parts[1] if len(parts) > 1 else "", "payments")
        if amount is None:
            raise ValidationFailed(
                f"line {n}: the amount is missing", field="payments", code="payment_line_no_amount", params={"line": n}
            )
        rows.append((date, amount))
    return rows


def _days(text: str) -> int | None:
    if not text.strip():
        return None
    try:
        return int(text)
    except ValueError:
        raise ValidationFailed("must be a whole number of days", field="days", code="not_a_whole_number") from None


@login_required
@require_POST
def create(request: HttpRequest, case_id: int) -> HttpResponse:
    try:
        case = case_for(request.user, case_id)
    except NotFound:
        raise Http404(_("No such case, or not one you can see.")) from None
    p = request.POST
    try:
        data = ConcessionIn(
            kind=p.get("kind", ""),
            reason=p.get("reason", ""),
            evidence=p.get("evidence", ""),
            account_number=p.get("account", ""),
            amount=_amount(p.get("amount", ""), "amount"),
            days=_days(p.get("days", "")),
            payments=_payments(p.get("payments", "")),
        )
        concession = request_concession(user=request.user, case=case, data=data, business_date=business_date.current())
    except ArrearsError as exc:
        messages.error(request, error_line(exc))
    else:
        if concession.status == "pending":
            messages.success(request, _("Above your authority: sent for approval."))
        else:
            messages.success(request, _("Concession granted."))
    return redirect(reverse("case", args=[case.pk]) + "?tab=concession#concessions")


def _approval_id(text: str) -> int:
    """The approval id posted; one that is not a number is not found, like any id the person cannot see."""
    try:
        return int(text.strip())
    except ValueError:
        raise NotFound("no approval request that you can see", field="approval") from None


@login_required
def inbox_page(request: HttpRequest) -> HttpResponse:
    today = business_date.current()
    if request.method == "POST":
        try:
            approval_id = _approval_id(request.POST.get("approval", ""))
            decide_approval(
                user=request.user,
                approval_id=approval_id,
                decision=request.POST.get("decision", ""),
                comment=request.POST.get("comment", ""),
                business_date=today,
            )
            messages.success(request, _("Decision recorded."))
            return redirect("approvals")
        except ArrearsError as exc:
            messages.error(request, error_line(exc))
    context: dict[str, Any] = {
        "pending": list(inbox(request.user, today)[:100]),
        "mine": list(my_requests(request.user)[:30]),
    }
    record_request_reads(request, object_type="approval", ids=[a.pk for a in context["pending"] + context["mine"]])
    return render(request, "arrears/concessions/inbox.html", context)

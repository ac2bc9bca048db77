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
from arrears.concessions.models import ApprovalRequest, ApprovalStatus, Concession, ConcessionKind, ConcessionStatus
from arrears.concessions.operations import ConcessionIn, decide_approval, request_concession
from arrears.concessions.queries import (
    Awaiting,
    awaiting,
    decided_by,
    inbox,
    my_requests,
    within_authority_of,
)
from arrears.concessions.rules import RANK, acting_role
from arrears.cycle import business_date
from arrears.errors import ArrearsError, NotFound, ValidationFailed
from arrears.interfaces.templatetags.money import yuan
from arrears.interfaces.web.errors import error_line
from arrears.money import parse_amount
from arrears.people.models import Role
from arrears.people.operations import roles_of


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
        messages.success(request, granted_or_sent(concession))
    return redirect(reverse("case", args=[case.pk]) + "?tab=concession#concessions")


# --- the words: nothing is worded as done until it is done --------------------------------------


def whom(waiting: Awaiting | None) -> str:
    """'Team lead (lead)': the role a request waits for, and the person when one holds it."""
    if waiting is None:
        return ""
    role = str(Role(waiting.role).label) if waiting.role in Role.values else waiting.role
    if waiting.user is None:
        return role
    return _("%(role)s (%(person)s)") % {"role": role, "person": waiting.user_name}


def what(concession: Concession) -> str:
    """'late-fee waiver of 300.00', 'due-date extension of 20 days'."""
    kind = str(ConcessionKind(concession.kind).label) if concession.kind in ConcessionKind.values else concession.kind
    if concession.kind == ConcessionKind.EXTENSION:
        return _("%(kind)s of %(days)s days") % {"kind": kind, "days": concession.days}
    return _("%(kind)s of %(amount)s") % {"kind": kind, "amount": yuan(concession.amount_fen)}


def status_line(concession: Concession, waiting: Awaiting | None = None) -> str:
    """The concession's status as staff and customer may be told it: a request awaiting approval
    says so and by whom; only a granted one is worded as done."""
    if concession.status == ConcessionStatus.PENDING:
        if waiting is None:
            return _("requested, awaiting approval: not in effect yet")
        return _("requested, awaiting approval by %(whom)s: not in effect yet") % {"whom": whom(waiting)}
    if concession.status == ConcessionStatus.APPLIED:
        return _("approved and applied")
    if concession.status == ConcessionStatus.ACTIVE:
        return _("settlement agreed, awaiting the customer's payments")
    return str(concession.get_status_display())


def granted_or_sent(concession: Concession) -> str:
    """The message after a request: granted (and in effect), or sent up and to whom."""
    if concession.status == ConcessionStatus.PENDING:
        return _(
            "Above your authority: %(what)s is requested, awaiting approval by %(whom)s. It is not in effect "
            "yet; do not tell the customer it is done."
        ) % {"what": what(concession), "whom": whom(awaiting(concession.approval))}
    if concession.status == ConcessionStatus.ACTIVE:
        return _("Within your authority: settlement agreed, awaiting the customer's payments.")
    return _("Within your authority: %(what)s approved and applied.") % {"what": what(concession)}


def decided(approval: ApprovalRequest, decision: str) -> str:
    """The message after a decision: approved and applied, rejected, or sent up and to whom."""
    concession = approval.concession
    if approval.status == ApprovalStatus.PENDING:
        if decision == "send_up":
            return _("Sent up: %(what)s now awaits approval by %(whom)s.") % {
                "what": what(concession),
                "whom": whom(awaiting(approval)),
            }
        return _("Above your authority: %(what)s was sent up and now awaits approval by %(whom)s.") % {
            "what": what(concession),
            "whom": whom(awaiting(approval)),
        }
    if approval.status == ApprovalStatus.REJECTED:
        return _("Rejected: %(what)s will not be applied.") % {"what": what(concession)}
    if concession.status == ConcessionStatus.ACTIVE:
        return _("Approved: the settlement is agreed, awaiting the customer's payments.")
    return _("Approved within your authority: %(what)s is applied.") % {"what": what(concession)}


def masked_name(name: str) -> str:
    """张三丰 -> 张**: enough to tell customers apart in a list, the case page has the rest."""
    name = name.strip()
    return name[:1] + "*" * max(len(name) - 1, 1) if name else ""


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
            decision = request.POST.get("decision", "")
            approval = decide_approval(
                user=request.user,
                approval_id=approval_id,
                decision=decision,
                comment=request.POST.get("comment", ""),
                business_date=today,
            )
            messages.success(request, decided(approval, decision))
            return redirect("approvals")
        except ArrearsError as exc:
            messages.error(request, error_line(exc))
    pending = list(inbox(request.user, today)[:100])
    mine = list(my_requests(request.user)[:30])
    done = list(decided_by(request.user)[:10])
    within = within_authority_of([a.concession for a in pending])
    mine_rank = RANK.get(acting_role(roles_of(request.user), superuser=request.user.is_superuser) or "", 0)
    memo: dict[Any, Any] = {}
    rows = []
    for a in pending:
        role = within.get(a.concession.pk)
        rows.append(
            {
                "a": a,
                "what": what(a.concession),
                "whom": whom(awaiting(a, memo)),
                "customer": masked_name(a.concession.case.customer.name),
                "age": (today - a.concession.requested_on).days,
                "within": whom(Awaiting(role, None)) if role else _("nobody: above every role"),
                "yours": role is not None and RANK[role] <= mine_rank,
            }
        )
    context: dict[str, Any] = {
        "rows": rows,
        "mine": [
            {"a": a, "what": what(a.concession), "status": status_line(a.concession, awaiting(a, memo))} for a in mine
        ],
        "done": [{"a": a, "what": what(a.concession), "status": status_line(a.concession)} for a in done],
    }
    record_request_reads(request, object_type="approval", ids=[a.pk for a in pending + mine + done])
    return render(request, "arrears/concessions/inbox.html", context)

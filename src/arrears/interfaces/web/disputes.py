"""The disputes' pages: the list (lead, customer service, compliance), one dispute (hold, deadline,
evidence pack, the maker's proposal and the checker's decision), and opening one from the case or
account page. Another team's dispute is 404, as an unknown one."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from arrears.application.reads import record_request_reads
from arrears.cases.queries import account_for
from arrears.cycle import business_date
from arrears.disputes import operations as disputes
from arrears.disputes.evidence import evidence_pack
from arrears.disputes.models import OPEN_STATUSES, Dispute, DisputeStatus, Outcome
from arrears.disputes.queries import dispute_for, visible_disputes
from arrears.errors import ArrearsError, NotFound, ValidationFailed
from arrears.interfaces.web.concessions import masked_name
from arrears.interfaces.web.errors import error_line
from arrears.ledger.models import Entry
from arrears.money import parse_amount
from arrears.people.models import Role
from arrears.people.operations import roles_of

LIST_ROLES = {Role.TEAM_LEAD, Role.CUSTOMER_SERVICE, Role.COMPLIANCE_OFFICER}


def _language() -> str:
    return "en" if (get_language() or "").startswith("en") else "zh-hans"


def _date(text: str, field: str) -> dt.date | None:
    if not text.strip():
        return None
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise ValidationFailed(f"{text!r} is not a date like 2026-11-02", field=field, code="not_a_date") from None


def _dispute(request: HttpRequest, dispute_id: int) -> Dispute:
    try:
        return dispute_for(request.user, dispute_id)
    except NotFound:
        raise Http404(_("No such dispute.")) from None


@login_required
def dispute_list(request: HttpRequest) -> HttpResponse:
    if not (request.user.is_superuser or roles_of(request.user) & LIST_ROLES):
        raise PermissionDenied(_("Only team leads, customer service and compliance officers see the disputes."))
    today = business_date.current()
    shown = request.GET.get("show", "open")
    rows = visible_disputes(request.user).select_related("account", "customer")
    if shown == "open":
        rows = rows.filter(status__in=OPEN_STATUSES)
    elif shown == "breached":
        rows = rows.filter(status__in=OPEN_STATUSES, due_on__lt=today)
    else:
        shown = "all"
    found = list(rows.order_by("due_on", "id")[:200])
    for d in found:
        d.customer_masked = masked_name(d.customer.name)  # type: ignore[attr-defined]
        d.late = d.is_open and (d.sla_breached or d.due_on < today)  # type: ignore[attr-defined]
    record_request_reads(request, object_type="account", ids=[d.account.ref for d in found])
    filters = [("open", _("Open")), ("breached", _("Past the answer date")), ("all", _("All"))]
    return render(request, "arrears/disputes/list.html", {"disputes": found, "shown": shown, "filters": filters})


def _act(request: HttpRequest, dispute: Dispute, today: dt.date) -> str:
    p, action = request.POST, request.POST.get("action", "")
    if action == "propose":
        disputes.propose_resolution(
            user=request.user,
            dispute=dispute,
            outcome=p.get("outcome", ""),
            reasons=p.get("reasons", ""),
            business_date=today,
        )
        return _("The resolution is proposed; another person decides it.")
    if action in ("approve", "refuse"):
        decided = disputes.decide(
            user=request.user, dispute=dispute, approve=action == "approve", business_date=today, language=_language()
        )
        if decided.status == DisputeStatus.OPEN:
            return _("The proposal is refused: the dispute is open again.")
        return _("The dispute is decided: %(status)s.") % {"status": decided.get_status_display()}
    raise ValidationFailed("choose what to do", field="action", code="nothing_chosen")


@login_required
def dispute_detail(request: HttpRequest, dispute_id: int) -> HttpResponse:
    dispute = _dispute(request, dispute_id)
    today = business_date.current()
    if request.method == "POST":
        try:
            done = _act(request, dispute, today)
        except ArrearsError as exc:
            messages.error(request, error_line(exc))
        else:
            messages.success(request, done)
            return redirect("dispute", dispute_id=dispute.pk)
        dispute = _dispute(request, dispute_id)
    record_request_reads(request, object_type="account", ids=[dispute.account.ref])
    roles = roles_of(request.user)
    context: dict[str, Any] = {
        "d": dispute,
        "customer_masked": masked_name(dispute.customer.name),
        "late": dispute.is_open and (dispute.sla_breached or dispute.due_on < today),
        "may_propose": dispute.status == DisputeStatus.OPEN
        and (request.user.is_superuser or bool(roles & disputes.PROPOSE_ROLES)),
        "may_decide": dispute.status == DisputeStatus.PROPOSED
        and dispute.proposed_by_id != request.user.pk
        and (request.user.is_superuser or bool(roles & disputes.DECIDE_ROLES)),
        "outcomes": Outcome.choices,
        "interest": dispute.resolution.get("interest", []),
    }
    return render(request, "arrears/disputes/detail.html", context)


@login_required
def dispute_evidence(request: HttpRequest, dispute_id: int) -> HttpResponse:
    dispute = _dispute(request, dispute_id)
    record_request_reads(request, object_type="account", ids=[dispute.account.ref], action="evidence_pack")
    response = HttpResponse(evidence_pack(dispute, _language()), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="dispute-{dispute.pk}-evidence.pdf"'
    return response


@login_required
def dispute_letter(request: HttpRequest, dispute_id: int) -> HttpResponse:
    dispute = _dispute(request, dispute_id)
    if not dispute.letter:
        raise Http404(_("No letter was sent for this dispute."))
    response = HttpResponse(bytes(dispute.letter), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="dispute-{dispute.pk}-letter.pdf"'
    return response


@login_required
@require_POST
def dispute_open(request: HttpRequest) -> HttpResponse:
    """Open a dispute from the case or the account page's form; back to the page on a refusal."""
    p = request.POST
    back = p.get("next", "")
    if not back.startswith("/") or back.startswith("//"):
        back = "/"
    try:
        account = account_for(request.user, p.get("account", "").strip())
        entry = None
        if p.get("entry", "").strip():
            wanted = p["entry"].strip()
            entry = Entry.objects.filter(pk=int(wanted) if wanted.isdecimal() else 0, account=account).first()
            if entry is None:
                raise ValidationFailed("is not an entry of this account", field="entry")
        amount = parse_amount(p["amount"], field="amount") if p.get("amount", "").strip() else None
        dispute = disputes.open_dispute(
            actor=request.user.get_username(),
            account=account,
            kind=p.get("kind", ""),
            reason=p.get("reason", ""),
            channel=p.get("channel", ""),
            business_date=business_date.current(),
            entry=entry,
            amount=amount,
            payment_date=_date(p.get("payment_date", ""), "payment_date"),
            payment_reference=p.get("payment_reference", ""),
        )
    except ArrearsError as exc:
        messages.error(request, error_line(exc))
        return redirect(back)
    messages.success(request, _("Dispute %(id)s opened: collection of what it covers is on hold.") % {"id": dispute.pk})
    return redirect("dispute", dispute_id=dispute.pk)

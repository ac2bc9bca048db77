"""The complaints register's pages: the list with filters, registering from a case (picking the contacts
concerned from its contact log), and a complaint's page, where it is investigated and closed."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from arrears.agencies.models import Agency
from arrears.application.reads import record_request_reads
from arrears.cases.queries import case_for
from arrears.complaints import queries
from arrears.complaints.models import (
    Category,
    Complaint,
    ComplaintChannel,
    ComplaintStatus,
    Outcome,
    RootCause,
    Severity,
)
from arrears.complaints.operations import close_complaint, register_complaint, start_investigation
from arrears.contacts.models import Contact
from arrears.cycle import business_date
from arrears.errors import ArrearsError, NotFound, ValidationFailed
from arrears.holds.models import CHANNEL_LABELS
from arrears.interfaces.web.concessions import masked_name
from arrears.interfaces.web.errors import error_line

SHOWN = 200
CASE_CONTACTS = 50


def _require(request: HttpRequest) -> None:
    if not queries.may_register(request.user):
        raise PermissionDenied(_("This page is for the staff who handle complaints."))


def _int(text: str | None) -> int | None:
    text = (text or "").strip()
    return int(text) if text.isascii() and text.isdecimal() and len(text) < 19 else None


@login_required
def complaints_list(request: HttpRequest) -> HttpResponse:
    _require(request)
    today = business_date.current()
    visible = queries.visible_complaints(request.user)
    chosen = {k: request.GET.get(k, "") for k in ("status", "category", "severity", "overdue")}
    shown = visible
    if chosen["status"] in ComplaintStatus.values:
        shown = shown.filter(status=chosen["status"])
    if chosen["category"] in Category.values:
        shown = shown.filter(category=chosen["category"])
    if chosen["severity"] in Severity.values:
        shown = shown.filter(severity=chosen["severity"])
    if chosen["overdue"] == "1":
        shown = shown.exclude(status=ComplaintStatus.CLOSED).filter(due_on__lt=today)
    rows = list(shown.select_related("customer", "account", "agency").order_by("status", "due_on", "id")[:SHOWN])
    record_request_reads(request, object_type="customer", ids=[c.customer_id for c in rows])
    return render(
        request,
        "arrears/complaints/list.html",
        {
            "rows": [(c, masked_name(c.customer.name), c.is_open and c.due_on < today) for c in rows],
            "chosen": chosen,
            "statuses": ComplaintStatus.choices,
            "categories": Category.choices,
            "severities": Severity.choices,
            "summary": queries.lead_summary(request.user, today=today),
        },
    )


@login_required
def complaint_new(request: HttpRequest) -> HttpResponse:
    _require(request)
    case_id = _int(request.POST.get("case") if request.method == "POST" else request.GET.get("case"))
    if case_id is None:
        return render(request, "arrears/complaints/new.html", {"case": None})
    try:
        case = case_for(request.user, case_id)
    except NotFound:
        raise Http404("no such case") from None
    today = business_date.current()
    contacts = list(
        Contact.objects.filter(case=case).select_related("collector").order_by("-at", "-id")[:CASE_CONTACTS]
    )
    staff_ids = {c.collector_id for c in contacts if c.collector_id is not None}
    if case.collector_id is not None:
        staff_ids.add(case.collector_id)
    people = list(User.objects.filter(pk__in=staff_ids, is_active=True).order_by("username"))
    accounts = list(case.customer.accounts.order_by("id"))
    if request.method == "POST":
        try:
            complaint = _register(request, case, contacts, people, accounts, today)
        except ArrearsError as exc:
            messages.error(request, error_line(exc))
        else:
            messages.success(request, _("Complaint %(id)s registered.") % {"id": complaint.pk})
            return redirect("complaint", complaint_id=complaint.pk)
    record_request_reads(request, object_type="case", ids=[case.pk])
    return render(
        request,
        "arrears/complaints/new.html",
        {
            "case": case,
            "customer": masked_name(case.customer.name),
            "contacts": contacts,
            "people": people,
            "accounts": accounts,
            "agencies": list(Agency.objects.order_by("code")),
            "categories": Category.choices,
            "severities": Severity.choices,
            "channels": [c for c in ComplaintChannel.choices if c[0] != ComplaintChannel.PORTAL],
            "hold_channels": list(CHANNEL_LABELS.items()),
            "today": today,
            "posted": request.POST if request.method == "POST" else {},
        },
    )


def _register(
    request: HttpRequest,
    case: Any,
    contacts: list[Contact],
    people: list[User],
    accounts: list[Any],
    today: dt.date,
) -> Complaint:
    post = request.POST
    try:
        received = dt.date.fromisoformat(post.get("received_on", "").strip()) if post.get("received_on") else today
    except ValueError:
        raise ValidationFailed("give a date like 2026-06-15", field="received_on", code="not_a_date") from None
    by_id = {c.pk: c for c in contacts}
    chosen_contacts = [by_id.get(_int(x) or 0) for x in post.getlist("contacts")]
    if None in chosen_contacts:
        raise ValidationFailed("every contact concerned must be one of this case's contacts", field="contacts")
    people_by_id = {u.pk: u for u in people}
    chosen_staff = [people_by_id.get(_int(x) or 0) for x in post.getlist("staff")]
    if None in chosen_staff:
        raise ValidationFailed("the staff involved must have worked this case", field="staff")
    account = None
    if post.get("account"):
        account = next((a for a in accounts if a.ref == post.get("account")), None)
        if account is None:
            raise ValidationFailed("the account is not this customer's", field="account")
    agency = None
    if post.get("agency"):
        agency = Agency.objects.filter(code=post.get("agency")).first()
        if agency is None:
            raise NotFound("no such agency", field="agency")
    return register_complaint(
        actor=request.user.get_username(),
        opened_by=request.user,
        customer=case.customer,
        account=account,
        case=case,
        category=post.get("category", ""),
        severity=post.get("severity", ""),
        channel=post.get("channel", ""),
        description=post.get("description", ""),
        received_on=received,
        business_date=today,
        contacts=[c for c in chosen_contacts if c is not None],
        staff=[u for u in chosen_staff if u is not None],
        agency=agency,
        hold_channels=post.getlist("hold_channels"),
    )


@login_required
def complaint_detail(request: HttpRequest, complaint_id: int) -> HttpResponse:
    _require(request)
    try:
        complaint = queries.complaint_for(request.user, complaint_id)
    except NotFound:
        raise Http404("no such complaint") from None
    today = business_date.current()
    if request.method == "POST":
        try:
            if request.POST.get("action") == "investigate":
                start_investigation(user=request.user, complaint=complaint)
                messages.success(request, _("The complaint is under investigation."))
            else:
                close_complaint(
                    user=request.user,
                    complaint=complaint,
                    outcome=request.POST.get("outcome", ""),
                    root_cause=request.POST.get("root_cause", ""),
                    root_cause_note=request.POST.get("root_cause_note", ""),
                    business_date=today,
                )
                messages.success(request, _("The complaint is closed."))
        except ArrearsError as exc:
            messages.error(request, error_line(exc))
        else:
            return redirect("complaint", complaint_id=complaint.pk)
        complaint = queries.complaint_for(request.user, complaint_id)
    record_request_reads(request, object_type="customer", ids=[complaint.customer_id])
    return render(
        request,
        "arrears/complaints/detail.html",
        {
            "c": complaint,
            "customer": masked_name(complaint.customer.name),
            "contacts": list(complaint.contacts.select_related("collector").order_by("-at")),
            "staff": list(complaint.staff.order_by("username")),
            "holds": [
                (", ".join(str(CHANNEL_LABELS.get(ch, ch)) for ch in h.channels) or _("every channel"), h.lifted_at)
                for h in complaint.holds.order_by("id")
            ],
            "overdue": complaint.is_open and complaint.due_on < today,
            "may_close": queries.may_close(request.user),
            "outcomes": Outcome.choices,
            "root_causes": RootCause.choices,
        },
    )

"""Registering and closing complaints: validated first, then written and audited in one transaction.

The portal registers with actor "cardholder:<id>" and channel "portal"; staff register with their
user as `opened_by`. A complaint about how the bank reaches the customer may stop channels while it is
open (`hold_channels`: a complaint hold the compliance gate honours), lifted when it is closed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import transaction

from arrears.audit.operations import record
from arrears.complaints import rules
from arrears.complaints.models import (
    Category,
    Complaint,
    ComplaintChannel,
    ComplaintStatus,
    Outcome,
    RootCause,
    Severity,
)
from arrears.complaints.queries import may_close
from arrears.contacts.models import Contact
from arrears.errors import Conflict, NotPermitted, ValidationFailed
from arrears.holds.models import HoldKind
from arrears.holds.operations import lift_hold, set_hold
from arrears.kernel import clock
from arrears.kernel.vocabulary import Channel
from arrears.ledger.models import Account, Customer

MAX_TEXT = 4000
POLICY = rules.Policy()


def _choice(value: str, choices: Sequence[str], field: str) -> str:
    if value not in choices:
        raise ValidationFailed(
            f"{value!r} is not one of {', '.join(choices)}",
            field=field,
            code="not_a_choice",
            params={"values": ", ".join(choices)},
        )
    return value


def _text(value: str, field: str, *, required: bool) -> str:
    text = (value or "").strip()
    if required and not text:
        raise ValidationFailed("must not be empty", field=field, code="required")
    if len(text) > MAX_TEXT:
        raise ValidationFailed(f"at most {MAX_TEXT} characters", field=field)
    return text


def register_complaint(
    *,
    actor: str,
    customer: Customer,
    category: str,
    severity: str,
    channel: str,
    description: str,
    business_date: dt.date,
    account: Account | None = None,
    case: Any = None,
    contacts: Iterable[Contact] = (),
    staff: Iterable[Any] = (),
    agency: Any = None,
    received_on: dt.date | None = None,
    opened_by: Any = None,
    hold_channels: Iterable[str] = (),
) -> Complaint:
    """A complaint in the register, due by its severity's deadline. The account, the case and every
    contact concerned must be the customer's; a hold on channels needs a complaint about contact and a
    member of staff registering it."""
    if not actor:
        raise ValidationFailed("the actor must be named", field="actor", code="required")
    _choice(category, Category.values, "category")
    _choice(severity, Severity.values, "severity")
    _choice(channel, ComplaintChannel.values, "channel")
    text = _text(description, "description", required=True)
    received = received_on or business_date
    if received > business_date:
        raise ValidationFailed(f"{received} is after the business date {business_date}", field="received_on")
    if account is not None and account.customer_id != customer.pk:
        raise ValidationFailed("the account is not this customer's", field="account")
    if case is not None and case.customer_id != customer.pk:
        raise ValidationFailed("the case is not this customer's", field="case")
    contacts = list(contacts)
    ids = [c.pk for c in contacts]
    theirs = set(Contact.objects.filter(pk__in=ids, case__customer_id=customer.pk).values_list("pk", flat=True))
    if len(set(ids)) != len(theirs):
        raise ValidationFailed("every contact concerned must be one of this customer's contacts", field="contacts")
    staff = list(staff)
    if any(not getattr(u, "pk", None) or not u.is_active for u in staff):
        raise ValidationFailed("the staff involved must be active members of staff", field="staff")
    channels = sorted(set(hold_channels))
    for c in channels:
        _choice(c, [str(x) for x in Channel], "hold_channels")
    if channels and category not in rules.ABOUT_CONTACT:
        raise ValidationFailed("a hold on channels goes only with a complaint about contact", field="hold_channels")
    if channels and opened_by is None:
        raise ValidationFailed("only a member of staff may hold channels", field="hold_channels")
    severity = rules.severity_of(severity=severity, channel=channel)
    with transaction.atomic():
        complaint = Complaint.objects.create(
            customer=customer,
            account=account,
            case=case,
            received_on=received,
            channel=channel,
            category=category,
            severity=severity,
            description=text,
            due_on=POLICY.due_on(received_on=received, severity=severity),
            agency=agency,
            opened_by=opened_by,
            opened_by_actor=actor[:150],
            opened_at=clock.now(),
        )
        complaint.contacts.set(contacts)
        complaint.staff.set(staff)
        if channels:
            hold = set_hold(
                user=opened_by,
                customer=customer,
                kind=HoldKind.COMPLAINT,
                reason=f"complaint {complaint.pk}",
                starts_on=business_date,
                channels=channels,
            )
            complaint.holds.add(hold)
        record(
            actor=actor,
            action="complaint.register",
            object_type="complaint",
            object_id=complaint.pk,
            after={
                "customer": customer.pk,
                "account": account.ref if account else None,
                "case": case.pk if case else None,
                "channel": channel,
                "category": category,
                "severity": severity,
                "due_on": complaint.due_on,
                "contacts": sorted(ids),
                "staff": sorted(u.get_username() for u in staff),
                "agency": agency.code if agency else None,
                "hold_channels": channels,
            },
        )
    return complaint


def start_investigation(*, user: Any, complaint: Complaint) -> Complaint:
    if not may_close(user):
        raise NotPermitted("you may not investigate complaints")
    if complaint.status != ComplaintStatus.OPEN:
        raise Conflict(f"the complaint is {complaint.status}", field="complaint", code="already_decided")
    with transaction.atomic():
        complaint.status = ComplaintStatus.INVESTIGATING
        complaint.save(update_fields=["status"])
        record(
            actor=user.get_username(),
            action="complaint.investigate",
            object_type="complaint",
            object_id=complaint.pk,
        )
    return complaint


def close_complaint(
    *, user: Any, complaint: Complaint, outcome: str, root_cause: str, root_cause_note: str, business_date: dt.date
) -> Complaint:
    """Closed with an outcome and a root cause (and a note when the cause is "other"); its holds lifted."""
    if not may_close(user):
        raise NotPermitted("you may not close complaints")
    if complaint.status == ComplaintStatus.CLOSED:
        raise Conflict("the complaint is already closed", field="complaint", code="already_decided")
    if not outcome:
        raise ValidationFailed("give the outcome", field="outcome", code="required")
    _choice(outcome, Outcome.values, "outcome")
    if not root_cause:
        raise ValidationFailed("give the root cause", field="root_cause", code="required")
    _choice(root_cause, RootCause.values, "root_cause")
    note = _text(root_cause_note, "root_cause_note", required=root_cause == RootCause.OTHER)
    with transaction.atomic():
        complaint.status = ComplaintStatus.CLOSED
        complaint.outcome, complaint.root_cause, complaint.root_cause_note = outcome, root_cause, note
        complaint.closed_by, complaint.closed_on = user, business_date
        complaint.save(update_fields=["status", "outcome", "root_cause", "root_cause_note", "closed_by", "closed_on"])
        lifted = []
        for hold in complaint.holds.filter(lifted_at__isnull=True):
            lift_hold(user=user, hold=hold, reason=f"complaint {complaint.pk} closed")
            lifted.append(hold.pk)
        record(
            actor=user.get_username(),
            action="complaint.close",
            object_type="complaint",
            object_id=complaint.pk,
            after={
                "outcome": outcome,
                "root_cause": root_cause,
                "root_cause_note": note,
                "closed_on": business_date,
                "late": rules.is_overdue(due_on=complaint.due_on, closed_on=business_date, today=business_date),
                "holds_lifted": lifted,
            },
        )
    return complaint

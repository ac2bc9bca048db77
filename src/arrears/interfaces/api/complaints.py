"""The complaints register: POST /api/v1/complaints, GET /api/v1/complaints/{id}."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.contrib.auth.models import User
from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import Field

from arrears.agencies.models import Agency
from arrears.application.reads import record_request_reads
from arrears.cases.queries import account_for, case_for
from arrears.complaints.models import Complaint
from arrears.complaints.operations import register_complaint
from arrears.complaints.queries import complaint_for, may_register
from arrears.contacts.models import Contact
from arrears.cycle import business_date
from arrears.errors import NotFound, NotPermitted, ValidationFailed
from arrears.interfaces.api import ids  # noqa: F401  (the {id:...} path converter)
from arrears.interfaces.api.errors import errors
from arrears.interfaces.api.params import Day, Id, Name, Text, Word

router = Router(tags=["complaints"])


class ComplaintIn(Schema):
    case: Id | None = None
    account: Name = ""  # the account's reference; with no case, the complaint is its customer's
    category: Word
    severity: Word
    channel: Word
    description: Text
    received_on: Day | None = None
    contacts: Annotated[list[Id], Field(max_length=50)] = []
    staff: Annotated[list[Name], Field(max_length=20)] = []  # user names
    agency: Word = ""  # the agency's code
    hold_channels: Annotated[list[Word], Field(max_length=5)] = []


class ComplaintOut(Schema):
    id: int
    customer: int
    case: int | None
    account: str | None
    received_on: dt.date
    channel: str
    category: str
    severity: str
    description: str
    status: str
    due_on: dt.date
    contacts: list[int]
    staff: list[str]
    agency: str | None
    outcome: str
    root_cause: str
    root_cause_note: str
    closed_on: dt.date | None


def _out(c: Complaint) -> dict[str, Any]:
    return {
        "id": c.pk,
        "customer": c.customer_id,
        "case": c.case_id,
        "account": c.account.ref if c.account else None,
        "received_on": c.received_on,
        "channel": c.channel,
        "category": c.category,
        "severity": c.severity,
        "description": c.description,
        "status": c.status,
        "due_on": c.due_on,
        "contacts": sorted(c.contacts.values_list("pk", flat=True)),
        "staff": sorted(c.staff.values_list("username", flat=True)),
        "agency": c.agency.code if c.agency else None,
        "outcome": c.outcome,
        "root_cause": c.root_cause,
        "root_cause_note": c.root_cause_note,
        "closed_on": c.closed_on,
    }


@router.post("/complaints", response={201: ComplaintOut, **errors(401, 403, 404, 422)})
def create_complaint(request: HttpRequest, body: ComplaintIn) -> Any:
    """Register a complaint about a case (or an account) you can see: customer service, compliance
    officers, team leads, administrators and collectors. The contacts concerned must be the customer's;
    `hold_channels` (a complaint about contact only) stops those channels until it is closed."""
    if not may_register(request.user):
        raise NotPermitted("you may not register complaints")
    if body.case is None and not body.account:
        raise ValidationFailed("name the case or the account the complaint concerns", field="case", code="required")
    case = case_for(request.user, body.case) if body.case is not None else None
    account = account_for(request.user, body.account) if body.account else None
    customer = case.customer if case is not None else account.customer  # type: ignore[union-attr]  # one is named
    contacts = list(Contact.objects.filter(pk__in=body.contacts))
    if len(contacts) != len(set(body.contacts)):
        raise ValidationFailed("every contact concerned must be one of this customer's contacts", field="contacts")
    staff = list(User.objects.filter(username__in=body.staff))
    if len(staff) != len(set(body.staff)):
        raise ValidationFailed("the staff involved must be members of staff", field="staff")
    agency = None
    if body.agency:
        agency = Agency.objects.filter(code=body.agency).first()
        if agency is None:
            raise NotFound("no such agency", field="agency")
    complaint = register_complaint(
        actor=request.user.get_username(),
        opened_by=request.user,
        customer=customer,
        account=account,
        case=case,
        category=body.category,
        severity=body.severity,
        channel=body.channel,
        description=body.description,
        received_on=body.received_on,
        business_date=business_date.current(),
        contacts=contacts,
        staff=staff,
        agency=agency,
        hold_channels=body.hold_channels,
    )
    return Status(201, _out(complaint))


@router.get("/complaints/{id:complaint_id}", response={200: ComplaintOut, **errors(401, 404, 422)})
def read_complaint(request: HttpRequest, complaint_id: int) -> Any:
    """A complaint you can see (another team's is not found)."""
    complaint = complaint_for(request.user, complaint_id)
    record_request_reads(request, object_type="customer", ids=[complaint.customer_id])
    return _out(complaint)

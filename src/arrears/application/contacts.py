"""Recording a contact: the compliance gate first, then the contact log, with its promise when one
was taken (one transaction)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import translation

from arrears.application.contact_gate import check_case_contact
from arrears.cases.models import Case
from arrears.contacts import operations as contacts
from arrears.contacts.models import Contact, Direction
from arrears.errors import ContactNotAllowed, ValidationFailed
from arrears.kernel import clock
from arrears.promises.operations import take_promise


def gate_decision(
    *, case: Case, data: contacts.ContactIn, at: dt.datetime, collector_type: str = "first_party"
) -> dict[str, Any]:
    """Ask the compliance gate about an outbound contact (by the bank, or by an `agency`); refuse it when
    blocked."""
    verdict = check_case_contact(
        case=case,
        channel=data.channel,
        address=data.address,
        party=data.party,
        at=at,
        text=data.notes if data.channel in ("sms", "email", "letter") else None,
        collector_type=collector_type,
        language=translation.get_language(),  # the reasons in the language of the person who asks
    )
    decision = verdict.as_dict()
    if not verdict.allowed:
        raise ContactNotAllowed("; ".join(verdict.reasons), decision=decision, field="channel")
    return decision


def record_contact(*, user: Any, case: Case, data: contacts.ContactIn, at: dt.datetime | None = None) -> Contact:
    """Record a contact; an outbound one only when the compliance gate allows it now."""
    contacts.validate_contact(data)
    at = at or clock.now()
    decision = gate_decision(case=case, data=data, at=at) if data.direction == Direction.OUTBOUND else None
    return contacts.record_contact(user=user, case=case, data=data, at=at, decision=decision)


def record_contact_with_promise(
    *,
    user: Any,
    case: Case,
    data: contacts.ContactIn,
    business_date: dt.date,
    promise_amount: Decimal | None = None,
    promise_date: dt.date | None = None,
) -> Contact:
    """A contact whose disposition is a promise to pay records the promise with it, or neither."""
    if data.disposition == "promise" and (promise_amount is None or promise_date is None):
        field = "promise_amount" if promise_amount is None else "promise_date"
        raise ValidationFailed(
            "a promise needs an amount and a date", field=field, code="promise_needs_amount_and_date"
        )
    with transaction.atomic():
        contact = record_contact(user=user, case=case, data=data)
        if promise_amount is not None and promise_date is not None and data.disposition == "promise":
            take_promise(
                user=user,
                case=case,
                amount=promise_amount,
                promised_date=promise_date,
                business_date=business_date,
                contact=contact,
            )
    return contact

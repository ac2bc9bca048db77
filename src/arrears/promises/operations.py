"""Taking a promise to pay, within the bank's policy."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction

from arrears.audit.operations import record
from arrears.cases.models import Case, CaseStatus, CaseStatusChange
from arrears.contacts.models import Contact
from arrears.errors import NotFound
from arrears.ledger.models import Customer
from arrears.money import to_fen
from arrears.promises.models import Promise, PromisePolicy, PromiseSource, PromiseStatus
from arrears.promises.rules import Policy, check_promise


def policy_in_force() -> Policy:
    row = PromisePolicy.objects.order_by("-id").first()
    if row is None:
        return Policy()
    return Policy(
        max_days_ahead=row.max_days_ahead,
        min_share_of_past_due=row.min_share_of_past_due,
        max_open_promises=row.max_open_promises,
        grace_days=row.grace_days,
    )


def take_promise(
    *,
    user: Any,
    case: Case,
    amount: Decimal,
    promised_date: dt.date,
    business_date: dt.date,
    contact: Contact | None = None,
) -> Promise:
    return _take(
        actor=user.get_username(),
        taken_by=user,
        via=PromiseSource.DESK,
        case=case,
        amount=amount,
        promised_date=promised_date,
        business_date=business_date,
        contact=contact,
    )


def take_promise_by_cardholder(
    *, customer: Customer, case: Case, amount: Decimal, promised_date: dt.date, business_date: dt.date
) -> Promise:
    """The cardholder's own promise, made on the portal: the same policy as a collector's, on a case of theirs."""
    if case.customer_id != customer.pk:
        raise NotFound("no such case")
    return _take(
        actor=f"cardholder:{customer.pk}",
        taken_by=None,
        via=PromiseSource.PORTAL,
        case=case,
        amount=amount,
        promised_date=promised_date,
        business_date=business_date,
        contact=None,
    )


def _take(
    *,
    actor: str,
    taken_by: Any,
    via: str,
    case: Case,
    amount: Decimal,
    promised_date: dt.date,
    business_date: dt.date,
    contact: Contact | None,
) -> Promise:
    fen = to_fen(amount, field="amount")
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        open_count = Promise.objects.filter(case=case, status=PromiseStatus.OPEN).count()
        check_promise(
            policy=policy_in_force(),
            amount_fen=fen,
            promised_date=promised_date,
            business_date=business_date,
            past_due_fen=case.past_due_fen,
            open_promises=open_count,
        )
        promise = Promise.objects.create(
            case=case,
            amount_fen=fen,
            promised_date=promised_date,
            taken_on=business_date,
            taken_by=taken_by,
            taken_via=via,
            contact=contact,
        )
        if case.status == CaseStatus.OPEN:
            Case.objects.filter(pk=case.pk).update(status=CaseStatus.PROMISED)
            CaseStatusChange.objects.create(
                case=case,
                change_date=business_date,
                from_status=case.status,
                to_status=CaseStatus.PROMISED,
                reason="promise to pay",
                actor=actor,
            )
        record(
            actor=actor,
            action="promise.take",
            object_type="case",
            object_id=case.pk,
            after={"promise": promise.pk, "amount_fen": fen, "promised_date": promised_date, "via": via},
        )
    return promise

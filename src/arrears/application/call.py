"""The guided call saved in one go: the contact (with its promise), the financial situation, the
callback and the hand-off the call decided. Each part goes through its own operation (the compliance
gate, the promise rules, the audit trail); all or nothing."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction

from arrears.application.contacts import record_contact_with_promise
from arrears.cases.models import Case
from arrears.contacts import operations as contacts
from arrears.contacts.models import Contact
from arrears.errors import ArrearsError
from arrears.money import fen_half_up
from arrears.promises.rules import Policy


@dataclasses.dataclass(frozen=True)
class Situation:
    monthly_income: Decimal
    monthly_expenses: Decimal
    ability: str
    willingness: str
    dependants: int = 0
    hardship_reason: str = ""


@dataclasses.dataclass(frozen=True)
class CallIn:
    contact: contacts.ContactIn
    promise_amount: Decimal | None = None
    promise_date: dt.date | None = None
    situation: Situation | None = None
    callback_at: dt.datetime | None = None
    hand_to: str = ""
    hand_comment: str = ""


# Where each part's errors belong on the call form (an operation names its own fields).
FIELDS = {
    "contact": {"amount": "promise_amount", "promised_date": "promise_date"},
    "callback": {"due_at": "callback_at", "note": "callback_at"},
    "handoff": {"to_role": "hand_to", "comment": "hand_comment"},
    "situation": {},
}


class CallPartError(Exception):
    """An operation refused one part of the call: `part` says which, `error` is the domain error."""

    def __init__(self, part: str, error: ArrearsError) -> None:
        super().__init__(str(error))
        self.part = part
        self.error = error


def save_call(*, user: Any, case: Case, call: CallIn, business_date: dt.date) -> Contact:
    """Record the call and everything it decided, in one transaction."""
    with transaction.atomic():
        part = "contact"
        try:
            contact = record_contact_with_promise(
                user=user,
                case=case,
                data=call.contact,
                business_date=business_date,
                promise_amount=call.promise_amount,
                promise_date=call.promise_date,
            )
            if call.situation is not None:
                part = "situation"
                s = call.situation
                contacts.capture_situation(
                    user=user,
                    case=case,
                    monthly_income=s.monthly_income,
                    monthly_expenses=s.monthly_expenses,
                    dependants=s.dependants,
                    hardship_reason=s.hardship_reason,
                    ability=s.ability,
                    willingness=s.willingness,
                )
            if call.callback_at is not None:
                part = "callback"
                contacts.schedule_callback(user=user, case=case, due_at=call.callback_at, note=call.contact.notes[:200])
            if call.hand_to:
                part = "handoff"
                contacts.hand_off(user=user, case=case, to_role=call.hand_to, comment=call.hand_comment)
        except ArrearsError as exc:
            raise CallPartError(part, exc) from exc
    return contact


@dataclasses.dataclass(frozen=True)
class PromiseRules:
    """The promise policy as the call form shows it beside the fields, before anything is saved."""

    minimum_fen: int
    latest: dt.date
    share: Decimal
    days: int
    open_promises: int
    max_open: int

    @property
    def may_take(self) -> bool:
        return self.open_promises < self.max_open


def promise_rules(*, policy: Policy, past_due_fen: int, business_date: dt.date, open_promises: int) -> PromiseRules:
    return PromiseRules(
        minimum_fen=fen_half_up(policy.min_share_of_past_due * past_due_fen),
        latest=business_date + dt.timedelta(days=policy.max_days_ahead),
        share=policy.min_share_of_past_due,
        days=policy.max_days_ahead,
        open_promises=open_promises,
        max_open=policy.max_open_promises,
    )

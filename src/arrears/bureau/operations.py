"""The writes of credit reporting besides the monthly step: disputes of the credit data and the notice
before the first negative report. Each validates first, then writes and audits in one transaction."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from arrears.audit.operations import record
from arrears.bureau import rules
from arrears.bureau.cycle import policy_on
from arrears.bureau.models import CreditNotice, DisputeTask
from arrears.errors import Conflict, ValidationFailed
from arrears.ledger.models import Account

NOTICE_CHANNELS = ("letter", "sms", "email", "statement", "call")
MAX_TEXT = 2000


def _text(value: str, field: str) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationFailed("is required", field=field, code="required")
    if len(text) > MAX_TEXT:
        raise ValidationFailed(f"must be at most {MAX_TEXT} characters", field=field, code="out_of_range")
    return text


def open_dispute(*, actor: str, account: Account, reason: str, business_date: dt.date) -> DisputeTask:
    """A dispute of the credit data (CN-CR-DISP): a task due in 20 days; the Metro 2 record carries XB
    from the next report until it is resolved."""
    text = _text(reason, "reason")
    due = rules.dispute_due(business_date, policy_on(business_date))
    with transaction.atomic():
        task = DisputeTask.objects.create(
            account=account, opened_on=business_date, due_on=due, reason=text, opened_by=actor
        )
        record(
            actor=actor,
            action="bureau.dispute_open",
            object_type="account",
            object_id=account.ref,
            after={"task": task.pk, "opened_on": business_date.isoformat(), "due_on": due.isoformat()},
        )
    return task


def resolve_dispute(*, actor: str, task: DisputeTask, answer: str, business_date: dt.date) -> DisputeTask:
    """The written answer: the task is closed and the Metro 2 record carries XH from the next report."""
    text = _text(answer, "answer")
    if business_date < task.opened_on:
        raise ValidationFailed("must not be before the dispute was opened", field="business_date")
    with transaction.atomic():
        task = DisputeTask.objects.select_for_update().get(pk=task.pk)
        if task.resolved_on is not None:
            raise Conflict("the dispute is already resolved", field="task")
        task.resolved_on = business_date
        task.answer = text
        task.resolved_by = actor
        task.save(update_fields=["resolved_on", "answer", "resolved_by"])
        record(
            actor=actor,
            action="bureau.dispute_resolve",
            object_type="account",
            object_id=task.account.ref,
            after={"task": task.pk, "resolved_on": business_date.isoformat(), "late": business_date > task.due_on},
        )
    return task


def record_notice(
    *, actor: str, account: Account, channel: str, sent_on: dt.date, reference: str = "", business_date: dt.date
) -> CreditNotice:
    """Record that the customer was told negative information will be reported (CN-CR-PRE, US-PASSIVE)."""
    if channel not in NOTICE_CHANNELS:
        raise ValidationFailed(f"must be one of {', '.join(NOTICE_CHANNELS)}", field="channel", code="not_a_choice")
    if sent_on > business_date:
        raise ValidationFailed("must not be after the business date", field="sent_on")
    if len(reference) > 80:
        raise ValidationFailed("must be at most 80 characters", field="reference", code="out_of_range")
    with transaction.atomic():
        notice = CreditNotice.objects.create(
            account=account, sent_on=sent_on, channel=channel, reference=reference, recorded_by=actor
        )
        record(
            actor=actor,
            action="bureau.credit_notice",
            object_type="account",
            object_id=account.ref,
            after={"sent_on": sent_on.isoformat(), "channel": channel, "reference": reference},
        )
    return notice


def restate_balances(*, actor: str, account: Account, lowered_by: dict[dt.date, int], reason: str) -> list[str]:
    """Correct the balance reported for each month already reported (a dispute upheld: the amount was
    never owed): the month's record is lowered by the amount, never below zero, and the next export
    sends it as it now stands. Returns the months re-stated (YYYY-MM)."""
    from arrears.bureau.models import BureauRecord

    if not reason.strip():
        raise ValidationFailed("is required", field="reason", code="required")
    months: list[str] = []
    with transaction.atomic():
        for record_row in BureauRecord.objects.select_for_update().filter(account=account, month__in=list(lowered_by)):
            cut = lowered_by[record_row.month]
            if cut <= 0:
                continue
            before = record_row.balance_fen
            record_row.balance_fen = max(0, before - cut)
            record_row.past_due_fen = min(record_row.past_due_fen, record_row.balance_fen)
            record_row.save(update_fields=["balance_fen", "past_due_fen"])
            months.append(f"{record_row.month:%Y-%m}")
            record(
                actor=actor,
                action="bureau.record_restate",
                object_type="account",
                object_id=account.ref,
                before={"month": f"{record_row.month:%Y-%m}", "balance_fen": before},
                after={"balance_fen": record_row.balance_fen, "reason": reason[:200]},
            )
    return sorted(months)

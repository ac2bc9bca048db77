"""Setting and lifting holds, recording opt-outs and consents: every change audited."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from arrears.audit.operations import record
from arrears.errors import ValidationFailed
from arrears.holds.models import AmountHold, ChannelOptOut, ContactConsent, Hold, HoldKind
from arrears.kernel import clock
from arrears.kernel.vocabulary import Channel
from arrears.ledger.models import Account, Customer

CHANNELS = tuple(Channel)


def _channels(channels: list[str] | None) -> list[str]:
    for channel in channels or []:
        if channel not in CHANNELS:
            raise ValidationFailed(f"must be among {', '.join(CHANNELS)}", field="channels")
    return sorted(set(channels or []))


def set_hold(
    *,
    user: Any,
    customer: Customer,
    kind: str,
    reason: str,
    starts_on: dt.date,
    ends_on: dt.date | None = None,
    channels: list[str] | None = None,
) -> Hold:
    if kind not in HoldKind.values:
        raise ValidationFailed(f"must be one of {', '.join(HoldKind.values)}", field="kind")
    if not reason.strip():
        raise ValidationFailed("give the reason for the hold", field="reason")
    if ends_on is not None and ends_on < starts_on:
        raise ValidationFailed("must not be before the start", field="ends_on")
    with transaction.atomic():
        hold = Hold.objects.create(
            customer=customer,
            kind=kind,
            channels=_channels(channels),
            reason=reason.strip(),
            starts_on=starts_on,
            ends_on=ends_on,
            set_by=user,
            set_at=clock.now(),
        )
        record(
            actor=user.get_username(),
            action="hold.set",
            object_type="customer",
            object_id=customer.pk,
            after={"hold": hold.pk, "kind": kind, "channels": hold.channels, "ends_on": ends_on, "reason": reason},
        )
    return hold


def lift_hold(*, user: Any, hold: Hold, reason: str) -> Hold:
    if hold.lifted_at is not None:
        raise ValidationFailed("this hold has already been lifted", field="hold")
    if not reason.strip():
        raise ValidationFailed("give the reason for lifting the hold", field="reason")
    with transaction.atomic():
        hold.lifted_at, hold.lifted_by, hold.lift_reason = clock.now(), user, reason.strip()
        hold.save(update_fields=["lifted_at", "lifted_by", "lift_reason"])
        record(
            actor=user.get_username(),
            action="hold.lift",
            object_type="customer",
            object_id=hold.customer_id,
            after={"hold": hold.pk, "reason": reason},
        )
    return hold


def hold_amount(
    *, actor: str, account: Account, amount_fen: int, reason: str, starts_on: dt.date, ends_on: dt.date | None = None
) -> AmountHold:
    """Pause the collection of `amount_fen` of the account (contact stays allowed; the amount is not demanded)."""
    if amount_fen <= 0:
        raise ValidationFailed("must be greater than zero", field="amount")
    if not reason.strip():
        raise ValidationFailed("give the reason for the hold", field="reason")
    if ends_on is not None and ends_on < starts_on:
        raise ValidationFailed("must not be before the start", field="ends_on")
    with transaction.atomic():
        hold = AmountHold.objects.create(
            customer_id=account.customer_id,
            account=account,
            amount_fen=amount_fen,
            reason=reason.strip()[:200],
            starts_on=starts_on,
            ends_on=ends_on,
            set_by=actor,
            set_at=clock.now(),
        )
        record(
            actor=actor,
            action="hold.amount_set",
            object_type="account",
            object_id=account.ref,
            after={"hold": hold.pk, "amount_fen": amount_fen, "ends_on": ends_on, "reason": hold.reason},
        )
    return hold


def lift_amount_hold(*, actor: str, hold: AmountHold, reason: str) -> AmountHold:
    if hold.lifted_at is not None:
        raise ValidationFailed("this hold has already been lifted", field="hold")
    if not reason.strip():
        raise ValidationFailed("give the reason for lifting the hold", field="reason")
    with transaction.atomic():
        hold.lifted_at, hold.lifted_by, hold.lift_reason = clock.now(), actor, reason.strip()[:200]
        hold.save(update_fields=["lifted_at", "lifted_by", "lift_reason"])
        record(
            actor=actor,
            action="hold.amount_lift",
            object_type="account",
            object_id=hold.account.ref,
            after={"hold": hold.pk, "reason": hold.lift_reason},
        )
    return hold


def opt_out(*, actor: str, customer: Customer, channel: str, source: str) -> ChannelOptOut:
    _channels([channel])
    with transaction.atomic():
        row = ChannelOptOut.objects.create(customer=customer, channel=channel, at=clock.now(), source=source)
        record(
            actor=actor,
            action="optout.record",
            object_type="customer",
            object_id=customer.pk,
            after={"channel": channel, "source": source},
        )
    return row


def record_consent(
    *, user: Any, customer: Customer, channel: str, from_at: dt.datetime, to_at: dt.datetime, evidence: str = ""
) -> ContactConsent:
    _channels([channel])
    if to_at <= from_at:
        raise ValidationFailed("must be after the start", field="to_at")
    with transaction.atomic():
        row = ContactConsent.objects.create(
            customer=customer, channel=channel, from_at=from_at, to_at=to_at, recorded_by=user, evidence=evidence[:200]
        )
        record(
            actor=user.get_username(),
            action="consent.record",
            object_type="customer",
            object_id=customer.pk,
            after={"channel": channel, "from_at": from_at, "to_at": to_at},
        )
    return row


def withdraw_opt_out(*, actor: str, customer: Customer, channel: str) -> int:
    """The customer takes back their opt-out of a channel: every opt-out of it in force is withdrawn."""
    _channels([channel])
    with transaction.atomic():
        now = clock.now()
        withdrawn = ChannelOptOut.objects.filter(customer=customer, channel=channel, withdrawn_at__isnull=True).update(
            withdrawn_at=now
        )
        if withdrawn:
            record(
                actor=actor,
                action="optout.withdraw",
                object_type="customer",
                object_id=customer.pk,
                after={"channel": channel, "withdrawn": withdrawn},
            )
    return withdrawn

"""Transactions from the card host (purchases, cash advances, annual fees): one batch, all or none, every
bad row named with its field."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence

from django.db import transaction

from arrears.errors import ArrearsError, ValidationFailed
from arrears.ledger import posting
from arrears.ledger.models import EntryKind
from arrears.ledger.operations import CHARGE_KINDS, ChargeIn, post_charges
from arrears.money import parse_amount

MAX_ROWS = 5000


@dataclasses.dataclass(frozen=True, kw_only=True)
class HostTransaction:
    account: str
    kind: str
    amount: str  # as sent, parsed here by the one money parser
    reference: str  # the card host's id of the transaction: a second posting of it is a duplicate
    value_date: dt.date | None = None
    description: str = ""


@dataclasses.dataclass(frozen=True)
class RowRefused:
    row: int  # 1-based
    error: ArrearsError


@dataclasses.dataclass(frozen=True)
class HostBatch:
    posted: list[list[posting.Line]]  # per row: its entry and, for a cash advance, its fee
    refused: list[RowRefused]


def post_transactions(*, actor: str, rows: Sequence[HostTransaction], business_date: dt.date) -> HostBatch:
    """Post the batch through the ledger's charges in one go; when any row is refused nothing is posted
    and every refused row is reported."""
    if not rows:
        raise ValidationFailed("give at least one transaction", field="transactions", code="required")
    if len(rows) > MAX_ROWS:
        raise ValidationFailed(f"at most {MAX_ROWS} transactions in one batch", field="transactions")
    charges: list[ChargeIn] = []
    refused: list[RowRefused] = []
    for n, row in enumerate(rows, start=1):
        try:
            charges.append(_charge(row))
        except ArrearsError as exc:
            refused.append(RowRefused(n, exc))
    if refused:
        return HostBatch([], refused)
    try:
        with transaction.atomic():
            lines = post_charges(actor=actor, charges=charges, business_date=business_date)
    except ArrearsError:
        refused = _diagnose(actor=actor, charges=charges, business_date=business_date)
        if not refused:  # only the batch as a whole failed (something changed meanwhile): say so as it is
            raise
        return HostBatch([], refused)
    return HostBatch(_by_row(lines, len(charges)), [])


def _charge(row: HostTransaction) -> ChargeIn:
    if row.kind not in CHARGE_KINDS:
        values = ", ".join(CHARGE_KINDS)
        raise ValidationFailed(f"must be one of {values}", field="kind", code="not_a_choice", params={"values": values})
    if not row.reference.strip():
        raise ValidationFailed("give the card host's id of the transaction", field="reference", code="required")
    if len(row.description) > 200:
        raise ValidationFailed("must be at most 200 characters", field="description")
    return ChargeIn(
        account_number=row.account,
        kind=row.kind,
        amount=parse_amount(row.amount, field="amount"),
        value_date=row.value_date,
        description=row.description,
        reference=row.reference.strip(),
    )


def _diagnose(*, actor: str, charges: list[ChargeIn], business_date: dt.date) -> list[RowRefused]:
    """Every refused row: each charge posted on its own, in order (so a reference repeated in the batch
    is caught), then all of it rolled back."""
    refused = []
    with transaction.atomic():
        for n, charge in enumerate(charges, start=1):
            try:
                with transaction.atomic():
                    post_charges(actor=actor, charges=[charge], business_date=business_date)
            except ArrearsError as exc:
                refused.append(RowRefused(n, exc))
        transaction.set_rollback(True)
    return refused


def _by_row(lines: list[posting.Line], count: int) -> list[list[posting.Line]]:
    """post_charges returns each charge's line followed by its cash-advance fee, if any."""
    rows: list[list[posting.Line]] = []
    for line in lines:
        if line.kind == EntryKind.CASH_ADVANCE_FEE and rows:
            rows[-1].append(line)
        else:
            rows.append([line])
    assert len(rows) == count
    return rows

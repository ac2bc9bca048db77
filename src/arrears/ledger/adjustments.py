"""Waivers and write-offs on the ledger: new entries that lower a balance component, reversible.

Called by the concessions inside their own transaction (no audit here: the caller audits the
concession with the entries it posted).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from arrears.ledger.models import Account, Component, Entry, EntryKind
from arrears.ledger.operations import CACHE_FIELD, _post

# A late-fee waiver is a FEE_WAIVER on the fees; an interest waiver and a settlement write-off are
# ADJUSTMENTs on their component, told apart by their explanation's rule.
INTEREST_WAIVER_RULE = "interest_waiver"
SETTLEMENT_RULE = "settlement_write_off"


def post_waiver(
    *,
    account: Account,
    component: str,
    amount_fen: int,
    business_date: dt.date,
    reference: str,
    explanation: dict[str, Any],
) -> Entry:
    """Lower the fees or the interest owed by amount_fen (> 0, at most the component's balance: the
    caller validates against the locked account row)."""
    if component not in (Component.FEES, Component.INTEREST) or amount_fen <= 0:
        raise ValueError("a waiver lowers fees or interest by a positive amount")
    if amount_fen > getattr(account, CACHE_FIELD[Component(component)]):
        raise ValueError("a waiver cannot exceed the balance of its component")
    kind = EntryKind.FEE_WAIVER if component == Component.FEES else EntryKind.ADJUSTMENT
    entry = Entry(
        account=account,
        kind=kind,
        component=component,
        amount_fen=-amount_fen,
        posting_date=business_date,
        value_date=business_date,
        reference=reference,
        description="late-fee waiver" if component == Component.FEES else "interest waiver",
        explanation=explanation,
    )
    _post(account, [entry])
    return entry


def write_off_balance(
    *, account: Account, business_date: dt.date, reference: str, explanation: dict[str, Any]
) -> list[Entry]:
    """Write off what is left of every balance component owed (a settlement paid): one entry each."""
    entries = [
        Entry(
            account=account,
            kind=EntryKind.ADJUSTMENT,
            component=component,
            amount_fen=-getattr(account, field),
            posting_date=business_date,
            value_date=business_date,
            reference=reference,
            description="settlement write-off",
            explanation=explanation,
        )
        for component, field in CACHE_FIELD.items()
        if getattr(account, field) > 0
    ]
    if entries:
        _post(account, entries)
    return entries

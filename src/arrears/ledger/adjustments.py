"""Waivers and write-offs on the ledger: new entries that lower a balance component, reversible.

Called by the concessions inside their own transaction, with the account's row locked by
`posting.lock` (no audit here: the caller audits the concession with the entries it posted).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from arrears.ledger import posting
from arrears.ledger.models import Component, EntryKind

# A late-fee waiver is a FEE_WAIVER on the fees; an interest waiver and a settlement write-off are
# ADJUSTMENTs on their component, told apart by their explanation's rule.
INTEREST_WAIVER_RULE = "interest_waiver"
SETTLEMENT_RULE = "settlement_write_off"


def post_waiver(
    *,
    account: posting.Balances,
    component: str,
    amount_fen: int,
    business_date: dt.date,
    reference: str,
    explanation: dict[str, Any],
) -> None:
    """Lower the fees or the interest owed by amount_fen (> 0, at most the component's balance: the
    caller validates against the locked account row)."""
    if component not in (Component.FEES, Component.INTEREST) or amount_fen <= 0:
        raise ValueError("a waiver lowers fees or interest by a positive amount")
    if amount_fen > account.of(component):
        raise ValueError("a waiver cannot exceed the balance of its component")
    posting.post(
        [
            posting.Line(
                account_id=account.id,
                kind=EntryKind.FEE_WAIVER if component == Component.FEES else EntryKind.ADJUSTMENT,
                component=component,
                amount_fen=-amount_fen,
                posting_date=business_date,
                reference=reference,
                description="late-fee waiver" if component == Component.FEES else "interest waiver",
                explanation=explanation,
            )
        ]
    )


def write_off_balance(
    *, account: posting.Balances, business_date: dt.date, reference: str, explanation: dict[str, Any]
) -> int:
    """Write off what is left of every card component owed (a settlement paid): one entry each.
    Returns the amount written off."""
    lines = [
        posting.Line(
            account_id=account.id,
            kind=EntryKind.ADJUSTMENT,
            component=component,
            amount_fen=-account.of(component),
            posting_date=business_date,
            reference=reference,
            description="settlement write-off",
            explanation=explanation,
        )
        for component in posting.CARD
        if account.of(component) > 0
    ]
    posting.post(lines)
    return -sum(line.amount_fen for line in lines)


def write_off_charged_off(
    *, account: posting.Balances, business_date: dt.date, reference: str, explanation: dict[str, Any]
) -> int:
    """Write off what is still owed of a charged-off debt (a settlement after charge-off paid): one
    ADJUSTMENT on the recovery component, so that charged off = recovered + written off. Returns the
    amount written off (0, nothing posted, when recoveries already cover the charge-off)."""
    left = account.charged_off_fen - account.recovered_fen
    if left <= 0:
        return 0
    posting.post(
        [
            posting.Line(
                account_id=account.id,
                kind=EntryKind.ADJUSTMENT,
                component=Component.RECOVERY,
                amount_fen=-left,
                posting_date=business_date,
                reference=reference,
                description="settlement write-off after charge-off",
                explanation=explanation,
            )
        ]
    )
    return left


DISPUTE_CREDIT_RULE = "dispute_credit"


@dataclasses.dataclass(frozen=True, kw_only=True)
class Credit:
    """An amount taken off one component: a disputed charge upheld in part, or the interest it caused."""

    component: str
    amount_fen: int  # > 0
    reference: str
    description: str
    explanation: dict[str, Any]


def post_credits(*, account_id: int, credits: list[Credit], business_date: dt.date) -> None:
    """Post each credit as an ADJUSTMENT lowering its component (a dispute upheld: the caller has locked
    the account's row, validated the amounts against what was charged, and audits)."""
    for credit in credits:
        if credit.amount_fen <= 0 or credit.component not in posting.OWED:
            raise ValueError("a credit lowers a component owed by a positive amount")
    posting.post(
        [
            posting.Line(
                account_id=account_id,
                kind=EntryKind.ADJUSTMENT,
                component=credit.component,
                amount_fen=-credit.amount_fen,
                posting_date=business_date,
                reference=credit.reference,
                description=credit.description[:200],
                explanation={"rule": DISPUTE_CREDIT_RULE, **credit.explanation},
            )
            for credit in credits
        ]
    )

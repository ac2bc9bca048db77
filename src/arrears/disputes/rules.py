"""Disputes' pure rules: the answer date, what the hold covers, and the interest a disputed amount caused.

The interest correction is a counterfactual: each interest amount charged since the disputed entry is
computed again by `statements.rules.compute_interest` over the same postings without the disputed
amount, with every statement after it lowered by that amount (and by the interest already taken
off), so a grace period lost only because the disputed amount was not paid counts as kept. When the
disputed amount is a fee, the part of later payments the waterfall gave to that fee would have paid
principal: it is moved there. The difference between what was charged and what would have been is
reversed, never more than was charged (CN-FEE-NOINT: a fee bears no interest itself, so the interest
"on a fee" is the interest of the grace lost because the fee was left unpaid).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from arrears.money import format_fen
from arrears.products.rules import ProductParams
from arrears.statements.rules import Posting, PreviousStatement, compute_interest

KINDS = ("statement_line", "fee", "payment_not_credited", "debt", "credit_data")
CHANNELS = ("phone", "email", "letter", "portal")
# The entries each kind may name.
FEE_KINDS = ("late_fee", "annual_fee", "cash_advance_fee", "plan_fee")
LINE_KINDS = ("purchase", "cash_advance", *FEE_KINDS, "interest", "plan_interest")
ENTRY_KINDS: Mapping[str, tuple[str, ...]] = {"statement_line": LINE_KINDS, "fee": FEE_KINDS}


@dataclasses.dataclass(frozen=True, kw_only=True)
class Policy:
    """The numbers of the pack's dispute rule (CN-DISPUTE, US-DISPUTE) and CN-CR-DISP."""

    answer_days: int = 30  # bank policy: statement lines, fees, payments not credited
    validation_days: int = 30  # the debt itself (US-VAL's validation)
    credit_data_days: int = 20  # CN-CR-DISP
    account_hold_kinds: tuple[str, ...] = ("debt",)


def due_on(kind: str, opened_on: dt.date, policy: Policy) -> dt.date:
    days = {"credit_data": policy.credit_data_days, "debt": policy.validation_days}.get(kind, policy.answer_days)
    return opened_on + dt.timedelta(days=days)


def hold_scope(kind: str, policy: Policy) -> str:
    return "account" if kind in policy.account_hold_kinds else "amount"


@dataclasses.dataclass(frozen=True, kw_only=True)
class StatementFacts:
    statement_date: dt.date
    period_start: dt.date
    new_balance_fen: int
    principal_fen: int
    interest_fen: int
    revolving: bool
    grace_kept: bool | None
    paid_by_due_fen: int | None

    def as_previous(self) -> PreviousStatement:
        return PreviousStatement(
            statement_date=self.statement_date,
            period_start=self.period_start,
            new_balance_fen=self.new_balance_fen,
            principal_fen=self.principal_fen,
            interest_fen=self.interest_fen,
            revolving=self.revolving,
            grace_kept=self.grace_kept,
            paid_by_due_fen=self.paid_by_due_fen,
        )


@dataclasses.dataclass(frozen=True, kw_only=True)
class EntryFacts:
    id: int
    kind: str
    component: str
    amount_fen: int
    posting_date: dt.date
    value_date: dt.date

    def posting(self, amount_fen: int | None = None, component: str | None = None) -> Posting:
        return Posting(
            kind=self.kind,
            component=component or self.component,
            amount_fen=self.amount_fen if amount_fen is None else amount_fen,
            posting_date=self.posting_date,
            value_date=self.value_date,
        )


@dataclasses.dataclass(frozen=True)
class InterestCorrection:
    statement_date: dt.date
    interest_entry_id: int
    charged_fen: int
    counterfactual_fen: int
    explanation: dict[str, Any]

    @property
    def reversed_fen(self) -> int:
        return self.charged_fen - self.counterfactual_fen


def _counterfactual_postings(
    postings: Sequence[EntryFacts], disputed: EntryFacts, disputed_fen: int
) -> tuple[list[tuple[EntryFacts, Posting]], list[tuple[dt.date, int]]]:
    """The postings without the disputed amount; for a fee, the payments' fee parts moved to principal.
    Returns them (each with the entry it comes from) and the moves (posting date, fen)."""
    out: list[tuple[EntryFacts, Posting]] = []
    moves: list[tuple[dt.date, int]] = []
    left = disputed_fen if disputed.component == "fees" else 0
    for p in sorted(postings, key=lambda e: (e.posting_date, e.id)):
        if p.id == disputed.id:
            if p.amount_fen != disputed_fen:
                out.append((p, p.posting(p.amount_fen - disputed_fen)))
            continue
        if left and p.kind == "payment" and p.component == "fees" and p.posting_date >= disputed.posting_date:
            move = min(left, -p.amount_fen)
            left -= move
            moves.append((p.posting_date, move))
            if p.amount_fen + move:
                out.append((p, p.posting(p.amount_fen + move)))
            out.append((p, p.posting(-move, component="principal")))
            continue
        out.append((p, p.posting()))
    return out, moves


def interest_corrections(
    *,
    params: ProductParams,
    statements: Sequence[StatementFacts],
    postings: Sequence[EntryFacts],
    disputed: EntryFacts,
    disputed_fen: int,
    charged: Mapping[dt.date, tuple[int, int]],
) -> list[InterestCorrection]:
    """The interest to reverse, statement by statement: `statements` are the account's, oldest first;
    `postings` every entry of the account; `charged` the interest entry of each statement date with the
    amount still charged (net of earlier corrections)."""
    shifted, moves = _counterfactual_postings(postings, disputed, disputed_fen)
    previous: StatementFacts | None = None
    taken_off = 0
    out: list[InterestCorrection] = []
    for n, s in enumerate(statements):
        if s.statement_date <= disputed.posting_date:
            previous = s
            continue
        start = statements[n - 1].period_start if n else s.period_start
        window = [p for e, p in shifted if start <= e.posting_date < s.statement_date]
        cf = compute_interest(
            params=params,
            statement_date=s.statement_date,
            period_start=s.period_start,
            previous=previous.as_previous() if previous else None,
            postings=window,
        )
        entry_id, charged_fen = charged.get(s.statement_date, (0, 0))
        cut = max(0, charged_fen - cf.amount_fen)
        if cut and entry_id:
            out.append(
                InterestCorrection(
                    s.statement_date,
                    entry_id,
                    charged_fen,
                    charged_fen - cut,
                    {
                        "rule": "dispute_interest",
                        "interest_entry": entry_id,
                        "statement_date": s.statement_date.isoformat(),
                        "charged": format_fen(charged_fen),
                        "without_disputed": format_fen(charged_fen - cut),
                        "reversed": format_fen(cut),
                        "daily_rate": str(params.daily_interest_rate),
                        "recomputed": cf.explanation,
                    },
                )
            )
        taken_off += cut
        moved = sum(fen for day, fen in moves if day < s.statement_date)
        principal_cut = disputed_fen if disputed.component == "principal" else moved
        new_balance = s.new_balance_fen - disputed_fen - taken_off
        previous = StatementFacts(
            statement_date=s.statement_date,
            period_start=s.period_start,
            new_balance_fen=new_balance,
            principal_fen=s.principal_fen - principal_cut,
            interest_fen=s.interest_fen - taken_off,
            revolving=previous is not None and previous.grace_kept is False and previous.new_balance_fen > 0,
            grace_kept=None if s.grace_kept is None else (new_balance <= 0 or (s.paid_by_due_fen or 0) >= new_balance),
            paid_by_due_fen=s.paid_by_due_fen,
        )
    return out

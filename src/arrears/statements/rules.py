"""Interest, minimum payment and late fee: pure functions over postings and parameters.

The same functions serve the daily cycle, the scenario runner and "explain this line of my bill".
Amounts are integer fen; intermediate products are exact Decimals; rounding is half-up, once,
where an amount is posted.

Conventions (PRODUCT.md §4), with the statement S_n closing the cycle [S_{n-1}, S_n):
- A statement is paid in full ("grace kept") when the payments posted from its date up to and
  including its due date cover its new balance. Then its purchases bear no interest.
- full_amount: when the previous statement was not paid in full, interest runs on the principal
  outstanding at the end of every day from S_{n-1} to S_n - 1 (payments lower it from their value
  date); when that statement was the first one not paid in full, each purchase of its cycle also
  bears interest from its posting date to S_{n-1} - 1 (the grace is lost retroactively).
- unpaid_portion: interest only on the share of the previous statement's principal left unpaid at
  its due date, each purchase from its posting date and older principal from S_{n-1}, to S_n - 1.
- Cash advances bear interest from their posting date, whatever the grace.
- With compound_interest, interest already charged is part of the interest base; fees never are.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from arrears.money import fen_half_up, format_fen
from arrears.products.rules import ProductParams


@dataclasses.dataclass(frozen=True, kw_only=True)
class Posting:
    kind: str
    component: str
    amount_fen: int
    posting_date: dt.date
    value_date: dt.date


@dataclasses.dataclass(frozen=True, kw_only=True)
class PreviousStatement:
    statement_date: dt.date
    period_start: dt.date
    new_balance_fen: int
    principal_fen: int
    interest_fen: int
    revolving: bool
    grace_kept: bool | None
    paid_by_due_fen: int | None


@dataclasses.dataclass(frozen=True)
class Computed:
    """An amount to post and how it was computed."""

    amount_fen: int
    explanation: dict[str, Any]


def _part(what: str, base_fen: Decimal, start: dt.date, end: dt.date, rate: Decimal) -> dict[str, Any]:
    """One term of an interest sum: base x days x rate, shown in yuan."""
    days = (end - start).days
    exact_fen = base_fen * days * rate
    return {
        "what": what,
        "base": _yuan(base_fen),
        "from": start.isoformat(),
        "to": (end - dt.timedelta(days=1)).isoformat(),
        "days": days,
        "rate": str(rate),
        "interest": _yuan(exact_fen),
        "_exact_fen": exact_fen,
    }


def _yuan(fen: Decimal) -> str:
    """Exact yuan for an explanation: two decimals when whole fen, more when not."""
    yuan = fen / 100
    return f"{yuan:.2f}" if fen == fen.to_integral_value() else f"{yuan.normalize():f}"


def compute_interest(
    *,
    params: ProductParams,
    statement_date: dt.date,
    period_start: dt.date,
    previous: PreviousStatement | None,
    postings: Iterable[Posting],
) -> Computed:
    """Interest to post on the statement of statement_date (the cycle [period_start, statement_date)).

    `postings` must hold every entry posted from the previous statement's period start (or from
    period_start when there is no previous statement) up to the statement date.
    """
    S, Sp = statement_date, period_start
    rate, ca_rate = params.daily_interest_rate, params.cash_advance_daily_rate
    base_components = {"principal", "interest"} if params.compound_interest else {"principal"}
    in_cycle = [p for p in postings if Sp <= p.posting_date < S]
    parts: list[dict[str, Any]] = []

    revolving = previous is not None and previous.grace_kept is False and previous.new_balance_fen > 0
    if not revolving:
        rule = "grace"
        for p in in_cycle:
            if p.kind == "cash_advance":
                start = max(p.value_date, Sp)
                parts.append(_part(f"cash advance {p.value_date}", Decimal(p.amount_fen), start, S, ca_rate))
    elif params.interest_on_partial_payment == "full_amount":
        assert previous is not None
        rule = "full_amount"
        opening = previous.principal_fen + (previous.interest_fen if params.compound_interest else 0)
        if opening:
            parts.append(_part(f"balance on {Sp}", Decimal(opening), Sp, S, rate))
        for p in in_cycle:
            if p.component in base_components:
                start = max(p.value_date, Sp)
                r = ca_rate if p.kind == "cash_advance" else rate
                parts.append(_part(f"{p.kind} {p.value_date}", Decimal(p.amount_fen), start, S, r))
        if not previous.revolving:
            for p in postings:
                if p.kind == "purchase" and previous.period_start <= p.posting_date < Sp:
                    start = min(p.value_date, Sp)
                    parts.append(_part(f"purchase {p.value_date} (grace lost)", Decimal(p.amount_fen), start, Sp, rate))
    else:
        assert previous is not None
        rule = "unpaid_portion"
        owed = previous.principal_fen
        paid = previous.paid_by_due_fen or 0
        unpaid = max(0, min(owed, previous.new_balance_fen - paid))
        if owed > 0 and unpaid > 0:
            purchases = [p for p in postings if p.kind == "purchase" and previous.period_start <= p.posting_date < Sp]
            carried = owed - sum(p.amount_fen for p in purchases)
            # A credit carried in (carried < 0) covered part of the purchases: the unpaid amount is
            # shared over the purchases alone, so the base never exceeds what is unpaid.
            share = Decimal(unpaid) / Decimal(owed - min(carried, 0))
            for p in purchases:
                start = min(p.value_date, Sp)
                parts.append(_part(f"unpaid share of purchase {p.value_date}", share * p.amount_fen, start, S, rate))
            if carried > 0:
                parts.append(_part(f"unpaid share of balance on {Sp}", share * carried, Sp, S, rate))
        for p in in_cycle:
            if p.kind == "cash_advance":
                start = max(p.value_date, Sp)
                parts.append(_part(f"cash advance {p.value_date}", Decimal(p.amount_fen), start, S, ca_rate))

    exact = sum((part.pop("_exact_fen") for part in parts), Decimal(0))
    amount = fen_half_up(exact) if exact > 0 else 0
    return Computed(
        amount,
        {
            "rule": rule,
            "period": [Sp.isoformat(), (S - dt.timedelta(days=1)).isoformat()],
            "parts": parts,
            "exact": _yuan(exact),
            "amount": format_fen(amount),
        },
    )


@dataclasses.dataclass(frozen=True)
class Minimum:
    total_fen: int  # the minimum payment shown on the statement
    own_fen: int  # the part new on this statement (the rest is past-due minimum)
    explanation: dict[str, Any]


def compute_minimum(
    *,
    params: ProductParams,
    principal_fen: int,
    interest_fen: int,
    fees_fen: int,
    cycle_interest_and_fees_fen: int,
    past_due_fen: int,
    credit_limit_fen: int,
) -> Minimum:
    """rate x principal + this cycle's interest and fees + past-due minimum + over-limit amount."""
    new_balance = principal_fen + interest_fen + fees_fen
    if new_balance <= 0:
        return Minimum(0, 0, {"rule": "nothing owed"})
    share = fen_half_up(params.min_payment_rate * max(principal_fen, 0))
    over_limit = max(0, principal_fen - credit_limit_fen)
    charges = max(0, cycle_interest_and_fees_fen)
    wanted = share + charges + past_due_fen + over_limit
    floor_fen = int(params.min_payment_floor * 100)
    total = min(new_balance, max(wanted, floor_fen))
    own = max(0, total - past_due_fen)
    return Minimum(
        total,
        own,
        {
            "rule": "minimum",
            "rate": str(params.min_payment_rate),
            "principal": format_fen(max(principal_fen, 0)),
            "principal_share": format_fen(share),
            "interest_and_fees": format_fen(charges),
            "past_due": format_fen(past_due_fen),
            "over_limit": format_fen(over_limit),
            "floor": format_fen(floor_fen),
            "capped_at_balance": total == new_balance and max(wanted, floor_fen) > new_balance,
            "amount": format_fen(total),
        },
    )


def compute_late_fee(*, params: ProductParams, unpaid_minimum_fen: int, due_date: dt.date) -> Computed:
    """rate x the unpaid part of the minimum payment, within the optional floor and cap."""
    if unpaid_minimum_fen <= 0:
        return Computed(0, {"rule": "minimum paid"})
    fee = fen_half_up(params.late_fee_rate * unpaid_minimum_fen)
    if params.late_fee_floor is not None:
        fee = max(fee, int(params.late_fee_floor * 100))
    if params.late_fee_cap is not None:
        fee = min(fee, int(params.late_fee_cap * 100))
    return Computed(
        fee,
        {
            "rule": "late_fee",
            "due_date": due_date.isoformat(),
            "base": format_fen(unpaid_minimum_fen),
            "rate": str(params.late_fee_rate),
            "floor": None if params.late_fee_floor is None else str(params.late_fee_floor),
            "cap": None if params.late_fee_cap is None else str(params.late_fee_cap),
            "amount": format_fen(fee),
        },
    )


def apply_to_minimums(unpaid_fen: Sequence[int], amount_fen: int) -> list[int]:
    """A payment pays outstanding minimums oldest first; returns the new unpaid amounts."""
    left = amount_fen
    result = []
    for unpaid in unpaid_fen:
        paid = min(unpaid, max(left, 0))
        result.append(unpaid - paid)
        left -= paid
    return result

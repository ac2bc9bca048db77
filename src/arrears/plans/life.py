"""The life of an active plan, as pure functions over integer fen and dates (no ORM, no clock).

Ledger model
------------
Activation moves the restructured balance off the card: for each component (fees, interest,
principal) a ``plan_transfer`` pair, -x on the component and +x on the ``plan`` component. The
``plan`` component carries no card interest and no minimum payment. The interest and fee of
instalment k are posted on the plan when its period starts (instalment 1 on activation, instalment
k the day after instalment k-1 falls due), so when an instalment is payable its whole amount is on
the plan. Hence, for the active plan of an account::

    paid into the plan = moved + charged - plan balance

Payment matching (cumulative, oldest first)
-------------------------------------------
Instalment k is paid when the total paid into the plan reaches the scheduled amounts of
instalments 1..k; ``paid_fen`` of each instalment is its share of that total. A payment received
on an account with an active plan is split by ``split_payment``:

1. the plan's amount due: what is unpaid of the instalments due up to and including the first
   instalment falling due on or after the payment's value date (paying a few days early counts);
2. then the card balance (fees, interest, principal by the product's waterfall, and the card's
   past-due minimums, as any payment);
3. then the rest of the plan (a prepayment: it counts toward the next instalments, or pays the
   plan off);
4. anything left is a credit on the card.

Monitoring (the daily cycle of date d sees the payments posted before d)
------------------------------------------------------------------------
An instalment whose due date is before d and is not fully paid is ``late``; more than
``grace_days`` after its due date it is ``missed``. A missed instalment paid later is ``cured``.
The plan breaks when ``missed_to_break`` instalments are missed at once (unpaid past grace). It is
completed when the plan balance is zero, and paid off early when the remaining principal is paid:
the plan balance is then no more than the interest and fee charged for the current period (not
yet due), which are waived (the customer pays the remaining principal, as CN-PLAN plans promise).

Breaking
--------
What is left on the plan returns to the card (``plan_return`` entries, each reversing part of its
transfer): the unpaid plan interest and fees to interest and fees; the remaining plan principal to
the components it came from, principal first, then interest, then fees (the plan's principal
payments are deemed to have paid the moved fees first, then interest, then principal, the order
of CN-ALLOC up to 90 DPD). The instalments due and unpaid become the account's past-due amount,
due on the oldest unpaid instalment's due date, so days past due count from there: the case
re-enters collection in the bucket of its oldest missed instalment.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping, Sequence

ORDER_BACK = ("principal", "interest", "fees")  # where returned plan principal goes first


@dataclasses.dataclass(frozen=True)
class Due:
    n: int
    due_date: dt.date
    amount_fen: int
    interest_fen: int = 0
    fee_fen: int = 0
    charged: bool = False
    status: str = "scheduled"

    @property
    def charge_fen(self) -> int:
        return self.interest_fen + self.fee_fen


# -- what a plan restructures --------------------------------------------------------------------


def restructurable(*, scope: str, balances_fen: Mapping[str, int], billed_past_due_fen: int | None) -> dict[str, int]:
    """The components to move into the plan.

    ``whole``: every positive card component. ``overdue``: the balance billed on the latest
    statement whose due date has passed, less what was paid since it (``billed_past_due_fen``),
    never more than the card balance, taken from fees, then interest, then principal.
    """
    positive = {c: max(balances_fen.get(c, 0), 0) for c in ("fees", "interest", "principal")}
    if scope == "whole":
        return {c: v for c, v in positive.items() if v}
    left = max(min(billed_past_due_fen or 0, sum(positive.values())), 0)
    moved = {}
    for component in ("fees", "interest", "principal"):
        take = min(left, positive[component])
        if take:
            moved[component] = take
        left -= take
    return moved


def review_reasons(*, instalments: int, balance_fen: int, above_instalments: int, above_fen: int) -> list[str]:
    reasons = []
    if instalments > above_instalments:
        reasons.append(f"more than {above_instalments} instalments")
    if balance_fen > above_fen:
        reasons.append(f"more than {above_fen // 100}.{above_fen % 100:02d}")
    return reasons


# -- payments ----------------------------------------------------------------------------------


def paid_into_plan(*, moved_fen: int, charged_fen: int, plan_fen: int) -> int:
    return moved_fen + charged_fen - plan_fen


def amount_due(*, schedule: Sequence[Due], paid_fen: int, on: dt.date) -> int:
    """Unpaid amount of the instalments due up to the first one falling due on or after `on`."""
    total = 0
    for row in schedule:
        total += row.amount_fen
        if row.due_date >= on:
            break
    return max(total - paid_fen, 0)


@dataclasses.dataclass(frozen=True)
class PaymentSplit:
    to_plan_fen: int
    to_card_fen: int  # through the card's waterfall; includes any credit left over


def split_payment(*, amount_fen: int, plan_due_fen: int, plan_fen: int, card_owed_fen: int) -> PaymentSplit:
    """The plan's amount due first, then the card, then the rest of the plan, then a card credit."""
    first = min(amount_fen, plan_due_fen, max(plan_fen, 0))
    rest = amount_fen - first
    card = min(rest, max(card_owed_fen, 0))
    ahead = min(rest - card, max(plan_fen, 0) - first)
    return PaymentSplit(to_plan_fen=first + ahead, to_card_fen=amount_fen - first - ahead)


# -- monitoring --------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Judged:
    n: int
    status: str
    paid_fen: int
    newly_paid: bool
    newly_missed: bool


@dataclasses.dataclass(frozen=True)
class Assessment:
    instalments: tuple[Judged, ...]
    outcome: str  # "running", "completed", "paid_off", "broken"
    charge: tuple[int, ...]  # instalment numbers whose interest and fee to post now
    waive_fen: int  # on early payoff or breaking: the current period's charge, not owed
    arrears_fen: int  # on breaking: the unpaid amount of the instalments due
    oldest_unpaid_due: dt.date | None


def judge_instalments(*, schedule: Sequence[Due], paid_fen: int, d: dt.date, grace_days: int) -> list[Judged]:
    result = []
    cumulative = 0
    for row in schedule:
        share = min(max(paid_fen - cumulative, 0), row.amount_fen)
        cumulative += row.amount_fen
        was = row.status
        if share >= row.amount_fen:
            status = "cured" if was in ("missed", "cured") else "paid"
        elif row.due_date >= d:
            status = "scheduled"
        elif (d - row.due_date).days > grace_days:
            status = "missed"
        else:
            status = "late"
        result.append(
            Judged(
                n=row.n,
                status=status,
                paid_fen=share,
                newly_paid=status in ("paid", "cured") and was not in ("paid", "cured"),
                newly_missed=status == "missed" and was != "missed",
            )
        )
    return result


def assess(
    *,
    schedule: Sequence[Due],
    moved_fen: int,
    charged_fen: int,
    plan_fen: int,
    d: dt.date,
    grace_days: int,
    missed_to_break: int,
) -> Assessment:
    """What the cycle of date d does to one active plan."""
    paid = paid_into_plan(moved_fen=moved_fen, charged_fen=charged_fen, plan_fen=plan_fen)
    judged = judge_instalments(schedule=schedule, paid_fen=paid, d=d, grace_days=grace_days)
    unpaid_due = [(row, j) for row, j in zip(schedule, judged, strict=True) if j.status in ("late", "missed")]
    missed = sum(1 for j in judged if j.status == "missed")
    charged_not_due = sum(row.charge_fen for row in schedule if row.charged and row.due_date >= d)
    if plan_fen <= 0:
        outcome = "completed" if all(j.status in ("paid", "cured") for j in judged) else "paid_off"
        return Assessment(tuple(judged), outcome, (), 0, 0, None)
    if not unpaid_due and plan_fen <= charged_not_due:
        return Assessment(tuple(judged), "paid_off", (), plan_fen, 0, None)
    if missed >= missed_to_break:
        arrears = sum(row.amount_fen - j.paid_fen for row, j in unpaid_due)
        # The charge of the period not yet due is not owed once the plan ends.
        paid_ahead = sum(j.paid_fen for row, j in zip(schedule, judged, strict=True) if row.due_date >= d)
        waive = max(min(charged_not_due - paid_ahead, plan_fen), 0)
        return Assessment(tuple(judged), "broken", (), waive, arrears, unpaid_due[0][0].due_date)
    charge = tuple(
        row.n for k, row in enumerate(schedule) if not row.charged and (k == 0 or schedule[k - 1].due_date < d)
    )
    return Assessment(tuple(judged), "running", charge, 0, 0, None)


def unpaid_charges(*, schedule: Sequence[Due], judged: Sequence[Judged]) -> dict[str, int]:
    """Plan interest and fees of the instalments due and not paid: within an instalment, payment pays its fee,
    then its interest, then its principal."""
    interest = fees = 0
    for row, j in zip(schedule, judged, strict=True):
        if not row.charged or j.status not in ("late", "missed"):
            continue
        fee_paid = min(j.paid_fen, row.fee_fen)
        interest_paid = min(max(j.paid_fen - row.fee_fen, 0), row.interest_fen)
        fees += row.fee_fen - fee_paid
        interest += row.interest_fen - interest_paid
    return {"interest": interest, "fees": fees}


def return_split(*, plan_fen: int, moved: Mapping[str, int], charges_unpaid: Mapping[str, int]) -> dict[str, int]:
    """Where the plan's remaining balance goes back to on breaking; the parts sum to plan_fen."""
    parts = dict.fromkeys(("principal", "interest", "fees"), 0)
    left = plan_fen
    for component in ("fees", "interest"):
        take = min(left, charges_unpaid.get(component, 0))
        parts[component] += take
        left -= take
    for component in ORDER_BACK:
        take = min(left, moved.get(component, 0))
        parts[component] += take
        left -= take
    parts["principal"] += left  # nothing in a consistent ledger; never lost if there is
    return {c: v for c, v in parts.items() if v}

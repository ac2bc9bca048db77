"""The rules behind the figures a person sees: past due, the amount to bring an account current, and a
standing (status), bucket and classification that never contradict each other.

Pure functions over integer fen and dates: no ORM, no clock, no Django.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Sequence

from arrears.delinquency.rules import classification, days_past_due

# Account standings, from the best to the worst.
CURRENT = "current"
IN_PLAN = "in_plan"
PAST_DUE = "past_due"
CHARGED_OFF = "charged_off"
CLOSED = "closed"
STANDINGS = (CLOSED, CURRENT, IN_PLAN, PAST_DUE, CHARGED_OFF)

# The five tiers of CN-CLASS, from the best to the worst.
CLASSES = ("正常", "关注", "次级", "可疑", "损失")

STATEMENT = "statement"
INSTALMENT = "instalment"


@dataclasses.dataclass(frozen=True)
class Unpaid:
    """One amount the customer should already have paid: a statement's minimum or a plan instalment."""

    kind: str  # STATEMENT or INSTALMENT
    ref: str  # the statement date (ISO) or the instalment number
    due_date: dt.date  # the effective due date (an extended one when a due-date extension set it)
    amount_fen: int


@dataclasses.dataclass(frozen=True)
class Minimum:
    """A statement's unpaid minimum as stored: issued with due_date, maybe extended later."""

    statement_date: dt.date
    due_date: dt.date
    extended_due_date: dt.date | None
    unpaid_fen: int

    @property
    def effective_due(self) -> dt.date:
        return self.extended_due_date or self.due_date


@dataclasses.dataclass(frozen=True)
class Scheduled:
    """A plan instalment: its number, due date and scheduled amount."""

    n: int
    due_date: dt.date
    amount_fen: int


def overdue_minimums(minimums: Iterable[Minimum], *, business_date: dt.date) -> list[Unpaid]:
    """The unpaid minimums whose effective due date is before the business date, oldest first."""
    late = [m for m in minimums if m.unpaid_fen > 0 and m.effective_due < business_date]
    return [
        Unpaid(STATEMENT, m.statement_date.isoformat(), m.effective_due, m.unpaid_fen)
        for m in sorted(late, key=lambda m: (m.effective_due, m.statement_date))
    ]


def past_due_fen(overdue: Sequence[Unpaid], *, balance_fen: int) -> int:
    """The overdue minimums, never more than the balance (nothing is past due on a credit or a
    written-off card)."""
    return max(min(sum(u.amount_fen for u in overdue), balance_fen), 0)


def dpd(overdue: Sequence[Unpaid], *, business_date: dt.date, charged_off_on: dt.date | None) -> int:
    """Days past due: from the oldest overdue minimum to the business date. A charged-off account keeps
    the days it had on the day it was written off (the cycle stops ageing it)."""
    oldest = min((u.due_date for u in overdue), default=None)
    return days_past_due(charged_off_on or business_date, oldest)


def overdue_instalments(schedule: Sequence[Scheduled], *, paid_fen: int, business_date: dt.date) -> list[Unpaid]:
    """A plan's instalments due before the business date and not fully paid. Payments count against the
    instalments oldest first (cumulatively), as the plan's own monitoring does."""
    result, due_so_far = [], 0
    for row in sorted(schedule, key=lambda r: r.n):
        if row.due_date >= business_date:
            break
        due_so_far += row.amount_fen
        unpaid = min(row.amount_fen, due_so_far - paid_fen)
        if unpaid > 0:
            result.append(Unpaid(INSTALMENT, str(row.n), row.due_date, unpaid))
    return result


def plan_amount_due(schedule: Sequence[Scheduled], *, paid_fen: int, business_date: dt.date) -> int:
    """What the plan asks for now: the unpaid instalments due up to the first one falling due on or
    after the business date."""
    total = 0
    for row in sorted(schedule, key=lambda r: r.n):
        total += row.amount_fen
        if row.due_date >= business_date:
            break
    return max(total - paid_fen, 0)


def to_bring_current(
    overdue_minimums: Sequence[Unpaid], overdue_instalments: Sequence[Unpaid], *, past_due_fen: int
) -> tuple[int, tuple[Unpaid, ...]]:
    """The amount that brings the account current and what makes it up, oldest first.

    It is the past-due amount (the overdue minimums, capped at the balance) plus the overdue plan
    instalments. When the cap applies, the statements listed are cut so that the parts add up.
    """
    parts: list[Unpaid] = []
    left = past_due_fen
    for u in overdue_minimums:
        take = min(u.amount_fen, left)
        if take > 0:
            parts.append(dataclasses.replace(u, amount_fen=take))
        left -= take
    parts.extend(overdue_instalments)
    parts.sort(key=lambda u: (u.due_date, u.kind, u.ref))
    return sum(u.amount_fen for u in parts), tuple(parts)


def standing(*, account_status: str, dpd: int, in_plan: bool) -> str:
    """One word for where the account stands, derived from the same DPD as its bucket."""
    if account_status == "charged_off":
        return CHARGED_OFF
    if account_status in ("closed", "settled"):  # settled after charge-off: the debt is closed
        return CLOSED
    if dpd > 0:
        return PAST_DUE
    return IN_PLAN if in_plan else CURRENT


def loan_class(*, bucket: int, standing: str) -> str:
    """CN-CLASS: M0 正常, M1-M3 关注, M4 次级, M5-M6 可疑, M7 or charged off 损失."""
    return classification(bucket, charged_off=standing == CHARGED_OFF)


def worst_class(classes: Iterable[str]) -> str:
    return max(classes, key=CLASSES.index, default=CLASSES[0])


def worst_standing(standings: Iterable[str]) -> str:
    return max(standings, key=STANDINGS.index, default=CURRENT)


def consistent(*, standing: str, dpd: int, bucket: int, loan_class: str) -> bool:
    """Do the standing, DPD, bucket and classification tell one story?"""
    if standing in (CURRENT, IN_PLAN, CLOSED):
        return dpd == 0 and bucket == 0 and loan_class == "正常"
    if standing == PAST_DUE:
        return dpd > 0 and bucket > 0 and loan_class != "正常"
    return standing == CHARGED_OFF and loan_class == "损失"

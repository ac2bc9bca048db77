"""Legal action as pure rules: stages, deadlines, the limitation period and the police-referral test.

No Django, no clock: every date is an argument. The numbers are parameters with the defaults of
REGULATIONS.md (CN-LEGAL-PO, CN-LEGAL-EXEC, CN-LEGAL-LIMIT, CN-LEGAL-FRAUD).

Exact readings
==============

Dates are calendar days. "N years after D" is the same month and day N years later (29 February
becomes 28 February); "N months after D" the same day N months later, the last day of the month when
that day does not exist. A period "of N days from D" ends on D + N days (the last day on which the
act is still in time).

CN-LEGAL-PO     A payment order: the court issues it within ``po_issue_days`` (15) of accepting the
                application (the filing date), so ``issue_by`` = filing + 15; the debtor has
                ``po_object_days`` (15) from service to pay or object, so ``pay_or_object_by`` =
                service + 15, and this is the last day set for performance of the order.
CN-LEGAL-EXEC   Enforcement is applied for within ``exec_years`` (2) of the last day set for
                performance: ``enforce_by`` = that day + 2 years. For a lawsuit the last day of
                performance is the one the judgment sets (the judgment date when none is given).
CN-LEGAL-LIMIT  The limitation period of ``limit_years`` (3) runs from the day the bank knew of the
                default; each effective demand, acknowledgment, right-party contact or payment restarts
                it. ``limitation_ends`` = latest of those days + 3 years; the debt is time-barred on
                any day after it. US-TBD: no suing on a time-barred debt (refer and filing refused).
CN-LEGAL-FRAUD  A police referral (恶意透支, 刑法 art. 196) is offered only after two effective demands
                whose receipt is proved, at least ``fraud_gap_days`` (30) apart, then more than
                ``fraud_months`` (3) months without repayment. Only demands after the last payment
                count (a payment starts it over); the clock runs from the second qualifying demand;
                "more than 3 months" means a day after that demand + 3 months.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    PAYMENT_ORDER = "payment_order"  # 支付令 (督促程序)
    LAWSUIT = "lawsuit"  # 诉讼


class Stage(StrEnum):
    REFERRAL = "referral"
    FILING = "filing"
    HEARING = "hearing"
    JUDGMENT = "judgment"  # for a payment order: the order issued and served
    ENFORCEMENT = "enforcement"
    CLOSED = "closed"


STAGES: tuple[Stage, ...] = tuple(Stage)
# The stages a case may be in while the law is working on it (a hold on ordinary contact).
OPEN_STAGES = STAGES[:-1]

PO_ISSUE_DAYS = 15
PO_OBJECT_DAYS = 15
EXEC_YEARS = 2
LIMIT_YEARS = 3
FRAUD_GAP_DAYS = 30
FRAUD_MONTHS = 3


class StageRefused(ValueError):
    """A stage move the rules do not allow; `field` names the input at fault."""

    def __init__(self, message: str, field: str = "stage") -> None:
        super().__init__(message)
        self.field = field


def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def add_months(day: dt.date, months: int) -> dt.date:
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def stage_index(stage: str) -> int:
    return STAGES.index(Stage(stage))


def reached(stage: str) -> frozenset[str]:
    """Every stage a case at `stage` has gone through (itself included). A closed case keeps what it
    reached in its events; this gives the stages up to `stage` in order."""
    return frozenset(str(s) for s in STAGES[: stage_index(stage) + 1] if s != Stage.CLOSED)


def check_move(*, kind: str, current: str, to: str, on: dt.date, last_on: dt.date) -> None:
    """May a case of `kind` at stage `current` (its last event on `last_on`) move to `to` on `on`?"""
    try:
        target = Stage(to)
    except ValueError:
        raise StageRefused(f"must be one of {', '.join(STAGES)}") from None
    if Stage(current) == Stage.CLOSED:
        raise StageRefused("the case is closed")
    if on < last_on:
        raise StageRefused(f"must not be before the last stage's date {last_on.isoformat()}", field="date")
    if target == Stage.CLOSED:
        return
    if stage_index(target) <= stage_index(current):
        raise StageRefused(f"a case at {current} moves forward only, not to {to}")
    if stage_index(target) != stage_index(current) + 1:
        # A payment order has no hearing: filing goes straight to the order (judgment).
        skip_hearing = kind == Kind.PAYMENT_ORDER and current == Stage.FILING and target == Stage.JUDGMENT
        if not skip_hearing:
            raise StageRefused(f"a case at {current} moves to {STAGES[stage_index(current) + 1]} next, not to {to}")
    if kind == Kind.PAYMENT_ORDER and target == Stage.HEARING:
        raise StageRefused("a payment order has no hearing: it goes from filing to the order (judgment)")


@dataclass(frozen=True)
class Deadline:
    rule: str
    what: str  # issue_by, pay_or_object_by, enforce_by
    due_on: dt.date


def deadlines(
    *,
    kind: str,
    filed_on: dt.date | None,
    judged_on: dt.date | None,
    performance_due_on: dt.date | None = None,
    po_issue_days: int = PO_ISSUE_DAYS,
    po_object_days: int = PO_OBJECT_DAYS,
    exec_years: int = EXEC_YEARS,
) -> list[Deadline]:
    """The deadlines of a case from its stage dates. `judged_on` is the judgment (for a payment order:
    the day the order was served); `performance_due_on` the last day the judgment sets for paying."""
    found: list[Deadline] = []
    last_day = performance_due_on
    if kind == Kind.PAYMENT_ORDER:
        if filed_on is not None:
            found.append(Deadline("CN-LEGAL-PO", "issue_by", filed_on + dt.timedelta(days=po_issue_days)))
        if judged_on is not None:
            last_day = judged_on + dt.timedelta(days=po_object_days)
            found.append(Deadline("CN-LEGAL-PO", "pay_or_object_by", last_day))
    elif judged_on is not None and last_day is None:
        last_day = judged_on
    if judged_on is not None and last_day is not None:
        found.append(Deadline("CN-LEGAL-EXEC", "enforce_by", add_years(last_day, exec_years)))
    return found


def limitation_ends(*, default_on: dt.date, restarts: Iterable[dt.date], years: int = LIMIT_YEARS) -> dt.date:
    """The last day of the limitation period: 3 years from the default or the latest restart."""
    latest = max([default_on, *(d for d in restarts if d >= default_on)])
    return add_years(latest, years)


def time_barred(*, on: dt.date, ends_on: dt.date) -> bool:
    return on > ends_on


@dataclass(frozen=True)
class Demand:
    on: dt.date
    receipt_proved: bool


@dataclass(frozen=True)
class PoliceReferral:
    offered: bool
    first_demand_on: dt.date | None = None
    second_demand_on: dt.date | None = None
    open_after: dt.date | None = None  # the first day the referral may be offered (if no payment comes)


def police_referral(
    *,
    demands: Sequence[Demand],
    last_payment_on: dt.date | None,
    on: dt.date,
    gap_days: int = FRAUD_GAP_DAYS,
    months: int = FRAUD_MONTHS,
) -> PoliceReferral:
    """CN-LEGAL-FRAUD: may the bank refer the customer to the police on `on`?"""
    proved = sorted(
        d.on for d in demands if d.receipt_proved and d.on <= on and (last_payment_on is None or d.on > last_payment_on)
    )
    if not proved:
        return PoliceReferral(False)
    first = proved[0]
    second = next((d for d in proved[1:] if (d - first).days >= gap_days), None)
    if second is None:
        return PoliceReferral(False, first_demand_on=first)
    opens = add_months(second, months) + dt.timedelta(days=1)
    return PoliceReferral(on >= opens, first, second, opens)

"""The daily cycle's steps, in the order they run, each owned by its domain.

A step runs over one partition: ACCOUNTS steps over the accounts lo <= id < hi, CUSTOMERS steps
over the customers lo <= id < hi (their cases, promises), ONCE steps once for the date. Every
partition of a phase finishes before the next phase starts: ACCOUNTS, then CUSTOMERS, then ONCE.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable

from django.conf import settings

from arrears.agencies.operations import recall_placements
from arrears.application.outreach import send_due_reminders
from arrears.audit.operations import seal
from arrears.bureau import cycle as bureau
from arrears.cases import cycle as cases
from arrears.concessions.operations import expire_approvals, judge_settlements
from arrears.delinquency import cycle as delinquency
from arrears.disputes.cycle import dispute_deadlines
from arrears.ledger import cycle as ledger
from arrears.plans.cycle import monitor_plans
from arrears.products.rules import ProductParams
from arrears.promises.cycle import judge_promises
from arrears.quality.operations import sample as quality_sample
from arrears.scoring.cycle import score_due
from arrears.statements import cycle as statements
from arrears.strategy.cycle import apply_strategy, in_force

ACCOUNTS = "accounts"
CUSTOMERS = "customers"
ONCE = "once"
PHASES = (ACCOUNTS, CUSTOMERS, ONCE)

Run = Callable[[dt.date, int, int, dict[int, ProductParams]], int]


@dataclasses.dataclass(frozen=True)
class Step:
    name: str
    over: str
    run: Run


def _range(step: Callable[[dt.date, int, int], int]) -> Run:
    return lambda d, lo, hi, params: step(d, lo, hi)


def _once(step: Callable[[dt.date], int]) -> Run:
    return lambda d, lo, hi, params: step(d)


def score_accounts(day: dt.date, lo: int, hi: int) -> int:
    """Fresh scores before the strategy reads them: the champion's and those of the models the arms of
    the strategy in force name (when a segment reads a score)."""
    force = in_force(day)
    return score_due(day, lo, hi, force.definition.score_models if force else ())


STEPS: list[Step] = [
    Step("annual_fees", ACCOUNTS, ledger.annual_fees),
    Step("late_fees", ACCOUNTS, statements.late_fees),
    Step("statements", ACCOUNTS, statements.statements),
    Step("delinquency", ACCOUNTS, delinquency.age_accounts),
    Step("charge_off", ACCOUNTS, delinquency.charge_off),
    Step("plans", ACCOUNTS, _range(monitor_plans)),
    Step("judge_settlements", ACCOUNTS, _range(judge_settlements)),
    Step("due_reminders", ACCOUNTS, _range(send_due_reminders)),
    Step("credit_report", ACCOUNTS, bureau.credit_report),
    Step("recall_placements", ACCOUNTS, _range(recall_placements)),
    Step("score_accounts", ACCOUNTS, _range(score_accounts)),
    Step("open_cases", CUSTOMERS, _range(cases.open_cases)),
    Step("judge_promises", CUSTOMERS, _range(judge_promises)),
    Step("update_cases", CUSTOMERS, _range(cases.update_cases)),
    Step("mark_charged_off", CUSTOMERS, _range(cases.mark_charged_off)),
    Step("close_cases", CUSTOMERS, _range(cases.close_cases)),
    Step("route_cases", CUSTOMERS, _range(cases.route_cases)),
    Step("apply_strategy", CUSTOMERS, _range(apply_strategy)),
    Step("expire_approvals", ONCE, _once(expire_approvals)),
    Step("allocate_collectors", ONCE, _once(cases.allocate_collectors)),
    Step("credit_disputes", ONCE, _once(bureau.credit_disputes)),
    Step("dispute_deadlines", ONCE, _once(dispute_deadlines)),
    Step("quality_sample", ONCE, _once(lambda d: quality_sample(day=d, actor="cycle").created)),
    Step("seal_audit", ONCE, _once(lambda d: len(seal().heads))),
]


# Host-feed mode (docs/host-feed.md): what the card host computes and sends in its daily feed, so the
# cycle must not compute it again: fees, interest and statements, DPD and bucket (the feed's import
# sets them, with the bucket history), and charge-off (the host sends the account's status). Every
# other step runs unchanged on top of what the feed brought.
HOST_COMPUTED = frozenset({"annual_fees", "late_fees", "statements", "delinquency", "charge_off"})


def steps(over: str, *, mode: str | None = None) -> list[Step]:
    """The steps of a phase in the ledger mode (settings.ARREARS_LEDGER_MODE unless given)."""
    skipped = HOST_COMPUTED if (mode or settings.ARREARS_LEDGER_MODE) == "host_feed" else frozenset()
    return [s for s in STEPS if s.over == over and s.name not in skipped]

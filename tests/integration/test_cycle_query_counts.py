"""Each step of the daily cycle is a fixed number of SQL statements per partition, whatever the
number of accounts in it (docs/architecture.md, set-based steps): pinned here for every step of the
registry, account, customer and once-a-day steps alike, over two partitions of each."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from arrears.cycle.registry import ACCOUNTS, CUSTOMERS, STEPS
from arrears.cycle.runner import run_date
from arrears.ledger.models import Account, AccountStatus, Entry
from arrears.products.models import versions_in_force
from arrears.statements.models import Statement
from tests.cycle_portfolio import BUSY_DATE, OPENED
from tests.factories import make_account, make_product, purchase

# Statements per step and partition. A change here is a change of the step's cost: look at it.
# PostgreSQL runs one more where the ledger door posts: the locking SELECT ... FOR UPDATE.
SQLITE = {
    "annual_fees": 5,
    "late_fees": 6,
    "statements": 7,
    "delinquency": 2,
    "charge_off": 7,
    "plans": 2,
    "judge_settlements": 1,
    "due_reminders": 2,
    "credit_report": 0,  # monthly: on the first of a month only (tests/integration/test_bureau_cycle.py)
    "recall_placements": 1,
    "score_accounts": 2,  # the strategy in force, the champion: none here (tests/integration/test_scoring_cycle.py)
    "open_cases": 3,
    "judge_promises": 2,
    "update_cases": 2,
    "mark_charged_off": 3,
    "close_cases": 1,
    "route_cases": 2,
    "apply_strategy": 1,  # no strategy is live here: tests/integration/test_strategy_cycle.py pins it with one
    "expire_approvals": 1,
    "allocate_collectors": 1,
    "credit_disputes": 1,
    "dispute_deadlines": 1,
    "quality_sample": 5,  # the rules, the contacts, complaints, first contacts, tasks (no contact here)
    "seal_audit": 5,
}
PINNED = {
    "sqlite": SQLITE,
    "postgresql": {**SQLITE, "annual_fees": 6, "late_fees": 7, "charge_off": 8},
}


@contextlib.contextmanager
def rolled_back() -> Iterator[None]:
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def arrange(per_group: int) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """Two partitions, each with per_group accounts of every kind of BUSY_DATE (see
    tests.cycle_portfolio): annual fee, late fee, statement closing, charge-off. Returns each
    partition's (account ids, customer ids) ranges."""
    product = make_product(
        effective_from=dt.date(2025, 1, 1), annual_fee="50.00", charge_off_dpd=30, due_days_after_statement=18
    )
    parts = []
    for _ in range(2):
        accounts = []
        for statement_day in (5, 24, 7):
            for _ in range(per_group):
                account = make_account(product=product, opened_on=OPENED, statement_day=statement_day)
                purchase(account, dt.date(2026, 3, 1), "1000.00")
                accounts.append(account)
        ids = [a.id for a in accounts]
        customers = [a.customer_id for a in accounts]
        parts.append(((min(ids), max(ids) + 1), (min(customers), max(customers) + 1)))
    run_date(dt.date(2026, 3, 7))
    run_date(dt.date(2026, 4, 5))
    return parts


def step_costs(per_group: int) -> dict[str, list[int]]:
    """The statements each step of BUSY_DATE runs, for each of the two partitions."""
    costs: dict[str, list[int]] = {}
    with rolled_back():
        parts = arrange(per_group)
        params = versions_in_force(BUSY_DATE)
        for step in STEPS:
            ranges = [(-1, -1)]
            if step.over in (ACCOUNTS, CUSTOMERS):
                ranges = [accounts if step.over == ACCOUNTS else customers for accounts, customers in parts]
            costs[step.name] = []
            for lo, hi in ranges:
                with CaptureQueriesContext(connection) as queries:
                    step.run(BUSY_DATE, lo, hi, params)
                costs[step.name].append(len(queries))
        # The arrangement did what it promised: the steps had work in both partitions.
        assert Statement.objects.filter(statement_date=BUSY_DATE).count() == 2 * per_group
        assert Entry.objects.filter(kind="late_fee", posting_date=BUSY_DATE).count() == 2 * per_group
        assert Entry.objects.filter(kind="annual_fee", posting_date=BUSY_DATE).count() == 6 * per_group
        assert Account.objects.filter(status=AccountStatus.CHARGED_OFF, dpd=30).count() == 2 * per_group
        assert Account.objects.filter(status=AccountStatus.OPEN, dpd=1, bucket=1).count() == 2 * per_group
    return costs


@pytest.mark.django_db
class TestQueryCountPerStep:
    def test_is_pinned_for_every_step_and_the_same_for_1_and_for_10_accounts_of_each_kind(self) -> None:
        small = step_costs(1)
        large = step_costs(10)

        assert small == large
        assert {name: counts[0] for name, counts in small.items()} == PINNED[connection.vendor]
        assert all(len(set(counts)) == 1 for counts in small.values()), small

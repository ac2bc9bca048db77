"""Each step of the daily cycle is a fixed number of SQL statements per partition, whatever the
number of accounts in it (ARCHITECTURE.md, habit 6)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from arrears.cycle.runner import partitions
from arrears.cycle.steps import STEPS
from arrears.ledger.models import Account, AccountStatus, Entry
from arrears.products.models import versions_in_force
from arrears.statements.models import Statement
from tests.cycle_portfolio import BUSY_DATE, arrange_busy_date


@contextlib.contextmanager
def rolled_back() -> Iterator[None]:
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def step_costs(per_group: int) -> dict[str, tuple[int, int]]:
    """(queries, rows) of each step of BUSY_DATE for the one partition of a fresh portfolio."""
    costs: dict[str, tuple[int, int]] = {}
    with rolled_back():
        arrange_busy_date(per_group)
        [partition] = partitions()
        lo, hi = partition * settings.ARREARS_PARTITION_SIZE, (partition + 1) * settings.ARREARS_PARTITION_SIZE
        params = versions_in_force(BUSY_DATE)
        for name, step in STEPS:
            with CaptureQueriesContext(connection) as queries:
                rows = step(BUSY_DATE, lo, hi, params)
            costs[name] = (len(queries), rows)
        # The arrangement did what it promised: every step had work.
        assert Statement.objects.filter(statement_date=BUSY_DATE).count() == per_group
        assert Entry.objects.filter(kind="late_fee", posting_date=BUSY_DATE).count() == per_group
        assert Entry.objects.filter(kind="annual_fee", posting_date=BUSY_DATE).count() == 3 * per_group
        assert Account.objects.filter(status=AccountStatus.CHARGED_OFF, dpd=30).count() == per_group
        assert Account.objects.filter(status=AccountStatus.OPEN, dpd=1, bucket=1).count() == per_group
    return costs


@pytest.mark.django_db
class TestQueryCountPerStep:
    def test_is_the_same_for_3_and_for_30_accounts(self) -> None:
        small = step_costs(1)
        large = step_costs(10)

        assert {name: q for name, (q, _) in small.items()} == {name: q for name, (q, _) in large.items()}
        # (The delinquency step's row count is not checked: SQLite reports none for UPDATE ... FROM
        # behind a WITH; its work is checked on the accounts' DPD above.)
        for costs in (small, large):
            assert all(rows > 0 for name, (_, rows) in costs.items() if name != "delinquency"), costs
        assert large["annual_fees"][1] == 30
        assert large["statements"][1] == 10

"""A crash in the middle of a date leaves no half-written step; running the date again finishes it,
and the result is the same as a run that never crashed (PRODUCT.md §5)."""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction

from arrears.cycle import registry
from arrears.cycle.models import CycleDay, StepRun
from arrears.cycle.runner import run_date
from arrears.delinquency.models import BucketChange
from arrears.ledger.models import Account, Entry
from arrears.ledger.queries import cache_mismatches
from arrears.statements.models import Statement
from tests.cycle_portfolio import BUSY_DATE, arrange_busy_date


class Crash(Exception):
    pass


@contextlib.contextmanager
def rolled_back() -> Iterator[None]:
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def ledger() -> dict[str, list[tuple[Any, ...]]]:
    """The ledger tables without ids; accounts named by their position."""
    index = {pk: i for i, pk in enumerate(Account.objects.order_by("id").values_list("id", flat=True))}

    def rows(model: Any, *fields: str) -> list[tuple[Any, ...]]:
        return sorted((index[r[0]], *r[1:]) for r in model.objects.values_list("account_id", *fields))

    return {
        "entries": rows(Entry, "kind", "component", "amount_fen", "posting_date", "reference", "explanation"),
        "statements": rows(Statement, "statement_date", "new_balance_fen", "minimum_payment_fen", "grace_kept"),
        "bucket_changes": rows(BucketChange, "change_date", "from_bucket", "to_bucket", "dpd"),
        "accounts": sorted(
            (index[a[0]], *a[1:])
            for a in Account.objects.values_list(
                "id",
                "principal_fen",
                "interest_fen",
                "fees_fen",
                "dpd",
                "bucket",
                "status",
                "charged_off_fen",
                "last_statement_date",
            )
        ),
    }


def clean_run() -> dict[str, list[tuple[Any, ...]]]:
    with rolled_back():
        arrange_busy_date(2)
        run_date(BUSY_DATE)
        return ledger()


STEP_NAMES = [step.name for step in registry.STEPS]


@contextlib.contextmanager
def crashing(name: str) -> Iterator[None]:
    """The step runs for real, writes everything, then its process dies before the commit.

    The runner reads the same list object (arrears.cycle.registry.STEPS), so the entry is swapped in place.
    """
    position = STEP_NAMES.index(name)
    original = registry.STEPS[position]

    def crash_after_writing(*args: Any) -> int:
        original.run(*args)
        raise Crash(name)

    registry.STEPS[position] = dataclasses.replace(original, run=crash_after_writing)
    try:
        yield
    finally:
        registry.STEPS[position] = original


@pytest.mark.django_db
class TestCrashInTheMiddleOfADate:
    @pytest.mark.parametrize("step", STEP_NAMES)
    def test_leaves_no_half_step_and_a_rerun_equals_a_clean_run(self, step: str) -> None:
        expected = clean_run()
        arrange_busy_date(2)
        before = ledger()
        position = STEP_NAMES.index(step)

        with crashing(step), pytest.raises(Crash):
            run_date(BUSY_DATE)

        # The steps before the crash are done and recorded; the crashed one left nothing.
        done = set(StepRun.objects.filter(business_date=BUSY_DATE).values_list("step", flat=True))
        assert done == set(STEP_NAMES[:position])
        assert not CycleDay.objects.filter(business_date=BUSY_DATE).exists()
        assert cache_mismatches() == []
        if position == 0:
            assert ledger() == before

        assert run_date(BUSY_DATE) is True

        assert set(StepRun.objects.filter(business_date=BUSY_DATE).values_list("step", flat=True)) >= set(STEP_NAMES)
        assert ledger() == expected
        assert cache_mismatches() == []

    def test_the_crashed_step_wrote_nothing_of_its_own(self) -> None:
        # The statements step crashes after closing the statements of day 24: none of them remains,
        # but the annual and late fees of the steps before it do.
        arrange_busy_date(2)

        with crashing("statements"), pytest.raises(Crash):
            run_date(BUSY_DATE)

        assert not Statement.objects.filter(statement_date=BUSY_DATE).exists()
        assert not Entry.objects.filter(kind="interest", posting_date=BUSY_DATE).exists()
        assert Entry.objects.filter(kind="annual_fee", posting_date=BUSY_DATE).count() == 6
        assert Entry.objects.filter(kind="late_fee", posting_date=BUSY_DATE).count() == 2

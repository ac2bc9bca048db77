"""The monthly credit_report step is set-based (a fixed number of statements whatever the number of
accounts) and idempotent (a second run of a first-of-month date leaves every table as it was)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from arrears.bureau.cycle import credit_disputes, credit_report
from arrears.bureau.models import BureauRecord
from arrears.bureau.operations import open_dispute, record_notice
from arrears.cycle.models import CycleDay, StepRun
from arrears.cycle.runner import run_date
from tests import table_snapshot
from tests.builders import advance, buy, open_card_accounts, pay
from tests.factories import make_product

JUNE_1 = dt.date(2026, 6, 1)
# Statements of credit_report per partition on the first of a month: the configured overrides of
# the CN and US packs (none are configured here: 0), one facts query per chunk of accounts, one upsert.
PINNED = 2


def arrange(per_kind: int) -> None:
    """per_kind accounts of each kind: never paid (with a notice and a dispute), paid in full,
    charged off at 30 days; run through May 31."""
    accounts = open_card_accounts(count=3 * per_kind, product=make_product(charge_off_dpd=30))
    late, paid, _ = accounts[:per_kind], accounts[per_kind : 2 * per_kind], accounts[2 * per_kind :]
    buy(accounts=accounts, amounts=["1000.00"] * len(accounts))
    for account in late:
        record_notice(
            actor="t", account=account, channel="sms", sent_on=dt.date(2026, 4, 1), business_date=dt.date(2026, 4, 1)
        )
        open_dispute(actor="t", account=account, reason="r", business_date=dt.date(2026, 4, 2))
    advance(through=dt.date(2026, 4, 20))
    pay(accounts=paid, amounts=["1000.00"] * per_kind, on=dt.date(2026, 4, 20))
    advance(through=dt.date(2026, 5, 1))
    advance(through=dt.date(2026, 5, 31))


def cost(per_kind: int) -> int:
    with transaction.atomic():
        arrange(per_kind)
        with CaptureQueriesContext(connection) as queries:
            n = credit_report(JUNE_1, 0, 2**62, {})
        assert n == 3 * per_kind
        transaction.set_rollback(True)
    return len(queries)


@pytest.mark.django_db
def test_query_count_is_the_same_for_3_and_30_accounts() -> None:
    assert cost(1) == cost(10) == PINNED


@pytest.mark.django_db
def test_credit_disputes_is_one_update() -> None:
    with CaptureQueriesContext(connection) as queries:
        credit_disputes(JUNE_1)
    assert len(queries) == 1


@pytest.mark.django_db
def test_running_the_first_of_a_month_again_changes_no_table() -> None:
    arrange(2)
    run_date(JUNE_1)
    assert BureauRecord.objects.filter(month=dt.date(2026, 5, 1)).count() == 6
    before = table_snapshot.by_id()
    with transaction.atomic():
        StepRun.objects.filter(business_date=JUNE_1).delete()
        CycleDay.objects.filter(business_date=JUNE_1).delete()
        run_date(JUNE_1)
    assert table_snapshot.differences(before, table_snapshot.by_id()) == {}

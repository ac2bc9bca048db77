"""The test builders: the cycle run only on the dates that matter leaves the state a day-by-day run
leaves, and each builder makes the state it promises."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.db import transaction

from arrears.cases.models import Case, CaseStatus, CaseStatusChange
from arrears.concessions.models import ConcessionStatus
from arrears.delinquency.models import BucketChange
from arrears.ledger.models import Account, AccountStatus, Entry
from arrears.ledger.queries import cache_mismatches
from arrears.plans.models import PlanStatus
from arrears.statements.models import Statement
from tests import builders
from tests.factories import make_product, run_days

pytestmark = pytest.mark.django_db
THROUGH = dt.date(2026, 6, 5)


def snapshot() -> dict[str, Any]:
    """Every row the cycle writes that a page or a figure reads, by customer name (no ids, numbers or
    clocks: the two runs compared make different accounts)."""
    return {
        "accounts": {
            row[0]: row[1:]
            for row in Account.objects.values_list(
                "customer__name",
                "status",
                "dpd",
                "bucket",
                "principal_fen",
                "interest_fen",
                "fees_fen",
                "plan_fen",
                "charged_off_fen",
                "charged_off_on",
                "last_statement_date",
            )
        },
        "statements": list(
            Statement.objects.order_by("account__customer__name", "statement_date").values_list(
                "account__customer__name",
                "statement_date",
                "due_date",
                "new_balance_fen",
                "interest_charged_fen",
                "fees_charged_fen",
                "payments_fen",
                "past_due_fen",
                "minimum_payment_fen",
                "minimum_unpaid_fen",
                "revolving",
                "grace_kept",
                "paid_by_due_fen",
            )
        ),
        "entries": sorted(
            Entry.objects.values_list(
                "account__customer__name", "kind", "component", "amount_fen", "posting_date", "value_date"
            )
        ),
        "bucket_changes": list(
            BucketChange.objects.order_by("account__customer__name", "change_date").values_list(
                "account__customer__name", "change_date", "from_bucket", "to_bucket", "dpd"
            )
        ),
        "cases": list(
            Case.objects.order_by("customer__name").values_list(
                "customer__name",
                "status",
                "opened_on",
                "closed_on",
                "dpd",
                "worst_bucket",
                "balance_fen",
                "past_due_fen",
            )
        ),
        "case_changes": sorted(
            CaseStatusChange.objects.values_list("case__customer__name", "change_date", "from_status", "to_status")
        ),
    }


def live(to: Callable[[dt.date], None]) -> dict[str, Any]:
    """Five customers on one product charged off at 40 DPD, lived through 06-05 with `to(date)`
    moving the cycle forward: never paid (charged off 06-02), the minimum paid (revolving), paid in
    full (current), paid late in part, and statement day 20 never paid."""
    product = make_product(charge_off_dpd=40)
    never, minimum, full, late = builders.open_card_accounts(count=4, product=product, names=["甲", "乙", "丙", "丁"])
    [other] = builders.open_card_accounts(product=product, statement_day=20, names=["戊"])
    amounts = ["1000.00", "800.00", "500.00", "1200.00", "700.00"]
    builders.buy(accounts=[never, minimum, full, late, other], amounts=amounts)
    to(dt.date(2026, 4, 20))
    builders.pay(accounts=[minimum, full], amounts=["80.00", "500.00"], on=dt.date(2026, 4, 20))
    to(dt.date(2026, 5, 10))
    builders.pay(accounts=[late], amounts=["200.00"], on=dt.date(2026, 5, 10))
    to(THROUGH)
    return snapshot()


class TestTheDatesThatMatter:
    def test_leave_the_state_that_a_day_by_day_run_leaves(self) -> None:
        class Rollback(Exception):
            pass

        days: list[dt.date] = []

        def day_by_day(through: dt.date) -> None:
            first = days[-1] + dt.timedelta(days=1) if days else builders.OPENED
            run_days(first, through)
            days.append(through)

        try:
            with transaction.atomic():
                daily = live(day_by_day)
                raise Rollback
        except Rollback:
            pass
        ran: list[dt.date] = []
        fast = live(lambda through: ran.extend(builders.advance(through=through)))

        assert fast == daily
        # The states compared are not trivial: a charge-off, a revolving statement, a cure.
        assert fast["accounts"]["甲"][0] == AccountStatus.CHARGED_OFF
        assert any(s[10] for s in fast["statements"])
        assert {c[3] for c in fast["case_changes"]} >= {CaseStatus.OPEN, CaseStatus.CHARGED_OFF}
        assert len(ran) < 30 < (THROUGH - builders.OPENED).days


class TestBuilders:
    def test_past_due_puts_every_account_at_the_days_past_due_asked(self) -> None:
        debtors = builders.past_due(dpd=45, count=3)

        for d in debtors:
            assert (d.account.dpd, d.account.bucket, d.account.status) == (45, 2, AccountStatus.OPEN)
            assert d.case is not None and d.case.status == CaseStatus.OPEN and d.case.opened_on == dt.date(2026, 4, 24)
        assert [d.account.principal_fen for d in debtors] == [100000, 110000, 120000]
        assert cache_mismatches() == []

    def test_a_case_in_queue_is_routed_to_the_teams_queue_and_collector(self) -> None:
        team, collector, debtor = builders.case_in_queue(dpd=10)

        assert debtor.case is not None
        assert (debtor.case.team_id, debtor.case.collector_id, debtor.case.worst_bucket) == (team.pk, collector.pk, 1)

    def test_current_and_revolving_accounts_are_not_past_due(self) -> None:
        current = builders.current_account(through=dt.date(2026, 5, 3))
        assert (current.account.dpd, current.account.balance_fen, current.case) == (0, 100000, None)

    def test_a_revolving_account_is_charged_interest_on_its_next_statement(self) -> None:
        revolving = builders.revolving_account()

        statement = Statement.objects.get(account=revolving.account, statement_date=dt.date(2026, 5, 5))
        assert statement.revolving and statement.interest_charged_fen > 0
        assert (revolving.account.dpd, revolving.case) == (0, None)

    def test_a_charged_off_account_is_written_off_on_the_day_its_dpd_reaches_the_limit(self) -> None:
        debtor = builders.charged_off(charge_off_dpd=129)

        assert debtor.account.charged_off_on == dt.date(2026, 4, 23) + dt.timedelta(days=129)
        assert debtor.account.balance_fen == 0 and debtor.account.charged_off_fen > 100000
        assert debtor.case is not None and debtor.case.status == CaseStatus.CHARGED_OFF

    def test_a_plan_is_active_then_broken_when_two_instalments_are_missed(self) -> None:
        built = builders.broken_plan(product=make_product(daily_interest_rate="0"))

        assert built.plan.status == PlanStatus.BROKEN
        assert built.debtor.account.plan_fen == 0 and built.debtor.account.dpd > 0
        assert built.debtor.case is not None and built.debtor.case.status == CaseStatus.OPEN
        assert cache_mismatches() == []

    def test_an_active_plan_holds_the_balance(self) -> None:
        built = builders.in_plan(product=make_product(daily_interest_rate="0"))

        assert built.plan.status == PlanStatus.ACTIVE
        assert built.debtor.account.plan_fen > 0 and built.debtor.account.principal_fen == 0
        assert built.debtor.case is not None and built.debtor.case.status == CaseStatus.IN_PLAN

    def test_a_settled_account_is_closed_with_the_rest_written_off(self) -> None:
        debtor, concession = builders.settled()

        assert concession.status == ConcessionStatus.SETTLED
        assert (debtor.account.status, debtor.account.balance_fen) == (AccountStatus.CLOSED, 0)
        assert debtor.case is not None and debtor.case.status == CaseStatus.CLOSED

    def test_accounts_opened_after_the_cycle_ran_are_refused(self) -> None:
        builders.past_due(dpd=1)

        with pytest.raises(AssertionError, match="open accounts first"):
            builders.past_due(dpd=1)

"""Cases opened, kept up to date, routed and closed by the daily cycle."""

from __future__ import annotations

import datetime as dt

import pytest

from arrears.cases.models import Case, CaseStatus
from arrears.cycle.runner import run_date
from arrears.ledger.models import Customer
from tests.collections_factories import delinquent_customers, staff, team_with_queue
from tests.factories import pay

pytestmark = pytest.mark.django_db


class TestCaseLifecycle:
    def test_opens_one_case_per_customer_the_day_after_a_missed_due_date(self) -> None:
        cases = delinquent_customers(2, through=dt.date(2026, 4, 24))
        assert len(cases) == 2
        assert all(c.status == CaseStatus.OPEN and c.opened_on == dt.date(2026, 4, 24) for c in cases)
        # Minimum of the 04-05 statement: 10 % of 1000.00 = 100.00, unpaid at 04-23.
        first = Case.objects.get(pk=cases[0].pk)
        assert (first.dpd, first.worst_bucket, first.past_due_fen) == (1, 1, 100_00)
        assert first.balance_fen == 1000_00 + 5_00  # the 5 % late fee on 100.00 posted on 04-24

    def test_keeps_dpd_current_and_closes_the_case_when_the_customer_cures(self) -> None:
        [case] = delinquent_customers(1, through=dt.date(2026, 5, 3))
        case.refresh_from_db()
        assert case.dpd == 10
        account = case.customer.accounts.get()
        pay(account, dt.date(2026, 5, 3), "100.00")
        run_date(dt.date(2026, 5, 4))
        case.refresh_from_db()
        assert case.status == CaseStatus.CLOSED and case.closed_on == dt.date(2026, 5, 4)
        assert [c.to_status for c in case.status_changes.all()] == ["open", "closed"]


class TestRouting:
    def test_routes_cases_to_the_matching_queue_and_balances_collectors(self) -> None:
        team = team_with_queue()
        a, b = staff(team=team), staff(team=team)
        cases = delinquent_customers(4, through=dt.date(2026, 4, 24))
        loads = sorted(Case.objects.filter(pk__in=[c.pk for c in cases]).values_list("collector", flat=True))
        assert loads == sorted([a.pk, a.pk, b.pk, b.pk])
        assert set(Case.objects.values_list("team", flat=True)) == {team.pk}

    def test_respects_language_skills(self) -> None:
        team = team_with_queue()
        staff(team=team, languages="zh-hans")
        english = staff(team=team, languages="en,zh-hans")
        assert delinquent_customers(2, through=dt.date(2026, 4, 23)) == []
        Customer.objects.filter(pk=Customer.objects.order_by("id").last().pk).update(language="en")
        run_date(dt.date(2026, 4, 24))
        assert Case.objects.get(customer__language="en").collector == english

    def test_moves_a_case_to_another_team_when_it_rolls_into_its_bucket(self) -> None:
        early = team_with_queue("early", min_bucket=1, max_bucket=1, rank=1)
        late = team_with_queue("late", min_bucket=2, max_bucket=7, rank=2)
        staff(team=early)
        late_collector = staff(team=late)
        [case] = delinquent_customers(1, through=dt.date(2026, 5, 23))
        case.refresh_from_db()
        assert (case.worst_bucket, case.team) == (1, early)
        run_date(dt.date(2026, 5, 24))  # DPD 31: M2
        case.refresh_from_db()
        assert (case.worst_bucket, case.team, case.collector) == (2, late, late_collector)

"""The lead's figures, worked by hand on a team's month (tests/team_month.py)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from arrears.application.team_figures import rate, team_figures
from tests.team_month import END, START, team_month

pytestmark = pytest.mark.django_db


@pytest.fixture
def month(db: None) -> Any:
    return team_month()


def test_rate_rounds_half_up_and_is_none_without_a_denominator() -> None:
    assert rate(3, 10) == Decimal("30.00")
    assert rate(2, 3) == Decimal("66.67")
    assert rate(1, 8) == Decimal("12.50")
    assert rate(0, 0) is None


def test_worked_month(month: Any) -> None:
    f = team_figures(month.lead, today=END)
    assert (f.start, f.end) == (START, END)
    m1 = f.rolls[1]
    assert (m1.from_bucket, m1.to_bucket, m1.accounts, m1.rolled, m1.cured) == (1, 2, 10, 3, 7)
    assert m1.rate == Decimal("30.00")
    assert f.rolls[0].accounts == 0 and f.rolls[0].rate is None
    assert all(r.accounts == 0 for r in f.rolls[2:])
    assert (f.delinquent_at_start, f.cured, f.cure_rate) == (10, 7, Decimal("70.00"))
    assert f.collected_fen == 7 * 500_00
    assert (f.promises_due, f.promises_kept, f.kept_rate) == (5, 3, Decimal("60.00"))
    assert (f.contacts, f.right_party, f.rpc_rate) == (4, 3, Decimal("75.00"))
    assert f.pending_count == 1 and f.pending[0].kind == "late_fee_waiver"


def test_weeks_end_on_the_business_date_and_hold_each_event_once(month: Any) -> None:
    f = team_figures(month.lead, today=END)
    assert len(f.weeks) == 8
    assert f.weeks[-1].end == END and f.weeks[-1].start == END - dt.timedelta(days=6)
    assert f.weeks[0].start == END - dt.timedelta(days=55)
    [week] = [w for w in f.weeks if w.start <= START + dt.timedelta(days=1) <= w.end]
    assert week == f.weeks[3]
    assert (week.collected_fen, week.contacts, week.right_party) == (3_500_00, 4, 3)
    assert (week.promises_due, week.promises_kept, week.kept_rate) == (5, 3, Decimal("60.00"))
    others = [w for w in f.weeks if w is not week]
    assert sum(w.collected_fen + w.contacts + w.promises_due for w in others) == 0


def test_a_lead_sees_only_the_teams_they_lead(month: Any) -> None:
    f = team_figures(month.other_lead, today=END)
    assert f.rolls[1].accounts == 0
    assert (f.collected_fen, f.contacts, f.promises_due, f.pending_count) == (0, 0, 0, 0)
    assert f.teams == [month.other_lead.teams_led.get().name]
    assert month.team.name not in f.teams


def test_the_figures_cost_a_fixed_number_of_queries(month: Any) -> None:
    with CaptureQueriesContext(connection) as small:
        team_figures(month.lead, today=END)
    assert len(small) <= 8

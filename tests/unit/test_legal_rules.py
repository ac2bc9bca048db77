"""arrears.legal.rules: hand-computed deadlines and properties of the limitation period and the
police-referral test."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from arrears.legal import rules
from arrears.legal.rules import Demand, StageRefused

D = dt.date
days = st.dates(min_value=D(2020, 1, 1), max_value=D(2035, 12, 31))


def test_payment_order_deadlines() -> None:
    found = rules.deadlines(kind="payment_order", filed_on=D(2026, 12, 20), judged_on=D(2027, 1, 3))
    assert [(d.what, d.due_on) for d in found] == [
        ("issue_by", D(2027, 1, 4)),  # 12-20 + 15 days crosses the year
        ("pay_or_object_by", D(2027, 1, 18)),
        ("enforce_by", D(2029, 1, 18)),
    ]


def test_lawsuit_enforcement_runs_from_the_last_day_of_performance() -> None:
    found = rules.deadlines(
        kind="lawsuit", filed_on=D(2026, 1, 5), judged_on=D(2026, 6, 1), performance_due_on=D(2026, 6, 11)
    )
    assert [(d.rule, d.due_on) for d in found] == [("CN-LEGAL-EXEC", D(2028, 6, 11))]
    assert rules.deadlines(kind="lawsuit", filed_on=D(2026, 1, 5), judged_on=None) == []


def test_leap_day() -> None:
    assert rules.add_years(D(2028, 2, 29), 3) == D(2031, 2, 28)
    assert rules.add_months(D(2026, 11, 30), 3) == D(2027, 2, 28)
    assert rules.add_months(D(2026, 1, 31), 1) == D(2026, 2, 28)


def test_limitation_restarts_and_bars() -> None:
    ends = rules.limitation_ends(default_on=D(2026, 4, 24), restarts=[D(2026, 3, 1), D(2027, 1, 9)])
    assert ends == D(2030, 1, 9)  # a restart before the default does not count
    assert not rules.time_barred(on=ends, ends_on=ends)
    assert rules.time_barred(on=ends + dt.timedelta(days=1), ends_on=ends)


@given(default=days, restarts=st.lists(days, max_size=5), extra=days)
def test_a_restart_never_shortens_the_period(default: dt.date, restarts: list[dt.date], extra: dt.date) -> None:
    before = rules.limitation_ends(default_on=default, restarts=restarts)
    after = rules.limitation_ends(default_on=default, restarts=[*restarts, extra])
    assert after >= before >= rules.add_years(default, 3)


def test_stage_moves() -> None:
    rules.check_move(kind="lawsuit", current="referral", to="filing", on=D(2026, 1, 2), last_on=D(2026, 1, 1))
    rules.check_move(kind="payment_order", current="filing", to="judgment", on=D(2026, 1, 2), last_on=D(2026, 1, 1))
    rules.check_move(kind="lawsuit", current="hearing", to="closed", on=D(2026, 1, 2), last_on=D(2026, 1, 1))
    for kind, current, to, field in [
        ("lawsuit", "referral", "judgment", "stage"),  # skips
        ("lawsuit", "filing", "referral", "stage"),  # backwards
        ("lawsuit", "closed", "filing", "stage"),
        ("payment_order", "filing", "hearing", "stage"),
        ("lawsuit", "referral", "verdict", "stage"),
    ]:
        with pytest.raises(StageRefused) as exc:
            rules.check_move(kind=kind, current=current, to=to, on=D(2026, 1, 2), last_on=D(2026, 1, 1))
        assert exc.value.field == field
    with pytest.raises(StageRefused) as early:
        rules.check_move(kind="lawsuit", current="referral", to="filing", on=D(2025, 12, 31), last_on=D(2026, 1, 1))
    assert early.value.field == "date"


def test_reached() -> None:
    assert rules.reached("hearing") == {"referral", "filing", "hearing"}


def test_police_referral_worked_example() -> None:
    demands = [Demand(D(2026, 1, 10), True), Demand(D(2026, 1, 20), False), Demand(D(2026, 2, 9), True)]
    # 01-10 and 02-09 are 30 days apart, both received; more than 3 months after 02-09: from 05-10.
    assert not rules.police_referral(demands=demands, last_payment_on=None, on=D(2026, 5, 9)).offered
    assert rules.police_referral(demands=demands, last_payment_on=None, on=D(2026, 5, 10)).offered
    # A payment after the first demand starts it over: only 02-09 is left, one demand.
    assert not rules.police_referral(demands=demands, last_payment_on=D(2026, 1, 15), on=D(2027, 1, 1)).offered
    # Unproved receipt never counts.
    unproved = [Demand(d.on, False) for d in demands]
    assert not rules.police_referral(demands=unproved, last_payment_on=None, on=D(2027, 1, 1)).offered


@given(ons=st.lists(days, max_size=6), paid=st.none() | days, on=days)
def test_police_referral_needs_two_demands_30_days_apart_and_3_months(
    ons: list[dt.date], paid: dt.date | None, on: dt.date
) -> None:
    result = rules.police_referral(demands=[Demand(d, True) for d in ons], last_payment_on=paid, on=on)
    if result.offered:
        assert result.first_demand_on is not None and result.second_demand_on is not None
        assert (result.second_demand_on - result.first_demand_on).days >= 30
        assert on > rules.add_months(result.second_demand_on, 3)
        assert paid is None or result.first_demand_on > paid

"""The pure rules after charge-off: recoveries and a settlement's write-off spread over the components
charged off (fees, then interest, then the plan, then principal), months since charge-off, rates."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from arrears.delinquency.rules import RECOVERY_ORDER, months_between, rate, split_recoveries


def test_a_worked_example() -> None:
    charged = {"principal": 100_000, "interest": 2_800, "fees": 500}
    positions, excess = split_recoveries(charged, recovered_fen=32_000, written_off_fen=20_000)
    assert {c: (p.recovered_fen, p.written_off_fen, p.still_owed_fen) for c, p in positions.items()} == {
        "fees": (500, 0, 0),
        "interest": (2_800, 0, 0),
        "plan": (0, 0, 0),
        "principal": (28_700, 20_000, 51_300),
    }
    assert excess == 0


def test_more_recovered_than_charged_off_is_an_excess_not_a_component() -> None:
    positions, excess = split_recoveries({"principal": 1_000, "fees": 100}, recovered_fen=1_500)
    assert positions["principal"].recovered_fen == 1_000 and positions["fees"].recovered_fen == 100
    assert excess == 400


def test_months_and_rates() -> None:
    assert months_between(dt.date(2026, 5, 23), dt.date(2026, 5, 31)) == 0
    assert months_between(dt.date(2026, 5, 23), dt.date(2027, 1, 2)) == 8
    assert rate(32_000, 103_300) == Decimal("0.3098")
    assert rate(5, 0) == Decimal(0)


amounts = st.integers(min_value=-50_000, max_value=10_000_000)


@given(
    charged=st.fixed_dictionaries({c: amounts for c in RECOVERY_ORDER}),
    recovered=st.integers(0, 30_000_000),
    written=st.integers(0, 30_000_000),
)
def test_positions_sum_to_the_charge_off_and_never_cover_a_component_twice(
    charged: dict[str, int], recovered: int, written: int
) -> None:
    positions, excess = split_recoveries(charged, recovered_fen=recovered, written_off_fen=written)
    assert sum(p.charged_off_fen for p in positions.values()) == sum(charged.values())
    for c, p in positions.items():
        assert 0 <= p.recovered_fen + p.written_off_fen <= max(charged[c], 0)
        assert p.still_owed_fen >= min(charged[c], 0)
    assert sum(p.recovered_fen for p in positions.values()) + excess == recovered
    # The order holds: a component is touched only when those before it are covered.
    covered = [p.recovered_fen + p.written_off_fen == max(p.charged_off_fen, 0) for p in positions.values()]
    touched = [p.recovered_fen + p.written_off_fen > 0 for p in positions.values()]
    for i in range(1, len(RECOVERY_ORDER)):
        if touched[i]:
            assert all(covered[:i])

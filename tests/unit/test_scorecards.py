"""The CN-KPI scorecards (arrears.insight.scorecards), worked by hand.

Weights: quality 35, right party 20, kept 25, amount 20 (capped at 20); a breach deducts 10, a
substantiated complaint 15.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from arrears.insight.scorecards import (
    AMOUNT,
    AMOUNT_CAP,
    KEPT,
    QUALITY,
    RIGHT_PARTY,
    WEIGHTS,
    Inputs,
    scorecards,
    team_inputs,
    weights_for,
)


def row(name: str, **kw: object) -> Inputs:
    base: dict[str, object] = {"attempts": 20, "right_party": 10, "judged": 4, "kept": 3, "collected_fen": 100_000}
    base.update(kw)
    return Inputs(name=name, **base)  # type: ignore[arg-type]


def by_name(cards: list) -> dict:  # type: ignore[type-arg]
    return {c.name: c for c in cards}


def test_the_weights_add_up_to_100_and_the_amount_is_the_smallest_share() -> None:
    assert sum(WEIGHTS.values()) == 100
    assert WEIGHTS[AMOUNT] == AMOUNT_CAP == 20
    assert all(WEIGHTS[AMOUNT] <= w for w in WEIGHTS.values())


def test_two_collectors_with_equal_amounts_but_different_quality_rank_differently() -> None:
    # Both: RPC 10/20 = 0.5, kept 3/4 = 0.75, collected 1,000.00 = the best, so amount 1.
    # a: 0.90 x 35 + 0.5 x 20 + 0.75 x 25 + 1 x 20 = 31.5 + 10 + 18.75 + 20 = 80.25
    # b: 0.60 x 35 + 10 + 18.75 + 20 = 21 + 48.75 = 69.75
    cards = scorecards([row("b", quality=Decimal(60)), row("a", quality=Decimal(90))])
    assert [(c.name, c.score, c.rank) for c in cards] == [("a", Decimal("80.25"), 1), ("b", Decimal("69.75"), 2)]
    assert cards[0].parts == {QUALITY: Decimal("0.9"), RIGHT_PARTY: Decimal("0.5"), KEPT: Decimal("0.75"), AMOUNT: 1}


def test_amount_alone_cannot_reach_the_top() -> None:
    # big collected 5,000.00 (the best: amount 1) with poor conduct:
    #   quality 0.40 x 35 = 14, RPC 2/10 x 20 = 4, kept 1/5 x 25 = 5, amount 20  -> 43.00
    # good collected 1,000.00 (amount 1,000 / 5,000 = 0.2):
    #   quality 0.95 x 35 = 33.25, RPC 6/10 x 20 = 12, kept 4/4 x 25 = 25, amount 0.2 x 20 = 4 -> 74.25
    big = row("big", quality=Decimal(40), attempts=10, right_party=2, judged=5, kept=1, collected_fen=500_000)
    good = row("good", quality=Decimal(95), attempts=10, right_party=6, judged=4, kept=4, collected_fen=100_000)
    cards = by_name(scorecards([big, good]))
    assert cards["big"].score == Decimal("43.00") and cards["good"].score == Decimal("74.25")
    assert cards["good"].rank == 1 and cards["big"].rank == 2
    # Nothing but the amount: no score at all, and no rank.
    only = Inputs(name="only", collected_fen=900_000)
    cards = by_name(scorecards([only, good]))
    assert cards["only"].score is None and cards["only"].rank is None and cards["only"].base is None
    assert cards["good"].rank == 1


def test_not_reviewed_is_not_zero_the_weights_are_renormalised_and_the_amount_stays_capped() -> None:
    # Not reviewed: RPC 20, kept 25, amount 20 remain (65). Re-normalised the amount would weigh
    # 20 x 100 / 65 = 30.77 > 20: capped at 20; RPC and kept share 80 as 20:25 -> 35.56 and 44.44.
    # RPC 5/10 = 0.5, kept 1/2 = 0.5, amount 1: 0.5 x 80 x 20/45 + 0.5 x 80 x 25/45 + 20 = 40 + 20 = 60.00
    unreviewed = row("u", quality=None, attempts=10, right_party=5, judged=2, kept=1)
    zero = row("z", quality=Decimal(0), attempts=10, right_party=5, judged=2, kept=1)
    cards = by_name(scorecards([unreviewed, zero]))
    assert cards["u"].score == Decimal("60.00")
    assert cards["u"].weights[QUALITY] == 0 and cards["u"].weights[AMOUNT] == 20
    assert cards["u"].weights[RIGHT_PARTY] + cards["u"].weights[KEPT] == 80
    # Reviewed at 0: 0 + 0.5 x 20 + 0.5 x 25 + 20 = 42.50, below the one nobody reviewed.
    assert cards["z"].score == Decimal("42.50")
    assert cards["u"].rank == 1


def test_without_an_amount_the_conduct_measures_share_all_100_points() -> None:
    # Nobody collected anything: amount left out; 35 + 20 + 25 = 80 re-normalised to 100.
    # quality 0.8 x 43.75 + RPC 0.5 x 25 + kept 0.75 x 31.25 = 35 + 12.5 + 23.4375 = 70.9375 -> 70.94
    [card] = scorecards([row("n", quality=Decimal(80), collected_fen=0)])
    assert card.parts[AMOUNT] is None
    assert card.weights == {QUALITY: Decimal("43.75"), RIGHT_PARTY: 25, KEPT: Decimal("31.25"), AMOUNT: 0}
    assert card.score == Decimal("70.94")


def test_a_breach_and_a_substantiated_complaint_deduct_an_unsubstantiated_one_does_not() -> None:
    # 80.25 (as collector a above) - 10 (one breach) - 15 (one upheld complaint) = 55.25;
    # a second complaint not upheld deducts nothing.
    a = row("a", quality=Decimal(90), breaches=1, complaints=2, substantiated=1)
    [card] = scorecards([a])
    assert card.base == Decimal("80.25") and card.deduction == 25 and card.score == Decimal("55.25")
    # Never below 0: 80.25 - 9 x 10 = -9.75 -> 0.
    [card] = scorecards([row("a", quality=Decimal(90), breaches=9)])
    assert card.score == Decimal("0.00")


def test_ties_rank_by_name() -> None:
    cards = scorecards([row("y", quality=Decimal(70)), row("x", quality=Decimal(70))])
    assert [(c.name, c.rank) for c in cards] == [("x", 1), ("y", 2)]


def test_a_team_is_the_sum_of_its_collectors() -> None:
    # quality: the mean of the reviewed (90 and 61 -> 75.50; the third was not reviewed);
    # RPC 30/60 = 0.5, kept 9/12 = 0.75, collected 3,000.00 (the only team: amount 1).
    # 0.755 x 35 + 10 + 18.75 + 20 = 26.425 + 48.75 = 75.175 -> 75.18; one breach: 65.18.
    team = team_inputs(
        "t", [row("a", quality=Decimal(90), breaches=1), row("b", quality=Decimal(61)), row("c", quality=None)]
    )
    assert team.quality == Decimal("75.50") and team.attempts == 60 and team.collected_fen == 300_000
    [card] = scorecards([team])
    assert card.base == Decimal("75.18") and card.score == Decimal("65.18")
    assert team_inputs("empty", []).quality is None


def test_no_conduct_measure_means_no_weights() -> None:
    assert weights_for({QUALITY: None, RIGHT_PARTY: None, KEPT: None, AMOUNT: Decimal(1)}) == {}


fractions = st.one_of(st.none(), st.decimals(min_value=0, max_value=1, places=2))


@given(q=fractions, r=fractions, k=fractions, a=fractions)
def test_weights_always_add_up_to_100_and_the_amount_never_weighs_more_than_its_cap(
    q: Decimal | None, r: Decimal | None, k: Decimal | None, a: Decimal | None
) -> None:
    weights = weights_for({QUALITY: q, RIGHT_PARTY: r, KEPT: k, AMOUNT: a})
    if q is None and r is None and k is None:
        assert weights == {}
        return
    assert sum(weights.values()) == pytest.approx(100)
    assert weights[AMOUNT] <= AMOUNT_CAP

"""Quality review's rules, pinned by examples worked by hand."""

from __future__ import annotations

from decimal import Decimal

import pytest

from arrears.quality import rules
from arrears.quality.rules import RuleError, Weights, calibrate, random_draw, weighted_score

V1 = Weights(identification=20, wording=30, amounts=20, empathy=15, offer=15)


def marks(i: int, w: int, a: int, e: int, o: int) -> dict[str, int]:
    return {"identification": i, "wording": w, "amounts": a, "empathy": e, "offer": o}


def test_full_marks_score_100() -> None:
    # (20·4 + 30·4 + 20·4 + 15·4 + 15·4) / 4 = 400 / 4 = 100
    assert weighted_score(V1, marks(4, 4, 4, 4, 4)) == Decimal("100.00")


def test_a_worked_example() -> None:
    # identification 3, wording 4, amounts 2, empathy 1, offer 3:
    # 20·3 + 30·4 + 20·2 + 15·1 + 15·3 = 60 + 120 + 40 + 15 + 45 = 280; 280 / 4 = 70.00
    assert weighted_score(V1, marks(3, 4, 2, 1, 3)) == Decimal("70.00")


def test_rounding_half_up_to_the_cent() -> None:
    # Weights 33/33/34/0/0, marks 1, 4, 4, 0, 0: 33 + 132 + 136 = 301; 301 / 4 = 75.25
    w = Weights(identification=33, wording=33, amounts=34, empathy=0, offer=0)
    assert weighted_score(w, marks(1, 4, 4, 0, 0)) == Decimal("75.25")
    # Weights 1/1/1/1/96, marks 1, 1, 0, 0, 0: (1 + 1) / 4 = 0.50
    w = Weights(identification=1, wording=1, amounts=1, empathy=1, offer=96)
    assert weighted_score(w, marks(1, 1, 0, 0, 0)) == Decimal("0.50")


def test_prohibited_wording_zeroes_the_review() -> None:
    # Everything else perfect: 20·4 + 20·4 + 15·4 + 15·4 = 280 → 70.00 without the rule, 0 with it.
    assert weighted_score(V1, marks(4, 0, 4, 4, 4)) == Decimal("0.00")
    # Wording marked 1 is no critical failure: 80 + 30 + 80 + 60 + 60 = 310; 310 / 4 = 77.50
    assert weighted_score(V1, marks(4, 1, 4, 4, 4)) == Decimal("77.50")


def test_weights_must_sum_to_100() -> None:
    with pytest.raises(RuleError) as caught:
        Weights(identification=20, wording=30, amounts=20, empathy=15, offer=16)
    assert caught.value.field == "weights"
    with pytest.raises(RuleError) as caught:
        Weights(identification=-1, wording=31, amounts=20, empathy=15, offer=35)
    assert caught.value.field == "weight_identification"


@pytest.mark.parametrize(
    ("given", "field", "code"),
    [
        ({"wording": 4, "amounts": 4, "empathy": 4, "offer": 4}, "identification", "required"),
        (marks(4, 4, 5, 4, 4), "amounts", "out_of_range"),
        ({**marks(4, 4, 4, 4, 4), "empathy": "2.5"}, "empathy", "not_a_whole_number"),
        ({**marks(4, 4, 4, 4, 4), "tone": 3}, "tone", "not_a_choice"),
    ],
)
def test_bad_marks_name_the_field(given: dict[str, object], field: str, code: str) -> None:
    with pytest.raises(RuleError) as caught:
        rules.check_marks(given)
    assert (caught.value.field, caught.value.code) == (field, code)


def test_marks_from_a_form() -> None:
    assert rules.check_marks({k: str(v) for k, v in marks(1, 2, 3, 4, 0).items()}) == marks(1, 2, 3, 4, 0)


def test_random_draw_is_per_collector_and_reproducible() -> None:
    # Collector 1 has 10 contacts, collector 2 has 3; at 25 %: ceil(2.5) = 3 and ceil(0.75) = 1.
    pairs = [(i, 1) for i in range(1, 11)] + [(i, 2) for i in range(11, 14)]
    drawn = random_draw(pairs, percent=Decimal("25"), seed=7, day="2026-05-03")
    assert len(drawn & set(range(1, 11))) == 3
    assert len(drawn & {11, 12, 13}) == 1
    assert drawn == random_draw(list(reversed(pairs)), percent=Decimal("25"), seed=7, day="2026-05-03")
    # The drawn ones are those with the smallest keys.
    keys = sorted(range(11, 14), key=lambda i: rules.sample_key(7, "2026-05-03", i))
    assert drawn & {11, 12, 13} == {keys[0]}
    # Another seed or day draws otherwise (for these 13 contacts; checked, not assumed).
    others = {random_draw(pairs, percent=Decimal("25"), seed=s, day="2026-05-03") == drawn for s in range(8, 14)}
    assert False in others
    assert random_draw(pairs, percent=Decimal("0"), seed=7, day="2026-05-03") == set()
    assert random_draw(pairs, percent=Decimal("100"), seed=7, day="2026-05-03") == set(range(1, 14))


def test_gate_flagged() -> None:
    assert rules.gate_flagged(True, None)
    assert rules.gate_flagged(False, {"allowed": False, "reasons": ["outside hours"]})
    assert rules.gate_flagged(False, {"allowed": True, "reasons": ["warning: third call today"]})
    assert not rules.gate_flagged(False, {"allowed": True, "rules": ["CN-HOURS"], "reasons": []})
    assert not rules.gate_flagged(False, None)


def test_calibration_spread_deviation_and_flag() -> None:
    # Three reviewers of one contact, with V1:
    # r1: 4,4,4,4,4 → 100.00; r2: 3,4,2,1,3 → 70.00; r3: 4,4,3,3,3 → (80+120+60+45+45)/4 = 350/4 = 87.50
    # mean (100 + 70 + 87.5) / 3 = 257.5 / 3 = 85.8333… → 85.83
    # deviations: 14.17, −15.83, 1.67; threshold 15 flags r2 only.
    given = {
        r: (m, weighted_score(V1, m))
        for r, m in {1: marks(4, 4, 4, 4, 4), 2: marks(3, 4, 2, 1, 3), 3: marks(4, 4, 3, 3, 3)}.items()
    }
    assert [s for _, s in given.values()] == [Decimal("100.00"), Decimal("70.00"), Decimal("87.50")]
    result = calibrate(given, threshold=Decimal("15"))
    assert result.spread == {"identification": 1, "wording": 0, "amounts": 2, "empathy": 3, "offer": 1}
    assert result.mean == Decimal("85.83")
    assert result.deviation == {1: Decimal("14.17"), 2: Decimal("-15.83"), 3: Decimal("1.67")}
    assert result.flagged == {2}
    assert calibrate(given, threshold=Decimal("14")).flagged == {1, 2}


def test_mean_score() -> None:
    # (70 + 87.5 + 0) / 3 = 52.5
    assert rules.mean_score([Decimal("70"), Decimal("87.50"), Decimal("0")]) == Decimal("52.50")
    assert rules.mean_score([]) is None

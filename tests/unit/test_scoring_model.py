"""scoring/model.py and scoring/rules.py: the scorecard reaches the AUC its synthetic signal allows,
its reason codes and score are monotone in a feature's badness, the spec is plain JSON, and a legacy
file is read strictly (every refusal names its column)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arrears.errors import ValidationFailed
from arrears.scoring import model, rules

FEATURES = ["status_m1", "balance_m1", "payment_m1", "limit", "status_m2"]


def history(n: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A synthetic portfolio with a known signal: logit = -1.5 + 0.9 status_m1 - 1.8 (payment / balance)
    + 0.3 status_m2; limit is noise. Returns (x, y, the true logit)."""
    rng = np.random.default_rng(seed)
    status1 = rng.choice([-2, -1, 0, 1, 2, 3], n, p=[0.15, 0.3, 0.3, 0.13, 0.08, 0.04]).astype(float)
    status2 = np.clip(status1 + rng.choice([-1, 0, 1], n), -2, 4)
    balance = rng.uniform(1_000, 50_000, n).round(2)
    ratio = rng.uniform(0, 1, n)
    payment = (ratio * balance).round(2)
    limit = rng.choice([5_000.0, 10_000.0, 20_000.0, 50_000.0], n)
    logit = -1.5 + 0.9 * status1 - 1.8 * ratio + 0.3 * status2
    y = (rng.uniform(size=n) < 1 / (1 + np.exp(-logit))).astype(np.int64)
    x = np.column_stack([status1, balance, payment, limit, status2])
    x[rng.uniform(size=n) < 0.05, 2] = np.nan  # some payments unknown: the missing bin
    return x, y, logit


X, Y, LOGIT = history(12_000, seed=7)
SPEC, METRICS = model.train(X, Y, FEATURES, {"region": ["north" if i % 3 else "south" for i in range(len(Y))]}, seed=1)


class TestSignal:
    def test_the_auc_is_within_reach_of_what_the_signal_allows(self) -> None:
        _, test = model.split(Y, 1)
        oracle_auc, _ = model.auc_ks(Y[test], 1 / (1 + np.exp(-LOGIT[test])))
        assert oracle_auc is not None and METRICS["auc"] is not None
        # The oracle knows the exact logit (~0.80 here); binning the payment ratio's two parts costs a little.
        assert oracle_auc - 0.03 <= METRICS["auc"] <= oracle_auc + 0.01, (METRICS["auc"], oracle_auc)
        assert METRICS["ks"] > 0.3
        assert (METRICS["n_train"], METRICS["n_test"]) == (8_400, 3_600)

    def test_the_split_is_stratified_and_seeded(self) -> None:
        train, test = model.split(Y, 1)
        assert abs(Y[train].mean() - Y[test].mean()) < 0.005
        assert np.array_equal(model.split(Y, 1)[1], test) and not np.array_equal(model.split(Y, 2)[1], test)

    def test_fairness_by_group_on_the_test_split(self) -> None:
        groups = METRICS["fairness"]["region"]
        assert set(groups) == {"north", "south"}
        assert groups["north"]["n"] + groups["south"]["n"] == METRICS["n_test"]
        assert all(0 < g["mean_score"] < 1 and g["auc"] > 0.7 for g in groups.values())

    def test_the_spec_is_plain_json_and_scores_the_same_after_a_round_trip(self) -> None:
        again = json.loads(json.dumps(SPEC))
        p1, i1, _ = model.score(SPEC, X[:500], FEATURES)
        p2, i2, _ = model.score(again, X[:500], FEATURES)
        assert np.array_equal(p1, p2) and np.array_equal(i1, i2)
        assert set(SPEC) == {"format", "features", "bins", "coefficients", "intercept", "excluded"}
        assert all(c > 0 for c in SPEC["coefficients"].values())

    def test_a_feature_the_matrix_lacks_falls_in_its_missing_bin(self) -> None:
        # Score with payment_m1 absent: the same as if every payment were NaN.
        lacking = [f for f in FEATURES if f != "payment_m1"]
        p_lacking, _, _ = model.score(SPEC, X[:200][:, [0, 1, 3, 4]], lacking)
        blank = X[:200].copy()
        blank[:, 2] = np.nan
        p_blank, _, _ = model.score(SPEC, blank, FEATURES)
        assert np.allclose(p_lacking, p_blank)

    def test_status_woe_is_monotone_and_the_worst_status_is_a_reason(self) -> None:
        woe = SPEC["bins"]["status_m1"]["woe"][:-1]
        assert woe == sorted(woe)
        row = np.array([[3.0, 25_000.0, 0.0, 10_000.0, 4.0]])
        _, idx, weights = model.score(SPEC, row, FEATURES)
        reasons = [SPEC["features"][i] for i in idx[0] if i >= 0]
        assert reasons[0] == "status_m1"
        assert list(weights[0]) == sorted(weights[0], reverse=True)

    def test_the_best_row_has_no_reasons(self) -> None:
        # every feature in its lowest-WoE bin: nothing pushes it toward default
        best = []
        for f in FEATURES:
            b = SPEC["bins"].get(f)
            if b is None:
                best.append(0.0)
                continue
            k = int(np.argmin(b["woe"][:-1]))
            edges = b["edges"]
            best.append(edges[0] - 1 if k == 0 else edges[k - 1])
        _, idx, weights = model.score(SPEC, np.array([best]), FEATURES)
        assert (idx == -1).all() and (weights == 0).all()


@settings(max_examples=60, deadline=None)
@given(row=st.integers(0, 11_999), raise_by=st.integers(1, 4))
def test_raising_months_behind_never_lowers_the_score_or_its_reason_weight(row: int, raise_by: int) -> None:
    before = X[row : row + 1].copy()
    after = before.copy()
    after[0, 0] = before[0, 0] + raise_by
    (p0,), idx0, w0 = model.score(SPEC, before, FEATURES)
    (p1,), idx1, w1 = model.score(SPEC, after, FEATURES)
    assert p1 >= p0
    status = SPEC["features"].index("status_m1")

    def weight(idx: np.ndarray, w: np.ndarray) -> float:
        hit = np.nonzero(idx[0] == status)[0]
        return float(w[0][hit[0]]) if len(hit) else 0.0

    # when it is among the top reasons before, it stays at least as heavy after
    assert weight(idx1, w1) >= weight(idx0, w0) or status not in idx0[0]
    assert rules.points_of(p1) <= rules.points_of(p0)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(-1e6, 1e6), min_size=5, max_size=40))
def test_monotone_woe_keeps_the_missing_bin_and_orders_the_rest(values: list[float]) -> None:
    woe = [round(v / 1e5, 3) for v in values]
    counts = [1 + (i % 7) for i in range(len(woe))]
    out = model.monotone(woe, counts, True)
    assert out[-1] == woe[-1]
    assert out[:-1] == sorted(out[:-1])


def test_a_constant_or_empty_feature_is_excluded_with_its_reason() -> None:
    x = np.column_stack([X[:, 0], np.full(len(Y), 7.0), np.full(len(Y), np.nan)])
    spec = model.fit(x, Y, ["status_m1", "limit", "balance_m1"])
    assert spec["excluded"] == {"limit": "constant", "balance_m1": "all_missing"}
    assert spec["features"] == ["status_m1"]


def test_points_and_bands() -> None:
    # 1000 x (1 - 0.2345) = 765.5 -> 766 (half up); 0.6 -> 400, the first point of medium
    assert rules.points_of(0.2345) == 766
    assert rules.points_of(0.6) == 400 and rules.band_of(400) == "medium"
    assert rules.band_of(399) == "low" and rules.band_of(700) == "high" and rules.band_of(None) is None


def test_repayment_status_worked_example() -> None:
    # 900.00 due, minimum 170.00, 100.00 paid by the due date, the month before 1 behind -> 2 behind
    assert rules.repayment_status(new_balance=90_000, minimum=17_000, paid_by_due=10_000, behind_before=1) == 2
    assert rules.repayment_status(new_balance=0, minimum=0, paid_by_due=0, behind_before=3) == -2
    assert rules.repayment_status(new_balance=60_000, minimum=6_000, paid_by_due=60_000, behind_before=0) == -1
    assert rules.repayment_status(new_balance=70_000, minimum=15_000, paid_by_due=15_000, behind_before=2) == 0


MAPPING = """
target: bad
id: id
features: {status_m1: s1, balance_m1: bal}
protected: [sex]
"""


def csv_text(rows: int = 40, **override: str) -> str:
    lines = ["id,s1,bal,sex,bad"]
    for i in range(rows):
        lines.append(f"{i},{i % 4 - 1},{1000 + i}.50,{'F' if i % 2 else 'M'},{1 if i % 4 == 3 else 0}")
    if override:
        row, value = override["row"], override["line"]
        lines[int(row)] = value
    return "\n".join(lines) + "\n"


class TestLegacyFile:
    def test_a_good_file_reads(self) -> None:
        data = rules.read_training(csv_text(), rules.parse_mapping(MAPPING))
        assert data.features == ("status_m1", "balance_m1")
        assert data.x[0] == [-1.0, 1000.5] and data.y[3] == 1 and data.protected["sex"][:2] == ["M", "F"]

    @pytest.mark.parametrize(
        ("line", "field", "words"),
        [
            ('5,1,"1,50",M,0', "bal", "row 5"),  # a decimal comma is not 150
            ("5,1,1 000,M,0", "bal", "row 5"),
            ("5,x,10,M,0", "s1", "row 5"),
            ("5,1,10,M,2", "bad", "must be 0 or 1"),
            ("5,1,inf,M,0", "bal", "row 5"),
            ("5,1,1e999,M,0", "bal", "finite"),
        ],
    )
    def test_a_bad_value_names_its_column_and_row(self, line: str, field: str, words: str) -> None:
        with pytest.raises(ValidationFailed) as caught:
            rules.read_training(csv_text(row="5", line=line), rules.parse_mapping(MAPPING))
        assert caught.value.field == field and words in caught.value.message

    @pytest.mark.parametrize(
        ("mapping", "field"),
        [
            (MAPPING.replace("bal}", "balance}"), "balance"),  # no such column
            (MAPPING.replace("status_m1", "status_m9"), "mapping.features.status_m9"),
            (MAPPING.replace("[sex]", "[s1]"), "mapping.protected.s1"),
            (MAPPING.replace("target: bad", ""), "mapping.target"),
            ("features: [", "mapping"),
        ],
    )
    def test_a_bad_mapping_names_the_key_or_column(self, mapping: str, field: str) -> None:
        with pytest.raises(ValidationFailed) as caught:
            rules.read_training(csv_text(), rules.parse_mapping(mapping))
        assert caught.value.field == field

    def test_too_few_rows_or_one_class(self) -> None:
        with pytest.raises(ValidationFailed) as caught:
            rules.read_training(csv_text(rows=20), rules.parse_mapping(MAPPING))
        assert caught.value.field == "bad" and "too few rows" in caught.value.message
        one_class = csv_text().replace(",1\n", ",0\n")
        with pytest.raises(ValidationFailed) as caught:
            rules.read_training(one_class, rules.parse_mapping(MAPPING))
        assert caught.value.field == "bad" and "each class" in caught.value.message

"""`arrears score train` on a synthetic file in the exact layout of the public Taiwan "default of credit
card clients" file (UCI_Credit_Card.csv): its header, amounts written "20000.0", PAY_* integers -2..8,
some negative BILL_AMT; through docs/examples/uci-credit-card.map.yaml. The JSON is the issue's shape;
fairness covers SEX, EDUCATION, MARRIAGE and AGE, every group present with n and mean_score, its AUC
null when the group has fewer than 5 test rows of either class (scoring.model.MIN_GROUP_CLASS)."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from django.core.management import call_command
from sklearn.metrics import roc_auc_score

from arrears.scoring import model
from arrears.scoring.models import ScoreModel

MAP = Path(__file__).resolve().parents[2] / "docs" / "examples" / "uci-credit-card.map.yaml"
HEADER = (
    "ID,LIMIT_BAL,SEX,EDUCATION,MARRIAGE,AGE,PAY_0,PAY_2,PAY_3,PAY_4,PAY_5,PAY_6,"
    "BILL_AMT1,BILL_AMT2,BILL_AMT3,BILL_AMT4,BILL_AMT5,BILL_AMT6,"
    "PAY_AMT1,PAY_AMT2,PAY_AMT3,PAY_AMT4,PAY_AMT5,PAY_AMT6,default.payment.next.month"
)
MAPPED = {"limit", *(f"{k}_m{m}" for k in ("status", "balance", "payment") for m in range(1, 7))}
N = 2400


def uci_file(path: Path, seed: int = 7) -> dict[str, Any]:
    """N rows with a known signal: the true logit is -1.4 + 0.8 x PAY_0 - 1.5 x (PAY_AMT1 / BILL_AMT1
    where the bill is positive) + 0.3 x PAY_2; the other columns are noise or protected."""
    rng = np.random.default_rng(seed)
    risk = rng.normal(0, 1, N)
    pay = np.clip(np.rint(risk[:, None] * 1.2 + rng.normal(0, 0.8, (N, 6))), -2, 8).astype(int)
    bill = np.round(rng.uniform(-2_000, 150_000, (N, 6)), 0)  # about 1 % negative (a credit balance)
    share = rng.uniform(0, 1, (N, 6))
    paid = np.round(np.maximum(bill, 0) * share, 0)
    logit = -1.4 + 0.8 * pay[:, 0] - 1.5 * np.where(bill[:, 0] > 0, share[:, 0], 1.0) + 0.3 * pay[:, 1]
    y = (rng.uniform(size=N) < 1 / (1 + np.exp(-logit))).astype(int)
    limit = rng.choice([10_000, 20_000, 50_000, 80_000, 120_000, 200_000, 360_000], N)
    protected = {
        "SEX": rng.choice([1, 2], N, p=[0.4, 0.6]),
        "EDUCATION": rng.choice([0, 1, 2, 3, 4, 5, 6], N, p=[0.005, 0.35, 0.46, 0.16, 0.005, 0.01, 0.01]),
        "MARRIAGE": rng.choice([0, 1, 2, 3], N, p=[0.01, 0.45, 0.53, 0.01]),
        "AGE": np.clip(np.rint(rng.normal(35, 9, N)), 21, 79).astype(int),
    }
    lines = [HEADER]
    for i in range(N):
        cells = [
            str(i + 1),
            f"{limit[i]:.1f}",
            *(str(protected[c][i]) for c in ("SEX", "EDUCATION", "MARRIAGE", "AGE")),
        ]
        cells += [str(p) for p in pay[i]] + [f"{b:.1f}" for b in bill[i]] + [f"{p:.1f}" for p in paid[i]] + [str(y[i])]
        lines.append(",".join(cells))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return {"y": y, "logit": logit, "protected": protected, "bill": bill}


@pytest.mark.django_db
def test_training_on_the_uci_layout_gives_the_issues_json_and_fairness_by_group(tmp_path: Path) -> None:
    truth = uci_file(tmp_path / "UCI_Credit_Card.csv")
    assert (truth["bill"] < 0).any()  # the layout's negative bills are read
    out = io.StringIO()
    call_command("score", "train", str(tmp_path / "UCI_Credit_Card.csv"), "--mapping", str(MAP), stdout=out)
    [line] = out.getvalue().strip().splitlines()  # only the JSON on stdout
    result = json.loads(line)

    assert list(result) == ["model", "auc", "ks", "n_train", "n_test", "features", "excluded", "fairness"]
    assert result["model"] == "uci_taiwan@1"
    assert (result["n_train"], result["n_test"]) == (1680, 720)  # a 70/30 split of 2,400
    assert set(result["features"]) | set(result["excluded"]) == MAPPED
    assert not set(result["features"]) & set(result["excluded"]) and result["excluded"] == sorted(result["excluded"])
    assert {"status_m1", "status_m2"} <= set(result["features"])
    saved = ScoreModel.objects.get()
    assert set(saved.excluded.values()) <= {"constant", "all_missing", "not_positive_weight"}
    # The AUC the signal allows: the true logit's on the same test split, less a little for the fit.
    _, test = model.split(truth["y"], 1)
    oracle = roc_auc_score(truth["y"][test], truth["logit"][test])
    assert isinstance(result["auc"], float) and isinstance(result["ks"], float)
    assert oracle - 0.04 <= result["auc"] <= oracle + 0.02 and result["auc"] > 0.7

    assert list(result["fairness"]) == ["SEX", "EDUCATION", "MARRIAGE", "AGE"]
    no_auc = 0
    for attr, groups in result["fairness"].items():
        values = truth["protected"][attr][test]
        assert set(groups) == {str(v) for v in np.unique(values)}, attr  # every group of the test split
        assert sum(g["n"] for g in groups.values()) == 720
        for name, g in groups.items():
            in_group = truth["y"][test][values == int(name)]
            assert list(g) == ["n", "auc", "mean_score"] and g["n"] == len(in_group)
            assert 0 < g["mean_score"] < 1
            if min(in_group.sum(), len(in_group) - in_group.sum()) < model.MIN_GROUP_CLASS:
                assert g["auc"] is None
                no_auc += attr == "AGE"
            else:
                assert 0 <= g["auc"] <= 1
    assert no_auc > 0  # ages of a few customers: present, without an AUC
    assert any(g["auc"] is not None for g in result["fairness"]["AGE"].values())

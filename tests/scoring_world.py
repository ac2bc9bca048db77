"""A hand-made score model for tests that need scores without training one: one feature, status_m1.

Bins of status_m1 (edges 0 and 1): below 0 (paid in full or nothing due) WoE -1.0, 0 (the minimum
paid) WoE 0.0, 1 or more months behind WoE 1.0, missing WoE 0.5; coefficient 1.0, intercept -1.0.
Worked example, an account 1 month behind: p = 1 / (1 + e^-(-1 + 1 x 1.0)) = 0.5 -> 1000 x (1 - 0.5) =
500 points ("medium"); its one reason is status_m1 with weight 1.0 x (1.0 - (-1.0)) = 2.0.
"""

from __future__ import annotations

from typing import Any

from arrears.scoring.models import ModelStatus, ScoreModel
from arrears.scoring.operations import register

SPEC: dict[str, Any] = {
    "format": 1,
    "features": ["status_m1"],
    "bins": {"status_m1": {"edges": [0.0, 1.0], "woe": [-1.0, 0.0, 1.0, 0.5], "n": [1, 1, 1, 0], "bad": [0, 0, 1, 0]}},
    "coefficients": {"status_m1": 1.0},
    "intercept": -1.0,
    "excluded": {},
}


def hand_model(*, champion: bool = True) -> ScoreModel:
    model = register(name="propensity", spec=SPEC, metrics={"auc": None}, actor="maker")
    if champion:
        ScoreModel.objects.filter(pk=model.pk).update(status=ModelStatus.CHAMPION)
        model.refresh_from_db()
    return model

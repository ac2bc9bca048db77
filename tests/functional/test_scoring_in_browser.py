"""The score-model registry in a real browser: a strategy manager who did not make the model opens it
from the registry in Chinese and promotes it, then views it in English (status, checker, reasons)."""

from __future__ import annotations

from typing import Any

import pytest

from arrears.people.models import Role
from arrears.scoring.models import ModelStatus, ScoreModel
from arrears.scoring.operations import register
from tests.collections_factories import PASSWORD, staff
from tests.functional.conftest import screenshot

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def test_a_checker_promotes_a_model_in_chinese_and_views_it_in_english(live_server: Any, page: Any) -> None:
    model = register(
        name="propensity",
        spec={"features": ["status_m1", "payment_m1"], "excluded": {"limit": "not_positive_weight"}},
        metrics={
            "auc": 0.78,
            "ks": 0.41,
            "n_train": 700,
            "n_test": 300,
            "fairness": {"SEX": {"1": {"n": 160, "auc": 0.77, "mean_score": 0.2}}},
        },
        actor="cli:legacy",
    )
    checker = staff(Role.STRATEGY_MANAGER)
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", checker.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()

    page.goto(f"{live_server.url}/scoring/")
    assert "评分模型" in page.inner_text("h1")
    page.click(f"#open-{model.pk}")
    page.wait_for_load_state()
    assert "propensity@1" in page.inner_text("h1")
    page.click("#promote")
    page.wait_for_load_state()
    assert "propensity@1 已成为冠军模型" in page.inner_text(".messages")
    assert "冠军" in page.inner_text("#model-status")
    model.refresh_from_db()
    assert (model.status, model.promoted_by) == (ModelStatus.CHAMPION, checker.username)
    assert page.locator("#promote").count() == 0
    screenshot(page, "scoring-model-zh-hans")

    page.goto(f"{live_server.url}/en/scoring/models/{model.pk}/")
    assert page.inner_text("#model-status") == "champion"
    assert checker.username in page.inner_text("#model-checker")
    assert "Amount paid, last statement month" in page.inner_text("#kept")
    assert "collinear" in page.inner_text("#excluded")
    assert ScoreModel.objects.filter(status=ModelStatus.CHAMPION).count() == 1
    screenshot(page, "scoring-model-en")

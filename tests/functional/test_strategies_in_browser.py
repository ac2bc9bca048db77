"""The strategy page in a real browser, in both languages: a strategy manager drafts a version with
a mistake (the error names its path), corrects it, and another manager approves it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from arrears.cycle.business_date import open_date
from arrears.people.models import Role
from arrears.strategy.models import StrategyVersion
from arrears.strategy.operations import DEFAULT_FILE
from tests.collections_factories import PASSWORD, staff
from tests.functional.conftest import screenshot

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]
TODAY = dt.date(2026, 5, 6)
WORDS = {
    "zh-hans": {"prefix": "", "title": "催收策略", "drafted": "草稿已保存", "approved": "已审批"},
    "en": {"prefix": "/en", "title": "Treatment strategies", "drafted": "drafted", "approved": "approved"},
}


@pytest.fixture(autouse=True)
def _business_today(db: None) -> None:
    open_date(TODAY)


def log_in(page: Any, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_manager_drafts_with_a_mistake_corrects_it_and_another_approves(
    live_server: Any, page: Any, language: str
) -> None:
    words = WORDS[language]
    maker, checker = staff(Role.STRATEGY_MANAGER), staff(Role.STRATEGY_MANAGER)
    url = f"{live_server.url}{words['prefix']}/strategies/"
    log_in(page, live_server.url, maker.username)
    page.goto(url)
    assert words["title"] in page.inner_text("h1")

    good = DEFAULT_FILE.read_text(encoding="utf-8")
    page.fill("#code", "main")
    page.fill("#definition-input", good.replace("percent: 20", "percent: 30"))
    page.click("#draft")
    page.wait_for_load_state()
    assert "arms" in page.inner_text("#definition-problem")
    assert "30" in page.input_value("#definition-input")  # what was typed is kept to correct
    assert not StrategyVersion.objects.exists()

    page.fill("#definition-input", good)
    page.click("#draft")
    page.wait_for_load_state()
    version = StrategyVersion.objects.get()
    assert words["drafted"] in page.content()
    assert page.locator(f"#approve-{version.pk}").count() == 0  # not for the maker
    assert "small_balance" in page.inner_text("#definition")

    log_in(page, live_server.url, checker.username)
    page.goto(url)
    page.click(f"#approve-{version.pk}")
    page.wait_for_load_state()
    assert words["approved"] in page.content()
    version.refresh_from_db()
    assert (version.status, version.checked_by) == ("approved", checker.username)
    screenshot(page, f"strategies-{language}")

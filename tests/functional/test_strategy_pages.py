"""/strategies/: the strategy manager lists versions, views a definition, drafts (errors name the
path), another manager approves (never the maker); the table of actions per segment and arm; in
Chinese and English; other roles are refused."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from arrears.cycle.business_date import open_date
from arrears.people.models import Role
from arrears.strategy.models import StrategyVersion
from arrears.strategy.operations import DEFAULT_FILE
from tests.collections_factories import PASSWORD, staff

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 5, 6)


@pytest.fixture(autouse=True)
def _business_today(db: None) -> None:
    open_date(TODAY)


def login(user: Any, language: str = "en") -> Client:
    client = Client(headers={"accept-language": language})
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_a_manager_drafts_and_another_approves_and_the_maker_cannot() -> None:
    maker, checker = staff(Role.STRATEGY_MANAGER), staff(Role.STRATEGY_MANAGER)
    client = login(maker)
    page = client.get("/strategies/")
    assert page.status_code == 200
    assert 'href="/strategies/"' in page.content.decode()  # in the navigation

    answer = client.post(
        "/strategies/",
        {"action": "draft", "code": "main", "effective_from": "2026-05-07", "definition": DEFAULT_FILE.read_text()},
        follow=True,
    )
    version = StrategyVersion.objects.get()
    assert (version.status, version.made_by, version.effective_from) == ("draft", maker.username, dt.date(2026, 5, 7))
    html = answer.content.decode()
    assert "small_balance" in html and 'id="definition"' in html
    assert f'id="approve-{version.pk}"' not in html  # the maker sees no approve button

    refused = client.post("/strategies/", {"action": "approve", "version": version.pk}, follow=True)
    assert "maker" in refused.content.decode()
    version.refresh_from_db()
    assert version.status == "draft"

    login(checker).post("/strategies/", {"action": "approve", "version": version.pk})
    version.refresh_from_db()
    assert (version.status, version.checked_by) == ("approved", checker.username)


def test_a_bad_definition_is_refused_with_its_path_and_nothing_is_saved() -> None:
    client = login(staff(Role.STRATEGY_MANAGER), "zh-hans")
    bad = DEFAULT_FILE.read_text().replace("action: letter", "action: telegram")
    answer = client.post("/strategies/", {"action": "draft", "code": "main", "definition": bad})
    html = answer.content.decode()
    assert "segments[2].path[2].action" in html
    assert "草稿" in html or "策略" in html  # the page is in Chinese
    assert not StrategyVersion.objects.exists()


@pytest.mark.parametrize("role", [Role.COLLECTOR, Role.TEAM_LEAD, Role.COMPLIANCE_OFFICER, Role.AGENCY_USER])
def test_other_roles_are_refused(role: str) -> None:
    client = login(staff(role))
    # an agency's user meets the agency fence first: nothing of the bank's exists for them (404)
    refused = 404 if role == Role.AGENCY_USER else 403
    assert client.get("/strategies/").status_code == refused
    draft = {"action": "draft", "code": "x", "definition": "segments: []"}
    assert client.post("/strategies/", draft).status_code == refused
    assert 'href="/strategies/"' not in client.get("/").content.decode()


def test_the_page_in_chinese() -> None:
    html = login(staff(Role.STRATEGY_MANAGER), "zh-hans").get("/strategies/").content.decode()
    assert "催收策略" in html

"""PIPL-AUTO, a person may ask why: the latest score where staff work. The case page and the account
page show points, band, model, date and reasons in the page's language; GET /api/v1/accounts/{ref}/score
gives both languages (another team's account: 404); the inquiry desk explains the score."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from arrears.audit.models import AuditEntry
from arrears.scoring.cycle import score_due
from arrears.scoring.models import AccountScore
from tests.builders import PASSWORD, Debtor, past_due
from tests.collections_factories import staff, team_with_queue
from tests.scoring_world import hand_model

pytestmark = pytest.mark.django_db
SCORED_ON = dt.date(2026, 5, 3)
ZH_REASON = "最近一个账单月的还款状态"
EN_REASON = "Repayment status, last statement month"


def signed_in(user: object) -> Client:
    client = Client()
    assert client.login(username=user.get_username(), password=PASSWORD)  # type: ignore[attr-defined]
    return client


@pytest.fixture
def world() -> tuple[Debtor, Client, Client]:
    """A past-due customer (1 month behind) in team A's queue, scored by the hand model of
    tests/scoring_world.py (500 points, "medium", reason status_m1); a collector of A and one of B."""
    team_a = team_with_queue()
    team_b = team_with_queue(min_bucket=8, max_bucket=8)
    mine, theirs = staff(team=team_a), staff(team=team_b)
    [d] = past_due(dpd=10, names=["韩梅梅"])
    assert d.case is not None and d.case.team_id == team_a.pk
    hand_model()
    assert score_due(SCORED_ON, 0, 10**12) == 1
    return d, signed_in(mine), signed_in(theirs)


def section(page: str) -> str:
    start = page.index('id="propensity"')
    return page[start : page.index("</section>", start)]


def test_the_case_page_and_the_account_page_show_the_score_in_the_pages_language(
    world: tuple[Debtor, Client, Client],
) -> None:
    d, mine, _ = world
    assert d.case is not None
    zh = section(mine.get(f"/cases/{d.case.pk}/").content.decode())
    assert "还款倾向评分" in zh and ">500<" in zh and ">中<" in zh and "propensity@1" in zh
    assert "2026-05-03" in zh and ZH_REASON in zh and EN_REASON not in zh
    assert d.account.masked_number in zh  # the case page names the account of each score
    en = section(mine.get(f"/en/cases/{d.case.pk}/").content.decode())
    assert "Propensity to pay" in en and ">medium<" in en and EN_REASON in en and ZH_REASON not in en
    account = section(mine.get(f"/en/accounts/{d.account.ref}/").content.decode())
    assert ">500<" in account and EN_REASON in account and 'data-code="status_m1"' in account


def test_an_unscored_account_shows_no_section_and_the_api_nulls(world: tuple[Debtor, Client, Client]) -> None:
    d, mine, _ = world
    assert d.case is not None
    AccountScore.objects.all().delete()
    assert 'id="propensity"' not in mine.get(f"/accounts/{d.account.ref}/").content.decode()
    assert 'id="propensity"' not in mine.get(f"/cases/{d.case.pk}/").content.decode()
    assert 'id="score-answers"' not in mine.get(f"/accounts/{d.account.ref}/inquiry/").content.decode()
    assert mine.get(f"/api/v1/accounts/{d.account.ref}/score").json() == {
        "account": d.account.ref,
        "score": None,
        "probability_of_default": None,
        "band": None,
        "model": None,
        "scored_on": None,
        "reasons": [],
    }


def test_the_api_gives_the_score_in_both_languages_and_hides_another_teams(
    world: tuple[Debtor, Client, Client],
) -> None:
    d, mine, theirs = world
    url = f"/api/v1/accounts/{d.account.ref}/score"
    got = mine.get(url)
    assert got.status_code == 200
    assert got.json() == {
        "account": d.account.ref,
        "score": 500,
        "probability_of_default": 0.5,
        "band": "medium",
        "model": "propensity@1",
        "scored_on": "2026-05-03",
        "reasons": [{"code": "status_m1", "zh": ZH_REASON, "en": EN_REASON, "weight": 2.0}],
    }
    read = AuditEntry.objects.filter(action="account.read").latest("id")
    assert read.object_id == str(d.account.pk) and read.after["door"].startswith("api-v1:")
    assert theirs.get(url).status_code == 404
    unknown = mine.get("/api/v1/accounts/ACZZZZZZZZZZZZ/score").json()
    assert theirs.get(url).json() == {**unknown, "message": unknown["message"].replace("ACZZZZZZZZZZZZ", d.account.ref)}


def test_the_inquiry_desk_explains_the_score(world: tuple[Debtor, Client, Client]) -> None:
    d, mine, _ = world
    page = mine.get(f"/en/accounts/{d.account.ref}/inquiry/").content.decode()
    start = page.index('id="score-answers"')
    answers = page[start : page.index("</section>", start)]
    # The customer speaks Chinese, the rep reads English: both.
    assert "2026年5月3日，评分模型propensity@1给该账户的评分为500分（满分1000分）" in answers
    assert f"拉低分数最多的因素：{ZH_REASON}。" in answers
    assert "On 3 May 2026 the scoring model propensity@1 gave the account 500 points out of 1000" in answers
    assert f"What lowered the points most: {EN_REASON}." in answers
    assert "it changes nothing you owe" in answers

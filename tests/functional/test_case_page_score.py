"""The case page shows the champion model's latest score of the customer's accounts with its reasons in
the page's language (PIPL-AUTO: the collector can tell a cardholder why); a draft's score is not shown."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from arrears.cycle.business_date import open_date
from arrears.kernel import clock
from arrears.ledger.models import Account
from arrears.scoring.models import AccountScore, ScoreModel
from tests.collections_factories import PASSWORD, delinquent_customers, staff, team_with_queue

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 5, 3)
REASONS = [
    {
        "feature": "status_m1",
        "weight": 1.2,
        "en": "Repayment status, last statement month",
        "zh": "最近一个账单月的还款状态",
    },
    {"feature": "limit", "weight": 0.3, "en": "Credit limit", "zh": "信用额度"},
]


def _model(version: int, status: str) -> ScoreModel:
    return ScoreModel.objects.create(
        name="propensity", version=version, created_by="maker", created_at=clock.now(), status=status
    )


def test_the_champions_latest_score_with_its_reasons_in_both_languages() -> None:
    open_date(TODAY)
    collector = staff(team=team_with_queue())
    [case, other] = delinquent_customers(2, through=TODAY)
    account = Account.objects.filter(customer_id=case.customer_id).first()
    assert account is not None
    champion, draft = _model(1, "champion"), _model(2, "draft")
    # An older score, a newer one (shown: 356 points, band low 0-399), and a draft's (never shown).
    AccountScore.objects.create(account=account, model=champion, score=0.1, points=900, reasons=[],
                                scored_on=TODAY - dt.timedelta(days=7))  # fmt: skip
    AccountScore.objects.create(account=account, model=champion, score=0.644, points=356, reasons=REASONS,
                                scored_on=TODAY)  # fmt: skip
    AccountScore.objects.create(account=account, model=draft, score=0.01, points=990, reasons=[], scored_on=TODAY)
    client = Client()
    assert client.login(username=collector.username, password=PASSWORD)

    client.cookies["django_language"] = "en"
    response = client.get(f"/cases/{case.pk}/", follow=True)
    assert response.status_code == 200, (response.status_code, response.get("Location"))
    en = response.content.decode()
    assert "Propensity to pay" in en and 'id="propensity"' in en
    assert "356 points · low" in en and "propensity@1" in en
    assert "<li>Repayment status, last statement month</li><li>Credit limit</li>" in en
    assert "990" not in en and "900 points" not in en

    client.cookies["django_language"] = "zh-hans"
    zh = client.get(f"/cases/{case.pk}/", follow=True).content.decode()
    assert "还款倾向" in zh and "356 分值 · 低" in zh
    assert "<li>最近一个账单月的还款状态</li><li>信用额度</li>" in zh

    # A customer without a score: no line at all.
    assert 'id="propensity"' not in client.get(f"/cases/{other.pk}/", follow=True).content.decode()

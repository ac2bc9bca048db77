"""The inquiry desk's doors: the page /accounts/<ref>/inquiry/ in both languages, the answers API and
POST /api/v1/inquiries; scoping (another team's account is a 404), roles (403) and bad input (422);
the CSAT section of the lead's page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from arrears.audit.models import AuditEntry
from arrears.inquiries.models import Inquiry
from arrears.inquiries.surveys import answer_survey, ask_survey
from arrears.integrations.models import IntegrationKind
from arrears.people.models import Role
from tests.builders import PASSWORD, Debtor, past_due, staff, team_with_queue
from tests.integration.test_outreach import approved, sms_outbox
from tests.signed import system

pytestmark = pytest.mark.django_db
__all__ = ["sms_outbox"]
TODAY = dt.date(2026, 5, 3)


def signed_in(user: object) -> Client:
    client = Client()
    assert client.login(username=user.get_username(), password=PASSWORD)  # type: ignore[attr-defined]
    return client


@pytest.fixture
def world() -> tuple[Debtor, Client, Client]:
    """One past-due customer (1,000.00 bought 03-10, never paid, late fee 5.00) in team A's queue; a
    collector of team A and a collector of team B."""
    team_a = team_with_queue()
    team_b = team_with_queue(min_bucket=8, max_bucket=8)
    mine, theirs = staff(team=team_a), staff(team=team_b)
    [d] = past_due(dpd=10, names=["韩梅梅"])
    assert d.case is not None and d.case.team_id == team_a.pk
    return d, signed_in(mine), signed_in(theirs)


class TestPage:
    def test_the_answer_in_both_languages_and_a_phone_answer_logged(self, world: tuple[Debtor, Client, Client]) -> None:
        d, mine, _ = world
        url = f"/accounts/{d.account.ref}/inquiry/"
        page = mine.get(url).content.decode()
        assert "咨询台" in page and "截至2026年5月3日，您的欠款合计1,005.00元" in page
        statement = d.account.statements.get(statement_date=dt.date(2026, 4, 5))
        en = mine.get(f"/en{url}", {"question": f"minimum:{statement.pk}"}).content.decode()
        # The customer speaks Chinese, the rep reads English: both answers are shown.
        assert "Inquiry desk" in en and "2026年4月5日账单的最低还款额100.00元" in en
        assert "The minimum payment of CNY 100.00 on the statement of 5 Apr 2026 is made of" in en
        assert "The fee is 5% of the unpaid part: CNY 5.00." in en

        sent = mine.post(url, {"question": "balance", "channel": "phone", "asked": "我欠多少？", "answer": ""})
        assert sent.status_code == 302
        inquiry = Inquiry.objects.get()
        assert (inquiry.category, inquiry.channel, inquiry.outcome, inquiry.question) == (
            "balance",
            "phone",
            "answered",
            "我欠多少？",
        )
        assert inquiry.answer.startswith("截至2026年5月3日，您的欠款合计1,005.00元")
        assert AuditEntry.objects.filter(action="inquiry.answer").count() == 1
        assert "我欠多少？" in mine.get(url).content.decode()

    def test_scoping_roles_and_bad_input(self, world: tuple[Debtor, Client, Client]) -> None:
        d, mine, theirs = world
        url = f"/accounts/{d.account.ref}/inquiry/"
        assert theirs.get(url).status_code == 404
        assert signed_in(staff(Role.CREDIT_ASSESSOR)).get(url).status_code == 403
        assert signed_in(staff(Role.CUSTOMER_SERVICE)).get(url).status_code == 200
        bad_date = mine.get(f"/en{url}", {"question": "payoff", "on": "2026-13-01"}).content.decode()
        assert "Date: give a date like 2026-06-15" in bad_date
        before = mine.get(f"/en{url}", {"question": "payoff", "on": "2026-05-02"}).content.decode()
        assert "must not be before the business date (3 May 2026)" in before
        other = mine.get(f"/en{url}", {"question": "statement:999999"}).content.decode()
        assert "Question:" in other
        refused = mine.post(url, {"question": "balance", "channel": "fax", "answer": "x"})
        assert refused.status_code == 422 and Inquiry.objects.count() == 0


class TestApi:
    def test_answers_and_recording(self, world: tuple[Debtor, Client, Client]) -> None:
        d, mine, theirs = world
        url = f"/api/v1/accounts/{d.account.ref}/answers"
        got = mine.get(url, {"on": "2026-05-04", "language": "en"})
        assert got.status_code == 200, got.content
        body = got.json()
        assert body["balance"]["figures"]["balance"] == "1005.00"
        assert body["payoff"]["figures"]["on"] == "2026-05-04"
        assert body["payoff"]["text"].startswith("To pay the account off on 4 May 2026")
        [april] = [s for s in body["statements"] if s["statement"]["statement_date"] == "2026-04-05"]
        assert april["minimum"]["figures"]["late_fee"]["amount"] == "5.00"
        assert april["grace"]["figures"]["grace"] == "lost"
        assert mine.get(url).json()["language"] == "zh-hans"
        assert theirs.get(url).status_code == 404
        assert mine.get(url, {"on": "2026-05-01"}).json()["code"] == "before_business_date"
        assert mine.get(url, {"language": "fr"}).status_code == 422

        post = {"account": d.account.ref, "category": "fee", "channel": "phone", "question": "Why a late fee?"}
        made = mine.post("/api/v1/inquiries", post, content_type="application/json")
        assert made.status_code == 201 and made.json()["outcome"] == "open"
        answered = mine.post(
            f"/api/v1/inquiries/{made.json()['id']}/answer",
            {"answer": "The minimum was unpaid.", "channel": "phone"},
            content_type="application/json",
        )
        assert answered.status_code == 200 and answered.json()["outcome"] == "answered"
        again = mine.post(
            f"/api/v1/inquiries/{made.json()['id']}/answer",
            {"answer": "again", "channel": "phone"},
            content_type="application/json",
        )
        assert again.status_code == 409
        elsewhere = theirs.post(
            f"/api/v1/inquiries/{made.json()['id']}/answer",
            {"answer": "x", "channel": "phone"},
            content_type="application/json",
        )
        assert elsewhere.status_code == 404
        assert theirs.post("/api/v1/inquiries", post, content_type="application/json").status_code == 404
        bad = mine.post("/api/v1/inquiries", {**post, "category": "weather"}, content_type="application/json")
        assert bad.status_code == 422 and bad.json()["field"] == "category"
        assert Inquiry.objects.count() == 1


def test_the_lead_page_shows_the_csat_figures() -> None:
    """Scores 5 and 2 in the lead's team: average 3.50, 50.0 % satisfied."""
    lead = staff(Role.TEAM_LEAD)
    team = team_with_queue(lead=lead)
    [d] = past_due(dpd=10)
    assert d.case is not None and d.case.team_id == team.pk
    for subject, score in ((1, 5), (2, 2)):
        survey = ask_survey(
            actor="t",
            customer=d.customer,
            subject_type="dispute",
            subject_id=subject,
            channel="portal",
            business_date=TODAY,
        )
        answer_survey(survey=survey, score=score, actor="portal")
    page = signed_in(lead).get("/en/team/").content.decode()
    assert 'id="csat-average">3.50<' in page and 'id="csat-satisfied">50.0%<' in page
    assert 'id="csat-answered">2<' in page


def test_an_sms_reply_through_the_gateway_answers_the_survey_and_stop_still_opts_out(sms_outbox: object) -> None:
    """The SMS gateway's reply endpoint: "4" answers the open SMS survey of that number; the answer reads
    the same as for any other reply; TD still opts the customer out."""
    approved("csat_survey", "sms", "{{ name }}您好，您对本次服务满意吗？请回复1至5分。")
    [d] = past_due(dpd=10, contact={"mobile": "13700137000"})
    survey = ask_survey(
        actor="t", customer=d.customer, subject_type="dispute", subject_id=7, channel="sms", business_date=TODAY
    )
    gateway = system("sms-9", IntegrationKind.SMS_GATEWAY)
    scored = gateway.post("/api/v1/outreach/sms-replies", {"from_number": "13700137000", "text": "4"})
    stranger = gateway.post("/api/v1/outreach/sms-replies", {"from_number": "13900000000", "text": "4"})
    assert scored.status_code == stranger.status_code == 200 and scored.content == stranger.content
    survey.refresh_from_db()
    assert survey.score == 4
    assert AuditEntry.objects.get(action="survey.answer").actor == "integration:sms-9"
    gateway.post("/api/v1/outreach/sms-replies", {"from_number": "13700137000", "text": "TD"})
    assert AuditEntry.objects.filter(action="optout.record").count() == 1

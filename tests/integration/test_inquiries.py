"""Inquiries recorded and answered (e-mail into a real SMTP server, SMS into the file outbox, phone,
portal) through the compliance gate, the satisfaction survey that follows, and the CSAT figures."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from arrears.audit.models import AuditEntry
from arrears.errors import Conflict, ContactNotAllowed, NotPermitted, ValidationFailed
from arrears.holds.models import ChannelOptOut
from arrears.holds.operations import opt_out
from arrears.inquiries import explain
from arrears.inquiries.models import Inquiry, Survey
from arrears.inquiries.operations import answer_inquiry, record_inquiry
from arrears.inquiries.queries import csat
from arrears.inquiries.surveys import answer_survey, ask_survey, handle_sms_reply
from arrears.outreach.models import Message, MessageStatus
from arrears.people.models import Role
from tests.builders import Debtor, open_card_accounts, past_due, staff, team_with_queue
from tests.integration.test_outreach import approved, sms_outbox, smtp_server

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 5, 3)  # the business date after past_due(dpd=10); the frozen clock's day
MOBILE = "13800138001"
__all__ = ["sms_outbox", "smtp_server"]  # the fixtures, shared with the outreach tests


def debtor(**contact: str) -> Debtor:
    [d] = past_due(dpd=10, contact={"mobile": MOBILE, "email": "li@example.com", **contact}, names=["李雷"])
    return d


def survey_template() -> None:
    approved("csat_survey", "sms", "{{ name }}您好，您对本次服务满意吗？请回复1至5分（5分最满意）。")


def ask(d: Debtor, **changes: Any) -> Inquiry:
    values: dict[str, Any] = {
        "actor": "rep",
        "customer": d.customer,
        "account": d.account,
        "category": "balance",
        "channel": "phone",
        "question": "我现在欠多少钱？",
        "outcome": "open",
        "business_date": TODAY,
    }
    return record_inquiry(**{**values, **changes})


def actions() -> list[str]:
    return list(
        AuditEntry.objects.filter(action__startswith="inquiry.").order_by("id").values_list("action", flat=True)
    )


class TestPhoneAndSurvey:
    def test_a_phone_answer_is_logged_audited_and_an_sms_survey_follows(self, sms_outbox: Path) -> None:
        survey_template()
        d = debtor()
        rep = staff(Role.CUSTOMER_SERVICE)
        inquiry = ask(d)
        assert inquiry.outcome == "open" and inquiry.closed_at is None and Survey.objects.count() == 0
        text = explain.balance_answer(d.account, on=TODAY, language="zh-hans").text
        answered = answer_inquiry(user=rep, inquiry=inquiry, answer=text, channel="phone", business_date=TODAY)
        assert (answered.outcome, answered.answer_channel, answered.answered_by) == ("answered", "phone", rep.username)
        assert answered.closed_at is not None and answered.message is None
        assert "截至2026年5月3日，您的欠款合计" in answered.answer
        assert actions() == ["inquiry.record", "inquiry.answer"]

        [survey] = Survey.objects.all()
        assert (survey.subject_type, survey.subject_id, survey.channel, survey.address) == (
            "inquiry",
            inquiry.pk,
            "sms",
            MOBILE,
        )
        [line] = [json.loads(x) for x in sms_outbox.read_text().splitlines()]
        assert line["to"] == MOBILE and "请回复1至5分" in line["text"]

        # A reply "５" (full-width) answers it; a second reply finds no open survey; STOP still opts out.
        assert handle_sms_reply(actor="integration:sms", from_number=MOBILE, text=" ５ ") == 1
        survey.refresh_from_db()
        assert survey.score == 5 and survey.answered_at is not None
        assert handle_sms_reply(actor="integration:sms", from_number=MOBILE, text="3") == 0
        assert Survey.objects.get().score == 5
        assert handle_sms_reply(actor="integration:sms", from_number=MOBILE, text="TD") == 1
        assert ChannelOptOut.objects.filter(customer=d.customer, channel="sms").exists()

    def test_an_inquiry_recorded_answered_asks_no_survey_without_a_mobile(self) -> None:
        d = debtor(mobile="")
        inquiry = ask(d, outcome="answered", answer="余额 1,000.00 元")
        assert inquiry.closed_at is not None and inquiry.answered_at is not None
        assert Survey.objects.count() == 0


class TestSentAnswers:
    def test_an_email_answer_arrives_in_a_real_smtp_server(self, smtp_server: Any) -> None:
        approved("inquiry_answer", "email", "{{ name }}您好：\n{{ answer }}\n{{ issuer }}", subject="您的咨询答复")
        d = debtor()
        statement = d.account.statements.get(statement_date=dt.date(2026, 4, 5))
        text = explain.grace_answer(statement, language="zh-hans").text
        inquiry = ask(d, category="grace", channel="email", question="为什么我没有免息期？")
        answered = answer_inquiry(
            user=staff(Role.CUSTOMER_SERVICE), inquiry=inquiry, answer=text, channel="email", business_date=TODAY
        )
        [received] = smtp_server.messages
        assert received["To"] == "li@example.com" and received["Subject"] == "您的咨询答复"
        assert "李雷您好" in received.get_content() and "免息期已失去" in received.get_content()
        assert answered.message is not None and answered.message.status == MessageStatus.SENT
        # No approved survey template: the inquiry is closed all the same, and no survey is asked.
        assert answered.outcome == "answered" and Survey.objects.count() == 0

    def test_an_sms_answer_goes_to_the_outbox(self, sms_outbox: Path) -> None:
        approved("inquiry_answer", "sms", "{{ name }}您好，{{ answer }}")
        d = debtor()
        inquiry = ask(d, category="fee", channel="sms", question="滞纳金怎么算的？")
        answer_inquiry(
            user=staff(Role.COLLECTOR),
            inquiry=inquiry,
            answer="滞纳金按未还最低还款额的5%计算。",
            channel="sms",
            business_date=TODAY,
        )
        [line] = [json.loads(x) for x in sms_outbox.read_text().splitlines()]
        assert line["to"] == MOBILE and "滞纳金按未还最低还款额的5%计算。" in line["text"]

    def test_the_gate_refusing_changes_nothing(self, smtp_server: Any) -> None:
        approved("inquiry_answer", "email", "{{ name }}您好：{{ answer }}", subject="答复")
        d = debtor()
        opt_out(actor="test", customer=d.customer, channel="email", source="test")
        inquiry = ask(d, channel="email")
        with pytest.raises(ContactNotAllowed) as refused:
            answer_inquiry(
                user=staff(Role.CUSTOMER_SERVICE),
                inquiry=inquiry,
                answer="余额见账单",
                channel="email",
                business_date=TODAY,
            )
        assert "CN-OPTOUT" in refused.value.decision["rules"]
        inquiry.refresh_from_db()
        assert (inquiry.outcome, inquiry.answer, inquiry.message_id, inquiry.closed_at) == ("open", "", None, None)
        assert smtp_server.messages == [] and actions() == ["inquiry.record"]
        assert Message.objects.get().status == MessageStatus.BLOCKED  # the gate's own record of the refusal
        assert Survey.objects.count() == 0


class TestPortalAndBadInput:
    def test_a_portal_question_waits_and_its_survey_waits_in_the_portal(self) -> None:
        d = debtor()
        inquiry = ask(d, channel="portal", question="Why is there a late fee?", category="fee")
        assert Survey.objects.count() == 0
        answer_inquiry(
            user=staff(Role.TEAM_LEAD),
            inquiry=inquiry,
            answer="The minimum was unpaid.",
            channel="portal",
            business_date=TODAY,
        )
        [survey] = Survey.objects.all()
        assert survey.channel == "portal" and survey.message is None
        for bad in (0, 6, "5", True, None):
            with pytest.raises(ValidationFailed) as exc:
                answer_survey(survey=survey, score=bad, actor="portal")
            assert exc.value.field == "score"
        assert answer_survey(survey=survey, score=4, actor="portal").score == 4
        with pytest.raises(Conflict):
            answer_survey(survey=survey, score=2, actor="portal")
        with pytest.raises(Conflict):
            ask_survey(
                actor="t",
                customer=d.customer,
                subject_type="inquiry",
                subject_id=inquiry.pk,
                channel="portal",
                business_date=TODAY,
            )

    def test_bad_input_is_refused_naming_the_field_and_nothing_is_written(self) -> None:
        d = debtor()
        for changes, field in (
            ({"category": "weather"}, "category"),
            ({"channel": "fax"}, "channel"),
            ({"outcome": "done"}, "outcome"),
            ({"question": "   "}, "question"),
            ({"outcome": "answered"}, "answer"),
            ({"question": "x" * 2001}, "question"),
        ):
            with pytest.raises(ValidationFailed) as exc:
                ask(d, **changes)
            assert exc.value.field == field, changes
        assert Inquiry.objects.count() == 0 and actions() == []
        inquiry = ask(d)
        with pytest.raises(NotPermitted):
            answer_inquiry(
                user=staff(Role.CREDIT_ASSESSOR), inquiry=inquiry, answer="x", channel="phone", business_date=TODAY
            )
        rep = staff(Role.CUSTOMER_SERVICE)
        with pytest.raises(ValidationFailed) as template:
            answer_inquiry(
                user=rep, inquiry=inquiry, answer="x", channel="email", business_date=TODAY, template_code="nope"
            )
        assert template.value.field == "template_code"
        answer_inquiry(user=rep, inquiry=inquiry, answer="x", channel="phone", business_date=TODAY)
        with pytest.raises(Conflict):
            answer_inquiry(user=rep, inquiry=inquiry, answer="y", channel="phone", business_date=TODAY)


class TestCsat:
    def test_counts_mean_and_share_satisfied_by_team_and_dates(self) -> None:
        """Team A's surveys asked 05-03: scores 5, 4, 4, 2, 1 and one unanswered. Asked 6, answered 5,
        mean (5 + 4 + 4 + 2 + 1) / 5 = 3.20, satisfied (4-5) 3 / 5 = 60.0 %. The customer with no case
        (no team) counts only when no team is asked for."""
        team = team_with_queue()
        [no_case] = open_card_accounts()
        [d] = past_due(dpd=10)
        assert d.case is not None and d.case.team_id == team.pk
        for subject, score in enumerate((5, 4, 4, 2, 1, None), start=1):
            survey = ask_survey(
                actor="t",
                customer=d.customer,
                subject_type="dispute",
                subject_id=subject,
                channel="portal",
                business_date=TODAY,
            )
            if score is not None:
                answer_survey(survey=survey, score=score, actor="portal")
        outsider = ask_survey(
            actor="t",
            customer=no_case.customer,
            subject_type="dispute",
            subject_id=99,
            channel="portal",
            business_date=TODAY,
        )
        answer_survey(survey=outsider, score=5, actor="portal")

        figures = csat(start=TODAY, end=TODAY + dt.timedelta(days=1), teams=[team.pk])
        assert (figures.asked, figures.answered) == (6, 5)
        assert figures.counts == {1: 1, 2: 1, 3: 0, 4: 2, 5: 1}
        assert (figures.average, figures.satisfied_pct) == (Decimal("3.20"), Decimal("60.0"))
        assert figures.bars == [(1, 1, 50), (2, 1, 50), (3, 0, 0), (4, 2, 100), (5, 1, 50)]
        everyone = csat(start=TODAY, end=TODAY + dt.timedelta(days=1))
        assert (everyone.asked, everyone.answered, everyone.average) == (7, 6, Decimal("3.50"))
        assert csat(start=TODAY + dt.timedelta(days=1), end=TODAY + dt.timedelta(days=8)).asked == 0
        assert csat(start=TODAY + dt.timedelta(days=1), end=TODAY + dt.timedelta(days=8)).average is None

"""Templates approved by a second person, e-mail into a real SMTP server, SMS with opt-out replies,
collection letters as PDF with every CN-LETTER item, reminders before the due date, holds."""

from __future__ import annotations

import datetime as dt
import email
import json
import shutil
import socket
import subprocess
from email import policy
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from arrears.application.outreach import (
    approve_template,
    create_template,
    handle_sms_reply,
    record_delivery,
    send_message,
    unsubscribe_url,
)
from arrears.audit.models import AuditEntry
from arrears.cycle.runner import run_date
from arrears.errors import ContactNotAllowed, ValidationFailed
from arrears.holds.operations import lift_hold, set_hold
from arrears.ledger.models import Customer
from arrears.outreach.models import Message, MessageStatus
from arrears.people.models import Role
from tests.builders import advance
from tests.collections_factories import delinquent_customers, staff
from tests.factories import make_account, make_product, purchase, run_days

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 5, 3)  # the business date of these sends: the frozen clock's day in Beijing


@pytest.fixture
def sms_outbox(tmp_path: Path, settings: Any) -> Path:
    settings.ARREARS_SMS_OUTBOX = str(tmp_path / "outbox.jsonl")
    return Path(settings.ARREARS_SMS_OUTBOX)


def approved(code: str, channel: str, body: str, *, language: str = "zh-hans", subject: str = "") -> Any:
    author, officer = staff(Role.COMPLIANCE_OFFICER), staff(Role.COMPLIANCE_OFFICER)
    template = create_template(user=author, code=code, channel=channel, language=language, body=body, subject=subject)
    return approve_template(user=officer, template=template, business_date=TODAY)


def customer_with_contacts() -> Customer:
    [case] = delinquent_customers(1)
    customer = case.customer
    customer.name, customer.mobile, customer.email = "王小明", "13800138000", "wang@example.com"
    customer.address = "北京市朝阳区建国路 88 号"
    customer.save()
    return customer


class TestTemplates:
    def test_the_author_cannot_approve_and_a_second_officer_can(self) -> None:
        author, officer = staff(Role.COMPLIANCE_OFFICER), staff(Role.COMPLIANCE_OFFICER)
        template = create_template(
            user=author,
            code="notice",
            channel="sms",
            language="zh-hans",
            body="{{ name }}您好，您的账户已逾期，请尽快还款。",
        )
        with pytest.raises(ValidationFailed) as exc:
            approve_template(user=author, template=template, business_date=TODAY)
        assert exc.value.field == "user"
        assert approve_template(user=officer, template=template, business_date=TODAY).status == "approved"

    def test_a_template_with_prohibited_wording_cannot_be_approved(self) -> None:
        author, officer = staff(Role.COMPLIANCE_OFFICER), staff(Role.COMPLIANCE_OFFICER)
        template = create_template(
            user=author,
            code="threat",
            channel="sms",
            language="zh-hans",
            body="{{ name }}，再不还款我们将起诉你并通知你的单位，让你坐牢。",
        )
        with pytest.raises(ValidationFailed) as exc:
            approve_template(user=officer, template=template, business_date=TODAY)
        assert exc.value.field == "body" and "CN-CONDUCT" in exc.value.message
        template.refresh_from_db()
        assert template.status == "draft"


class _Inbox:
    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


@pytest.fixture
def smtp_server(settings: Any) -> Any:
    from aiosmtpd.controller import Controller

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    yield inbox
    controller.stop()


class TestEmail:
    def test_an_email_arrives_in_a_real_smtp_server_with_an_opt_out_link_that_works(self, smtp_server: Any) -> None:
        approved(
            "notice", "email", "{{ name }}您好：您的信用卡欠款 {{ balance }} 元已逾期，请尽快还款。", subject="还款提醒"
        )
        customer = customer_with_contacts()
        message = send_message(
            actor="test", customer=customer, channel="email", template_code="notice", business_date=TODAY
        )
        assert message.status == MessageStatus.SENT
        [received] = smtp_server.messages
        assert received["To"] == "wang@example.com" and received["Subject"] == "还款提醒"
        assert "王小明您好" in received.get_content()
        assert str(received["List-Unsubscribe"]).strip().startswith("<http")
        token_url = unsubscribe_url(customer, "email")
        path = token_url.split("8000", 1)[1]
        assert Client().post(path).status_code == 200
        with pytest.raises(ContactNotAllowed) as exc:
            send_message(actor="test", customer=customer, channel="email", template_code="notice", business_date=TODAY)
        assert "CN-OPTOUT" in exc.value.decision["rules"]
        assert len(smtp_server.messages) == 1
        assert Message.objects.filter(status=MessageStatus.BLOCKED).count() == 1


class TestSms:
    def test_sms_goes_to_the_outbox_and_a_td_reply_opts_the_customer_out(self, sms_outbox: Path) -> None:
        approved("notice", "sms", "{{ name }}您好，您的信用卡账户已逾期，请联系{{ issuer }}。")
        customer = customer_with_contacts()
        message = send_message(
            actor="test", customer=customer, channel="sms", template_code="notice", business_date=TODAY
        )
        [line] = [json.loads(x) for x in sms_outbox.read_text().splitlines()]
        assert line["to"] == "13800138000" and line["text"].endswith("回复TD退订")
        record_delivery(actor="integration:sms", provider_ref=message.provider_ref, status="delivered")
        assert Message.objects.get(pk=message.pk).status == "delivered"
        assert handle_sms_reply(actor="integration:sms", from_number="13800138000", text=" 退订 ") == 1
        with pytest.raises(ContactNotAllowed):
            send_message(actor="test", customer=customer, channel="sms", template_code="notice", business_date=TODAY)
        assert len(sms_outbox.read_text().splitlines()) == 1

    def test_a_dispute_hold_stops_messages_until_it_is_lifted(self, sms_outbox: Path) -> None:
        approved("notice", "sms", "{{ name }}您好，请联系{{ issuer }}。")
        customer = customer_with_contacts()
        officer = staff(Role.CUSTOMER_SERVICE)
        hold = set_hold(
            user=officer, customer=customer, kind="dispute", reason="客户对违约金有异议", starts_on=dt.date(2026, 5, 3)
        )
        with pytest.raises(ContactNotAllowed) as exc:
            send_message(actor="test", customer=customer, channel="sms", template_code="notice", business_date=TODAY)
        assert any(rule.endswith("DISPUTE") for rule in exc.value.decision["rules"])
        lift_hold(user=officer, hold=hold, reason="已核实并答复")
        assert (
            send_message(
                actor="test", customer=customer, channel="sms", template_code="notice", business_date=TODAY
            ).status
            == "sent"
        )
        assert AuditEntry.objects.filter(action__in=["hold.set", "hold.lift"]).count() == 2


class TestLetter:
    @pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils' pdftotext")
    def test_the_letter_pdf_carries_the_chinese_name_and_every_cn_letter_item(self, tmp_path: Path) -> None:
        approved("letter", "letter", "{{ name }}：\n您的信用卡账户已逾期，请于收到本函后尽快还款。")
        customer = customer_with_contacts()
        message = send_message(
            actor="test", customer=customer, channel="letter", template_code="letter", business_date=TODAY
        )
        pdf = tmp_path / "letter.pdf"
        pdf.write_bytes(bytes(message.document))
        text = subprocess.run(
            ["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout.replace(" ", "")
        for item in (
            "王小明",
            "欠款金额",
            "1,005.00",
            "催收事由及法律依据",
            "持卡人的权利与义务",
            "查询、还款及异议方式",
            "证据",
            "发卡机构联系方式",
            "示例银行信用卡中心",
            "业务专用章",
        ):
            assert item in text, item


class TestReminders:
    def test_the_cycle_reminds_three_days_before_the_due_date_once(self, sms_outbox: Path) -> None:
        approved(
            "due_reminder",
            "sms",
            "{{ name }}您好，您尾号{{ account }}的信用卡本期最低还款额{{ amount }}元，到期还款日{{ due_date }}。",
        )
        product = make_product()
        account = make_account(product=product, name="李四")
        Customer.objects.filter(pk=account.customer_id).update(mobile="13900139000")
        purchase(account, dt.date(2026, 3, 10), "1000.00")
        advance(through=dt.date(2026, 4, 16))  # statement 04-05, due 04-23
        run_days(dt.date(2026, 4, 17), dt.date(2026, 4, 20))
        assert Message.objects.filter(purpose="reminder").count() == 1
        message = Message.objects.get(purpose="reminder")
        assert "100.00" in message.body and "2026-04-23" in message.body
        run_date(dt.date(2026, 4, 21))
        assert Message.objects.filter(purpose="reminder").count() == 1
        assert len(sms_outbox.read_text().splitlines()) == 1

"""The inquiry desk in a browser, in Chinese and in English: from the case page to the desk, a question
chosen, the answer read in the customer's language (and the rep's), sent by e-mail into a real SMTP server."""

from __future__ import annotations

from typing import Any

import pytest

from arrears.inquiries.models import Inquiry
from arrears.ledger.models import Customer
from arrears.people.models import Role
from tests.collections_factories import PASSWORD, delinquent_customers, staff, team_with_queue
from tests.functional.conftest import screenshot
from tests.integration.test_outreach import approved, smtp_server

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]
__all__ = ["smtp_server"]


@pytest.mark.parametrize(
    ("prefix", "title", "sent"), [("", "咨询台", "答复已记录"), ("/en", "Inquiry desk", "The answer was recorded")]
)
def test_a_rep_sends_the_generated_answer_by_email(
    live_server: Any, page: Any, smtp_server: Any, prefix: str, title: str, sent: str
) -> None:
    approved("inquiry_answer", "email", "{{ name }}您好：\n{{ answer }}", subject="您的咨询答复")
    team_with_queue()
    service = staff(Role.CUSTOMER_SERVICE)
    [case] = delinquent_customers(1)
    Customer.objects.filter(pk=case.customer_id).update(email="zhao@example.com", name="赵敏")

    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", service.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{live_server.url}{prefix}/cases/{case.pk}/")
    page.locator("#inquiry-desk-links a").first.click()
    page.wait_for_load_state()
    assert title in page.locator("h1").inner_text()

    statement = case.customer.accounts.get().statements.order_by("-statement_date").first()
    assert statement is not None
    page.select_option("#question", f"grace:{statement.pk}")
    page.click("#show-answer")
    page.wait_for_load_state()
    customer_side = page.locator("#answer-zh-hans").inner_text()
    assert "免息期已失去" in customer_side and "1,000.00元" in customer_side
    if prefix:
        assert "The interest-free period was lost" in page.locator("#answer-en").inner_text()
    else:
        assert page.locator("#answer-en").count() == 0
    assert "免息期已失去" in page.locator("#answer").input_value()
    screenshot(page, f"inquiry-desk{prefix.replace('/', '-')}")

    page.fill("#asked", "为什么要收利息？")
    page.select_option("#channel", "email")
    page.click("#send")
    page.wait_for_load_state()
    assert sent in page.locator(".messages").inner_text()
    [received] = smtp_server.messages
    assert received["To"] == "zhao@example.com" and "免息期已失去" in received.get_content()
    inquiry = Inquiry.objects.get()
    assert (inquiry.category, inquiry.answer_channel, inquiry.outcome, inquiry.question) == (
        "grace",
        "email",
        "answered",
        "为什么要收利息？",
    )
    assert "为什么要收利息？" in page.locator("#inquiries").inner_text()

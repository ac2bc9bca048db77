"""An agency's user works the portal in a real browser, in Chinese and in English: signs in and lands
on the accounts placed with the agency (masked), opens one, is refused a call at night by the bank's
compliance gate, records one in the morning, reports a payment; the bank's administrator confirms it
and reads the month's remittance statement. After a recall the account is gone from the portal."""

from __future__ import annotations

from typing import Any

import pytest

from arrears.agencies import operations as agencies
from arrears.contacts.models import Contact
from arrears.cycle import business_date
from arrears.kernel import clock
from tests.agency_world import MORNING, NIGHT, TODAY, agency_world
from tests.builders import PASSWORD
from tests.functional.conftest import screenshot

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

WORDS = {
    "zh-hans": {
        "prefix": "",
        "title": "委托贵机构催收的账户",
        "recorded": "联系记录已保存",
        "reported": "还款已报告",
        "statement": "结算对账单",
        "english": ["Accounts placed", "Record the contact", "Remittance statement", "Commission"],
    },
    "en": {
        "prefix": "/en",
        "title": "Accounts placed with your agency",
        "recorded": "Contact recorded",
        "reported": "Payment reported",
        "statement": "Remittance statement",
        "english": [],
    },
}


def log_in(page: Any, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_agency_portal(live_server: Any, page: Any, monkeypatch: pytest.MonkeyPatch, language: str) -> None:
    monkeypatch.setattr(business_date, "current", lambda: TODAY)
    monkeypatch.setattr(clock, "now", lambda: NIGHT)
    world = agency_world()
    words = WORDS[language]
    base = live_server.url
    root = f"{base}{words['prefix']}"

    log_in(page, base, world.alpha_user.username)
    assert page.url.endswith("/agency/")
    page.goto(f"{root}/agency/")
    assert words["title"] in page.locator("h1").inner_text()
    table = page.locator("#placed-accounts").inner_text()
    assert world.placed.customer.name in table and "138****0000" in table
    for other in (world.elsewhere, world.recalled, world.never):
        assert other.customer.name not in table
    assert "My workbench" not in page.content() and "我的工作台" not in page.content()
    for english in words["english"]:
        assert english not in page.locator("main").inner_text()
    screenshot(page, f"agency-portal-{language}")

    page.click(f"text={world.placed.customer.name}")
    page.wait_for_load_state()
    assert page.url.endswith(f"/agency/accounts/{world.placed.account.pk}/")
    assert world.placed.account.number not in page.content()

    # 22:30 in Beijing: the gate refuses, and says which rule.
    page.select_option("#channel", "phone")
    page.select_option("#party", "cardholder")
    page.select_option("#result", "right_party_contact")
    page.click("#contact-form button[type=submit]")
    page.wait_for_load_state()
    assert "CN-HOURS" in page.locator(".messages").inner_text()
    assert Contact.objects.count() == 0

    monkeypatch.setattr(clock, "now", lambda: MORNING)
    page.select_option("#channel", "phone")
    page.select_option("#party", "cardholder")
    page.select_option("#result", "right_party_contact")
    page.click("#contact-form button[type=submit]")
    page.wait_for_load_state()
    assert words["recorded"] in page.locator(".messages").inner_text()
    assert Contact.objects.filter(source="agency:alpha").count() == 1

    page.fill("#payment-amount", "1,000.00")
    page.fill("#paid-on", "2026-05-03")
    page.fill("#reference", "RC-1")
    page.click("#payment-form button[type=submit]")
    page.wait_for_load_state()
    assert words["reported"] in page.locator(".messages").inner_text()
    for english in words["english"]:
        assert english not in page.locator("main").inner_text()
    screenshot(page, f"agency-account-{language}")

    # The bank confirms the payment and reads the month's statement: 1,000.00 at 10 % (M1).
    log_in(page, base, world.admin.username)
    page.goto(f"{root}/agencies/")
    page.click("button[value=confirm]")
    page.wait_for_load_state()
    page.goto(f"{root}/agencies/alpha/remittance/2026-05/")
    assert words["statement"] in page.locator("h1").inner_text()
    assert page.locator("#total-recovered").inner_text() == "1,000.00"
    assert page.locator("#total-commission").inner_text() == "100.00"
    for english in words["english"]:
        assert english not in page.locator("main").inner_text()
    screenshot(page, f"agency-remittance-{language}")

    # Recalled: the agency's user finds nothing of it any more.
    agencies.recall(user=world.admin, placement=world.placement(world.placed), business_date=TODAY)
    log_in(page, base, world.alpha_user.username)
    page.goto(f"{root}/agency/")
    assert world.placed.customer.name not in page.locator("main").inner_text()
    response = page.goto(f"{root}/agency/accounts/{world.placed.account.pk}/")
    assert response is not None and response.status == 404

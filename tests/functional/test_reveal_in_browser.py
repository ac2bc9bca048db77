"""The 360 page in a browser, in Chinese and in English: the card number, phone and national ID are
masked in everything the page holds, and customer service reveals the phone with a reason."""

from __future__ import annotations

from typing import Any

import pytest

from arrears.audit.models import AuditEntry
from arrears.ledger.models import Account, Customer
from arrears.people.models import Role
from tests.collections_factories import PASSWORD, delinquent_customers, staff, team_with_queue
from tests.functional.conftest import screenshot

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]
PAN, MOBILE, NATIONAL_ID = "6225881234567890", "13812345678", "110105199001011234"


@pytest.mark.parametrize(
    ("prefix", "reveal", "masked_label"), [("", "查看完整信息", "手机"), ("/en", "Reveal", "Mobile")]
)
def test_the_360_page_holds_only_masked_values_and_reveals_the_phone_with_a_reason(
    live_server: Any, page: Any, prefix: str, reveal: str, masked_label: str
) -> None:
    team_with_queue()
    service = staff(Role.CUSTOMER_SERVICE)
    [case] = delinquent_customers(1)
    Customer.objects.filter(pk=case.customer_id).update(mobile=MOBILE, national_id=NATIONAL_ID)
    Account.objects.filter(customer_id=case.customer_id).update(number=PAN)

    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", service.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{live_server.url}{prefix}/cases/{case.pk}/")
    html = page.content()
    for secret in (PAN, MOBILE, NATIONAL_ID):
        assert secret not in html
    assert page.locator("#mobile").inner_text() == "138****5678"
    assert "622588******7890" in page.locator("#accounts").inner_text()
    assert masked_label in page.locator("#summary").inner_text()
    screenshot(page, f"masked-360{prefix.replace('/', '-')}")

    phone = page.locator('details[data-reveal="phone"]')
    phone.locator("summary").click()
    phone.locator("input[name=reason]").fill("客户来电要求核对号码")
    phone.get_by_role("button", name=reveal).click()
    page.wait_for_load_state()
    assert page.locator("#revealed-value").inner_text() == MOBILE
    entry = AuditEntry.objects.get(action="personal_data.reveal")
    assert (entry.actor, entry.after["field"], entry.after["reason"]) == (
        service.username,
        "phone",
        "客户来电要求核对号码",
    )

"""The test payment gateway's page in a phone-sized browser: the cardholder sees the amount, pays, and is
sent back to the return address; the payment is on the ledger once, and the page cannot be used again."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import translation

from arrears.cycle import business_date
from arrears.ledger.models import Account
from arrears.payments.gateway import checkout_url, start_checkout
from arrears.payments.models import Checkout, CheckoutStatus, Payment
from tests.factories import make_account, purchase
from tests.functional.conftest import screenshot

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]
DAY = dt.date(2026, 3, 20)


@pytest.mark.parametrize(("prefix", "pay", "finished"), [("", "支付", "已结束"), ("/en", "Pay", "finished")])
def test_the_cardholder_pays_on_the_test_gateway_and_returns(
    live_server: Any, browser: Any, monkeypatch: pytest.MonkeyPatch, prefix: str, pay: str, finished: str
) -> None:
    monkeypatch.setattr(business_date, "current", lambda: DAY)
    account = make_account(opened_on=dt.date(2026, 3, 1))
    purchase(account, dt.date(2026, 3, 10), "800.00")
    checkout = start_checkout(
        actor="cardholder:1",
        account=account,
        amount=Decimal("123.45"),
        business_date=DAY,
        return_url=f"{prefix}/login/",  # where the portal would take the cardholder back
    )
    with translation.override("zh-hans"):  # checkout_url follows the active language; Chinese has no prefix
        address = checkout_url(checkout)
    assert address == f"/pay/test/{checkout.ref}/"
    context = browser.new_context(viewport={"width": 390, "height": 800}, locale="zh-CN", is_mobile=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        page.goto(f"{live_server.url}{prefix}{address}")
        assert page.locator("#checkout-amount").inner_text() == "¥123.45"
        assert page.locator("#checkout-account").inner_text() == account.masked_number
        screenshot(page, f"test-gateway{prefix.replace('/', '-')}")
        page.get_by_role("button", name=pay, exact=True).click()
        page.wait_for_url("**/login/?checkout=paid")

        assert Checkout.objects.get().status == CheckoutStatus.PAID
        assert Payment.objects.get().reference == checkout.ref
        account = Account.objects.get(pk=account.pk)
        assert account.balance_fen == 80000 - 12345

        page.goto(f"{live_server.url}{prefix}{address}")
        assert finished in page.locator("#checkout-closed").inner_text()
        assert page.locator("#pay").count() == 0
    finally:
        context.close()

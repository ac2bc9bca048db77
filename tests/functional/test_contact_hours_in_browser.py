"""A collector tries to call at 22:05 Beijing time: the page shows the block, the rule and when it opens."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from arrears.contacts.models import Contact
from arrears.kernel import clock
from tests.collections_factories import PASSWORD, delinquent_customers, staff, team_with_queue
from tests.functional.conftest import screenshot

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]
LATE = dt.datetime(2026, 5, 3, 14, 5, tzinfo=dt.UTC)  # 22:05 in Beijing


def test_a_call_at_22_05_beijing_time_is_blocked_with_the_rule_and_the_opening_time(
    live_server: Any, page: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    team = team_with_queue()
    collector = staff(team=team)
    [case] = delinquent_customers(1)
    case.customer.mobile = "13800138000"
    case.customer.save()
    monkeypatch.setattr(clock, "now", lambda: LATE)

    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", collector.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    verdict = page.locator("#call-verdict")
    assert "CN-HOURS" in verdict.inner_text()
    assert page.locator("#next-allowed").inner_text() == "2026年5月4日 08:00"
    screenshot(page, "contact-hours-block")

    page.click("#goto-rpc")  # the guided call's right-party step
    page.select_option("#id_party", "cardholder")
    page.select_option("#id_result", "no_answer")
    page.click("#save-contact")
    page.wait_for_load_state()
    assert "CN-HOURS" in page.locator("#contact-form").inner_text() or "22:00" in page.content()
    assert Contact.objects.count() == 0

    # The next-account queue serves only cases that may be called now.
    page.goto(f"{live_server.url}/work/")
    page.click("#next-account")
    page.wait_for_load_state()
    assert page.url.endswith("/work/")

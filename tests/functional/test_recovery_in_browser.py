"""A team lead opens the recovery rate by vintage in a real browser, in both languages: the chart is
drawn (one bar, the 2026-05 vintage at 30.98 %) with its table; then the charged-off account's page
shows its position by component (the worked example of tests/integration/test_chargeoff_recovery.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from arrears.cycle.business_date import open_date
from arrears.people.models import Role
from tests.builders import PASSWORD, charged_off, pay, staff, team_with_queue
from tests.functional.conftest import screenshot

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

WORDS = {
    "zh-hans": {"prefix": "", "caption": "按核销月份（账龄批次）的回收率", "position": "核销头寸"},
    "en": {"prefix": "/en", "caption": "Recovery rate by vintage of charge-off", "position": "Charged-off position"},
}


def log_in(page: Any, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_lead_sees_the_vintages_and_the_position(live_server: Any, page: Any, language: str) -> None:
    lead = staff(Role.TEAM_LEAD)
    team_with_queue(lead=lead)
    debtor = charged_off(amount="1000.00", charge_off_dpd=30)
    pay(accounts=[debtor.account], amounts=["20.00"], on=dt.date(2026, 6, 1))
    pay(accounts=[debtor.account], amounts=["300.00"], on=dt.date(2026, 7, 10))
    open_date(dt.date(2026, 7, 31))
    words = WORDS[language]
    base = live_server.url
    log_in(page, base, lead.username)

    page.goto(f"{base}{words['prefix']}/work/")
    page.click("#nav-recovery")
    page.wait_for_load_state()
    assert page.url.endswith(f"{words['prefix']}/recovery/vintages/")
    assert page.locator("#chart-vintages figcaption").inner_text() == words["caption"]
    bars = page.locator("#chart-vintages rect")
    assert bars.count() == 1
    assert "30.98%" in (bars.first.locator("title").text_content() or "")
    box = page.locator("#chart-vintages svg").bounding_box()
    assert box and box["width"] > 300 and box["height"] > 100
    row = page.locator("#vintages tbody tr").first.locator("td").all_inner_texts()
    assert row[:8] == ["2026-05", "1", "1,033.00", "320.00", "30.98%", "0.00%", "1.94%", "30.98%"]
    screenshot(page, f"recovery-vintages-{language}")

    page.goto(f"{base}{words['prefix']}/accounts/{debtor.account.ref}/")
    table = page.locator(f"#position-{debtor.account.pk}")
    assert words["position"] in table.locator("caption").inner_text()
    totals = table.locator("tr.total td").all_inner_texts()
    assert [t.strip() for t in totals[1:]] == ["1,033.00", "320.00", "0.00", "713.00"]

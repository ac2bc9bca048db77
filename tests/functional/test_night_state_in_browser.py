"""At 23:00 Beijing time nothing may be called: the workbench says why, when calling opens (in Beijing
time and in the customer's own time abroad), and offers the work allowed now; in Chinese and English."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from arrears.contacts.operations import schedule_callback
from arrears.kernel import clock
from tests.collections_factories import PASSWORD, delinquent_customers, staff, team_with_queue
from tests.conftest import FROZEN_NOW
from tests.functional.conftest import screenshot

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]
NIGHT = dt.datetime(2026, 5, 3, 15, 0, tzinfo=dt.UTC)  # 23:00 in Beijing, 17:00 in Paris (CEST)


def test_at_night_the_workbench_says_why_when_calling_opens_and_what_is_allowed_now(
    live_server: Any, page: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    team = team_with_queue()
    collector = staff(team=team)
    beijing, paris = delinquent_customers(2)
    paris.customer.time_zone = "Europe/Paris"
    paris.customer.save()
    schedule_callback(user=collector, case=beijing, due_at=FROZEN_NOW + dt.timedelta(hours=12), note="发薪日后回电")
    monkeypatch.setattr(clock, "now", lambda: NIGHT)

    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", collector.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{live_server.url}/work/")

    night = page.locator("#night-state")
    assert "当前没有可拨打的案件" in night.inner_text()
    # The window and the zone come from the CN pack (CN-HOURS 08:00–22:00, Beijing time).
    assert "08:00–22:00，北京时间" in page.locator("#night-why").inner_text()
    # Beijing opens at 08:00 on 05-04, which is 02:00 in Paris (night there: protect_local_night), so the
    # earliest call to the customer in Paris is 14:00 Beijing time (08:00 in Paris); the customer in
    # Beijing opens at 08:00, the earliest of all.
    assert page.locator("#night-opens time").inner_text() == "2026年5月4日 08:00"
    assert "北京时间" in page.locator("#night-opens").inner_text()
    assert page.locator("[data-count=callable]").inner_text() == "0"
    assert "发薪日后回电" in page.locator("#follow-ups").inner_text()
    assert page.locator("[data-count=follow-ups]").inner_text() == "1"
    assert page.locator(f"tr[data-case='{paris.pk}'] [data-fig=callable]").inner_text() == "暂不可拨"
    screenshot(page, "workbench-night-zh")

    page.goto(f"{live_server.url}/en/work/")
    night = page.locator("#night-state")
    assert "No case may be called now" in night.inner_text()
    assert "08:00–22:00, Beijing time" in page.locator("#night-why").inner_text()
    assert page.locator("#night-opens time").inner_text() == "4 May 2026 08:00"
    assert "Work allowed now" in page.content() and "Follow-ups" in page.content()
    assert "当前" not in page.locator("main").inner_text()
    screenshot(page, "workbench-night-en")


def test_only_the_customer_abroad_left_opens_in_beijing_time_and_in_the_customers_time(
    live_server: Any, page: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    team = team_with_queue()
    collector = staff(team=team)
    [paris] = delinquent_customers(1)
    paris.customer.time_zone = "Europe/Paris"
    paris.customer.save()
    monkeypatch.setattr(clock, "now", lambda: NIGHT)

    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", collector.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{live_server.url}/work/")
    opens = page.locator("#night-opens").inner_text()
    # 08:00 in Paris (UTC+2) = 06:00Z = 14:00 in Beijing.
    assert page.locator("#night-opens time").inner_text() == "2026年5月4日 14:00"
    assert "客户当地时间：2026年5月4日 08:00 巴黎当地时间" in opens
    page.goto(f"{live_server.url}/en/work/")
    assert "the customer's time: 4 May 2026 08:00 Europe/Paris local time" in page.locator("#night-opens").inner_text()

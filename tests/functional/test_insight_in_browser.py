"""A collections manager opens the insight page in a real browser, in Chinese and in English (one
sign-in): the heat map, the funnel and the forecast are drawn with the worked figures; a filter is
applied through the form; the CSV and the XLSX download with the rows the page shows.

The world is tests/functional/test_insight_page.py's (the team month, three cases moved to team B):
for the days 05-13 ... 06-12, M1 -> M0 7 of 10 (70.00 %), M1 -> M2 3 of 10 (30.00 %); 4 attempts,
3 right-party (75.00 %), 5 promises (166.67 % of them), 3 kept (60.00 %)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
from openpyxl import load_workbook

from arrears.cases.models import Case
from arrears.cycle.business_date import open_date
from arrears.insight import forecast
from arrears.insight.facts import load
from arrears.money import from_fen
from arrears.people.models import Role, Team
from tests.builders import PASSWORD, staff
from tests.functional.conftest import screenshot
from tests.team_month import END, team_month

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

PERIOD = "from=2026-05-13&to=2026-06-12"


def cells(page: Any, selector: str) -> list[list[str]]:
    return [r.locator("td").all_inner_texts() for r in page.locator(f"{selector} tbody tr").all()]


def test_the_manager_reads_the_insight_page_in_both_languages(live_server: Any, page: Any) -> None:
    month = team_month()
    other = Team.objects.get(lead=month.other_lead)
    Case.objects.filter(pk__in=[d.case.pk for d in month.debtors[7:10] if d.case]).update(team=other)
    open_date(END)
    manager = staff(Role.COLLECTIONS_MANAGER)
    base = live_server.url
    page.goto(f"{base}/login/")
    page.fill("#id_username", manager.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()

    # Chinese: the heat map's M1 row and the funnel, with their numbers as text.
    page.goto(f"{base}/insight/?{PERIOD}")
    assert page.locator("#nav-insight").get_attribute("aria-current") == "page"
    assert page.locator("#funnel figcaption").inner_text() == "从尝试联系到承诺兑现"
    heat = page.locator("#heat-map table.heat-map")
    assert heat.locator("thead th").all_inner_texts()[:2] == ["期初 → 期末", "M0"]
    m1 = heat.locator("tbody tr", has=page.locator("th", has_text="M1"))
    assert m1.locator("td").all_inner_texts()[:3] == ["7\n70.00%", "0\n0.00%", "3\n30.00%"]
    assert m1.locator("td").first.get_attribute("data-level") == "7"
    assert page.locator("#funnel svg rect").count() == 4
    assert page.locator("#funnel text.step-count").all_text_contents() == [
        "4",
        "3 · 75.00%",
        "5 · 166.67%",
        "3 · 60.00%",
    ]
    widths = [float(r.get_attribute("width") or 0) for r in page.locator("#funnel svg rect").all()]
    assert widths == [208.0, 156.0, 260.0, 156.0]  # 260 x count / the widest step (5 promises)
    screenshot(page, "insight-zh-hans")

    # English, the default period (six whole months and this one): the forecast and its errors.
    page.goto(f"{base}/en/insight/")
    facts = load(start=dt.date(2025, 11, 30), end=END)
    checks = forecast.backtest(facts.months, facts.transitions)
    assert [f"{c.end:%Y-%m}" for c in checks] == ["2026-03", "2026-04", "2026-05"]
    totals = [r for r in cells(page, "#t-forecast-errors") if r[1] == "Total"]
    assert totals == [
        [
            f"{c.end:%Y-%m}",
            "Total",
            f"{from_fen(c.forecast_total):,.2f}",
            f"{from_fen(c.actual_total):,.2f}",
            f"{from_fen(c.total_error):,.2f}",
            "—" if c.total_error_rate is None else f"{c.total_error_rate * 100:.2f}%",
        ]
        for c in checks
    ]
    bars = page.locator("#chart-forecast rect")
    assert bars.count() == 6  # forecast and actual for three months
    assert f"{from_fen(checks[-1].actual_total):,.2f}" in (bars.nth(5).locator("title").text_content() or "")
    nxt = forecast.next_month(facts.months, facts.transitions)
    assert nxt is not None
    assert cells(page, "#t-forecast")[-1] == [
        "Total",
        f"{from_fen(nxt.start_total):,.2f}",
        f"{from_fen(nxt.forecast_total):,.2f}",
    ]
    screenshot(page, "insight-en")

    # A filter through the form: by collector, by balance, the worked month.
    page.fill("#f-from", "2026-05-13")
    page.fill("#f-to", "2026-06-12")
    page.select_option("#f-by", "collector")
    page.select_option("#f-basis", "balance")
    page.click("#apply")
    page.wait_for_load_state()
    assert "by=collector" in page.url and "basis=balance" in page.url
    assert page.locator("#t-grouped thead th").first.inner_text() == "Collector"
    shown = cells(page, "#t-grouped")
    # The cured cases are closed: the collector who last called stands in; d4 ... d6 were never called.
    assert [r[0] for r in shown] == ["(none)", month.collector.username]

    with page.expect_download() as got:
        page.get_by_role("link", name="Export CSV").click()
    assert got.value.suggested_filename == "insight-2026-05-13-2026-06-12.csv"
    with open(got.value.path(), encoding="utf-8-sig") as f:
        rows = list(csv.reader(io.StringIO(f.read())))
    assert rows[0] == ["By Collector"]
    grouped_raw = [
        [c.get_attribute("data-value") for c in r.locator("td").all()]
        for r in page.locator("#t-grouped tbody tr").all()
    ]
    assert rows[2 : 2 + len(grouped_raw)] == grouped_raw

    with page.expect_download() as got:
        page.get_by_role("link", name="Export Excel (XLSX)").click()
    assert got.value.suggested_filename == "insight-2026-05-13-2026-06-12.xlsx"
    with open(got.value.path(), "rb") as f:
        book = load_workbook(io.BytesIO(f.read()))
    assert [s.title for s in book.worksheets][:2] == ["By Collector", "Roll matrix"]
    first = list(book.worksheets[0].iter_rows(values_only=True))
    assert [r[0] for r in first[1:]] == [r[0] for r in grouped_raw]

"""The lead opens the team page in a real browser, in both languages: the charts are drawn, their
figures match the worked month, and the CSV and XLSX download with the same numbers."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from openpyxl import load_workbook

from arrears.cycle.business_date import open_date
from tests.builders import PASSWORD
from tests.functional.conftest import screenshot
from tests.team_month import END, team_month

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

LANGUAGES = {
    "zh-hans": {
        "prefix": "",
        "captions": [
            "账龄迁徙率（2026年5月14日 至 2026年6月12日）",
            "每周收回金额",
            "每周承诺兑现率",
            "每周联系次数与本人接通次数",
        ],
        "collected": "已收回金额（元）",
        "csv": "导出 CSV",
        "xlsx": "导出 Excel",
    },
    "en": {
        "prefix": "/en",
        "captions": [
            "Roll rates between buckets, 14 May 2026 to 12 Jun 2026",
            "Amounts collected by week",
            "Promises kept by week",
            "Contacts and right-party contacts by week",
        ],
        "collected": "Collected (yuan)",
        "csv": "Export CSV",
        "xlsx": "Export Excel (XLSX)",
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
def test_lead_sees_the_charts_and_downloads_the_figures(live_server: Any, page: Any, language: str) -> None:
    month = team_month()
    open_date(END)
    words = LANGUAGES[language]
    base = live_server.url
    log_in(page, base, month.lead.username)
    page.goto(f"{base}{words['prefix']}/team/")

    assert page.locator("figure.chart svg").count() == 4
    assert page.locator("figure.chart figcaption").all_inner_texts() == words["captions"]
    # The roll-rate chart: one bar (M1 -> M2, 30.00% of the 0-100 axis), its table row alike.
    bars = page.locator("#chart-rolls rect")
    assert bars.count() == 1
    assert "30.00%" in (bars.first.locator("title").text_content() or "")
    row = page.locator("#t-rolls tbody tr").nth(1).locator("td").all_inner_texts()
    assert row == ["M1", "M2", "10", "3", "30.00%"]
    # The weekly collected chart: one week with payments, 3,500.00.
    assert page.locator("#chart-collected rect").count() == 8
    assert page.locator("#t-collected tbody tr").nth(3).locator("td").nth(2).inner_text() == "3,500.00"
    assert page.locator("#chart-contacts .s1 rect").count() == 8
    assert page.locator("#chart-kept circle").count() == 1  # only one week had promises due
    svg_box = page.locator("#chart-rolls svg").bounding_box()
    assert svg_box and svg_box["width"] > 300 and svg_box["height"] > 100
    screenshot(page, f"lead-page-{language}")

    with page.expect_download() as got:
        page.get_by_role("link", name=words["csv"]).click()
    assert got.value.suggested_filename == "team-2026-06-12.csv"
    with open(got.value.path(), encoding="utf-8-sig") as f:
        rows = list(csv.reader(io.StringIO(f.read())))
    summary = {r[0]: r[1] for r in rows if len(r) == 2}
    assert summary[words["collected"]] == "3500.00"

    with page.expect_download() as got:
        page.get_by_role("link", name=words["xlsx"]).click()
    assert got.value.suggested_filename == "team-2026-06-12.xlsx"
    with open(got.value.path(), "rb") as f:
        book = load_workbook(io.BytesIO(f.read()))
    values = {r[0]: r[1] for r in book.worksheets[0].iter_rows(values_only=True)}
    assert values[words["collected"]] == 3500

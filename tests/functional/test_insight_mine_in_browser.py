"""A collector opens their own scorecard in a real browser, in both languages, and downloads their
weekly report (PDF, read back with pdftotext): the portfolio and figures of tests/weekly_world.py
(c2: not reviewed, RPC 1/2, no promise judged, nothing collected: 40.00 less 10 for a breach and 15
for an upheld complaint = 15.00, rank 2 in North)."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.builders import PASSWORD
from tests.functional.conftest import screenshot
from tests.weekly_world import build

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

WORDS = {
    "zh-hans": {"prefix": "", "title": "我的评分卡", "not_reviewed": "未质检", "pdf": "我的评分卡"},
    "en": {"prefix": "/en", "title": "My scorecard", "not_reviewed": "not reviewed", "pdf": "My scorecard"},
}


def test_a_collector_sees_their_scorecard_and_downloads_their_report(
    live_server: Any, page: Any, tmp_path: Path
) -> None:
    build()
    base = live_server.url
    page.goto(f"{base}/login/")
    page.fill("#id_username", "c2")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    for language, words in WORDS.items():
        page.goto(f"{base}{words['prefix']}/work/")
        page.click("#nav-mine")
        page.wait_for_load_state()
        assert page.url.endswith(f"{words['prefix']}/insight/mine/")
        assert page.locator("h1").inner_text() == words["title"]
        assert page.locator("#week").input_value() == "2026-05-24"  # the last Sunday before the business date
        assert page.locator("#total").inner_text() == "15.00"
        assert page.locator("#rank").inner_text() == "2"
        assert page.locator("#breaches").inner_text() == "1"
        assert page.locator("#deducted").inner_text() == "25"
        assert words["not_reviewed"] in page.locator("#measures").inner_text()
        assert "88.15" not in page.content()  # c1's score is not shown to c2
        screenshot(page, f"insight-mine-{language}")
        with page.expect_download() as info:
            page.click("#download-mine")
        path = tmp_path / f"mine-{language}.pdf"
        info.value.save_as(str(path))
        text = subprocess.run(
            ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout
        assert words["pdf"] in text and "15.00" in text and "c1" not in text

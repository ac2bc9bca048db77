"""The legal case page in a real browser, in both languages: a legal officer refers a charged-off
account, takes the case through filing, hearing and judgment, posts the court costs (the balance rises
by exactly them), moves to enforcement and posts the proceeds (a recovery); the deadlines and the
limitation period are shown as computed by hand."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest

from arrears.cycle.business_date import open_date
from arrears.ledger.models import Account
from arrears.legal.models import LegalCase
from arrears.people.models import Role
from tests import builders
from tests.builders import PASSWORD
from tests.functional.conftest import screenshot

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]
TODAY = dt.date(2026, 11, 2)
CJK = re.compile(r"[\u4e00-\u9fff]")

WORDS = {
    "zh-hans": {"prefix": "", "referred": "已移交法律诉讼", "enforce_by": "申请强制执行截止日", "moved": "案件已进入"},
    "en": {
        "prefix": "/en",
        "referred": "Referred to law",
        "enforce_by": "Apply for enforcement by",
        "moved": "The case moved to",
    },
}


def log_in(page: Any, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def advance(page: Any, stage: str, on: str, **fields: str) -> None:
    """Record a stage on `on`, the bank's business date then (the cycle is not run in between)."""
    open_date(dt.date.fromisoformat(on))
    page.reload()
    page.select_option("#advance-stage", stage)
    page.fill("#advance-on", on)
    for selector, value in fields.items():
        page.fill(f"#{selector}", value)
    page.click("#advance")
    page.wait_for_load_state()
    errors = page.locator(".messages .error")
    assert errors.count() == 0, errors.first.inner_text()


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_lawsuit_from_referral_to_proceeds(live_server: Any, page: Any, language: str) -> None:
    words = WORDS[language]
    debtor = builders.charged_off(amount="1000.00")
    open_date(TODAY)
    officer = builders.staff(Role.LEGAL_OFFICER)
    base = live_server.url + words["prefix"]

    log_in(page, live_server.url, officer.username)
    page.goto(f"{base}/legal/")
    page.fill("#refer-account", debtor.account.ref)
    page.select_option("#refer-kind", "lawsuit")
    page.click("#refer")
    page.wait_for_load_state()
    case = LegalCase.objects.get()
    assert page.url.endswith(f"/legal/cases/{case.pk}/")
    assert words["referred"] in page.locator("[role=status]").first.inner_text()
    # Default known 2026-04-24: suable for 3 years, through 2029-04-24.
    assert "2029" in page.locator("#legal-limitation").inner_text()

    advance(
        page, "filing", "2026-11-10", **{"advance-court": "朝阳区人民法院", "advance-number": "(2026)京0105民初1号"}
    )
    advance(page, "hearing", "2027-01-15")
    advance(page, "judgment", "2027-02-20", **{"advance-due": "2027-03-02"})
    assert words["moved"] in page.locator("[role=status]").first.inner_text()
    deadline = page.locator("#deadline-enforce_by").inner_text()
    assert words["enforce_by"] in deadline and "2029" in deadline  # 2027-03-02 + 2 years

    page.fill("#costs-amount", "850.00")
    page.fill("#costs-on", "2027-02-20")
    page.click("#record-costs")
    page.wait_for_load_state()
    assert page.locator("#legal-costs").inner_text().strip().endswith("850.00")
    assert page.locator("#legal-balance").inner_text().strip().endswith("850.00")
    assert Account.objects.get(pk=debtor.account.pk).costs_fen == 85000

    advance(page, "enforcement", "2027-03-10")
    open_date(dt.date(2027, 3, 15))
    page.reload()
    page.fill("#proceeds-amount", "600.00")
    page.fill("#proceeds-on", "2027-03-15")
    page.click("#record-proceeds")
    page.wait_for_load_state()
    assert page.locator("#legal-recovered").inner_text().strip().endswith("600.00")
    assert Account.objects.get(pk=debtor.account.pk).recovered_fen == 60000
    assert "2030" in page.locator("#legal-limitation").inner_text()  # the payment restarted it: 2027-03-15 + 3
    screenshot(page, f"legal-case-{language}")

    body = page.locator("main").inner_text() if page.locator("main").count() else page.inner_text("body")
    if language == "en":
        for data in (
            "朝阳区人民法院",
            "(2026)京0105民初1号",
            "简体中文",
            debtor.customer.name,
            debtor.customer.name[:1],
        ):
            body = body.replace(data, " ")  # what the data holds, and the language picker
        assert not CJK.search(body), CJK.findall(body)
    else:
        assert not re.search(r"\b(Limitation|Deadline|Stage|Court|Referred|Amount)\b", body), body

"""Approvals in a real browser, in both languages: a collector asks for a late-fee waiver above her
authority, it shows as awaiting the lead (worded as a request, not as done), the lead approves it
within her authority in the approvals inbox and sees it applied, and the case shows it applied."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest

from arrears.cases.models import Case
from arrears.concessions.models import AuthorityRule, Concession, ConcessionStatus
from arrears.cycle.business_date import open_date
from arrears.ledger.models import Account
from arrears.people.models import Role
from tests.collections_factories import PASSWORD, delinquent_customers, staff, team_with_queue
from tests.functional.conftest import screenshot

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]
TODAY = dt.date(2026, 5, 6)
CJK = re.compile(r"[\u4e00-\u9fff]")

WORDS = {
    "zh-hans": {
        "prefix": "",
        "sent": "超出您的权限",
        "pending": "待主管（{lead}）审批，尚未生效",
        "approved": "已在您的权限内批准",
        "applied": "已批准并生效",
        "told": "已减免违约金 5.00 元",
    },
    "en": {
        "prefix": "/en",
        "sent": "Above your authority",
        "pending": "awaiting approval by Team lead ({lead}): not in effect yet",
        "approved": "Approved within your authority",
        "applied": "approved and applied",
        "told": "We have waived CNY 5.00 of late fees",
    },
}


@pytest.fixture(autouse=True)
def _business_today(db: None) -> None:
    open_date(TODAY)


def log_in(page: Any, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def no_other_language(text: str, language: str) -> None:
    if language == "en":
        assert not CJK.search(text), text
    else:
        assert not re.search(r"\b(awaiting|requested|approved|applied|pending|Above|Within)\b", text), text


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_waiver_above_the_collectors_authority_awaits_the_lead_then_applies(
    live_server: Any, page: Any, language: str
) -> None:
    words = WORDS[language]
    lead = staff(Role.TEAM_LEAD)
    team = team_with_queue(lead=lead)
    collector = staff(team=team)
    [case] = delinquent_customers(1, through=TODAY)
    Case.objects.filter(pk=case.pk).update(collector=collector, team=team)
    AuthorityRule.objects.create(role=Role.COLLECTOR, kind="late_fee_waiver", max_amount_fen=200)
    AuthorityRule.objects.create(role=Role.TEAM_LEAD, kind="late_fee_waiver", max_amount_fen=2_000_00)
    base = live_server.url + words["prefix"]

    log_in(page, live_server.url, collector.username)
    page.goto(f"{base}/cases/{case.pk}/?tab=concession")
    page.select_option("#concession-kind", "late_fee_waiver")
    page.fill("#concession-amount", "5.00")
    page.select_option("#concession-reason", "illness")
    page.fill("#concession-evidence", "hospital certificate")
    page.click("#request-concession")
    page.wait_for_load_state()

    concession = Concession.objects.get(case=case)
    assert concession.status == ConcessionStatus.PENDING
    message = page.locator("[role=status]", has_text=words["sent"]).first.inner_text()
    assert lead.username in message
    no_other_language(message.replace(lead.username, ""), language)
    card = page.locator(f"#concession-{concession.pk}")
    status = card.locator(".concession-status").inner_text()
    assert words["pending"].format(lead=lead.username) in status
    no_other_language(status.replace(lead.username, ""), language)
    assert words["told"] not in card.inner_text()  # not worded to the customer as done
    screenshot(page, f"concession-pending-{language}")
    assert Account.objects.get(customer_id=case.customer_id).fees_fen == 500

    log_in(page, live_server.url, lead.username)
    page.goto(f"{base}/approvals/")
    row = page.locator(f"#approval-{concession.approval.pk}")
    assert row.locator(".approval-authority .badge-ok").count() == 1  # within the lead's authority
    screenshot(page, f"approvals-inbox-{language}")
    row.locator(f"#approve-{concession.approval.pk}").click()
    page.wait_for_load_state()
    message = page.locator("[role=status]", has_text=words["approved"]).first.inner_text()
    no_other_language(message, language)
    decided = page.locator(f"#decided-{concession.approval.pk} .decided-status").inner_text()
    assert decided == words["applied"]  # the lead sees the result at once

    page.goto(f"{base}/cases/{case.pk}/?tab=concession")
    card = page.locator(f"#concession-{concession.pk}")
    assert card.locator(".concession-status").inner_text() == words["applied"]
    assert words["told"] in card.locator(".concession-summary").inner_text()
    screenshot(page, f"concession-applied-{language}")
    assert Concession.objects.get(pk=concession.pk).status == ConcessionStatus.APPLIED
    assert Account.objects.get(customer_id=case.customer_id).fees_fen == 0

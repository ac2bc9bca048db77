"""A dispute in a real browser, in both languages: a collector opens it from the case page (the case
page then annotates it and shows the amount not to demand), customer service proposes to uphold it,
the team lead approves it (the purchase is credited) and the detail page says so."""

from __future__ import annotations

from typing import Any

import pytest

from arrears.cycle.business_date import open_date
from arrears.disputes.models import Dispute
from arrears.ledger.models import Entry, EntryKind
from arrears.people.models import Role
from tests.builders import staff
from tests.functional.test_legal_in_browser import log_in
from tests.functional.two_teams import TODAY, two_teams

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

WORDS = {
    "zh-hans": {"prefix": "", "opened": "已受理", "annotation": "存在异议", "proposed": "处理意见已提交",
                "upheld": "支持"},
    "en": {"prefix": "/en", "opened": "opened", "annotation": "Under dispute", "proposed": "is proposed",
           "upheld": "upheld"},
}  # fmt: skip


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_open_propose_and_approve_a_dispute(live_server: Any, page: Any, language: str) -> None:
    words = WORDS[language]
    world = two_teams()
    open_date(TODAY)
    a = world.a
    purchase = Entry.objects.get(account=a.account, kind=EntryKind.PURCHASE)
    service = staff(Role.CUSTOMER_SERVICE)
    base = live_server.url + words["prefix"]

    log_in(page, live_server.url, a.collector.username)
    page.goto(f"{base}/cases/{a.case.pk}/")
    page.click("#dispute-open summary")
    page.select_option("#dispute-kind", "statement_line")
    page.select_option("#dispute-entry", str(purchase.pk))
    page.fill("#dispute-amount", "100.00")
    page.fill("#dispute-reason", "duplicate charge")
    page.click("#dispute-submit")
    page.wait_for_load_state()
    dispute = Dispute.objects.get()
    assert page.url.endswith(f"/disputes/{dispute.pk}/")
    assert words["opened"] in page.locator("[role=status]").first.inner_text()
    page.goto(f"{base}/cases/{a.case.pk}/")
    assert words["annotation"] in page.locator("#dispute-annotation").inner_text()
    assert "100.00" in page.locator("#fig-disputed").inner_text()

    log_in(page, live_server.url, service.username)
    page.goto(f"{base}/disputes/{dispute.pk}/")
    page.select_option("#outcome", "upheld")
    page.fill("#reasons", "the merchant confirmed the duplicate")
    page.click("#propose")
    page.wait_for_load_state()
    assert words["proposed"] in page.locator("[role=status]").first.inner_text()
    assert page.locator("#decide-form").count() == 0  # the maker never decides

    log_in(page, live_server.url, a.lead.username)
    page.goto(f"{base}/disputes/{dispute.pk}/")
    page.click("#approve")
    page.wait_for_load_state()
    assert words["upheld"] in page.locator("#dispute-status").inner_text()
    assert "100.00" in page.locator("#credited").inner_text()
    dispute.refresh_from_db()
    assert dispute.status == "upheld"

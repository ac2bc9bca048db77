"""A collector's shift and a lead's reassignment, in a real browser."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from arrears.cases.models import Case, CaseStatus
from arrears.contacts.models import Contact, FinancialSituation
from arrears.cycle.business_date import open_date
from arrears.people.models import Role
from arrears.promises.models import Promise
from tests.collections_factories import PASSWORD, delinquent_customers, staff, team_with_queue
from tests.functional.conftest import screenshot

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]
TODAY = dt.date(2026, 5, 3)


@pytest.fixture(autouse=True)
def _business_today(db: None) -> None:
    """The bank is on TODAY, the business date these cases live in."""
    open_date(TODAY)


def log_in(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


class TestCollectorShift:
    def test_takes_the_next_account_records_a_promise_and_the_situation_then_takes_the_next(
        self, live_server: Any, page: Any
    ) -> None:
        lead = staff(Role.TEAM_LEAD)
        team = team_with_queue(lead=lead)
        collector = staff(team=team)
        other = staff(team=team)
        cases = delinquent_customers(3, through=TODAY)
        base = live_server.url

        log_in(page, base, collector.username)
        page.goto(f"{base}/work/")
        screenshot(page, "workbench")
        page.keyboard.press("n")  # the keyboard shortcut for "Next account"
        page.wait_for_url("**/cases/*/")
        first = int(page.url.rstrip("/").split("/")[-1])
        assert Case.objects.get(pk=first).lease_holder == collector
        assert page.locator("h1").inner_text().startswith(Case.objects.get(pk=first).customer.name)

        # The guided call, step by step: right party, situation, offer, wrap-up; saved once.
        page.click("#goto-rpc")
        page.select_option("#id_party", "cardholder")
        page.select_option("#id_result", "right_party_contact")
        page.click("#goto-situation")
        page.fill("#id_monthly_income", "8000.00")
        page.fill("#id_monthly_expenses", "5000.00")
        page.fill("#id_dependants", "1")
        page.select_option("#id_ability", "able")
        page.select_option("#id_willingness", "willing")
        page.click("#goto-offer")
        page.select_option("#id_offer", "promise")
        page.fill("#id_promise_amount", "600.00")
        page.fill("#id_promise_date", "2026-05-08")
        page.click("#goto-wrapup")
        page.select_option("#id_disposition", "promise")
        page.fill("#id_duration_seconds", "240")
        page.fill("#id_notes", "客户同意周五还款")
        with page.expect_navigation():  # the save answers with a redirect (HX-Redirect when htmx is on)
            page.click("#save-contact")
        page.wait_for_load_state()
        screenshot(page, "customer-360")

        contact = Contact.objects.get(case_id=first)
        assert (contact.result, contact.disposition, contact.duration_seconds) == (
            "right_party_contact",
            "promise",
            240,
        )
        promise = Promise.objects.get(case_id=first)
        assert (promise.amount_fen, promise.promised_date) == (600_00, dt.date(2026, 5, 8))
        assert Case.objects.get(pk=first).status == CaseStatus.PROMISED
        situation = FinancialSituation.objects.get(case_id=first)
        assert (situation.monthly_income_fen, situation.recommended_path) == (8000_00, "promise_to_pay")

        page.goto(f"{base}/work/")
        page.click("#next-account")
        page.wait_for_url("**/cases/*/")
        second = int(page.url.rstrip("/").split("/")[-1])
        assert second != first
        assert second in {c.pk for c in cases}

        # The lead moves one of the collector's cases to the other collector.
        page.context.clear_cookies()
        log_in(page, base, lead.username)
        page.goto(f"{base}/team/")
        screenshot(page, "team")
        page.check(f"#pick-{second}")
        page.select_option("#collector", str(other.pk))
        page.click("#reassign")
        page.wait_for_load_state()
        assert Case.objects.get(pk=second).collector == other

"""A plan built on the call, reviewed, approved and offered, in a real browser."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from arrears.cases.models import Case
from arrears.cycle.business_date import open_date
from arrears.people.models import Role
from arrears.plans.models import Plan, PlanStatus
from tests.collections_factories import PASSWORD, delinquent_customers, staff, team_with_queue
from tests.functional.conftest import screenshot

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]
TODAY = dt.date(2026, 5, 3)


@pytest.fixture(autouse=True)
def _business_today(db: None) -> None:
    """The bank is on TODAY, the business date these cases live in."""
    open_date(TODAY)


def log_in(page: Any, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


class TestPlanInTheBrowser:
    def test_collector_proposes_assessor_reviews_lead_approves_and_the_document_is_produced(
        self, live_server: Any, page: Any
    ) -> None:
        lead = staff(Role.TEAM_LEAD)
        team = team_with_queue(lead=lead)
        collector = staff(team=team)
        assessor = staff(Role.CREDIT_ASSESSOR)
        case = delinquent_customers(1, through=TODAY)[0]
        Case.objects.filter(pk=case.pk).update(collector=collector)
        base = live_server.url

        log_in(page, base, collector.username)
        page.goto(f"{base}/cases/{case.pk}/?tab=plan")
        page.select_option("#plan-scope", "whole")
        page.select_option("#plan-method", "flat_fee")
        page.fill("#plan-instalments", "24")
        page.fill("#plan-first-due", "2026-06-15")
        page.fill("#plan-fee-rate", "0.005")
        page.click("#quote-plan")
        page.wait_for_selector("#quote-schedule")
        assert page.locator("#quote-schedule tbody tr").count() == 25  # 24 instalments and the totals
        screenshot(page, "plan-quote")
        page.click("#propose-plan")
        page.wait_for_url(f"**/cases/{case.pk}/?tab=plan*")
        plan = Plan.objects.get(case=case)
        assert (plan.status, plan.instalments, plan.review_required) == (PlanStatus.PROPOSED, 24, True)

        log_in(page, base, assessor.username)
        page.goto(f"{base}/plans/inbox/")
        screenshot(page, "plan-inbox-assessor")
        page.click(f"#review-{plan.pk}")
        page.wait_for_load_state()
        plan.refresh_from_db()
        assert (plan.status, plan.reviewed_by) == (PlanStatus.REVIEWED, assessor)

        log_in(page, base, lead.username)
        page.goto(f"{base}/plans/inbox/")
        page.click(f"#approve-{plan.pk}")
        page.wait_for_load_state()
        plan.refresh_from_db()
        assert (plan.status, plan.approved_by) == (PlanStatus.APPROVED, lead)

        log_in(page, base, collector.username)
        page.goto(f"{base}/cases/{case.pk}/?tab=plan")
        page.click(f"#offer-{plan.pk}")
        page.wait_for_selector(f"#plan-document-{plan.pk}")
        assert "元" in page.locator(f"#plan-{plan.pk} .plan-summary").inner_text()
        screenshot(page, "plan-offered")
        pdf = page.request.get(f"{base}/plans/{plan.pk}/document/")
        assert pdf.ok and pdf.body().startswith(b"%PDF")
        plan.refresh_from_db()
        assert plan.status == PlanStatus.OFFERED and plan.document_language == "zh-hans"

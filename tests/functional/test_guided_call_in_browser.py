"""A collector works three cases through the guided call in a real browser, in Chinese and in English:
one ends in a promise, one in a plan proposal, one in a concession sent for approval; "save and next
account" takes the next case."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from arrears.cases.models import Case
from arrears.concessions.models import Concession, ConcessionStatus
from arrears.contacts.models import Contact
from arrears.cycle.business_date import open_date
from arrears.people.models import Role
from arrears.plans.models import Plan, PlanStatus
from arrears.promises.models import Promise
from tests.collections_factories import PASSWORD, delinquent_customers, staff, team_with_queue
from tests.functional.conftest import screenshot

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]
TODAY = dt.date(2026, 5, 3)
MOBILE = "13765432109"


@pytest.fixture(autouse=True)
def _business_today(db: None) -> None:
    open_date(TODAY)


def case_id(page: Any) -> int:
    return int(page.url.split("/cases/")[1].split("/")[0])


def right_party(page: Any) -> None:
    """Steps 1 and 2 by keyboard: Enter advances, and the result decides what comes next."""
    page.focus("#id_channel")
    page.keyboard.press("Enter")
    assert page.locator("#call-steps li[aria-current=step]").get_attribute("data-step") == "rpc"
    page.select_option("#id_party", "cardholder")
    page.select_option("#id_result", "right_party_contact")
    page.keyboard.press("Enter")
    assert page.locator("#call-steps li[aria-current=step]").get_attribute("data-step") == "reason"


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_three_cases_a_promise_a_plan_proposal_and_a_concession_for_approval(
    live_server: Any, page: Any, language: str
) -> None:
    team = team_with_queue(lead=staff(Role.TEAM_LEAD))
    collector = staff(team=team)
    cases = delinquent_customers(3, through=TODAY)
    for case in cases:
        case.customer.mobile = MOBILE
        case.customer.save()
    Case.objects.filter(pk__in=[c.pk for c in cases]).update(collector=collector, team=team)
    prefix = "/en" if language == "en" else ""
    base = live_server.url

    page.goto(f"{base}/login/")
    page.fill("#id_username", collector.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    page.goto(f"{base}{prefix}/work/")
    page.click("#next-account")
    page.wait_for_url("**/cases/*/")

    # 1. A promise, by keyboard, with the promise rules shown before saving; then "save and next".
    first = case_id(page)
    assert MOBILE not in page.content()
    assert page.locator("#summary").is_visible() and page.locator("#channels tbody tr").count() >= 2
    script = page.locator("#ident-script").inner_text()
    assert "本人" in script  # the customer speaks Chinese, whatever the page's language
    right_party(page)
    page.select_option("#id_reason", "forgot")
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")  # back to the reason, and on again
    assert page.locator("#call-steps li[aria-current=step]").get_attribute("data-step") == "reason"
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")  # the situation is optional
    page.select_option("#id_offer", "promise")
    minimum = page.locator("#promise-minimum").inner_text()
    assert ("At least" in minimum) if language == "en" else ("最低" in minimum)
    past_due = Case.objects.get(pk=first).past_due_fen
    page.fill("#id_promise_amount", f"{past_due / 100:.2f}")
    page.fill("#id_promise_date", "2026-05-08")
    page.keyboard.press("Enter")
    assert page.locator("#call-steps li[aria-current=step]").get_attribute("data-step") == "wrapup"
    assert page.locator("#id_disposition").input_value() == "promise"  # the offer decided the outcome
    page.fill("#id_duration_seconds", "180")
    screenshot(page, f"guided-call-{language}")
    page.keyboard.press("Tab")  # leave the field first: its change must not move the page under the click
    page.click("#save-next")
    page.wait_for_url(lambda url: "/cases/" in url and f"/cases/{first}/" not in url)
    assert Promise.objects.get(case_id=first).amount_fen == past_due
    assert Contact.objects.get(case_id=first).address == MOBILE  # resolved on the server

    # 2. A plan proposal: the call says hardship, the offer is a plan, the plan tab opens by itself.
    second = case_id(page)
    screenshot(page, f"case-page-{language}")
    right_party(page)
    page.select_option("#id_reason", "income_loss")
    page.keyboard.press("Enter")
    page.fill("#id_monthly_income", "6000.00")
    page.fill("#id_monthly_expenses", "5800.00")
    page.select_option("#id_ability", "unable")
    page.select_option("#id_willingness", "willing")
    page.keyboard.press("Enter")
    page.select_option("#id_offer", "plan")
    page.keyboard.press("Enter")
    assert page.locator("#id_disposition").input_value() == "hardship_claimed"
    page.click("#save-contact")
    page.wait_for_url(f"**/cases/{second}/?tab=plan")
    page.select_option("#plan-scope", "whole")
    page.fill("#plan-instalments", "12")
    page.fill("#plan-first-due", "2026-06-15")
    page.click("#quote-plan")
    page.wait_for_selector("#quote-schedule")
    page.click("#propose-plan")
    page.wait_for_url(f"**/cases/{second}/?tab=plan*")
    assert Plan.objects.get(case_id=second).status in (PlanStatus.PROPOSED, PlanStatus.REVIEWED)

    # 3. A concession: above the collector's authority, so it is sent for approval, worded as pending.
    page.goto(f"{base}{prefix}/work/")
    page.click("#next-account")
    page.wait_for_url("**/cases/*/")
    third = case_id(page)
    assert third not in (first, second)
    # The outcome decides the way: no answer goes straight to the wrap-up, which offers the callback.
    page.click("#goto-rpc")
    page.select_option("#id_party", "none")
    page.select_option("#id_result", "no_answer")
    page.keyboard.press("Enter")
    assert page.locator("#call-steps li[aria-current=step]").get_attribute("data-step") == "wrapup"
    assert page.locator("#id_callback_at").is_visible()
    page.click("#goto-ident")
    right_party(page)
    page.select_option("#id_reason", "illness")
    page.click("#goto-offer")
    page.select_option("#id_offer", "concession")
    page.click("#goto-wrapup")
    page.click("#save-contact")
    page.wait_for_url(f"**/cases/{third}/?tab=concession")
    assert page.locator("#authority").is_visible()
    page.select_option("#concession-kind", "extension")
    page.fill("#concession-days", "20")
    page.select_option("#concession-reason", "illness")
    page.fill("#concession-evidence", "hospital certificate")
    page.click("#request-concession")
    page.wait_for_url(f"**/cases/{third}/?tab=concession*")
    concession = Concession.objects.get(case_id=third)
    assert concession.status == ConcessionStatus.PENDING
    assert page.locator(f"#concession-{concession.pk}").is_visible()
    screenshot(page, f"case-concession-{language}")

    # Back on the call tab the summary shows the concession as awaiting approval, not as done.
    page.click("#tab-call")
    page.wait_for_load_state()
    in_force = page.locator("#in-force").inner_text()
    assert ("awaiting approval" in in_force) if language == "en" else ("待审批" in in_force or "审批" in in_force)
    assert Contact.objects.filter(case_id__in=[first, second, third]).count() == 3

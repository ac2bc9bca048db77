"""The portal in a real browser on a phone-sized screen: signing in with the one-time code read from the SMS
outbox, accepting the plan offered, promising to pay and disputing a fee, in Chinese and in English."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from arrears.cases.models import Case
from arrears.disputes.models import Dispute
from arrears.ledger.models import Entry
from arrears.plans.models import Evidence, PlanAcceptance, PlanStatus
from arrears.promises.models import Promise, PromiseSource
from tests.functional.conftest import screenshot
from tests.functional.portal_world import Holder, build, last_code

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


@pytest.fixture
def phone(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 375, "height": 740}, locale="zh-CN", user_agent="PortalTest/1.0")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def sign_in(page: Any, base: str, holder: Holder, settings: Any, prefix: str) -> None:
    page.goto(f"{base}{prefix}/portal/login/")
    page.fill("#last_four", holder.last_four)
    page.fill("#national_id", holder.national_id)
    page.click("#send-code")
    page.wait_for_url(f"**{prefix}/portal/login/code/")
    page.fill("#code", last_code(settings, holder.mobile))
    page.click("#sign-in")
    page.wait_for_url(f"**{prefix}/portal/")


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_sign_in_accept_the_plan_promise_and_dispute_a_fee(
    live_server: Any, phone: Any, settings: Any, tmp_path: Path, language: str
) -> None:
    holders = build(settings, tmp_path, languages=(language, language))
    a = holders[0]
    prefix = "" if language == "zh-hans" else "/en"
    base = live_server.url

    sign_in(phone, base, a, settings, prefix)
    assert phone.locator(f"#account-{a.account.ref}").is_visible()
    assert a.account.number not in phone.content()
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the page is {width}px wide on a 375px screen"
    screenshot(phone, f"portal-home-{language}")

    phone.click("#see-offers")
    phone.click(f"#plan-{a.plan.pk}")
    phone.check("#agree")
    phone.click("#accept-plan")
    phone.wait_for_selector("#plan-status")
    a.plan.refresh_from_db()
    assert (a.plan.status, a.plan.evidence) == (PlanStatus.ACCEPTED, Evidence.PORTAL_CLICK)
    evidence = PlanAcceptance.objects.get(plan=a.plan)
    assert evidence.user_agent == "PortalTest/1.0" and evidence.document_sha256 == a.plan.document_sha256
    screenshot(phone, f"portal-plan-accepted-{language}")

    # The plan is accepted but not active yet: the overdue amount can still be promised.
    case = Case.objects.get(customer=a.customer)
    phone.goto(f"{base}{prefix}/portal/promise/")
    phone.fill("#amount", "1.00")
    phone.fill("#promised_date", "2026-05-08")
    phone.click("#save-promise")
    refused = phone.locator(".errorlist").inner_text()
    assert ("不能低于" in refused) if language == "zh-hans" else ("at least" in refused), refused
    phone.fill("#amount", f"{case.past_due_fen / 100:.2f}")
    phone.fill("#promised_date", "2026-05-08")
    phone.click("#save-promise")
    phone.wait_for_url(f"**{prefix}/portal/")
    promise = Promise.objects.get(case=case)
    assert (promise.taken_via, promise.amount_fen) == (PromiseSource.PORTAL, case.past_due_fen)

    fee = Entry.objects.filter(account=a.account, kind="late_fee").first()
    assert fee is not None
    phone.goto(f"{base}{prefix}/portal/disputes/")
    phone.select_option("#kind", "fee")
    phone.select_option("#entry", str(fee.pk))
    phone.fill("#reason", "I paid on time" if language == "en" else "我按时还款了")
    phone.click("#open-dispute")
    phone.wait_for_selector("#my-disputes li[id^=dispute-]")
    dispute = Dispute.objects.get(customer=a.customer)
    assert (dispute.kind, dispute.entry_id, dispute.channel) == ("fee", fee.pk, "portal")
    screenshot(phone, f"portal-dispute-{language}")

    phone.click("#portal-logout")
    phone.wait_for_url(f"**{prefix}/portal/login/")
    phone.goto(f"{base}{prefix}/portal/")
    assert phone.url.endswith(f"{prefix}/portal/login/")

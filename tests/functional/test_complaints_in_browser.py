"""The complaints register in a browser, in Chinese and in English: a collector registers a complaint
from the case page's link, picking the contact concerned; customer service closes it with a root cause."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from arrears.cases.models import Case
from arrears.complaints.models import Complaint, ComplaintStatus
from arrears.contacts.operations import ContactIn, record_contact
from arrears.cycle import business_date
from arrears.people.models import Role
from tests.collections_factories import PASSWORD, delinquent_customers, staff, team_with_queue
from tests.conftest import FROZEN_NOW
from tests.functional.conftest import screenshot

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def sign_in(page: Any, url: str, user: Any) -> None:
    page.context.clear_cookies()
    page.goto(f"{url}/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


@pytest.mark.parametrize(
    ("prefix", "link", "register", "close", "closed"),
    [
        ("", "登记投诉", "登记", "办结投诉", "已办结"),
        ("/en", "Register a complaint", "Register", "Close the complaint", "closed"),
    ],
)
def test_a_complaint_is_registered_from_the_case_and_closed(
    live_server: Any,
    page: Any,
    monkeypatch: pytest.MonkeyPatch,
    prefix: str,
    link: str,
    register: str,
    close: str,
    closed: str,
) -> None:
    monkeypatch.setattr(business_date, "current", lambda: dt.date(2026, 5, 3))
    team = team_with_queue()
    collector = staff(team=team)
    service = staff(Role.CUSTOMER_SERVICE)
    [case] = delinquent_customers(1)
    Case.objects.filter(pk=case.pk).update(team=team, collector=collector)
    contact = record_contact(
        user=collector,
        case=case,
        at=FROZEN_NOW - dt.timedelta(hours=1),
        data=ContactIn(channel="phone", party="cardholder", result="right_party_contact"),
        decision={},
    )

    sign_in(page, live_server.url, collector)
    page.goto(f"{live_server.url}{prefix}/cases/{case.pk}/")
    page.get_by_role("link", name=link).click()
    page.wait_for_load_state()
    page.select_option("#c-category", "contact_frequency")
    page.select_option("#c-severity", "high")
    page.fill("#c-description", "客户称一天内接到五次电话")
    page.check(f'input[name=contacts][value="{contact.pk}"]')
    page.check('input[name=hold_channels][value="phone"]')
    screenshot(page, f"complaint-new{prefix.replace('/', '-')}")
    page.get_by_role("button", name=register, exact=True).click()
    page.wait_for_load_state()
    complaint = Complaint.objects.get()
    assert list(complaint.contacts.values_list("pk", flat=True)) == [contact.pk]
    assert page.locator("#close-complaint").count() == 0  # a collector may not close

    sign_in(page, live_server.url, service)
    page.goto(f"{live_server.url}{prefix}/complaints/{complaint.pk}/")
    page.select_option("#c-outcome", "upheld")
    page.select_option("#c-root-cause", "staff_conduct")
    page.fill("#c-root-note", "拨打频率超出规定")
    page.get_by_role("button", name=close, exact=True).click()
    page.wait_for_load_state()
    assert closed in page.locator("#complaint-status").inner_text()
    screenshot(page, f"complaint-closed{prefix.replace('/', '-')}")
    complaint.refresh_from_db()
    assert (complaint.status, complaint.root_cause, complaint.closed_by) == (
        ComplaintStatus.CLOSED,
        "staff_conduct",
        service,
    )
    assert complaint.holds.get().lifted_at is not None

"""The 360 page's concession form and summary; the approvals inbox with a decision and comment."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from arrears.concessions.models import ApprovalRequest, AuthorityRule, Concession, ConcessionStatus
from arrears.cycle.business_date import open_date
from arrears.people.models import Role
from tests.collections_factories import PASSWORD, delinquent_customers, staff, team_with_queue

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 5, 6)


@pytest.fixture(autouse=True)
def _business_today(db: None) -> None:
    """The bank is on TODAY, the business date these cases live in."""
    open_date(TODAY)


def login(user: Any) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


@pytest.fixture
def w() -> dict[str, Any]:
    lead = staff(Role.TEAM_LEAD)
    team = team_with_queue(lead=lead)
    collector = staff(team=team)
    [case] = delinquent_customers(1, through=TODAY)
    AuthorityRule.objects.create(role=Role.COLLECTOR, kind="extension", max_days=10)
    AuthorityRule.objects.create(role=Role.TEAM_LEAD, kind="extension", max_days=30)
    return {"case": case, "collector": collector, "lead": lead}


def test_a_collector_requests_on_the_360_page_and_the_lead_approves_in_the_inbox(w: dict[str, Any]) -> None:
    collector = login(w["collector"])
    form = {
        "kind": "extension",
        "days": "20",
        "reason": "illness",
        "evidence": "hospital certificate",
        "account": "",
        "amount": "",
        "payments": "",
    }
    r = collector.post(f"/cases/{w['case'].pk}/concessions/", form, follow=True)
    assert r.status_code == 200
    page = r.content.decode()
    assert 'id="concession-form"' in page and "延期 20 天" in page  # the summary, in the page's language
    concession = Concession.objects.get()
    assert concession.status == ConcessionStatus.PENDING

    lead = login(w["lead"])
    inbox = lead.get("/approvals/").content.decode()
    approval = ApprovalRequest.objects.get()
    assert f'id="approval-{approval.pk}"' in inbox and "hospital certificate" in inbox
    assert f'id="approval-{approval.pk}"' not in collector.get("/approvals/").content.decode()
    lead.post("/approvals/", {"approval": approval.pk, "decision": "approve", "comment": "seen the certificate"})

    approval.refresh_from_db()
    assert (approval.status, approval.comment, approval.checker) == ("approved", "seen the certificate", w["lead"])
    assert Concession.objects.get().status == ConcessionStatus.APPLIED


def test_a_bad_amount_on_the_form_is_shown_and_nothing_is_written(w: dict[str, Any]) -> None:
    form = {
        "kind": "late_fee_waiver",
        "amount": "6.00",
        "reason": "illness",
        "evidence": "x",
        "days": "",
        "payments": "",
    }
    r = login(w["collector"]).post(f"/cases/{w['case'].pk}/concessions/", form, follow=True)
    assert "amount" in r.content.decode() and Concession.objects.count() == 0

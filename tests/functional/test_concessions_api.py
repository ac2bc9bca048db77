"""The concessions API: grant within authority, request above it, decide, errors as {code, field, message}."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client

from arrears.concessions.models import ApprovalRequest, AuthorityRule, Concession
from arrears.cycle.business_date import open_date
from arrears.ledger.models import Account
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


def post(client: Client, path: str, body: dict[str, Any]) -> Any:
    return client.post(path, data=json.dumps(body), content_type="application/json")


@pytest.fixture
def w() -> dict[str, Any]:
    lead = staff(Role.TEAM_LEAD)
    team = team_with_queue(lead=lead)
    collector = staff(team=team)
    [case] = delinquent_customers(1, through=TODAY)
    AuthorityRule.objects.create(role=Role.COLLECTOR, kind="late_fee_waiver", max_amount_fen=200)
    AuthorityRule.objects.create(role=Role.TEAM_LEAD, kind="late_fee_waiver", max_amount_fen=1000)
    return {"case": case, "collector": collector, "lead": lead}


WAIVER = {"kind": "late_fee_waiver", "reason": "illness", "evidence": "hospital certificate"}


class TestConcessionsApi:
    def test_within_authority_it_is_granted_with_its_summary(self, w: dict[str, Any]) -> None:
        r = post(login(w["collector"]), f"/api/v1/cases/{w['case'].pk}/concessions", {**WAIVER, "amount": "2.00"})
        assert r.status_code == 201, r.content
        body = r.json()
        assert body["status"] == "applied" and body["amount"] == "2.00" and body["approval"] is None
        assert "违约金 2.00 元" in body["summary"]["zh-hans"]

    def test_above_authority_the_lead_decides_in_the_inbox(self, w: dict[str, Any]) -> None:
        r = post(login(w["collector"]), f"/api/v1/cases/{w['case'].pk}/concessions", {**WAIVER, "amount": "5.00"})
        assert r.status_code == 202 and r.json()["status"] == "pending"
        approval_id = r.json()["approval"]

        mine = login(w["collector"])
        assert mine.get("/api/v1/approvals").json() == []
        own = post(mine, f"/api/v1/approvals/{approval_id}/decision", {"decision": "approve"})
        assert own.status_code == 403 and own.json()["code"] == "not_permitted"

        lead = login(w["lead"])
        assert [a["id"] for a in lead.get("/api/v1/approvals").json()] == [approval_id]
        r = post(lead, f"/api/v1/approvals/{approval_id}/decision", {"decision": "approve", "comment": "seen"})
        assert r.status_code == 200 and r.json()["status"] == "approved"
        assert r.json()["concession"]["status"] == "applied"
        assert Account.objects.get(customer=w["case"].customer).fees_fen == 0

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({**WAIVER, "amount": "-1.00"}, "amount"),
            ({**WAIVER, "amount": "6.00"}, "amount"),  # the fee is 5.00
            ({**WAIVER, "amount": "abc"}, "amount"),
            ({**WAIVER, "kind": "extension", "days": 0}, "days"),
            ({**WAIVER, "kind": "extension", "days": 365}, "days"),
            ({**WAIVER, "reason": ""}, "reason"),
            ({"kind": "late_fee_waiver", "reason": "illness"}, "evidence"),
        ],
    )
    def test_bad_input_is_refused_naming_the_field(self, w: dict[str, Any], body: dict[str, Any], field: str) -> None:
        r = post(login(w["collector"]), f"/api/v1/cases/{w['case'].pk}/concessions", body)
        assert r.status_code == 422, r.content
        assert r.json()["field"] == field and r.json()["message"]
        assert Concession.objects.count() == 0 and ApprovalRequest.objects.count() == 0
        assert Account.objects.get(customer=w["case"].customer).fees_fen == 500

    def test_an_unknown_case_is_not_found(self, w: dict[str, Any]) -> None:
        r = post(login(w["collector"]), "/api/v1/cases/999999/concessions", {**WAIVER, "amount": "1.00"})
        assert r.status_code == 404 and r.json()["field"] == "case"

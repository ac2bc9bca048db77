"""The workbench API: next account, contacts, promises, situation, reassignment; who may see what."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client

from arrears.audit.models import AuditEntry
from arrears.cases.models import Case, CaseStatus
from arrears.contacts.models import Contact, FinancialSituation
from arrears.cycle.business_date import open_date
from arrears.people.models import ApiToken, Role
from arrears.promises.models import Promise
from tests.collections_factories import PASSWORD, delinquent_customers, staff, team_with_queue

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 5, 3)


@pytest.fixture(autouse=True)
def _business_today(db: None) -> None:
    """The bank is on TODAY, the business date these cases live in."""
    open_date(TODAY)


def login(user: Any) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def post(client: Client, path: str, body: dict[str, Any], **extra: Any) -> Any:
    return client.post(path, data=json.dumps(body), content_type="application/json", **extra)


@pytest.fixture
def shift() -> dict[str, Any]:
    team = team_with_queue()
    collector = staff(team=team)
    other_team = team_with_queue()
    outsider = staff(team=other_team)
    cases = delinquent_customers(2, through=TODAY)
    return {"team": team, "collector": collector, "outsider": outsider, "cases": cases}


class TestNextAccount:
    def test_leases_the_most_urgent_case_until_its_outcome_is_recorded(self, shift: dict[str, Any]) -> None:
        client = login(shift["collector"])
        first = client.post("/api/v1/workbench/next").json()
        # Same bucket, so the larger balance (the second customer's 1100.00) is the more urgent.
        assert first["id"] == shift["cases"][1].pk
        assert client.post("/api/v1/workbench/next").json()["id"] == first["id"]  # no skipping a leased case
        post(
            client,
            f"/api/v1/cases/{first['id']}/contacts",
            {"channel": "phone", "party": "none", "result": "no_answer"},
        )
        assert client.post("/api/v1/workbench/next").json()["id"] == shift["cases"][0].pk

    def test_answers_204_when_nothing_is_waiting(self, shift: dict[str, Any]) -> None:
        client = login(shift["outsider"])
        assert client.post("/api/v1/workbench/next").status_code == 204

    def test_recording_the_outcome_ends_the_lease(self, shift: dict[str, Any]) -> None:
        client = login(shift["collector"])
        case_id = client.post("/api/v1/workbench/next").json()["id"]
        response = post(
            client,
            f"/api/v1/cases/{case_id}/contacts",
            {
                "channel": "phone",
                "party": "cardholder",
                "result": "right_party_contact",
                "disposition": "promise",
                "duration_seconds": 120,
                "notes": "will pay Friday",
            },
        )
        assert response.status_code == 201, response.content
        assert Case.objects.get(pk=case_id).lease_holder is None


class TestPromises:
    def test_takes_a_promise_within_policy_and_marks_the_case_promised(self, shift: dict[str, Any]) -> None:
        case = shift["cases"][0]
        client = login(shift["collector"])
        response = post(
            client, f"/api/v1/cases/{case.pk}/promises", {"amount": "100.00", "promised_date": "2026-05-08"}
        )
        assert response.status_code == 201, response.content
        assert Case.objects.get(pk=case.pk).status == CaseStatus.PROMISED

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"amount": "100.00", "promised_date": "2026-06-30"}, "promised_date"),  # past the 14-day horizon
            ({"amount": "100.00", "promised_date": "2026-05-01"}, "promised_date"),  # in the past
            ({"amount": "-5.00", "promised_date": "2026-05-08"}, "amount"),
            ({"amount": "10.00", "promised_date": "2026-05-08"}, "amount"),  # under half the past-due amount
            ({"amount": "12.345", "promised_date": "2026-05-08"}, "amount"),
        ],
    )
    def test_refuses_a_promise_outside_policy_naming_the_field(
        self, shift: dict[str, Any], body: dict[str, str], field: str
    ) -> None:
        case = shift["cases"][0]
        client = login(shift["collector"])
        before = (Promise.objects.count(), AuditEntry.objects.count())
        response = post(client, f"/api/v1/cases/{case.pk}/promises", body)
        assert response.status_code == 422
        assert response.json()["field"] == field
        assert (Promise.objects.count(), AuditEntry.objects.count()) == before


class TestBadInput:
    def test_a_contact_without_a_result_is_refused_naming_the_field(self, shift: dict[str, Any]) -> None:
        case = shift["cases"][0]
        client = login(shift["collector"])
        response = post(client, f"/api/v1/cases/{case.pk}/contacts", {"channel": "phone", "party": "cardholder"})
        assert response.status_code == 422
        assert response.json()["field"] == "result"
        assert Contact.objects.count() == 0

    def test_an_unknown_result_is_refused(self, shift: dict[str, Any]) -> None:
        client = login(shift["collector"])
        response = post(
            client,
            f"/api/v1/cases/{shift['cases'][0].pk}/contacts",
            {"channel": "phone", "party": "cardholder", "result": "shouted"},
        )
        assert (response.status_code, response.json()["field"]) == (422, "result")
        assert Contact.objects.count() == 0

    def test_an_unknown_case_is_not_found(self, shift: dict[str, Any]) -> None:
        client = login(shift["collector"])
        response = post(
            client, "/api/v1/cases/999999/contacts", {"channel": "phone", "party": "cardholder", "result": "no_answer"}
        )
        assert response.status_code == 404
        assert response.json()["field"] == "case"

    def test_a_negative_income_is_refused(self, shift: dict[str, Any]) -> None:
        client = login(shift["collector"])
        response = post(
            client,
            f"/api/v1/cases/{shift['cases'][0].pk}/situation",
            {"monthly_income": "-1.00", "monthly_expenses": "100.00", "ability": "able", "willingness": "willing"},
        )
        assert (response.status_code, response.json()["field"]) == (422, "monthly_income")
        assert FinancialSituation.objects.count() == 0


class TestAuthorization:
    def test_a_collector_cannot_open_another_teams_case_by_guessing_its_id(self, shift: dict[str, Any]) -> None:
        client = login(shift["outsider"])
        case = shift["cases"][0]
        assert client.get(f"/api/v1/cases/{case.pk}").status_code == 404
        assert client.get(f"/cases/{case.pk}/").status_code == 404
        account = case.customer.accounts.get()
        assert client.get(f"/api/v1/accounts/{account.ref}").status_code == 404
        assert client.get(f"/accounts/{account.ref}/").status_code == 404
        response = post(
            client,
            f"/api/v1/cases/{case.pk}/contacts",
            {"channel": "phone", "party": "cardholder", "result": "no_answer"},
        )
        assert response.status_code == 404
        assert client.get("/api/v1/cases").json() == []

    def test_an_unauthenticated_request_gets_nothing(self, shift: dict[str, Any]) -> None:
        client = Client()
        case = shift["cases"][0]
        assert client.get(f"/api/v1/cases/{case.pk}").status_code == 401
        assert client.post("/api/v1/workbench/next").status_code == 401
        assert client.get("/api/v1/cases").status_code == 401
        page = client.get(f"/cases/{case.pk}/")
        assert page.status_code == 302 and "/login/" in page["Location"]

    def test_a_bearer_token_authenticates_and_a_wrong_one_does_not(self, shift: dict[str, Any]) -> None:
        _, token = ApiToken.issue(user=shift["collector"], name="dialer")
        client = Client()
        ok = client.get("/api/v1/cases", HTTP_AUTHORIZATION=f"Bearer {token}")
        assert ok.status_code == 200 and len(ok.json()) == 2
        assert client.get("/api/v1/cases", HTTP_AUTHORIZATION="Bearer nope").status_code == 401

    def test_only_a_lead_reassigns(self, shift: dict[str, Any]) -> None:
        collector_client = login(shift["collector"])
        body = {"cases": [shift["cases"][0].pk], "collector": shift["collector"].username}
        assert post(collector_client, "/api/v1/cases/reassign", body).status_code == 403

    def test_every_role_sees_the_national_id_masked_and_customer_service_reveals_it_whole(
        self, shift: dict[str, Any]
    ) -> None:
        case = shift["cases"][0]
        case.customer.national_id = "110105199001011234"
        case.customer.save()
        masked = login(shift["collector"]).get(f"/cases/{case.pk}/").content.decode()
        assert "110***********1234" in masked and "110105199001011234" not in masked
        service = staff(Role.CUSTOMER_SERVICE)
        client = login(service)
        page = client.get(f"/cases/{case.pk}/").content.decode()
        assert "110***********1234" in page and "110105199001011234" not in page
        ref = case.customer.accounts.get().ref
        whole = client.post(f"/accounts/{ref}/reveal/", {"field": "national_id", "reason": "核实身份"})
        assert "110105199001011234" in whole.content.decode()
        views = AuditEntry.objects.filter(action="customer.view", object_id=str(case.customer_id))
        assert set(views.values_list("actor", flat=True)) == {shift["collector"].username, service.username}
        assert AuditEntry.objects.get(action="personal_data.reveal").actor == service.username


class TestReassign:
    def test_a_lead_reassigns_cases_to_a_collector_of_the_team(self, shift: dict[str, Any]) -> None:
        lead = staff(Role.TEAM_LEAD)
        team = shift["team"]
        team.lead = lead
        team.save()
        team.members.add(lead)
        newcomer = staff(team=team)
        ids = [c.pk for c in shift["cases"]]
        response = post(login(lead), "/api/v1/cases/reassign", {"cases": ids, "collector": newcomer.username})
        assert response.status_code == 200, response.content
        assert set(Case.objects.filter(pk__in=ids).values_list("collector", flat=True)) == {newcomer.pk}
        assert AuditEntry.objects.filter(action="case.reassign").count() == 2

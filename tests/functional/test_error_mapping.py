"""One mapping of errors: through the real API every refusal is JSON {code, field, message} with the status
its kind declares (401, 403, 404, 409, 422), unknown /api/ paths included; pages word errors by code in
their language, with the field's translated label."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from arrears.concessions.models import Concession
from arrears.cycle import business_date
from arrears.payments.models import Payment
from arrears.people.models import ApiToken, Role
from tests.collections_factories import PASSWORD, delinquent_customers, staff, team_with_queue

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 5, 3)
SHAPE = {"code", "field", "message"}


@pytest.fixture(autouse=True)
def _business_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(business_date, "current", lambda: TODAY)


@pytest.fixture
def w() -> dict[str, Any]:
    lead = staff(Role.TEAM_LEAD)
    team = team_with_queue(lead=lead)
    collector = staff(team=team)
    outsider = staff(team=team_with_queue())
    (case,) = delinquent_customers(1, through=TODAY)
    return {"lead": lead, "collector": collector, "outsider": outsider, "case": case}


def login(user: Any) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def post(client: Client, path: str, body: dict[str, Any], **extra: Any) -> Any:
    return client.post(path, data=json.dumps(body), content_type="application/json", **extra)


def error_of(response: Any, status: int) -> dict[str, Any]:
    """The body of an error response, checked for its status, its JSON and its shape."""
    assert response.status_code == status, (response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) >= SHAPE and isinstance(body["code"], str) and body["message"]
    return body


class TestStatuses:
    def test_nobody_signed_in_is_a_401_in_the_error_shape(self, w: dict[str, Any]) -> None:
        body = error_of(Client().get(f"/api/v1/cases/{w['case'].pk}"), 401)
        assert (body["code"], body["field"]) == ("not_authenticated", None)

    def test_an_unknown_bearer_token_is_a_401_and_a_known_one_is_served(self, w: dict[str, Any]) -> None:
        _, token = ApiToken.issue(user=w["collector"], name="dialer")
        refused = Client().get("/api/v1/cases", HTTP_AUTHORIZATION="Bearer nope")
        assert error_of(refused, 401)["code"] == "not_authenticated"
        assert Client().get("/api/v1/cases", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200

    def test_a_collector_reassigning_is_a_403_and_the_lead_is_served(self, w: dict[str, Any]) -> None:
        body = {"cases": [w["case"].pk], "collector": w["collector"].username}
        refused = error_of(post(login(w["collector"]), "/api/v1/cases/reassign", body), 403)
        assert refused["code"] == "not_permitted"
        allowed = post(login(w["lead"]), "/api/v1/cases/reassign", body)
        assert (allowed.status_code, allowed.json()) == (200, {"reassigned": 1})

    def test_another_teams_case_is_a_404_like_an_unknown_one_and_its_own_team_is_served(
        self, w: dict[str, Any]
    ) -> None:
        case = w["case"]
        hidden = error_of(login(w["outsider"]).get(f"/api/v1/cases/{case.pk}"), 404)
        unknown = error_of(login(w["outsider"]).get("/api/v1/cases/999999"), 404)
        assert (hidden["code"], hidden["field"]) == (unknown["code"], unknown["field"]) == ("not_found", "case")
        assert login(w["collector"]).get(f"/api/v1/cases/{case.pk}").status_code == 200

    def test_a_payment_reference_used_twice_is_a_409(self, w: dict[str, Any]) -> None:
        w["collector"].user_permissions.add(Permission.objects.get(codename="add_payment"))
        client = login(w["collector"])
        number = w["case"].customer.accounts.get().number
        payment = {"account": number, "amount": "10.00", "reference": "BANK-1"}
        assert post(client, "/api/v1/payments", payment).status_code == 201
        body = error_of(post(client, "/api/v1/payments", payment), 409)
        assert (body["code"], body["field"]) == ("duplicate", "reference")
        assert Payment.objects.filter(reference="BANK-1").count() == 1

    def test_a_domain_refusal_is_a_422_naming_the_field_with_its_code(self, w: dict[str, Any]) -> None:
        promise = {"amount": "100.00", "promised_date": "2026-05-01"}
        body = error_of(post(login(w["collector"]), f"/api/v1/cases/{w['case'].pk}/promises", promise), 422)
        assert (body["code"], body["field"]) == ("must_not_be_past", "promised_date")

    def test_a_bad_amount_is_a_422_from_the_amount_error_itself(self, w: dict[str, Any]) -> None:
        promise = {"amount": "12.345", "promised_date": "2026-05-08"}
        body = error_of(post(login(w["collector"]), f"/api/v1/cases/{w['case'].pk}/promises", promise), 422)
        assert (body["code"], body["field"]) == ("too_many_decimals", "amount")

    def test_a_schema_error_is_a_422_in_the_same_shape(self, w: dict[str, Any]) -> None:
        promise = {"amount": "100.00", "promised_date": "not a date"}
        body = error_of(post(login(w["collector"]), f"/api/v1/cases/{w['case'].pk}/promises", promise), 422)
        assert (body["code"], body["field"]) == ("validation_failed", "promised_date")


class TestUnknownPaths:
    @pytest.mark.parametrize("path", ["/api/v1/nope", "/api/v1/cases/1/nothing-here", "/api/", "/api/v2/cases"])
    def test_an_unknown_api_path_is_a_json_404_never_the_html_page(self, path: str) -> None:
        body = error_of(Client().get(path, HTTP_ACCEPT="text/html"), 404)
        assert body["code"] == "not_found"
        assert error_of(Client().post(path, data="{}", content_type="application/json"), 404)["code"] == "not_found"

    def test_a_page_path_outside_the_api_is_still_the_html_404(self, w: dict[str, Any]) -> None:
        response = login(w["collector"]).get("/no-such-page/")
        assert response.status_code == 404 and not response["Content-Type"].startswith("application/json")


class TestOpenApi:
    def test_every_operation_declares_401_and_with_input_422_in_the_error_shape(self, w: dict[str, Any]) -> None:
        document = login(w["collector"]).get("/api/openapi.json").json()
        schemas = document["components"]["schemas"]
        assert set(schemas["ErrorOut"]["properties"]) == SHAPE

        def in_error_shape(response: dict[str, Any]) -> bool:
            ref = response.get("content", {}).get("application/json", {}).get("schema", {}).get("$ref", "")
            return set(schemas.get(ref.rsplit("/", 1)[-1], {}).get("properties", {})) >= SHAPE

        missing = []
        for path, item in document["paths"].items():
            for method, operation in item.items():
                declared = {s for s, r in operation["responses"].items() if s.startswith("4") and in_error_shape(r)}
                takes_input = bool(operation.get("parameters") or operation.get("requestBody"))
                if "401" not in declared or (takes_input and "422" not in declared):
                    missing.append((method, path, sorted(declared)))
        assert len(document["paths"]) > 20 and missing == []


class TestPages:
    def test_a_plan_form_error_is_worded_in_chinese_with_the_fields_chinese_label(self, w: dict[str, Any]) -> None:
        form = {"account": "", "method": "equal_payment", "instalments": "12", "first_due_date": "soon"}
        page = login(w["collector"]).post(f"/cases/{w['case'].pk}/plans/quote/", form).content.decode()
        assert "首期到期还款日：请按 2026-06-15 的格式填写日期" in page
        assert "first_due_date" not in page.split('id="quote-error"')[1].split("</p>")[0]

    def test_the_same_error_is_in_english_on_an_english_page(self, w: dict[str, Any]) -> None:
        form = {"account": "", "method": "equal_payment", "instalments": "12", "first_due_date": "soon"}
        page = login(w["collector"]).post(f"/en/cases/{w['case'].pk}/plans/quote/", form).content.decode()
        error = page.split('id="quote-error">')[1].split("</p>")[0]
        assert error == "First due date: give a date like 2026-06-15"

    def test_a_bad_amount_on_the_concession_form_is_worded_by_its_code_in_each_language(
        self, w: dict[str, Any]
    ) -> None:
        form = {"kind": "late_fee_waiver", "amount": "abc", "reason": "illness", "evidence": "x"}
        client = login(w["collector"])
        chinese = client.post(f"/cases/{w['case'].pk}/concessions/", form, follow=True).content.decode()
        english = client.post(f"/en/cases/{w['case'].pk}/concessions/", form, follow=True).content.decode()
        assert "金额：不是数字" in chinese and "is not a number" not in chinese
        assert "Amount: not a number — &#x27;abc&#x27; is not a number" in english
        assert Concession.objects.count() == 0

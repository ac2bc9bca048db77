"""Ordinary bad input to the API is a JSON error with a stable code, never a server error: out-of-range
query parameters, bodies that are not JSON or cannot be read, methods a path does not serve, oversized
bodies, dates whose arithmetic would overflow, integers beyond 64 bits, over-long strings. Each was a 500
(or an HTML page) found by the probe or by the schemathesis run; nothing is written by any of them."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client

from arrears.audit.models import AuditEntry
from arrears.contacts.models import Contact
from arrears.cycle.business_date import open_date
from arrears.people.models import ApiToken, Scope
from tests.collections_factories import PASSWORD, delinquent_customers, staff, team_with_queue
from tests.compliance_docs import cn_doc

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 5, 3)
SHAPE = {"code", "field", "message"}
BIG = 2**64 + 1


@pytest.fixture
def w() -> dict[str, Any]:
    open_date(TODAY)
    team = team_with_queue()
    collector = staff(team=team)
    (case,) = delinquent_customers(1, through=TODAY)
    _, token = ApiToken.issue(user=collector, name="probe", scopes=[Scope.READ, Scope.WRITE, Scope.APPROVE])
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    session = Client()
    assert session.login(username=collector.username, password=PASSWORD)
    return {"collector": collector, "case": case, "bearer": bearer, "session": session}


def refused(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, (response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = response.json()
    assert set(body) >= SHAPE and body["message"], body
    if code:
        assert body["code"] == code, body
    return body


def post_json(client: Client, path: str, body: Any, **extra: Any) -> Any:
    return client.post(path, data=json.dumps(body), content_type="application/json", **extra)


class TestQueryParameters:
    @pytest.mark.parametrize(
        "query", ["offset=-1", "limit=-1", "limit=0", "limit=100000", f"offset={BIG}", f"limit={BIG}", "offset=1e3"]
    )
    def test_a_page_out_of_range_is_a_422_naming_the_parameter(self, w: dict[str, Any], query: str) -> None:
        body = refused(Client().get(f"/api/v1/cases?{query}", **w["bearer"]), 422, "validation_failed")
        assert body["field"] == query.split("=")[0]

    def test_the_largest_page_and_a_far_offset_are_served(self, w: dict[str, Any]) -> None:
        assert Client().get("/api/v1/cases?limit=500&offset=10000000", **w["bearer"]).json() == []


class TestBodies:
    @pytest.mark.parametrize("door", ["bearer", "session"])
    def test_a_multipart_post_without_a_boundary_is_a_422_malformed_body(self, w: dict[str, Any], door: str) -> None:
        client, extra = (Client(), w["bearer"]) if door == "bearer" else (w["session"], {})
        response = client.post(
            f"/api/v1/cases/{w['case'].pk}/contacts", data=b"x", content_type="multipart/form-data", **extra
        )
        assert refused(response, 422, "malformed_body")["field"] == "body"
        assert Contact.objects.count() == 0

    @pytest.mark.parametrize("text", [b"{not json", b"\xff\xfe", b'{"channel": "phone",'])
    def test_a_body_that_is_not_json_is_a_422_malformed_body(self, w: dict[str, Any], text: bytes) -> None:
        response = Client().post(
            f"/api/v1/cases/{w['case'].pk}/contacts", data=text, content_type="application/json", **w["bearer"]
        )
        assert refused(response, 422, "malformed_body")["field"] == "body"

    def test_a_body_above_the_servers_limit_is_a_413(self, w: dict[str, Any], settings: Any) -> None:
        settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
        body = {"channel": "phone", "party": "none", "result": "no_answer", "notes": "x" * 2000}
        response = post_json(Client(), f"/api/v1/cases/{w['case'].pk}/contacts", body, **w["bearer"])
        assert refused(response, 413, "body_too_large")["field"] == "body"
        assert Contact.objects.count() == 0

    def test_an_over_long_string_is_a_422_naming_the_field(self, w: dict[str, Any]) -> None:
        body = {"channel": "phone", "party": "none", "result": "no_answer", "disposition": "x" * 5000}
        response = post_json(Client(), f"/api/v1/cases/{w['case'].pk}/contacts", body, **w["bearer"])
        assert refused(response, 422)["field"] == "disposition"
        assert Contact.objects.count() == 0

    @pytest.mark.parametrize(
        ("path", "body", "field"),
        [
            ("/api/v1/cases/reassign", {"cases": [BIG], "collector": "x"}, "cases.0"),
            (
                "/api/v1/cases/{case}/contacts",
                {"channel": "phone", "party": "none", "result": "no_answer", "corrects": BIG},
                "corrects",
            ),
            (
                "/api/v1/cases/{case}/contacts",
                {"channel": "phone", "party": "none", "result": "no_answer", "duration_seconds": BIG},
                "duration_seconds",
            ),
        ],
    )
    def test_an_integer_beyond_64_bits_in_a_body_is_a_422(
        self, w: dict[str, Any], path: str, body: dict[str, Any], field: str
    ) -> None:
        response = post_json(Client(), path.format(case=w["case"].pk), body, **w["bearer"])
        assert refused(response, 422)["field"] == field


class TestPaths:
    @pytest.mark.parametrize(
        "path",
        [
            f"/api/v1/cases/{BIG}",
            f"/api/v1/plans/{BIG}",
            f"/api/v1/approvals/{BIG}",
            f"/api/v1/plans/{BIG}/document",
        ],
    )
    def test_an_id_beyond_64_bits_is_answered_like_any_id_that_is_not_there(self, w: dict[str, Any], path: str) -> None:
        response = Client().get(path, **w["bearer"])
        assert response.status_code in (404, 422), response.content[:200]
        refused(response, response.status_code)

    def test_a_method_a_path_does_not_serve_is_a_json_405_with_allow(self, w: dict[str, Any]) -> None:
        response = Client().delete(f"/api/v1/cases/{w['case'].pk}", **w["bearer"])
        refused(response, 405, "method_not_allowed")
        assert response["Allow"] == "GET"

    def test_a_post_to_an_unknown_path_is_a_json_404_even_without_a_csrf_token(self, w: dict[str, Any]) -> None:
        client = Client(enforce_csrf_checks=True)
        refused(client.post("/api/v1/nowhere", data="{}", content_type="application/json"), 404, "not_found")


class TestDates:
    @pytest.mark.parametrize("at", ["9999-12-31T23:00:00+08:00", "0001-01-01T00:30:00+08:00"])
    def test_a_compliance_check_at_the_ends_of_the_calendar_is_a_422_naming_the_field(
        self, w: dict[str, Any], at: str
    ) -> None:
        response = post_json(Client(), "/api/v1/compliance/check", cn_doc(at=at), **w["bearer"])
        assert refused(response, 422)["field"] == "proposed.at"

    @pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
    def test_a_promise_plan_or_situation_dated_at_the_ends_of_the_calendar_is_a_422(
        self, w: dict[str, Any], day: str
    ) -> None:
        case = w["case"].pk
        account = w["case"].customer.accounts.get().number
        before = AuditEntry.objects.count()
        attempts = [
            (f"/api/v1/cases/{case}/promises", {"amount": "100.00", "promised_date": day}, "promised_date"),
            (
                f"/api/v1/cases/{case}/plans",
                {"account": account, "method": "equal_payment", "instalments": 6, "first_due_date": day},
                "first_due_date",
            ),
            (
                f"/api/v1/cases/{case}/situation",
                {
                    "monthly_income": "5000",
                    "monthly_expenses": "3000",
                    "ability": "able",
                    "willingness": "willing",
                    "hardship_expected_end": day,
                },
                "hardship_expected_end",
            ),
            (
                f"/api/v1/cases/{case}/concessions",
                {
                    "kind": "extension",
                    "reason": "illness",
                    "evidence": "x",
                    "days": 30,
                    "payments": [{"date": day, "amount": "1"}],
                },
                None,
            ),
            (
                "/api/v1/plans/quote",
                {"balance": "1000", "instalments": 6, "first_due_date": day, "method": "equal_payment"},
                "first_due_date",
            ),
        ]
        for path, body, field in attempts:
            response = post_json(Client(), path, body, **w["bearer"])
            assert response.status_code == 422, (path, response.status_code, response.content[:300])
            got = refused(response, 422)
            if field:
                assert got["field"] == field, (path, got)
        assert AuditEntry.objects.count() == before

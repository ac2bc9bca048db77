"""API authentication: bearer tokens write without CSRF, sessions keep it; tokens are scoped, expire, can be
revoked, record when they were last used, and are issued, revoked and listed by `arrears token`."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from arrears.audit.models import AuditEntry
from arrears.contacts.models import Contact
from arrears.cycle.business_date import open_date
from arrears.errors import Duplicate, ValidationFailed
from arrears.kernel import clock
from arrears.payments.models import Payment
from arrears.people.models import ApiToken, Scope
from arrears.people.operations import LAST_USED_EVERY, issue_token, revoke_token
from tests.collections_factories import PASSWORD, delinquent_customers, staff, team_with_queue
from tests.conftest import FROZEN_NOW

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 5, 3)
CONTACT = {"channel": "phone", "party": "none", "result": "no_answer"}


@pytest.fixture
def w() -> dict[str, Any]:
    open_date(TODAY)
    team = team_with_queue()
    collector = staff(team=team)
    (case,) = delinquent_customers(1, through=TODAY)
    return {"collector": collector, "case": case, "contacts": f"/api/v1/cases/{case.pk}/contacts"}


def bearer(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def post(client: Client, path: str, body: dict[str, Any], **extra: Any) -> Any:
    return client.post(path, data=json.dumps(body), content_type="application/json", **extra)


def error(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, (response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("application/json")
    body: dict[str, Any] = response.json()
    return body


def token_for(user: Any, *scopes: str, days: int = 30) -> str:
    _, token = issue_token(actor="test", user=user, name=f"t-{'-'.join(scopes)}", scopes=scopes, days=days)
    return token


def browser(user: Any) -> Client:
    client = Client(enforce_csrf_checks=True)
    assert client.login(username=user.username, password=PASSWORD)
    return client


class TestCsrf:
    def test_a_bearer_token_posts_without_a_csrf_token(self, w: dict[str, Any]) -> None:
        client = Client(enforce_csrf_checks=True)
        response = post(client, w["contacts"], CONTACT, **bearer(token_for(w["collector"], "read", "write")))
        assert response.status_code == 201, response.content
        assert Contact.objects.filter(case=w["case"]).count() == 1

    def test_a_session_post_without_the_csrf_token_is_a_403_csrf_failed_and_writes_nothing(
        self, w: dict[str, Any]
    ) -> None:
        body = error(post(browser(w["collector"]), w["contacts"], CONTACT), 403)
        assert body["code"] == "csrf_failed"
        assert Contact.objects.count() == 0

    def test_a_session_post_with_the_csrf_token_is_served(self, w: dict[str, Any]) -> None:
        client = browser(w["collector"])
        client.get("/work/")  # the page sets the CSRF cookie, as a browser would get it
        csrf = client.cookies["csrftoken"].value
        response = post(client, w["contacts"], CONTACT, HTTP_X_CSRFTOKEN=csrf)
        assert response.status_code == 201, response.content

    def test_a_session_get_needs_no_csrf_token(self, w: dict[str, Any]) -> None:
        assert browser(w["collector"]).get("/api/v1/cases").status_code == 200

    def test_a_bad_token_is_a_401_even_with_a_signed_in_session(self, w: dict[str, Any]) -> None:
        client = browser(w["collector"])
        assert error(client.get("/api/v1/cases", **bearer("arr_forged")), 401)["code"] == "not_authenticated"
        response = client.get("/api/v1/cases", HTTP_AUTHORIZATION="Basic dXNlcjpwYXNz")
        assert error(response, 401)["code"] == "not_authenticated"
        assert response["WWW-Authenticate"] == 'Bearer realm="arrears"'

    def test_a_token_acts_as_its_own_user_not_the_sessions(self, w: dict[str, Any]) -> None:
        outsider = staff(team=team_with_queue())
        client = browser(w["collector"])
        assert len(client.get("/api/v1/cases").json()) == 1
        assert client.get("/api/v1/cases", **bearer(token_for(outsider, "read"))).json() == []


class TestScopes:
    def test_a_read_token_reads_and_is_refused_a_write_naming_the_scope(self, w: dict[str, Any]) -> None:
        token = token_for(w["collector"], "read")
        assert Client().get("/api/v1/cases", **bearer(token)).status_code == 200
        body = error(post(Client(), w["contacts"], CONTACT, **bearer(token)), 403)
        assert (body["code"], body["field"]) == ("scope_missing", "scope")
        assert "'write'" in body["message"]
        assert Contact.objects.count() == 0

    def test_a_write_token_without_read_cannot_read(self, w: dict[str, Any]) -> None:
        body = error(Client().get("/api/v1/cases", **bearer(token_for(w["collector"], "write"))), 403)
        assert body["code"] == "scope_missing" and "'read'" in body["message"]

    def test_a_scope_is_checked_before_the_body_so_a_token_learns_nothing_of_what_it_may_not_do(
        self, w: dict[str, Any]
    ) -> None:
        response = post(Client(), w["contacts"], {"nonsense": True}, **bearer(token_for(w["collector"], "read")))
        assert error(response, 403)["code"] == "scope_missing"

    def test_posting_a_payment_needs_the_payments_scope_besides_the_permission(self, w: dict[str, Any]) -> None:
        w["collector"].user_permissions.add(Permission.objects.get(codename="add_payment"))
        payment = {"account": w["case"].customer.accounts.get().number, "amount": "10.00", "reference": "TOK-1"}
        refused = post(Client(), "/api/v1/payments", payment, **bearer(token_for(w["collector"], "read", "write")))
        assert error(refused, 403)["code"] == "scope_missing" and "'payments'" in refused.json()["message"]
        allowed = post(Client(), "/api/v1/payments", payment, **bearer(token_for(w["collector"], "payments")))
        assert allowed.status_code == 201, allowed.content
        assert Payment.objects.filter(reference="TOK-1").count() == 1

    def test_a_scope_never_adds_a_right_the_role_lacks(self, w: dict[str, Any]) -> None:
        token = token_for(w["collector"], "payments")
        payment = {"account": w["case"].customer.accounts.get().number, "amount": "10.00", "reference": "TOK-2"}
        assert error(post(Client(), "/api/v1/payments", payment, **bearer(token)), 403)["code"] == "not_permitted"

    def test_deciding_an_approval_needs_the_approve_scope(self, w: dict[str, Any]) -> None:
        path = "/api/v1/approvals/1/decision"
        body = {"decision": "approve"}
        refused = post(Client(), path, body, **bearer(token_for(w["collector"], "read", "write")))
        assert error(refused, 403)["code"] == "scope_missing"
        allowed = post(Client(), path, body, **bearer(token_for(w["collector"], "approve")))
        assert error(allowed, 404)["code"] == "not_found"  # past the scope; there is no such request

    def test_a_compliance_check_and_a_plan_quote_write_nothing_so_read_is_enough(self, w: dict[str, Any]) -> None:
        token = token_for(w["collector"], "read")
        quote = {
            "balance": "1200.00",
            "instalments": 6,
            "first_due_date": "2026-06-15",
            "method": "equal_principal",
            "annual_rate": "0.12",
        }
        assert post(Client(), "/api/v1/plans/quote", quote, **bearer(token)).status_code == 200
        checked = post(Client(), "/api/v1/compliance/check", {}, **bearer(token))
        assert error(checked, 422)["code"] == "validation_failed"  # past the scope, refused for its body

    def test_a_session_is_not_scoped(self, w: dict[str, Any]) -> None:
        client = Client()  # the test client's session skips CSRF, as a page's own form post would pass it
        assert client.login(username=w["collector"].username, password=PASSWORD)
        assert post(client, w["contacts"], CONTACT).status_code == 201


class TestExpiryAndRevocation:
    def test_a_token_expires_after_its_lifetime(self, w: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
        token = token_for(w["collector"], "read", days=30)
        monkeypatch.setattr(clock, "now", lambda: FROZEN_NOW + dt.timedelta(days=30, seconds=-1))
        assert Client().get("/api/v1/cases", **bearer(token)).status_code == 200
        monkeypatch.setattr(clock, "now", lambda: FROZEN_NOW + dt.timedelta(days=30))
        assert error(Client().get("/api/v1/cases", **bearer(token)), 401)["code"] == "token_expired"

    def test_a_new_token_lives_the_default_lifetime(self, w: dict[str, Any], settings: Any) -> None:
        settings.ARREARS_API_TOKEN_DAYS = 90
        row, _ = issue_token(actor="test", user=w["collector"], name="default", scopes=["read"])
        assert row.expires_at == FROZEN_NOW + dt.timedelta(days=90)

    def test_a_revoked_token_is_a_401_at_once(self, w: dict[str, Any]) -> None:
        token = token_for(w["collector"], "read")
        assert Client().get("/api/v1/cases", **bearer(token)).status_code == 200
        revoke_token(actor="test", name="t-read")
        assert error(Client().get("/api/v1/cases", **bearer(token)), 401)["code"] == "token_revoked"

    def test_the_token_of_a_deactivated_user_is_a_401(self, w: dict[str, Any]) -> None:
        token = token_for(w["collector"], "read")
        w["collector"].is_active = False
        w["collector"].save()
        assert error(Client().get("/api/v1/cases", **bearer(token)), 401)["code"] == "not_authenticated"


class TestLastUsed:
    def test_last_used_is_recorded_and_rewritten_at_most_every_few_minutes(
        self, w: dict[str, Any], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        token = token_for(w["collector"], "read")
        row = ApiToken.objects.get(name="t-read")
        assert row.last_used_at is None
        Client().get("/api/v1/cases", **bearer(token))
        row.refresh_from_db()
        assert row.last_used_at == FROZEN_NOW
        later = FROZEN_NOW + LAST_USED_EVERY - dt.timedelta(seconds=1)
        monkeypatch.setattr(clock, "now", lambda: later)
        Client().get("/api/v1/cases", **bearer(token))
        row.refresh_from_db()
        assert row.last_used_at == FROZEN_NOW
        monkeypatch.setattr(clock, "now", lambda: FROZEN_NOW + LAST_USED_EVERY)
        Client().get("/api/v1/cases", **bearer(token))
        row.refresh_from_db()
        assert row.last_used_at == FROZEN_NOW + LAST_USED_EVERY


class TestIssuing:
    @pytest.mark.parametrize(
        ("changes", "field", "code"),
        [
            ({"scopes": ["read", "admin"]}, "scopes", "not_a_choice"),
            ({"scopes": []}, "scopes", "required"),
            ({"days": 0}, "days", "out_of_range"),
            ({"days": 366}, "days", "out_of_range"),
            ({"name": " "}, "name", "required"),
        ],
    )
    def test_a_bad_request_for_a_token_names_the_field_and_issues_nothing(
        self, w: dict[str, Any], changes: dict[str, Any], field: str, code: str
    ) -> None:
        request = {"actor": "test", "user": w["collector"], "name": "dialer", "scopes": ["read"], "days": 30} | changes
        with pytest.raises(ValidationFailed) as refused:
            issue_token(**request)
        assert (refused.value.field, refused.value.code) == (field, code)
        assert ApiToken.objects.count() == 0

    def test_a_user_has_one_live_token_of_a_name(self, w: dict[str, Any]) -> None:
        token_for(w["collector"], "read")
        with pytest.raises(Duplicate):
            token_for(w["collector"], "read")
        revoke_token(actor="test", name="t-read")
        token_for(w["collector"], "read")

    def test_issuing_and_revoking_are_audited_without_the_secret(self, w: dict[str, Any]) -> None:
        row, token = issue_token(actor="ops", user=w["collector"], name="dialer", scopes=["read", "write"], days=30)
        revoke_token(actor="ops", token_id=row.pk)
        issued, revoked = AuditEntry.objects.filter(object_type="api_token").order_by("id")
        assert (issued.action, issued.actor, issued.object_id) == ("api_token.issue", "ops", str(row.pk))
        assert issued.after["scopes"] == ["read", "write"] and issued.after["user"] == w["collector"].username
        assert revoked.action == "api_token.revoke"
        assert token not in json.dumps([issued.after, revoked.after]) and row.digest not in json.dumps(issued.after)


class TestCommand:
    def run(self, *args: str) -> str:
        out = io.StringIO()
        call_command("token", *args, stdout=out)
        return out.getvalue()

    def test_issue_prints_the_token_once_and_it_works(self, w: dict[str, Any]) -> None:
        name = w["collector"].username
        printed = self.run("issue", "--user", name, "--name", "dialer", "--scopes", "read,write", "--days", "30")
        token = printed.strip().splitlines()[-1]
        assert token.startswith("arr_")
        row = ApiToken.objects.get(name="dialer")
        assert row.scopes == ["read", "write"] and row.expires_at == FROZEN_NOW + dt.timedelta(days=30)
        assert post(Client(), w["contacts"], CONTACT, **bearer(token)).status_code == 201

    def test_list_shows_the_tokens_state_but_never_a_token(self, w: dict[str, Any]) -> None:
        name = w["collector"].username
        token = self.run("issue", "--user", name, "--name", "dialer").strip().splitlines()[-1]
        self.run("issue", "--user", name, "--name", "report")
        self.run("revoke", "--name", "report")
        listing = self.run("list")
        assert token not in listing and ApiToken.objects.get(name="dialer").digest not in listing
        rows = [line.split("\t") for line in listing.strip().splitlines()[1:]]
        assert [(r[2], r[3], r[4]) for r in rows] == [("dialer", "read", "live"), ("report", "read", "revoked")]

    def test_revoke_by_id_and_refusals_name_what_is_wrong(self, w: dict[str, Any]) -> None:
        name = w["collector"].username
        self.run("issue", "--user", name, "--name", "dialer")
        row = ApiToken.objects.get()
        assert f"revoked token {row.pk}" in self.run("revoke", "--id", str(row.pk))
        with pytest.raises(CommandError, match="not_found"):
            self.run("revoke", "--id", str(row.pk))
        with pytest.raises(CommandError, match="scopes"):
            self.run("issue", "--user", name, "--name", "x", "--scopes", "read,root")
        with pytest.raises(CommandError, match="no user"):
            self.run("issue", "--user", "nobody", "--name", "x")
        assert Scope.READ in ApiToken.objects.get().scopes


class TestDocumentation:
    def test_the_note_lists_every_operation_with_the_scope_the_code_requires(self) -> None:
        from arrears.interfaces.api.v1 import api

        document = api.get_openapi_schema(path_prefix="/api/")
        in_code = {
            (method.upper(), path, operation["x-token-scope"])
            for path, item in document["paths"].items()
            for method, operation in item.items()
            if not re.match(r"^/api/v1/(outreach|gateway|card-host)/", path)
        }
        note = (Path(__file__).resolve().parents[2] / "docs" / "api.md").read_text(encoding="utf-8")
        rows = re.findall(r"^\| (GET|POST|PUT|PATCH|DELETE) \| `([^`]+)` \| (\w+) \|", note, flags=re.M)
        assert len(in_code) > 20 and set(rows) == in_code

    def test_every_operation_declares_the_errors_any_request_may_meet(self) -> None:
        from arrears.interfaces.api.v1 import api

        for path, item in api.get_openapi_schema(path_prefix="/api/")["paths"].items():
            for method, operation in item.items():
                declared = {str(status) for status in operation["responses"]}
                common = {"401", "403"} if method == "get" else {"401", "403", "413", "422"}
                assert declared >= common, (method, path, declared)
                assert len(declared) == len(operation["responses"]), (method, path)  # no status twice

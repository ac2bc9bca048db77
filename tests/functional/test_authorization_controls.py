"""Every refusal the suite checks (404 for a case that is not yours, 403 for a role that may not,
401 for nobody logged in, 404 for an unknown id) next to its positive control: the same request by
a user who may make it succeeds. A route that refused everybody would pass the refusal tests in
test_workbench_api.py, test_concessions_api.py, test_handoffs_and_callbacks.py and
test_compliance_overrides.py; it fails here.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from arrears.cases.models import Case
from arrears.concessions.models import AuthorityRule
from arrears.contacts.operations import hand_off
from arrears.cycle.runner import run_date
from arrears.people.models import Role
from tests.collections_factories import PASSWORD, staff, team_with_queue
from tests.factories import make_account, make_product, purchase

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 3, 26)
OVERRIDES_ADD = "/admin/compliance/packoverrides/add/"
CONTACT = {"channel": "phone", "party": "cardholder", "result": "no_answer"}
WAIVER = {"kind": "late_fee_waiver", "reason": "illness", "evidence": "hospital certificate", "amount": "1.00"}


@pytest.fixture(autouse=True)
def _business_today(monkeypatch: pytest.MonkeyPatch) -> None:
    from arrears.cycle import business_date

    monkeypatch.setattr(business_date, "current", lambda: TODAY)


@pytest.fixture(autouse=True)
def _fast_password_hashes(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # seven users per test


@pytest.fixture
def world() -> dict[str, Any]:
    """Team A's collector works the one case; team B's collector does not; A's lead leads A."""
    lead = staff(Role.TEAM_LEAD)
    team = team_with_queue(lead=lead)
    collector = staff(team=team)
    outsider = staff(team=team_with_queue())
    account = make_account(product=make_product(due_days_after_statement=18), statement_day=7)
    purchase(account, dt.date(2026, 3, 1), "1000.00")
    run_date(dt.date(2026, 3, 7))  # statement: minimum 100.00 due 03-25
    run_date(TODAY)  # unpaid: late fee, DPD 1, the case opens and goes to team A's collector
    case = Case.objects.get(customer=account.customer)
    assert Case.objects.get(pk=case.pk).collector == collector
    AuthorityRule.objects.create(role=Role.COLLECTOR, kind="late_fee_waiver", max_amount_fen=200)
    hand_off(user=collector, case=case, to_role="customer_service", comment="客户质疑违约金")
    officer, staff_collector = staff(Role.COMPLIANCE_OFFICER), staff(Role.COLLECTOR)
    for user in (officer, staff_collector):
        user.is_staff = True  # past the admin site's own gate, as test_compliance_overrides.py does
        user.save()
    return {
        "case": case,
        "account": account,
        "collector": collector,
        "outsider": outsider,
        "lead": lead,
        "service": staff(Role.CUSTOMER_SERVICE),
        "officer": officer,
        "staff_collector": staff_collector,
        "anonymous": None,
    }


@dataclasses.dataclass(frozen=True)
class Request:
    method: str
    path: Callable[[dict[str, Any]], str]
    body: Callable[[dict[str, Any]], dict[str, Any]] | None = None

    def send(self, world: dict[str, Any], who: str) -> Any:
        client = Client()
        if world[who] is not None:
            assert client.login(username=world[who].username, password=PASSWORD)
        path = self.path(world)
        if self.method == "get":
            return client.get(path)
        body = self.body(world) if self.body else {}
        return client.post(path, data=json.dumps(body), content_type="application/json")


def case_path(template: str) -> Callable[[dict[str, Any]], str]:
    return lambda w: template.format(case=w["case"].pk, ref=w["account"].ref)


def get(template: str) -> Request:
    return Request("get", case_path(template))


def post(template: str, body: Callable[[dict[str, Any]], dict[str, Any]] | None = None) -> Request:
    return Request("post", case_path(template), body)


def reassign_to_collector(w: dict[str, Any]) -> dict[str, Any]:
    return {"cases": [w["case"].pk], "collector": w["collector"].username}


# name: (request, refused user, refused status, allowed user, allowed status)
REFUSALS: dict[str, tuple[Request, str, int, str, int]] = {
    "another team's case in the API": (get("/api/v1/cases/{case}"), "outsider", 404, "collector", 200),
    "another team's case page": (get("/cases/{case}/"), "outsider", 404, "collector", 200),
    "another team's account in the API": (get("/api/v1/accounts/{ref}"), "outsider", 404, "collector", 200),
    "another team's account page": (get("/accounts/{ref}/"), "outsider", 404, "collector", 200),
    "a contact on another team's case": (
        post("/api/v1/cases/{case}/contacts", lambda w: CONTACT),
        "outsider",
        404,
        "collector",
        201,
    ),
    "a reassignment by a collector": (
        post("/api/v1/cases/reassign", reassign_to_collector),
        "collector",
        403,
        "lead",
        200,
    ),
    "the hand-off inbox for a collector": (get("/handoffs/"), "collector", 403, "service", 200),
    "the overrides pack form for a collector": (get(OVERRIDES_ADD), "staff_collector", 403, "officer", 200),
    "a case for nobody logged in": (get("/api/v1/cases/{case}"), "anonymous", 401, "collector", 200),
    "the case list for nobody logged in": (get("/api/v1/cases"), "anonymous", 401, "collector", 200),
    "the next case for nobody logged in": (post("/api/v1/workbench/next"), "anonymous", 401, "collector", 200),
}


@pytest.mark.parametrize("name", REFUSALS)
def test_a_refused_request_succeeds_for_a_user_who_may_make_it(name: str, world: dict[str, Any]) -> None:
    request, refused, refused_status, allowed, allowed_status = REFUSALS[name]

    no = request.send(world, refused)
    yes = request.send(world, allowed)

    assert no.status_code == refused_status, no.content[:300]
    assert yes.status_code == allowed_status, yes.content[:300]


def test_the_case_list_holds_the_case_for_its_team_and_not_for_another(world: dict[str, Any]) -> None:
    request = get("/api/v1/cases")

    theirs = request.send(world, "collector").json()
    others = request.send(world, "outsider").json()

    assert [c["id"] for c in theirs] == [world["case"].pk]
    assert others == []


# An unknown id is not found; the same route with an id that exists answers.
UNKNOWN = 999_999_999
NOT_FOUND: dict[str, tuple[str, Callable[[dict[str, Any]], dict[str, Any]], int]] = {
    "a contact": ("/api/v1/cases/{case}/contacts", lambda w: CONTACT, 201),
    "a concession": ("/api/v1/cases/{case}/concessions", lambda w: WAIVER, 201),
}


@pytest.mark.parametrize("name", NOT_FOUND)
def test_an_unknown_case_is_not_found_and_a_known_one_is(name: str, world: dict[str, Any]) -> None:
    template, body, created = NOT_FOUND[name]
    unknown = Request("post", lambda w: template.format(case=UNKNOWN), body)
    known = post(template, body)

    missing = unknown.send(world, "collector")
    found = known.send(world, "collector")

    assert (missing.status_code, missing.json()["field"]) == (404, "case")
    assert found.status_code == created, found.content[:300]

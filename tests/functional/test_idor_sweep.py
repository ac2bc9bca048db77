"""The IDOR sweep: every URL of the site and every API operation, tried by a person of team A with
the ids of team B's case, account, plan, approval and customer. Nothing of team B may come back.

The routes are found, not listed: the pages by walking `arrears.urls.urlpatterns`, the API from its
OpenAPI schema, so a new route is swept the day it is added. A route is either swept (its path takes
an id this test knows how to substitute) or named below as not id-scoped, with the reason; a route
that is neither fails the sweep, as does a path parameter the sweep does not know.

For an id-scoped route, with each method (GET and POST), B's id must answer exactly as an id that
does not exist: the same status (404, or 405 for a method the route does not serve, whoever asks),
the same body once the id itself is blanked out; and on GET, A's own id is served (200), so the
route is scoped rather than broken. Ids in request bodies (an account number, a list of cases, an
approval, a hand-off) are B's too, also on A's own case. Every response, on every route, must be
free of B's customer name, mobile number, national id and account number (except where the
request itself carried the value and the answer merely repeats it, as a not-found message does,
identically for an unknown value), and nothing of B's may have changed when the sweep is done.
"""

from __future__ import annotations

import dataclasses
import io
import itertools
import json
import re
import zipfile
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver
from django.urls.resolvers import RegexPattern, RoutePattern

from arrears.cases.models import Case
from arrears.complaints.models import Complaint
from arrears.complaints.operations import register_complaint
from arrears.concessions.models import ApprovalRequest, Concession
from arrears.contacts.models import Callback, Contact, FinancialSituation, Handoff, Note
from arrears.cycle import business_date
from arrears.ledger.models import Account
from arrears.plans.models import Plan
from arrears.promises.models import Promise
from arrears.urls import urlpatterns
from tests.builders import PASSWORD
from tests.disputes_world import answered_dispute
from tests.functional.two_teams import TODAY, Side, World, two_teams

pytestmark = pytest.mark.django_db

UNKNOWN_ID = 987_654_321
UNKNOWN_NUMBER = "639999999999"
UNKNOWN_REF = "ACZZZZZZZZZZZZ"  # the shape of a reference, and nobody's


def complaint_of(side: Side) -> int:
    """The side's complaint (registered on its case the first time it is asked for)."""
    found = Complaint.objects.filter(case=side.case).first()
    if found is None:
        found = register_complaint(
            actor=side.collector.username,
            opened_by=side.collector,
            customer=side.customer,
            case=side.case,
            category="contact_frequency",
            severity="medium",
            channel="phone",
            description="sweep",
            business_date=TODAY,
            staff=[side.collector],
        )
    return found.pk


# Path parameters that name an object of a team, and how to find B's (or A's) value for them.
ID_PARAMS: dict[str, Callable[[Side], object]] = {
    "case_id": lambda s: s.case.pk,
    "plan_id": lambda s: s.plan.pk,
    "approval_id": lambda s: s.approval.pk,
    "customer_id": lambda s: s.customer.pk,
    "account_id": lambda s: s.account.pk,
    "handoff_id": lambda s: s.handoff.pk,
    "number": lambda s: s.account.number,
    "ref": lambda s: s.account.ref,
    "dispute_id": lambda s: answered_dispute(s).pk,
    "complaint_id": complaint_of,
}
UNKNOWN: dict[str, object] = {name: UNKNOWN_ID for name in ID_PARAMS} | {"number": UNKNOWN_NUMBER, "ref": UNKNOWN_REF}
# Other path parameters of id-scoped routes, with every value to try.
CHOICE_PARAMS: dict[str, tuple[str, ...]] = {"action": ("review", "approve", "offer", "accept", "activate")}
# Path parameters of the routes listed as not id-scoped, with the value to try.
LISTED_PARAMS: dict[str, Callable[[Side], object]] = {
    "rest": lambda b: f"v1/cases/{b.case.pk}/nothing",
    "token": lambda b: f"{b.customer.pk}:sms:forged",
    "legal_case_id": lambda b: b.case.pk,
    # Agencies: B's account id where the agency portal takes one; no placement or collection exists in
    # this world, so their ids are B's account id too (tests/functional/test_agency_access.py sweeps them).
    "placed_account_id": lambda b: b.account.pk,
    "placement_id": lambda b: b.account.pk,
    "collection_id": lambda b: b.account.pk,
    "code": lambda b: "alpha",
    "month": lambda b: "2026-05",
    "inquiry_id": lambda b: b.account.pk,  # no inquiry exists in this world: any id is not found
    "checkout_ref": lambda b: "CO-not-a-checkout",
    # Quality review: no task or session exists in this world; B's team's are tried in
    # tests/functional/test_quality_pages.py.
    "task_id": lambda b: b.case.pk,
    "session_id": lambda b: b.case.pk,
    # Score models: bank-wide, no team's object; none exists in this world (tests/functional/test_scoring_pages.py).
    "model_id": lambda b: b.case.pk,
}

# Pages that take no id of a team's object in their path, by route name, and why.
PAGES_NOT_ID_SCOPED: dict[str, str] = {
    "home": "the figures of the accounts the person may see (tests/functional/test_scoping.py); "
    "its account search is posted and answers alike for unknown and unseen accounts (test_personal_data)",
    "workbench": "the person's own cases and callbacks",
    "take-next": "leases the next case of the person's own queues",
    "team": "team leads only (403 otherwise): their own teams; posted cases of another team are not found",
    "recovery-vintages": "leads, strategy managers, administrators (403 otherwise): a lead's teams' sums",
    "insight": "managers and administrators (all teams), leads (the facts of their own teams; "
    "tests/functional/test_insight_page.py), 403 otherwise",
    "insight-export-csv": "as the insight page: a lead's export holds only their own teams",
    "insight-export-xlsx": "as the insight page: a lead's export holds only their own teams",
    "team-export-csv": "team leads only (403 otherwise): the figures of their own teams, as the team page",
    "team-export-xlsx": "team leads only (403 otherwise): the figures of their own teams, as the team page",
    "handoffs": "customer service and credit assessors only (403 otherwise), who work across teams",
    "insight-mine": "the person's own scorecard and week: no id",
    "insight-mine-weekly": "the person's own weekly report (PDF): no id",
    "insight-weekly-pdf": "team leads and collections managers only (403 otherwise): a lead's own teams; "
    "another team's id is not found (tests/functional/test_insight_mine_pages.py)",
    "optout": "public: the signed token is the proof, and it names no id",
    "pay-test": "public: the test payment gateway; the unguessable, single-use, expiring checkout ref is "
    "the proof, and it names no id (tests/integration/test_payment_gateway.py)",
    "audit": "needs people.search_audit (403 otherwise)",
    "complaints": "the complaints of the customers whose cases the person may see "
    "(tests/integration/test_complaints.py)",
    "complaint-new": "registers on a case the person may see, named in the query or the form; another team's case "
    "is not found",
    "plans-inbox": "credit assessors and team leads only (403 otherwise): plans on cases they see",
    "approvals": "the person's own requests and those they may decide; a posted id they cannot see is not found",
    "legal": "legal officers only (403 otherwise), who work the bank's legal cases across teams",
    "disputes": "team leads, customer service, compliance (403 otherwise): the disputes of accounts they see",
    "dispute-open": "a POST naming an account: one the person cannot see is not found, as an unknown one",
    "legal-case": "legal officers only (403 otherwise), who work the bank's legal cases across teams; "
    "an unknown case is 404 (tests/functional/test_legal_pages.py)",
    "agency-portal": "agency users only (403 to the bank's staff): their agency's live placements",
    "agency-account": "agency users only: a live placement of their agency, 404 alike for anything else "
    "(tests/functional/test_agency_access.py: other agency's, recalled, never placed)",
    "agencies": "team leads and administrators (403 otherwise); reported payments of accounts they see",
    "agency-remittance": "team leads and administrators (403 otherwise): an agency's month, no customer's id",
    "agency-remittance-csv": "team leads and administrators (403 otherwise): as the remittance page",
    "strategies": "strategy managers only (403 otherwise): strategies are bank-wide, no team's object",
    "scoring-models": "strategy managers and administrators only (403 otherwise): models are bank-wide",
    "scoring-model": "strategy managers and administrators only (403 otherwise): a bank-wide model, no "
    "team's object; an unknown one is 404 (tests/functional/test_scoring_pages.py)",
    "scoring-model-promote": "a POST by strategy managers and administrators only (403 otherwise), never the "
    "model's maker (tests/functional/test_scoring_pages.py)",
    "quality": "reviewers only (403 otherwise): the review tasks of the teams they review",
    "quality-task": "reviewers only (403 otherwise); another team's task is 404, as an unknown one "
    "(tests/functional/test_quality_pages.py)",
    "quality-calibration": "reviewers only (403 otherwise); a session on another team's task is 404, as an "
    "unknown one (tests/functional/test_quality_pages.py)",
    "quality-mine": "the person's own reviewed contacts; a posted task that is not theirs is 404, as an unknown one",
    "login": "public",
    "logout": "public",
    "set_language": "public: sets the language cookie",
    # Unnamed: the JSON 404 of /api/ paths no operation serves.
    "api/": "the JSON 404 of the bare API root",
    "^api/(?P<rest>.*)$": "the JSON 404 of any /api/ path no operation serves",
    "^portal/api/(?P<rest>.*)$": "the JSON 404 of any /portal/api/ path no operation serves",
}
# The pages a collector may not open at all: 403 for them, whatever is posted.
FORBIDDEN_TO_COLLECTOR = {
    "team",
    "insight-weekly-pdf",
    "disputes",
    "team-export-csv",
    "team-export-xlsx",
    "insight",
    "insight-export-csv",
    "insight-export-xlsx",
    "handoffs",
    "audit",
    "plans-inbox",
    "legal",
    "legal-case",
    "agency-portal",
    "agencies",
    "agency-remittance",
    "agency-remittance-csv",
    "strategies",
    "scoring-models",
    "scoring-model",
    "scoring-model-promote",
    "quality",
    "quality-task",
    "quality-calibration",
}
# Whole URL confs not swept page by page, by namespace, and why.
INCLUDES_NOT_SWEPT: dict[str, str] = {
    "admin": "the Django admin: staff only (is_staff), with its own model permissions; "
    "a collector is sent to its login",
    "api-v1": "the API: swept operation by operation from its OpenAPI schema (below)",
    "portal": "the cardholder portal: no staff session opens it; a cardholder's guessed ids of another "
    "customer's objects are swept in tests/functional/test_portal_scoping.py",
    "portal-api": "the cardholder portal's API: as the portal (tests/functional/test_portal_scoping.py)",
}

# API paths that take no id of a team's object, and why (every method on them is swept for leaks).
API_NOT_ID_SCOPED: dict[str, str] = {
    "/api/v1/payments": "needs payments.add_payment (403 to collectors and team leads)",
    "/api/v1/cases": "the cases the person may see",
    "/api/v1/workbench/next": "leases the next case of the person's own queues",
    "/api/v1/cases/reassign": "team leads only (403 otherwise); cases of another team are not found",
    "/api/v1/plans/quote": "a calculator: reads no stored data",
    "/api/v1/compliance/check": "the gate over the document posted: reads no stored data",
    "/api/v1/approvals": "the requests the person may decide",
    "/api/v1/disputes": "opens a dispute of an account the person may see; another's is not found, as an unknown",
    "/api/v1/inquiries": "the account is named in the body: one of another team is not found, as an unknown "
    "one (tests/functional/test_inquiry_desk.py)",
    "/api/v1/inquiries/{inquiry_id}/answer": "an inquiry of a customer the person cannot see is not found, "
    "as an unknown one (tests/functional/test_inquiry_desk.py)",
    "/api/v1/complaints": "registers on a case or account the person may see; another team's is not found",
    **dict.fromkeys(
        (
            "/api/v1/agency/placements",
            "/api/v1/agency/placements/{placement_id}/contacts",
            "/api/v1/agency/placements/{placement_id}/promises",
            "/api/v1/agency/placements/{placement_id}/payments",
        ),
        "agency users only (403 to the bank's staff); a live placement of their own agency, 404 alike for "
        "any other (tests/functional/test_agency_access.py)",
    ),
    "/api/v1/agencies/placements": "team leads and administrators (403 otherwise); an account they cannot "
    "see is not found, as an unknown one",
    "/api/v1/agencies/placements/{placement_id}/recall": "team leads and administrators (403 otherwise); "
    "placements of accounts they see (tests/functional/test_agency_access.py)",
    "/api/v1/agencies/collections/{collection_id}/decision": "team leads and administrators (403 otherwise); "
    "collections on accounts they see (tests/functional/test_agency_access.py)",
    **dict.fromkeys(
        (
            "/api/v1/outreach/dialer/results",
            "/api/v1/outreach/delivery",
            "/api/v1/outreach/sms-replies",
            "/api/v1/gateway/payments",
            "/api/v1/card-host/transactions",
        ),
        "systems only: a signed integration credential, so any staff login is 401 "
        "(kinds and scopes: tests/functional/test_integrations.py)",
    ),
}
FORBIDDEN_TO_COLLECTOR_API = {
    ("post", "/api/v1/payments"),
    ("post", "/api/v1/cases/reassign"),
    ("get", "/api/v1/agency/placements"),
    ("post", "/api/v1/agency/placements/{placement_id}/contacts"),
    ("post", "/api/v1/agency/placements/{placement_id}/promises"),
    ("post", "/api/v1/agency/placements/{placement_id}/payments"),
    ("post", "/api/v1/agencies/placements"),
    ("post", "/api/v1/agencies/placements/{placement_id}/recall"),
    ("post", "/api/v1/agencies/collections/{collection_id}/decision"),
}
# API paths not swept at all, by prefix, and why.
API_NOT_SWEPT: dict[str, str] = {}

# What differs between any two answers: the form's CSRF token and the CSP nonce of inline scripts and styles.
CSRF = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]*"|nonce="[^"]*"')


# -- the routes ------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Route:
    kind: str  # "page" or "api"
    key: str  # the page's route name (or pattern), the operation's "METHOD path"
    template: str  # the path with {param} placeholders
    params: tuple[str, ...]
    methods: tuple[str, ...]  # the methods to try
    body: Callable[[Side, Side], Any] | None = None  # the request body (API) or form (pages)

    def path(self, values: dict[str, object]) -> str:
        return self.template.format(**values)


def _page_params(pattern: Any) -> tuple[str, ...]:
    if isinstance(pattern, RoutePattern):
        return tuple(pattern.converters)
    if isinstance(pattern, RegexPattern):
        return tuple(pattern.regex.groupindex)
    return ()


def _template(prefix: str, pattern: Any) -> str:
    text = str(pattern)
    if isinstance(pattern, RegexPattern):
        text = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"{\1}", text).lstrip("^").rstrip("$")
    else:
        text = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", text)
    return "/" + prefix + text


def page_routes(patterns: list[Any] = urlpatterns, prefix: str = "") -> Iterator[Route | str]:
    """Every page of the site; a string for an included URL conf left to its own sweep."""
    for p in patterns:
        if isinstance(p, URLResolver):
            namespace = p.namespace or p.app_name
            if namespace in INCLUDES_NOT_SWEPT:
                yield namespace
                continue
            yield from page_routes(p.url_patterns, prefix + _template("", p.pattern).lstrip("/"))
        elif isinstance(p, URLPattern):
            yield Route(
                kind="page",
                key=p.name or str(p.pattern),
                template=_template(prefix, p.pattern),
                params=_page_params(p.pattern),
                methods=("get", "post"),
                body=form,
            )


def api_routes() -> Iterator[Route]:
    from arrears.interfaces.api.v1 import api

    schema = api.get_openapi_schema()
    components = schema.get("components", {}).get("schemas", {})
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            params = tuple(p["name"] for p in operation.get("parameters", []) if p["in"] == "path")
            content = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
            body_schema = content.get("schema")
            body = None if body_schema is None else _body_maker(body_schema, components)
            others = tuple(m for m in ("get", "post") if m != method and m not in operations)
            yield Route(kind="api", key=path, template=path, params=params, methods=(method,), body=body)
            for other in others:  # the method the path does not serve: alike for any id too
                yield Route(kind="api", key=path, template=path, params=params, methods=(other,))


# -- request bodies --------------------------------------------------------------------------------

# Body fields that name a team's object: B's, so that a body cannot smuggle one in either.
BODY_IDS: dict[str, Callable[[Side, Side], Any]] = {
    "account": lambda a, b: b.account.number,
    "cases": lambda a, b: [b.case.pk],
    "case_id": lambda a, b: b.case.pk,
    "plan": lambda a, b: b.plan.pk,
    "approval": lambda a, b: b.approval.pk,
    "handoff": lambda a, b: b.handoff.pk,
    "corrects": lambda a, b: None,
}
# Body fields whose value must be valid for the request to reach its look-up.
BODY_VALUES: dict[str, Callable[[Side, Side], Any]] = {
    "decision": lambda a, b: "approve",
    "collector": lambda a, b: a.collector.username,
}


def _body_maker(schema: dict[str, Any], components: dict[str, Any]) -> Callable[[Side, Side], Any]:
    def example(s: dict[str, Any], name: str | None, a: Side, b: Side) -> Any:
        if "$ref" in s:
            return example(components[s["$ref"].rsplit("/", 1)[-1]], name, a, b)
        if name in BODY_IDS:
            return BODY_IDS[name](a, b)
        if name in BODY_VALUES:
            return BODY_VALUES[name](a, b)
        for key in ("anyOf", "allOf", "oneOf"):
            if key in s:
                options = [o for o in s[key] if o.get("type") != "null"]
                return example(options[0], name, a, b) if options else None
        kind = s.get("type")
        if kind == "object":
            return {k: example(v, k, a, b) for k, v in s.get("properties", {}).items()}
        if kind == "array":
            return []
        if kind == "string":
            return {"date": TODAY.isoformat(), "date-time": "2026-05-03T10:00:00+08:00"}.get(
                s.get("format", ""), "1.00"
            )
        if kind == "integer":
            return 1
        if kind == "number":
            return 1
        if kind == "boolean":
            return True
        return None

    return lambda a, b: example(schema, None, a, b)


def form(a: Side, b: Side) -> dict[str, Any]:
    """A form naming B's objects in every field a page reads an id from."""
    return {
        "action": "note",
        "text": "sweep",
        "case": b.case.pk,
        "cases": [b.case.pk],
        "plan": b.plan.pk,
        "approval": b.approval.pk,
        "handoff": b.handoff.pk,
        "account": b.account.number,
        "collector": a.collector.pk,
        "decision": "approve",
        "comment": "sweep",
        "kind": "late_fee_waiver",
        "reason": "illness",
        "evidence": "recorded_call",
        "evidence_ref": "sweep",
        "amount": "5.00",
        "scope": "whole",
        "method": "flat_fee",
        "instalments": "4",
        "first_due_date": "2026-06-01",
    }


# -- the requests ----------------------------------------------------------------------------------


@dataclasses.dataclass
class Answer:
    status: int
    body: bytes
    location: str

    def blanked(self, values: list[object]) -> tuple[int, bytes, str]:
        body, location = CSRF.sub(b"", self.body), self.location
        for value in sorted({str(v) for v in values}, key=len, reverse=True):
            body, location = body.replace(value.encode(), b"<id>"), location.replace(value, "<id>")
        return self.status, body, location


def send(client: Client, route: Route, method: str, path: str, body: Any) -> Answer:
    if route.kind == "api":
        data = json.dumps(body) if body is not None else ""
        response = client.generic(method.upper(), path, data=data, content_type="application/json")
    elif method == "get":
        response = client.get(path)
    else:
        response = client.post(path, data=body or {})
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return Answer(response.status_code, unzipped(content), response.get("Location", ""))


def unzipped(content: bytes) -> bytes:
    """An XLSX by what it holds: its zip headers and document properties carry the time it was written."""
    if not content.startswith(b"PK\x03\x04"):
        return content
    with zipfile.ZipFile(io.BytesIO(content)) as book:
        return b"".join(book.read(n) for n in sorted(book.namelist()) if n != "docProps/core.xml")


def state_of(side: Side) -> dict[str, Any]:
    """Everything of a side a request could change."""
    case = Case.objects.get(pk=side.case.pk)
    return {
        "case": (case.status, case.team_id, case.collector_id, case.lease_holder_id, case.queue_id),
        "account": Account.objects.filter(pk=side.account.pk).values().get(),
        "contacts": Contact.objects.filter(case=case).count(),
        "notes": Note.objects.filter(case=case).count(),
        "callbacks": Callback.objects.filter(case=case).count(),
        "promises": Promise.objects.filter(case=case).count(),
        "situations": FinancialSituation.objects.filter(case=case).count(),
        "concessions": list(Concession.objects.filter(case=case).values_list("id", "status")),
        "approvals": list(ApprovalRequest.objects.filter(concession__case=case).values_list("id", "status")),
        "plans": list(Plan.objects.filter(case=case).values_list("id", "status")),
        "handoffs": list(Handoff.objects.filter(case=case).values_list("id", "returned_at")),
        "complaints": list(Complaint.objects.filter(customer_id=case.customer_id).values_list("id", "status")),
    }


# -- the sweep -------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _business_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(business_date, "current", lambda: TODAY)


@pytest.fixture
def world() -> World:
    w = two_teams()
    for side in (w.a, w.b):
        complaint_of(side)
    return w


class Sweep:
    def __init__(self, world: World, who: str) -> None:
        self.a, self.b = world.a, world.b
        self.who = who
        self.user = getattr(self.a, who)
        self.client = Client(raise_request_exception=False)
        assert self.client.login(username=self.user.username, password=PASSWORD)
        self.failures: list[str] = []
        self.swept: list[str] = []

    def fail(self, route: Route, method: str, what: str) -> None:
        self.failures.append(f"{method.upper()} {route.key}: {what}")

    def leaks(self, route: Route, method: str, answer: Answer, sent: list[object]) -> None:
        text = answer.body.decode("utf-8", "replace") + answer.location
        carried = {str(v) for v in sent}
        for what, value in self.b.secrets().items():
            if value and value not in carried and value in text:
                self.fail(route, method, f"B's {what} ({value}) in the answer (status {answer.status})")
        if answer.status >= 500:
            self.fail(route, method, f"server error {answer.status}")

    def id_scoped(self, route: Route) -> None:
        choices = [CHOICE_PARAMS[p] for p in route.params if p in CHOICE_PARAMS]
        for combination, method in itertools.product(itertools.product(*choices), route.methods):
            chosen = dict(zip([p for p in route.params if p in CHOICE_PARAMS], combination, strict=True))
            ids = [p for p in route.params if p in ID_PARAMS]
            theirs = {**chosen, **{p: ID_PARAMS[p](self.b) for p in ids}}
            unknown = {**chosen, **{p: UNKNOWN[p] for p in ids}}
            body = route.body(self.a, self.b) if route.body else None
            b_answer = send(self.client, route, method, route.path(theirs), body)
            u_answer = send(self.client, route, method, route.path(unknown), body)
            sent = [theirs[p] for p in ids] + _ids_in(body, self.b)
            self.leaks(route, method, b_answer, sent)
            if b_answer.status not in (404, 405):
                self.fail(route, method, f"B's id answered {b_answer.status}, not 404: {b_answer.body[:200]!r}")
            blank = [theirs[p] for p in ids] + [unknown[p] for p in ids]
            if b_answer.blanked(blank) != u_answer.blanked(blank):
                self.fail(
                    route,
                    method,
                    f"B's id and an unknown id answer differently: {b_answer.status} {b_answer.body[:200]!r} "
                    f"vs {u_answer.status} {u_answer.body[:200]!r}",
                )
            if method == "get" and b_answer.status == 404:
                mine = {**chosen, **{p: ID_PARAMS[p](self.a) for p in ids}}
                own = send(self.client, route, "get", route.path(mine), None)
                if own.status != 200:
                    self.fail(route, method, f"A's own id answered {own.status}: the route is broken, not scoped")
            if method == "post" and body is not None and _ids_in(body, self.b):
                self.smuggled(route, chosen, ids, body)
            self.swept.append(f"{method} {route.key}")

    def smuggled(self, route: Route, chosen: dict[str, object], ids: list[str], body: Any) -> None:
        """A's own object in the path, B's in the body: answered as for an unknown id in the body."""
        mine = {**chosen, **{p: ID_PARAMS[p](self.a) for p in ids}}
        b_answer = send(self.client, route, "post", route.path(mine), body)
        unknown_body = _with_unknown_ids(body, self.b)
        u_answer = send(self.client, route, "post", route.path(mine), unknown_body)
        sent = _ids_in(body, self.b)
        self.leaks(route, "post", b_answer, sent)
        blank = sent + _ids_in(unknown_body, None)
        if b_answer.blanked(blank) != u_answer.blanked(blank):
            self.fail(
                route,
                "post",
                f"B's id in the body of A's own object answers unlike an unknown one: {b_answer.status} "
                f"{b_answer.body[:200]!r} vs {u_answer.status} {u_answer.body[:200]!r}",
            )

    def not_id_scoped(self, route: Route, forbidden: bool) -> None:
        for method in route.methods:
            body = route.body(self.a, self.b) if route.body else None
            path = route.path({p: LISTED_PARAMS[p](self.b) for p in route.params})
            answer = send(self.client, route, method, path, body)
            self.leaks(route, method, answer, _ids_in(body, self.b))
            if method == "post" and _ids_in(body, self.b):
                self.client.force_login(self.user)
                unknown_body = _with_unknown_ids(body, self.b)
                other = send(self.client, route, method, path, unknown_body)
                for junk in ("abc", "²", "-1", str(2**64)):  # not ids at all: refused, never a server error
                    self.client.force_login(self.user)
                    self.leaks(route, method, send(self.client, route, method, path, _with_ids(body, junk)), [])
                self.client.force_login(self.user)
                blank = _ids_in(body, self.b) + _ids_in(unknown_body, None)
                if answer.blanked(blank) != other.blanked(blank):
                    self.fail(
                        route,
                        method,
                        f"B's ids in the body answer unlike unknown ones: {answer.status} {answer.location} "
                        f"{answer.body[:300]!r} vs {other.status} {other.location} {other.body[:300]!r}",
                    )
            if forbidden and self.who == "collector" and answer.status != 403:
                self.fail(route, method, f"a collector got {answer.status}, not 403")
            self.swept.append(f"{method} {route.key}")
            self.client.force_login(self.user)  # the logout page signs out, and the login page may sign in


def _ids_in(body: Any, side: Side | None) -> list[object]:
    """The values of the id fields of a body (a form or a JSON object)."""
    if not isinstance(body, dict):
        return []
    found: list[object] = []
    for key in BODY_IDS:
        value = body.get(key)
        found.extend(value if isinstance(value, list) else [] if value is None else [value])
    return found


def _with_ids(body: dict[str, Any], value: str) -> dict[str, Any]:
    """The body with every id field set to `value`."""
    return {
        k: ([value] if isinstance(v, list) else value) if k in BODY_IDS and v is not None else v
        for k, v in body.items()
    }


def _with_unknown_ids(body: dict[str, Any], side: Side) -> dict[str, Any]:
    replaced = dict(body)
    for key, value in body.items():
        if key not in BODY_IDS or value is None:
            continue
        if key == "account":
            replaced[key] = UNKNOWN_NUMBER
        elif isinstance(value, list):
            replaced[key] = [UNKNOWN_ID for _ in value]
        else:
            replaced[key] = UNKNOWN_ID
    return replaced


def _classify(route: Route, listed: dict[Any, str], key: Any) -> str:
    """'id' for a route the sweep substitutes ids into, 'listed' for one named as not id-scoped."""
    unknown = [p for p in route.params if p not in ID_PARAMS and p not in CHOICE_PARAMS and p not in LISTED_PARAMS]
    if any(p in ID_PARAMS for p in route.params):
        if unknown:
            raise AssertionError(f"{route.key}: path parameter(s) {unknown} the sweep does not know")
        return "id"
    if key in listed:
        return "listed"
    raise AssertionError(
        f"{route.key}: neither swept (no id parameter the sweep knows) nor listed as not id-scoped with a reason"
    )


@pytest.mark.parametrize("who", ["collector", "lead"])
def test_nothing_of_another_team_is_served_or_told_apart_on_any_route(world: World, who: str) -> None:
    before = state_of(world.b)
    sweep = Sweep(world, who)
    skipped = []
    for route in page_routes():
        if isinstance(route, str):
            skipped.append(route)
            continue
        if _classify(route, PAGES_NOT_ID_SCOPED, route.key) == "id":
            sweep.id_scoped(route)
        else:
            sweep.not_id_scoped(route, forbidden=route.key in FORBIDDEN_TO_COLLECTOR)
    for route in api_routes():
        path = route.template
        if any(path.startswith(prefix) for prefix in API_NOT_SWEPT):
            skipped.append(path)
            continue
        if _classify(route, API_NOT_ID_SCOPED, path) == "id":
            sweep.id_scoped(route)
        else:
            sweep.not_id_scoped(route, forbidden=(route.methods[0], path) in FORBIDDEN_TO_COLLECTOR_API)

    assert sweep.failures == [], "\n".join(sweep.failures)
    assert state_of(world.b) == before
    assert set(skipped) >= {"admin", "api-v1"}
    swept = set(sweep.swept)
    # The sweep found the routes it must have found (so an empty walk cannot pass).
    assert {f"{m} {page}" for m in ("get", "post") for page in ("case", "account", "plan-act", "approvals")} <= swept
    assert {"get /api/v1/cases/{case_id}", "post /api/v1/approvals/{approval_id}/decision"} <= swept

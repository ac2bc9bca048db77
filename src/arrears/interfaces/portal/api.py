"""The cardholder portal's API, /portal/api/v1/ (OpenAPI at /portal/api/openapi.json): a NinjaAPI of its own,
authenticated by the portal session only, as its cookie (browser; unsafe methods need the CSRF header) or as
`Authorization: Bearer <session token>` (an app). Staff sessions and staff tokens open nothing here."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja import Schema, Status
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from arrears.application.figures import customer_figures
from arrears.cycle import business_date
from arrears.errors import NotAuthenticated, NotFound, NotPermitted
from arrears.inquiries.models import InquiryChannel, Outcome
from arrears.inquiries.operations import record_inquiry
from arrears.interfaces.api.errors import errors, install
from arrears.interfaces.api.v1 import ArrearsApi
from arrears.ledger.models import Customer
from arrears.money import format_fen, parse_amount
from arrears.portal import operations, queries
from arrears.portal.models import PortalSession
from arrears.promises.operations import take_promise_by_cardholder
from arrears.scenario import statement_lines

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class PortalBearer(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> PortalSession:
        session = operations.session_for(token)
        if session is None:
            raise NotAuthenticated("the portal session has ended or is unknown: sign in again")
        return session


class PortalCookie(APIKeyCookie):
    param_name = settings.ARREARS_PORTAL_COOKIE

    def __init__(self) -> None:
        super().__init__(csrf=False)

    def authenticate(self, request: HttpRequest, key: str | None) -> PortalSession | None:
        session = operations.session_for(key or "")
        if session is None:
            return None
        if request.method not in SAFE_METHODS and check_csrf(request) is not None:
            raise NotPermitted("CSRF check failed: send the X-CSRFToken header", code="csrf_failed")
        return session


portal_api = ArrearsApi(
    title="Arrears cardholder portal",
    version="1",
    urls_namespace="portal-api",
    docs_url=None,
    auth=[PortalBearer(), PortalCookie()],
)
install(portal_api)


def _customer(request: HttpRequest) -> Customer:
    session: PortalSession = request.auth  # type: ignore[attr-defined]
    return session.customer


class UnpaidOut(Schema):
    due_date: dt.date
    amount: str


class AccountOut(Schema):
    ref: str
    card: str
    balance: str
    balances: dict[str, str]
    past_due: str
    to_bring_current: str
    to_bring_current_parts: list[UnpaidOut]
    dpd: int


@portal_api.get("/v1/accounts", response={200: list[AccountOut], **errors(401)}, tags=["accounts"])
def list_accounts(request: HttpRequest) -> Any:
    """The cardholder's accounts: balance by component, past due and the amount that brings each current."""
    customer = _customer(request)
    found = customer_figures(customer.pk, business_date=business_date.current()).get(customer.pk)
    return [
        {
            "ref": f.ref,
            "card": f"**** {f.number[-4:]}",
            "balance": format_fen(f.balance_fen),
            "balances": {c: format_fen(v) for c, v in f.components_fen().items()},
            "past_due": format_fen(f.past_due_fen),
            "to_bring_current": format_fen(f.to_bring_current_fen),
            "to_bring_current_parts": [
                {"due_date": u.due_date, "amount": format_fen(u.amount_fen)} for u in f.to_bring_current
            ],
            "dpd": f.dpd,
        }
        for f in (found.accounts if found else ())
    ]


class StatementOut(Schema):
    id: int
    account: str
    card: str
    statement_date: dt.date
    due_date: dt.date
    new_balance: str
    minimum_payment: str


class LineOut(Schema):
    date: dt.date
    type: str
    description: str
    amount: str
    explanation: dict[str, Any] | None = None
    allocation: dict[str, str] | None = None


class StatementDetailOut(StatementOut):
    lines: list[LineOut]


def _statement(s: Any) -> dict[str, Any]:
    return {
        "id": s.pk,
        "account": s.account.ref,
        "card": f"**** {s.account.number[-4:]}",
        "statement_date": s.statement_date,
        "due_date": s.due_date,
        "new_balance": format_fen(s.new_balance_fen),
        "minimum_payment": format_fen(s.minimum_payment_fen),
    }


@portal_api.get("/v1/statements", response={200: list[StatementOut], **errors(401)}, tags=["statements"])
def list_statements(request: HttpRequest) -> Any:
    """The cardholder's statements, newest first (at most 36)."""
    return [_statement(s) for s in queries.statements(_customer(request))[:36]]


@portal_api.get(
    "/v1/statements/{statement_id}", response={200: StatementDetailOut, **errors(401, 404, 422)}, tags=["statements"]
)
def read_statement(request: HttpRequest, statement_id: int) -> Any:
    """One statement of the cardholder's with its lines and how each amount was computed."""
    s = queries.statement(_customer(request), statement_id)
    lines = [
        {
            "date": line["date"],
            "type": line["type"],
            "description": line["description"],
            "amount": line["amount"],
            "explanation": line.get("explanation"),
            "allocation": line.get("allocation"),
        }
        for line in statement_lines(s)
    ]
    return {**_statement(s), "lines": lines}


class PlanOfferOut(Schema):
    id: int
    account: str
    card: str
    instalments: int
    first_due_date: dt.date
    total: str
    summary: str
    document_sha256: str


@portal_api.get("/v1/plans/offers", response={200: list[PlanOfferOut], **errors(401)}, tags=["plans"])
def list_offers(request: HttpRequest) -> Any:
    """The repayment plans offered to the cardholder, with their summary and the SHA-256 of their document."""
    language = str(request.GET.get("language", "zh-hans"))
    return [
        {
            "id": p.pk,
            "account": p.account.ref,
            "card": f"**** {p.account.number[-4:]}",
            "instalments": p.instalments,
            "first_due_date": p.first_due_date,
            "total": format_fen(p.total_amount_fen),
            "summary": (p.summary or {}).get(language if language in ("zh-hans", "en") else "zh-hans", ""),
            "document_sha256": p.document_sha256,
        }
        for p in queries.offers(_customer(request))
    ]


class PromiseIn(Schema):
    amount: str
    promised_date: dt.date


class PromiseOut(Schema):
    id: int
    amount: str
    promised_date: dt.date
    status: str


@portal_api.post("/v1/promises", response={201: PromiseOut, **errors(401, 404, 409, 422)}, tags=["promises"])
def make_promise(request: HttpRequest, body: PromiseIn) -> Any:
    """A promise to pay within the bank's policy, on the cardholder's overdue case (404 when nothing is overdue)."""
    customer = _customer(request)
    case = queries.promisable_case(customer)
    if case is None:
        raise NotFound("nothing overdue to promise on")
    amount = parse_amount(body.amount, field="amount")
    promise = take_promise_by_cardholder(
        customer=customer,
        case=case,
        amount=amount,
        promised_date=body.promised_date,
        business_date=business_date.current(),
    )
    return Status(
        201,
        {
            "id": promise.pk,
            "amount": format_fen(promise.amount_fen),
            "promised_date": promise.promised_date,
            "status": promise.status,
        },
    )


class QuestionIn(Schema):
    category: str
    question: str


class QuestionOut(Schema):
    id: int
    category: str
    outcome: str


@portal_api.post("/v1/questions", response={201: QuestionOut, **errors(401, 422)}, tags=["questions"])
def ask_question(request: HttpRequest, body: QuestionIn) -> Any:
    """A question for customer service, recorded as an open portal inquiry (category: balance, statement,
    interest, grace, fee, minimum, payment or other)."""
    customer = _customer(request)
    inquiry = record_inquiry(
        actor=operations.cardholder(customer.pk),
        customer=customer,
        category=body.category,
        channel=InquiryChannel.PORTAL,
        question=body.question,
        outcome=Outcome.OPEN,
        business_date=business_date.current(),
    )
    return Status(201, {"id": inquiry.pk, "category": inquiry.category, "outcome": inquiry.outcome})

"""Cases, contacts, promises and the next account: /api/v1/..."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.contrib.auth.models import User
from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import Field

from arrears.application.contact_gate import callable_now
from arrears.application.contacts import record_contact
from arrears.application.figures import customer_figures
from arrears.application.reads import record_request_reads
from arrears.cases.models import Case
from arrears.cases.operations import next_case, reassign
from arrears.cases.queries import case_for, visible_cases
from arrears.contacts.operations import ContactIn, capture_situation
from arrears.cycle import business_date
from arrears.errors import NotFound, NotPermitted
from arrears.interfaces.api import ids  # noqa: F401  (the {id:...} path converter)
from arrears.interfaces.api.errors import errors
from arrears.interfaces.api.params import Day, Id, Int, Name, Ref, Text, Word
from arrears.money import format_fen, parse_amount
from arrears.people.models import Role
from arrears.people.operations import roles_of
from arrears.promises.operations import take_promise

router = Router(tags=["workbench"])
MAX_OFFSET = 10_000_000  # far beyond any portfolio's cases, and well inside what a database can skip


class CaseOut(Schema):
    id: int
    customer: str
    status: str
    dpd: int
    bucket: str
    past_due: str
    balance: str
    collector: str | None
    team: str | None


def _cases(cases: list[Case]) -> list[dict[str, Any]]:
    """The cases with their customers' figures from the read model, as the 360 page shows them
    (balance: everything owed, a charged-off balance less what was recovered since)."""
    money = customer_figures([c.customer_id for c in cases], business_date=business_date.current())
    return [
        {
            "id": case.pk,
            "customer": case.customer.name,
            "status": case.status,
            "dpd": money[case.customer_id].dpd,
            "bucket": money[case.customer_id].bucket_label,
            "past_due": format_fen(money[case.customer_id].past_due_fen),
            "balance": format_fen(money[case.customer_id].total_owed_fen),
            "collector": case.collector.get_username() if case.collector else None,
            "team": case.team.name if case.team else None,
        }
        for case in cases
    ]


def _case(case: Case) -> dict[str, Any]:
    return _cases([case])[0]


@router.get("/cases", response={200: list[CaseOut], **errors(401, 422)})
def list_cases(
    request: HttpRequest,
    status: Annotated[str | None, Query(max_length=40)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> Any:
    """Your visible cases, most urgent first, a page of `limit` (at most 500) from `offset`."""
    cases = visible_cases(request.user).select_related("customer", "collector", "team").order_by("-priority", "id")
    if status:
        cases = cases.filter(status=status)
    shown = list(cases[offset : offset + min(limit, 500)])
    record_request_reads(request, object_type="case", ids=[c.pk for c in shown])
    return _cases(shown)


@router.get("/cases/{id:case_id}", response={200: CaseOut, **errors(401, 404, 422)})
def read_case(request: HttpRequest, case_id: int) -> Any:
    case = case_for(request.user, case_id)
    record_request_reads(request, object_type="case", ids=[case.pk])
    return _case(case)


@router.post("/workbench/next", response={200: CaseOut, 204: None, **errors(401)})
def next_account(request: HttpRequest) -> Any:
    """Lease the most urgent case of your queues to you (204 when there is none)."""
    case = next_case(user=request.user, business_date=business_date.current(), callable_now=callable_now)
    if case is None:
        return Status(204, None)
    record_request_reads(request, object_type="case", ids=[case.pk])
    return _case(Case.objects.select_related("customer", "collector", "team").get(pk=case.pk))


class ContactSchema(Schema):
    channel: Word
    party: Word
    result: Word
    direction: Word = "outbound"
    address: Ref = ""
    disposition: Word = ""
    duration_seconds: Int = 0
    notes: Text = ""
    recording_ref: Ref = ""
    corrects: Id | None = None


class ContactOut(Schema):
    id: int
    at: dt.datetime
    channel: str
    party: str
    result: str
    disposition: str


@router.post("/cases/{id:case_id}/contacts", response={201: ContactOut, **errors(401, 404, 409, 422)})
def create_contact(request: HttpRequest, case_id: int, body: ContactSchema) -> Any:
    case = case_for(request.user, case_id)
    data = body.dict()
    data["corrects_id"] = data.pop("corrects")
    contact = record_contact(user=request.user, case=case, data=ContactIn(**data))
    return Status(201, contact)


class PromiseSchema(Schema):
    amount: str
    promised_date: Day


class PromiseOut(Schema):
    id: int
    amount: str
    promised_date: dt.date
    status: str


@router.post("/cases/{id:case_id}/promises", response={201: PromiseOut, **errors(401, 404, 422)})
def create_promise(request: HttpRequest, case_id: int, body: PromiseSchema) -> Any:
    case = case_for(request.user, case_id)
    promise = take_promise(
        user=request.user,
        case=case,
        amount=parse_amount(body.amount, field="amount"),
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


class SituationSchema(Schema):
    monthly_income: str
    monthly_expenses: str
    dependants: Int = 0
    other_debts: str = "0"
    hardship_reason: Annotated[str, Field(max_length=200)] = ""
    hardship_expected_end: Day | None = None
    ability: Word
    willingness: Word


class SituationOut(Schema):
    id: int
    recommended_path: str


@router.post("/cases/{id:case_id}/situation", response={201: SituationOut, **errors(401, 404, 422)})
def create_situation(request: HttpRequest, case_id: int, body: SituationSchema) -> Any:
    case = case_for(request.user, case_id)
    situation = capture_situation(
        user=request.user,
        case=case,
        monthly_income=parse_amount(body.monthly_income, field="monthly_income"),
        monthly_expenses=parse_amount(body.monthly_expenses, field="monthly_expenses"),
        dependants=body.dependants,
        other_debts=parse_amount(body.other_debts, field="other_debts"),
        hardship_reason=body.hardship_reason,
        hardship_expected_end=body.hardship_expected_end,
        ability=body.ability,
        willingness=body.willingness,
    )
    return Status(201, situation)


class ReassignSchema(Schema):
    cases: Annotated[list[Id], Field(max_length=1000)]
    collector: Name


@router.post("/cases/reassign", response={200: dict[str, int], **errors(401, 403, 404, 422)})
def reassign_cases(request: HttpRequest, body: ReassignSchema) -> Any:
    if not (request.user.is_superuser or Role.TEAM_LEAD in roles_of(request.user)):
        raise NotPermitted("only a team lead can reassign cases")
    collector = User.objects.filter(username=body.collector, is_active=True).first()
    if collector is None:
        raise NotFound(f"no user {body.collector!r}", field="collector")
    moved = reassign(actor=request.user, case_ids=body.cases, collector=collector, visible=visible_cases(request.user))
    return {"reassigned": moved}

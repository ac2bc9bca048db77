"""/api/v1/cases/{id}/plans and /api/v1/plans/{id}/...: a plan's life through the API.

Parse, make one call to arrears.plans.operations, render. Errors have the one shape of the API
(code, field, message) through the domain exception handler.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema, Status
from pydantic import Field

from arrears.application.reads import record_request_reads
from arrears.cases.queries import case_for, visible_cases
from arrears.cycle import business_date
from arrears.errors import NotFound
from arrears.interfaces.api import ids  # noqa: F401  (the {id:...} path converter)
from arrears.interfaces.api.auth import scope
from arrears.interfaces.api.errors import errors
from arrears.interfaces.api.params import Day, Int, Name, Ref, Word
from arrears.money import format_fen, parse_rate
from arrears.people.models import Scope
from arrears.plans import operations as ops
from arrears.plans.models import Plan

router = Router(tags=["plans"])


class PlanIn(Schema):
    account: Name
    scope: Word = "overdue"
    method: Word
    instalments: Int
    first_due_date: Day
    annual_rate: Word = "0"
    fee_rate: Word = "0"


class DecisionIn(Schema):
    approve: bool = True
    comment: Annotated[str, Field(max_length=500)] = ""


class AcceptIn(Schema):
    evidence: Word
    evidence_ref: Ref = ""


class InstalmentOut(Schema):
    n: int
    due_date: dt.date
    amount: str
    status: str
    paid: str


class PlanOut(Schema):
    id: int
    case: int
    account: str
    status: str
    scope: str
    method: str
    balance: str
    total_amount: str
    apr: str
    review_required: bool
    review_reasons: list[str]
    schedule: list[InstalmentOut]
    summary: dict[str, str]
    document: bool


def _rate(value: str, field: str) -> Decimal:
    return parse_rate(value, field=field)


def _plan(request: HttpRequest, plan_id: int) -> Plan:
    plan = (
        Plan.objects.filter(pk=plan_id, case__in=visible_cases(request.user))
        .select_related("account__customer")
        .first()
    )
    if plan is None:
        raise NotFound(f"no plan {plan_id} that you can see", field="plan")
    return plan


def _out(plan: Plan) -> dict[str, Any]:
    return {
        "id": plan.pk,
        "case": plan.case_id,
        "account": plan.account.masked_number,
        "status": plan.status,
        "scope": plan.scope,
        "method": plan.method,
        "balance": format_fen(plan.balance_fen),
        "total_amount": format_fen(plan.total_amount_fen),
        "apr": f"{plan.apr:.6f}",
        "review_required": plan.review_required,
        "review_reasons": plan.review_reasons,
        "schedule": [
            {
                "n": i.n,
                "due_date": i.due_date,
                "amount": format_fen(i.amount_fen),
                "status": i.status,
                "paid": format_fen(i.paid_fen),
            }
            for i in plan.schedule.order_by("n")
        ],
        "summary": plan.summary or {},
        "document": bool(plan.document_sha256),
    }


RESPONSES = {200: PlanOut, **errors(401, 403, 404, 409, 422)}


@router.post("/cases/{id:case_id}/plans", response={201: PlanOut, **errors(401, 403, 404, 409, 422)})
def propose(request: HttpRequest, case_id: int, body: PlanIn) -> Any:
    """A collector proposes a plan on the case; it is quoted, validated and saved with its schedule."""
    case = case_for(request.user, case_id)
    plan = ops.propose_plan(
        actor=request.user,
        case=case,
        account_number=body.account,
        scope=body.scope,
        method=body.method,
        instalments=body.instalments,
        first_due_date=body.first_due_date,
        annual_rate=_rate(body.annual_rate, "annual_rate"),
        fee_rate=_rate(body.fee_rate, "fee_rate"),
        business_date=business_date.current(),
    )
    return Status(201, _out(plan))


@router.get("/plans/{id:plan_id}", response=RESPONSES)
def read(request: HttpRequest, plan_id: int) -> Any:
    plan = _plan(request, plan_id)
    record_request_reads(request, object_type="plan", ids=[plan.pk])
    return _out(plan)


@router.post("/plans/{id:plan_id}/review", response=RESPONSES)
@scope(Scope.APPROVE)
def review(request: HttpRequest, plan_id: int, body: DecisionIn) -> Any:
    return _out(
        ops.review_plan(actor=request.user, plan=_plan(request, plan_id), approve=body.approve, comment=body.comment)
    )


@router.post("/plans/{id:plan_id}/approve", response=RESPONSES)
@scope(Scope.APPROVE)
def approve(request: HttpRequest, plan_id: int, body: DecisionIn) -> Any:
    return _out(
        ops.approve_plan(actor=request.user, plan=_plan(request, plan_id), approve=body.approve, comment=body.comment)
    )


@router.post("/plans/{id:plan_id}/offer", response=RESPONSES)
def offer(request: HttpRequest, plan_id: int) -> Any:
    return _out(ops.offer_plan(actor=request.user, plan=_plan(request, plan_id), business_date=business_date.current()))


@router.post("/plans/{id:plan_id}/accept", response=RESPONSES)
def accept(request: HttpRequest, plan_id: int, body: AcceptIn) -> Any:
    return _out(
        ops.accept_plan(
            actor=request.user,
            plan=_plan(request, plan_id),
            evidence=body.evidence,
            evidence_ref=body.evidence_ref,
            business_date=business_date.current(),
        )
    )


@router.post("/plans/{id:plan_id}/activate", response=RESPONSES)
def activate(request: HttpRequest, plan_id: int) -> Any:
    return _out(
        ops.activate_plan(actor=request.user, plan=_plan(request, plan_id), business_date=business_date.current())
    )


@router.get("/plans/{id:plan_id}/document", response={200: None, **errors(401, 404, 422)})
def document(request: HttpRequest, plan_id: int) -> Any:
    """The plan document (PDF) as offered."""
    plan = _plan(request, plan_id)
    if not plan.document_pdf:
        raise NotFound("this plan has no document yet; offer it first", field="plan")
    record_request_reads(request, object_type="plan", ids=[plan.pk])
    response = HttpResponse(bytes(plan.document_pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="plan-{plan.pk}.pdf"'
    return response

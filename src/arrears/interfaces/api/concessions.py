"""Concessions and approvals: /api/v1/cases/{id}/concessions, /api/v1/approvals[...]."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import Field

from arrears.application.reads import record_request_reads
from arrears.cases.queries import case_for
from arrears.concessions.models import ApprovalRequest, Concession
from arrears.concessions.operations import ConcessionIn, decide_approval, request_concession
from arrears.concessions.queries import approval_for, approval_status, awaiting, inbox
from arrears.cycle import business_date
from arrears.interfaces.api import ids  # noqa: F401  (the {id:...} path converter)
from arrears.interfaces.api.auth import scope
from arrears.interfaces.api.errors import errors
from arrears.interfaces.api.params import Day, Int, Name, Text, Word
from arrears.interfaces.web.concessions import decided, granted_or_sent, status_line
from arrears.money import format_fen, parse_amount
from arrears.people.models import Scope

router = Router(tags=["concessions"])


class PaymentIn(Schema):
    date: Day
    amount: str


class ConcessionInSchema(Schema):
    kind: Word
    reason: Word
    evidence: Text
    account: Name = ""
    amount: str | None = None
    days: Int | None = None
    payments: Annotated[list[PaymentIn], Field(max_length=120)] = []


class ConcessionOut(Schema):
    id: int
    case: int
    account: str
    kind: str
    status: str
    amount: str
    days: int
    cost: str
    rule: int | None
    approval: int | None
    status_text: str  # in the request's language; a pending one says "requested, awaiting approval by ..."
    awaiting_role: str | None  # whose approval a pending one waits for
    awaiting_user: str | None  # the person, when one holds that role for the case's team
    summary: dict[str, str]  # the customer's wording: a request while pending, done once granted
    message: str = ""  # on a request: granted, or sent for approval and to whom


class ApprovalOut(Schema):
    id: int
    status: str
    to_role: str
    awaiting_user: str | None  # the person it waits for, when one holds to_role for the case's team
    message: str  # what happened, in the request's language: approved, rejected, or sent up and to whom
    maker: str
    expires_on: dt.date
    comment: str
    concession: ConcessionOut


class DecisionIn(Schema):
    decision: Word
    comment: Text = ""


def _amount(text: str | None, field: str) -> Any:
    return None if text is None else parse_amount(text, field=field)


def _concession(c: Concession) -> dict[str, Any]:
    request = ApprovalRequest.objects.filter(concession=c).select_related("concession__case").first()
    approval = request.pk if request else None
    waiting = awaiting(request) if request else None
    return {
        "id": c.pk,
        "case": c.case_id,
        "account": c.account.masked_number,
        "kind": c.kind,
        "status": c.status,
        "amount": format_fen(c.amount_fen),
        "days": c.days,
        "cost": format_fen(c.cost_fen),
        "rule": c.rule_id,
        "approval": approval,
        "status_text": status_line(c, waiting),
        "awaiting_role": waiting.role if waiting else None,
        "awaiting_user": waiting.user.get_username() if waiting and waiting.user else None,
        "summary": {"zh-hans": c.summary_zh, "en": c.summary_en},
    }


def _approval(a: ApprovalRequest, today: dt.date, *, message: str = "") -> dict[str, Any]:
    waiting = awaiting(a) if approval_status(a, today) == "pending" else None
    return {
        "id": a.pk,
        "status": approval_status(a, today),
        "to_role": a.to_role,
        "awaiting_user": waiting.user.get_username() if waiting and waiting.user else None,
        "message": message,
        "maker": a.maker.get_username(),
        "expires_on": a.expires_on,
        "comment": a.comment,
        "concession": _concession(a.concession),
    }


@router.post(
    "/cases/{id:case_id}/concessions",
    response={201: ConcessionOut, 202: ConcessionOut, **errors(401, 403, 404, 409, 422)},
)
def create_concession(request: HttpRequest, case_id: int, body: ConcessionInSchema) -> Any:
    """A concession: 201 when granted at once (within authority), 202 when it awaits approval."""
    case = case_for(request.user, case_id)
    payments = [(p.date, _amount(p.amount, "payments")) for p in body.payments]
    data = ConcessionIn(
        kind=body.kind,
        reason=body.reason,
        evidence=body.evidence,
        account_number=body.account,
        amount=_amount(body.amount, "amount"),
        days=body.days,
        payments=payments,
    )
    concession = request_concession(user=request.user, case=case, data=data, business_date=business_date.current())
    return Status(
        202 if concession.status == "pending" else 201,
        {**_concession(concession), "message": granted_or_sent(concession)},
    )


@router.get("/approvals", response={200: list[ApprovalOut], **errors(401)})
def list_approvals(request: HttpRequest) -> Any:
    """The pending requests you may decide."""
    today = business_date.current()
    shown = list(inbox(request.user, today)[:200])
    record_request_reads(request, object_type="approval", ids=[a.pk for a in shown])
    return [_approval(a, today) for a in shown]


@router.get("/approvals/{id:approval_id}", response={200: ApprovalOut, **errors(401, 404, 422)})
def read_approval(request: HttpRequest, approval_id: int) -> Any:
    today = business_date.current()
    approval = approval_for(request.user, approval_id, today)
    record_request_reads(request, object_type="approval", ids=[approval.pk])
    return _approval(approval, today)


@router.post("/approvals/{id:approval_id}/decision", response={200: ApprovalOut, **errors(401, 403, 404, 409, 422)})
@scope(Scope.APPROVE)
def decide(request: HttpRequest, approval_id: int, body: DecisionIn) -> Any:
    """Approve, reject or send_up, with a comment (required to reject). Never your own request. An
    approval above your authority is sent up: the answer stays pending, with the role and person it
    now waits for, and says so in `message`."""
    today = business_date.current()
    approval = decide_approval(
        user=request.user, approval_id=approval_id, decision=body.decision, comment=body.comment, business_date=today
    )
    return _approval(approval, today, message=decided(approval, body.decision))

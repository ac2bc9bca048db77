"""Concessions and approvals: /api/v1/cases/{id}/concessions, /api/v1/approvals[...]."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status

from arrears.cases.queries import case_for
from arrears.concessions.models import ApprovalRequest, Concession
from arrears.concessions.operations import ConcessionIn, decide_approval, request_concession
from arrears.concessions.queries import approval_status, inbox
from arrears.cycle import business_date
from arrears.errors import NotFound
from arrears.interfaces.api.errors import errors
from arrears.money import format_fen, parse_amount

router = Router(tags=["concessions"])


class PaymentIn(Schema):
    date: dt.date
    amount: str


class ConcessionInSchema(Schema):
    kind: str
    reason: str
    evidence: str
    account: str = ""
    amount: str | None = None
    days: int | None = None
    payments: list[PaymentIn] = []


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
    summary: dict[str, str]


class ApprovalOut(Schema):
    id: int
    status: str
    to_role: str
    maker: str
    expires_on: dt.date
    comment: str
    concession: ConcessionOut


class DecisionIn(Schema):
    decision: str
    comment: str = ""


def _amount(text: str | None, field: str) -> Any:
    return None if text is None else parse_amount(text, field=field)


def _concession(c: Concession) -> dict[str, Any]:
    approval = ApprovalRequest.objects.filter(concession=c).values_list("pk", flat=True).first()
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
        "summary": {"zh-hans": c.summary_zh, "en": c.summary_en},
    }


def _approval(a: ApprovalRequest, today: dt.date) -> dict[str, Any]:
    return {
        "id": a.pk,
        "status": approval_status(a, today),
        "to_role": a.to_role,
        "maker": a.maker.get_username(),
        "expires_on": a.expires_on,
        "comment": a.comment,
        "concession": _concession(a.concession),
    }


@router.post(
    "/cases/{int:case_id}/concessions",
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
    return Status(202 if concession.status == "pending" else 201, _concession(concession))


@router.get("/approvals", response={200: list[ApprovalOut], **errors(401)})
def list_approvals(request: HttpRequest) -> Any:
    """The pending requests you may decide."""
    today = business_date.current()
    return [_approval(a, today) for a in inbox(request.user, today)[:200]]


@router.get("/approvals/{int:approval_id}", response={200: ApprovalOut, **errors(401, 404, 422)})
def read_approval(request: HttpRequest, approval_id: int) -> Any:
    today = business_date.current()
    approval = ApprovalRequest.objects.filter(pk=approval_id).select_related("maker", "concession__account").first()
    if approval is None or not (
        approval.maker_id == request.user.pk or inbox(request.user, today).filter(pk=approval_id).exists()
    ):
        raise NotFound(f"no approval request {approval_id} that you can see", field="approval")
    return _approval(approval, today)


@router.post("/approvals/{int:approval_id}/decision", response={200: ApprovalOut, **errors(401, 403, 404, 409, 422)})
def decide(request: HttpRequest, approval_id: int, body: DecisionIn) -> Any:
    """Approve or reject, with a comment (required to reject). Never your own request."""
    today = business_date.current()
    approval = decide_approval(
        user=request.user, approval_id=approval_id, decision=body.decision, comment=body.comment, business_date=today
    )
    return _approval(approval, today)

"""Dialer results, delivery receipts and SMS replies: /api/v1/outreach/..."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status

from arrears.application.dialer import import_results
from arrears.application.outreach import handle_sms_reply, record_delivery

router = Router(tags=["outreach"])


class CallResult(Schema):
    case_id: int
    number: str
    at: dt.datetime
    outcome: str
    duration_seconds: int = 0
    agent: str = ""


class CallResults(Schema):
    rows: list[CallResult]


@router.post("/dialer/results")
def dialer_results(request: HttpRequest, body: CallResults) -> Any:
    """Import call results; each is judged by the gate after the fact and flagged when it broke a rule."""
    report = import_results(
        actor=request.user.get_username(), raw_rows=[{**r.dict(), "at": r.at.isoformat()} for r in body.rows]
    )
    status = 422 if report.errors else 201
    return Status(
        status,
        {
            "imported": report.imported,
            "flagged": report.flagged,
            "errors": [{"row": r, "field": f, "message": m} for r, f, m in report.errors],
        },
    )


class Delivery(Schema):
    provider_ref: str
    status: str


@router.post("/delivery")
def delivery(request: HttpRequest, body: Delivery) -> Any:
    message = record_delivery(provider_ref=body.provider_ref, status=body.status)
    return {"provider_ref": message.provider_ref, "status": message.status}


class SmsReply(Schema):
    from_number: str
    text: str


@router.post("/sms-replies")
def sms_reply(request: HttpRequest, body: SmsReply) -> Any:
    return {"opted_out": handle_sms_reply(from_number=body.from_number, text=body.text)}

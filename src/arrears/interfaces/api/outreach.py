"""Dialer results, delivery receipts and SMS replies: /api/v1/outreach/..."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status

from arrears.application.dialer import import_results
from arrears.application.outreach import handle_sms_reply, record_delivery
from arrears.errors import ValidationFailed
from arrears.interfaces.api.errors import errors

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


class RowErrorOut(Schema):
    row: int
    field: str
    message: str


class DialerReportOut(Schema):
    imported: int
    flagged: int
    errors: list[RowErrorOut]
    # With refused rows (422), the error shape of the API besides the report.
    code: str | None = None
    field: str | None = None
    message: str | None = None


@router.post("/dialer/results", response={201: DialerReportOut, 422: DialerReportOut, **errors(401)})
def dialer_results(request: HttpRequest, body: CallResults) -> Any:
    """Import call results; each is judged by the gate after the fact and flagged when it broke a rule.
    Refused rows make it a 422 that lists them, each with its row, field and message."""
    report = import_results(
        actor=request.user.get_username(), raw_rows=[{**r.dict(), "at": r.at.isoformat()} for r in body.rows]
    )
    body_out: dict[str, Any] = {
        "imported": report.imported,
        "flagged": report.flagged,
        "errors": [{"row": r, "field": f, "message": m} for r, f, m in report.errors],
    }
    if not report.errors:
        return Status(201, body_out)
    refused = ValidationFailed(f"{len(report.errors)} row(s) refused", field="rows")
    return Status(ValidationFailed.status, {**body_out, **refused.as_dict()})


class Delivery(Schema):
    provider_ref: str
    status: str


@router.post("/delivery", response={200: dict[str, str], **errors(401, 404, 422)})
def delivery(request: HttpRequest, body: Delivery) -> Any:
    message = record_delivery(provider_ref=body.provider_ref, status=body.status)
    return {"provider_ref": message.provider_ref, "status": message.status}


class SmsReply(Schema):
    from_number: str
    text: str


@router.post("/sms-replies", response={200: dict[str, bool], **errors(401, 422)})
def sms_reply(request: HttpRequest, body: SmsReply) -> Any:
    return {"opted_out": handle_sms_reply(from_number=body.from_number, text=body.text)}

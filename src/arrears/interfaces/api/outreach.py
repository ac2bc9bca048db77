"""Dialer results, delivery receipts and SMS replies: /api/v1/outreach/..., called by systems only
(signed requests, arrears.interfaces.api.integrations), each by the kinds it concerns."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema

from arrears.application.dialer import import_results
from arrears.application.outreach import record_delivery
from arrears.errors import ValidationFailed
from arrears.inquiries import surveys
from arrears.integrations.models import Integration, IntegrationKind
from arrears.interfaces.api.errors import errors
from arrears.interfaces.api.integrations import IntegrationAuth, RowsRefusedOut, answer, rows_refused
from arrears.kernel import clock

router = Router(tags=["outreach"])
MAX_ROWS = 5000
# The messages whose delivery each kind of provider reports.
DELIVERY_CHANNELS = {IntegrationKind.SMS_GATEWAY: ("sms",), IntegrationKind.EMAIL_PROVIDER: ("email",)}


class CallResult(Schema):
    case_id: int
    number: str
    at: dt.datetime
    outcome: str
    duration_seconds: int = 0
    agent: str = ""


class CallResults(Schema):
    rows: list[CallResult]


class DialerReportOut(Schema):
    imported: int
    flagged: int


@router.post(
    "/dialer/results",
    response={201: DialerReportOut, 422: RowsRefusedOut, **errors(401, 403, 409)},
    auth=IntegrationAuth(IntegrationKind.DIALER),
)
def dialer_results(request: HttpRequest, body: CallResults) -> HttpResponse:
    """Import call results; each is judged by the gate after the fact and flagged when it broke a rule.
    A row's agent must be a member of staff who may work the case, and is named required when a person
    spoke; its time may not be in the future nor more than 7 days ago. Refused rows make it a 422 that
    lists them, each with its row, field and message, and nothing is imported. Dialers only."""

    def work(integration: Integration) -> tuple[int, Any]:
        if not body.rows:
            raise ValidationFailed("give at least one row", field="rows", code="required")
        if len(body.rows) > MAX_ROWS:
            raise ValidationFailed(f"at most {MAX_ROWS} rows in one request", field="rows")
        report = import_results(
            actor=integration.actor,
            raw_rows=[{**r.dict(), "at": r.at.isoformat()} for r in body.rows],
            received_at=clock.now(),
        )
        if report.errors:
            listed = [{"row": r, "field": f, "code": ValidationFailed.code, "message": m} for r, f, m in report.errors]
            return rows_refused(ValidationFailed.status, listed)
        return 201, {"imported": report.imported, "flagged": report.flagged}

    return answer(request, work)


class Delivery(Schema):
    provider_ref: str
    status: str


class DeliveryOut(Schema):
    provider_ref: str
    status: str


@router.post(
    "/delivery",
    response={200: DeliveryOut, **errors(401, 403, 404, 409, 422)},
    auth=IntegrationAuth(*DELIVERY_CHANNELS),
)
def delivery(request: HttpRequest, body: Delivery) -> HttpResponse:
    """A delivery receipt (delivered, failed or bounced) for a message this kind of provider carries: SMS
    gateways report SMS, e-mail providers e-mail; another's reference is a 404."""

    def work(integration: Integration) -> tuple[int, Any]:
        message = record_delivery(
            actor=integration.actor,
            provider_ref=body.provider_ref,
            status=body.status,
            channels=DELIVERY_CHANNELS[IntegrationKind(integration.kind)],
        )
        return 200, {"provider_ref": message.provider_ref, "status": message.status}

    return answer(request, work)


class SmsReply(Schema):
    from_number: str
    text: str


class SmsReplyOut(Schema):
    received: bool


@router.post(
    "/sms-replies",
    response={200: SmsReplyOut, **errors(401, 403, 409, 422)},
    auth=IntegrationAuth(IntegrationKind.SMS_GATEWAY),
)
def sms_reply(request: HttpRequest, body: SmsReply) -> HttpResponse:
    """An SMS reply; an opt-out word (TD, 退订, STOP...) opts the customers with that mobile number out of
    SMS, and a score 1-5 answers the latest satisfaction survey sent to it. The answer is the same whether
    or not the number is a customer's. SMS gateways only."""

    def work(integration: Integration) -> tuple[int, Any]:
        surveys.handle_sms_reply(actor=integration.actor, from_number=body.from_number, text=body.text)
        return 200, {"received": True}

    return answer(request, work)

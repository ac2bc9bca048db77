"""The doors for systems: authenticated by a signed request, not a staff login (arrears.integrations).

`IntegrationAuth(kinds...)` is the `auth=` of every operation a system calls; staff sessions and tokens
get 401 there. `answer` runs an operation once per Idempotency-Key and returns its stored response to a
retry. This module also serves the payment gateway (`POST /api/v1/gateway/payments`) and the card host
(`POST /api/v1/card-host/transactions`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema
from ninja.security import APIKeyHeader

from arrears.application.card_host import HostTransaction, post_transactions
from arrears.cycle import business_date
from arrears.errors import NotPermitted, ValidationFailed
from arrears.integrations import signing
from arrears.integrations.models import Integration, IntegrationKind
from arrears.integrations.operations import authenticate, fingerprint, idempotency_key, run_once
from arrears.interfaces.api.errors import errors
from arrears.kernel.pan import is_account_ref, mask_pan
from arrears.money import format_fen, parse_amount
from arrears.payments.operations import PaymentIn, post_payment

REPLAYED = "Idempotent-Replayed"


class IntegrationAuth(APIKeyHeader):
    """A request signed by an integration of one of `kinds` (headers X-Arrears-Integration,
    X-Arrears-Timestamp, Idempotency-Key, X-Arrears-Signature; see docs/architecture.md)."""

    param_name = signing.SIGNATURE
    openapi_description = (
        "A request signed by an integration: X-Arrears-Integration, X-Arrears-Timestamp (Unix seconds), "
        "Idempotency-Key and X-Arrears-Signature, the hex HMAC-SHA256 of "
        "METHOD\\nPATH\\nTIMESTAMP\\nIDEMPOTENCY-KEY\\nsha256hex(body) (docs/architecture.md, Integrations)."
    )

    def __init__(self, *kinds: str) -> None:
        self.kinds = frozenset(kinds)
        super().__init__()

    def authenticate(self, request: HttpRequest, key: str | None) -> Integration:
        integration = authenticate(
            method=request.method or "", path=request.get_full_path(), headers=request.headers, body=request.body
        )
        if integration.kind not in self.kinds:
            allowed = ", ".join(sorted(self.kinds))
            raise NotPermitted(
                f"a {integration.kind} integration may not call this endpoint (it serves: {allowed})",
                field=signing.INTEGRATION,
                code="wrong_integration_kind",
            )
        return integration

    def __call__(self, request: HttpRequest) -> Integration:
        return self.authenticate(request, None)


def integration_of(request: HttpRequest) -> Integration:
    integration: Integration = request.auth  # type: ignore[attr-defined]
    return integration


def answer(request: HttpRequest, work: Callable[[Integration], tuple[int, Any]]) -> HttpResponse:
    """Run `work` once for this request's Idempotency-Key: a retry with the key and the same request gets
    the first response (status and body) again, marked `Idempotent-Replayed: true`; the key with another
    request is a 409. A refusal is a response too: it is stored and replayed like a success."""
    integration = integration_of(request)
    key = idempotency_key(request.headers)
    status, body, replayed = run_once(
        integration=integration,
        key=key,
        fingerprint=fingerprint(method=request.method or "", path=request.get_full_path(), body=request.body),
        work=lambda: work(integration),
    )
    response = HttpResponse(body, status=status, content_type="application/json")
    response[REPLAYED] = "true" if replayed else "false"
    return response


class RowErrorOut(Schema):
    row: int
    field: str | None
    code: str
    message: str


class RowsRefusedOut(Schema):
    """Refused rows: the error of the whole (code, field `rows`, message) and each row's."""

    code: str
    field: str | None
    message: str
    errors: list[RowErrorOut] = []


def shown(account: str) -> str:
    """An account as an answer names it: its internal reference as given, a card number masked (answers are
    kept for idempotent replays, and a full card number must not be stored there)."""
    return account if is_account_ref(account) else mask_pan(account)


def rows_refused(status: int, rows: list[dict[str, Any]], *, field: str = "rows") -> tuple[int, dict[str, Any]]:
    refused = ValidationFailed(f"{len(rows)} row(s) refused: nothing was recorded", field=field)
    return status, {**refused.as_dict(), "errors": rows}


# --- the payment gateway ---------------------------------------------------------------------------

gateway = Router(tags=["integrations"])


class GatewayPaymentIn(Schema):
    account: str
    amount: str
    date: dt.date | None = None
    reference: str


class GatewayPaymentOut(Schema):
    reference: str
    account: str
    amount: str
    value_date: dt.date


@gateway.post(
    "/payments",
    response={201: GatewayPaymentOut, **errors(401, 403, 404, 409, 422)},
    auth=IntegrationAuth(IntegrationKind.PAYMENT_GATEWAY),
)
def gateway_payment(request: HttpRequest, body: GatewayPaymentIn) -> HttpResponse:
    """Post one payment the gateway received, allocated by the product's waterfall; a reference already
    posted is a 409. Payment gateways only."""

    def work(integration: Integration) -> tuple[int, Any]:
        amount = parse_amount(body.amount, field="amount")
        today = business_date.current()
        payment = post_payment(
            actor=integration.actor,
            business_date=today,
            payment=PaymentIn(
                account_number=body.account, amount=amount, value_date=body.date or today, reference=body.reference
            ),
            source=f"gateway:{integration.name}"[:40],
        )
        return 201, {
            "reference": payment.reference,
            "account": shown(body.account),
            "amount": format_fen(payment.amount_fen),
            "value_date": payment.value_date,
        }

    return answer(request, work)


# --- the card host -------------------------------------------------------------------------------

card_host = Router(tags=["integrations"])


class HostTransactionIn(Schema):
    account: str
    kind: str  # purchase, cash_advance or annual_fee
    amount: str
    reference: str
    value_date: dt.date | None = None
    description: str = ""


class HostBatchIn(Schema):
    transactions: list[HostTransactionIn]


class HostEntryOut(Schema):
    row: int
    account: str
    kind: str
    amount: str
    reference: str


class HostBatchOut(Schema):
    posted: int
    entries: list[HostEntryOut]


@card_host.post(
    "/transactions",
    response={201: HostBatchOut, 404: RowsRefusedOut, 409: RowsRefusedOut, 422: RowsRefusedOut, **errors(401, 403)},
    auth=IntegrationAuth(IntegrationKind.CARD_HOST),
)
def host_transactions(request: HttpRequest, body: HostBatchIn) -> HttpResponse:
    """Post a batch of purchases, cash advances (with their fee) and annual fees, all or none. Refused rows
    are listed with their row, field and code; the status is that of the first refused row (422 invalid,
    404 no such account, 409 a reference already posted). Card hosts only."""

    def work(integration: Integration) -> tuple[int, Any]:
        rows = [HostTransaction(**t.dict()) for t in body.transactions]
        numbers = [t.account for t in body.transactions]
        batch = post_transactions(actor=integration.actor, rows=rows, business_date=business_date.current())
        if batch.refused:
            listed = [
                {"row": r.row, "field": r.error.field, "code": r.error.code, "message": r.error.message}
                for r in batch.refused
            ]
            return rows_refused(type(batch.refused[0].error).status, listed, field="transactions")
        entries = [
            {
                "row": n,
                "account": shown(numbers[n - 1]),
                "kind": line.kind,
                "amount": format_fen(line.amount_fen),
                "reference": line.reference,
            }
            for n, lines in enumerate(batch.posted, start=1)
            for line in lines
        ]
        return 201, {"posted": len(batch.posted), "entries": entries}

    return answer(request, work)

"""The HTTP API, /api/v1/ (OpenAPI at /api/docs): parse, make one call, render."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import NinjaAPI, Schema, Status

from arrears import business_days
from arrears.cases.queries import account_for
from arrears.errors import NotPermitted
from arrears.interfaces.api.auth import AUTH
from arrears.interfaces.api.cases import router as cases_router
from arrears.interfaces.api.errors import errors, install
from arrears.interfaces.api.plans import router as plans_router
from arrears.money import format_fen, parse_amount
from arrears.payments.operations import PaymentIn, post_payment

api = NinjaAPI(title="Arrears", version="1", urls_namespace="api-v1", docs_url="/docs", auth=AUTH)
install(api)


class PaymentInSchema(Schema):
    account: str
    amount: str
    date: dt.date | None = None
    reference: str


class PaymentOut(Schema):
    reference: str
    account: str
    amount: str
    value_date: dt.date


@api.post(
    "/v1/payments",
    response={201: PaymentOut, **errors(401, 403, 404, 409, 422)},
    tags=["payments"],
)
def create_payment(request: HttpRequest, body: PaymentInSchema) -> Any:
    """Post one payment; it is allocated by the product's waterfall."""
    if not request.user.has_perm("payments.add_payment"):
        raise NotPermitted("you may not post payments")
    amount = parse_amount(body.amount, field="amount")
    today = business_days.today()
    payment = post_payment(
        actor=request.user.get_username(),
        business_date=today,
        payment=PaymentIn(
            account_number=body.account, amount=amount, value_date=body.date or today, reference=body.reference
        ),
        source="api",
    )
    return Status(
        201,
        {
            "reference": payment.reference,
            "account": body.account,
            "amount": format_fen(payment.amount_fen),
            "value_date": payment.value_date,
        },
    )


class AccountOut(Schema):
    number: str
    status: str
    balance: str
    balances: dict[str, str]
    dpd: int
    bucket: str


@api.get("/v1/accounts/{number}", response={200: AccountOut, **errors(401, 404, 422)}, tags=["accounts"])
def read_account(request: HttpRequest, number: str) -> Any:
    account = account_for(request.user, number)
    return {
        "number": account.number,
        "status": account.status,
        "balance": format_fen(account.balance_fen),
        "balances": {k: f"{v:.2f}" for k, v in account.balances().items()},
        "dpd": account.dpd,
        "bucket": account.bucket_label,
    }


api.add_router("/v1", cases_router)
api.add_router("/v1/plans", plans_router)

from arrears.interfaces.api.compliance import router as compliance_router  # noqa: E402

api.add_router("/v1/compliance", compliance_router)

from arrears.interfaces.api.plan_cases import router as plan_cases_router  # noqa: E402

api.add_router("/v1", plan_cases_router)

from arrears.interfaces.api.outreach import router as outreach_router  # noqa: E402

api.add_router("/v1/outreach", outreach_router)

from arrears.interfaces.api.concessions import router as concessions_router  # noqa: E402

api.add_router("/v1", concessions_router)

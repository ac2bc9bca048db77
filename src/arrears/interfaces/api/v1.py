"""The HTTP API, /api/v1/ (OpenAPI at /api/docs): parse, make one call, render."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI, Schema, Status

from arrears.application.figures import account_figures
from arrears.application.personal_data import reveal
from arrears.application.reads import record_request_reads
from arrears.cases.queries import account_for
from arrears.cycle import business_date
from arrears.errors import NotPermitted
from arrears.interfaces.api.auth import AUTH, install_scopes, scope
from arrears.interfaces.api.cases import router as cases_router
from arrears.interfaces.api.errors import declare_common_errors, errors, install
from arrears.interfaces.api.plans import router as plans_router
from arrears.kernel.pan import mask_pan
from arrears.money import format_fen, parse_amount
from arrears.payments.operations import PaymentIn, post_payment
from arrears.people.models import Scope


class ArrearsApi(NinjaAPI):
    def get_openapi_schema(self, **kwargs: Any) -> Any:
        return declare_common_errors(super().get_openapi_schema(**kwargs))


# The schema and its browser are for signed-in staff: they map every door of the bank's system.
api = ArrearsApi(
    title="Arrears", version="1", urls_namespace="api-v1", docs_url="/docs", auth=AUTH, docs_decorator=login_required
)
install(api)
install_scopes(api)


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
@scope(Scope.PAYMENTS)
def create_payment(request: HttpRequest, body: PaymentInSchema) -> Any:
    """Post one payment; it is allocated by the product's waterfall."""
    if not request.user.has_perm("payments.add_payment"):
        raise NotPermitted("you may not post payments")
    amount = parse_amount(body.amount, field="amount")
    today = business_date.current()
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
            "account": mask_pan(body.account),
            "amount": format_fen(payment.amount_fen),
            "value_date": payment.value_date,
        },
    )


class UnpaidOut(Schema):
    kind: str
    ref: str
    due_date: dt.date
    amount: str


class PlanFiguresOut(Schema):
    plan: int
    balance: str
    amount_due: str
    next_due_date: dt.date | None


class AccountOut(Schema):
    ref: str
    number: str
    status: str
    standing: str
    balance: str
    balances: dict[str, str]
    past_due: str
    to_bring_current: str
    to_bring_current_parts: list[UnpaidOut]
    plan: PlanFiguresOut | None
    charged_off: str
    recovered: str
    still_owed: str
    total_owed: str
    dpd: int
    bucket: str
    classification: str


@api.get("/v1/accounts/{ref}", response={200: AccountOut, **errors(401, 404, 422)}, tags=["accounts"])
def read_account(request: HttpRequest, ref: str) -> Any:
    """The account's figures on the business date, as every page shows them (the card number masked)."""
    account = account_for(request.user, ref)
    f = account_figures([account.pk], business_date=business_date.current())[account.pk]
    record_request_reads(request, object_type="account", ids=[account.pk])
    return {
        "ref": f.ref,
        "number": f.number,
        "status": f.account_status,
        "standing": f.standing,
        "balance": format_fen(f.balance_fen),
        "balances": {c: format_fen(v) for c, v in f.components_fen().items()},
        "past_due": format_fen(f.past_due_fen),
        "to_bring_current": format_fen(f.to_bring_current_fen),
        "to_bring_current_parts": [
            {"kind": u.kind, "ref": u.ref, "due_date": u.due_date, "amount": format_fen(u.amount_fen)}
            for u in f.to_bring_current
        ],
        "plan": None
        if f.plan is None
        else {
            "plan": f.plan.plan_id,
            "balance": format_fen(f.plan.balance_fen),
            "amount_due": format_fen(f.plan.amount_due_fen),
            "next_due_date": f.plan.next_due_date,
        },
        "charged_off": format_fen(f.charged_off_fen if f.charged_off else 0),
        "recovered": format_fen(f.recovered_fen if f.charged_off else 0),
        "still_owed": format_fen(f.still_owed_fen),
        "total_owed": format_fen(f.total_owed_fen),
        "dpd": f.dpd,
        "bucket": f.bucket_label,
        "classification": f.classification,
    }


class RevealIn(Schema):
    field: str
    reason: str = ""


class RevealOut(Schema):
    ref: str
    field: str
    value: str


@api.post("/v1/accounts/{ref}/reveal", response={200: RevealOut, **errors(401, 403, 404, 422)}, tags=["accounts"])
def reveal_field(request: HttpRequest, response: HttpResponse, ref: str, body: RevealIn) -> Any:
    """One masked value in full: `number` (the card number), `phone` (the mobile) or `national_id`, for a
    role that may reveal it, with a reason; the audit trail records who, what and why before it is sent."""
    value = reveal(user=request.user, ref=ref, field=body.field, reason=body.reason)
    response["Cache-Control"] = "no-store"
    return {"ref": ref, "field": body.field, "value": value}


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

from arrears.interfaces.api.integrations import card_host, gateway  # noqa: E402

api.add_router("/v1/gateway", gateway)
api.add_router("/v1/card-host", card_host)

from arrears.interfaces.api.agencies import router as agencies_router  # noqa: E402

api.add_router("/v1", agencies_router)

from arrears.interfaces.api.inquiries import router as inquiries_router  # noqa: E402

api.add_router("/v1", inquiries_router)

from arrears.interfaces.api.disputes import router as disputes_router  # noqa: E402

api.add_router("/v1", disputes_router)

from arrears.interfaces.api.complaints import router as complaints_router  # noqa: E402

api.add_router("/v1", complaints_router)

from arrears.interfaces.api.scores import router as scores_router  # noqa: E402

api.add_router("/v1", scores_router)

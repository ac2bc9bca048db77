"""/api/v1/plans: repayment-plan quotes. The body is parsed by arrears.plans.parse, the same code
as `arrears plan quote FILE`, so both doors answer the same JSON (and the same errors)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from arrears.cycle import business_date
from arrears.interfaces.api.auth import scope
from arrears.interfaces.api.errors import errors
from arrears.people.models import Scope
from arrears.plans.parse import load_json, quote_json


class PlanQuoteIn(Schema):
    balance: str
    instalments: int
    first_due_date: str
    method: str
    annual_rate: str | None = None
    fee_rate: str | None = None
    down_payment: str | None = None
    business_date: str | None = None
    pack: str | None = None


class InstalmentOut(Schema):
    n: int
    due_date: str
    amount: str
    principal: str
    interest: str
    fee: str


class PlanQuoteOut(Schema):
    schedule: list[InstalmentOut]
    total_amount: str
    total_interest: str
    total_fee: str
    apr: str


router = Router(tags=["plans"])

# The body is read raw (not through PlanQuoteIn) so that the CLI's parser, not pydantic's
# coercions, decides what is valid; the schema is declared for the OpenAPI document.
_REQUEST_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": PlanQuoteIn.json_schema()}},
    }
}


@router.post(
    "/quote",
    response={200: PlanQuoteOut, **errors(401, 422)},
    openapi_extra=_REQUEST_BODY,
)
@scope(Scope.READ)
def quote_plan(request: HttpRequest) -> Any:
    """The schedule, totals and APR (annualised cost, CN-RATE) of a plan; writes nothing."""
    data = load_json(request.body, field="body")
    return quote_json(data, default_business_date=business_date.current)

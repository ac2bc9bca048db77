"""The plan quote as JSON, shared by both doors (`arrears plan quote FILE` and
`POST /api/v1/plans/quote`), so that the same input gives the same output and the same errors.

In::

    {"balance": "1000.00", "instalments": 3, "first_due_date": "2026-07-15",
     "method": "equal_payment", "annual_rate": "0.12", "fee_rate": "0.006",
     "down_payment": "0.00", "business_date": "2026-06-30", "pack": "CN"}

Amounts and rates are decimal strings (a JSON number is refused: most clients hold it as a binary
float, so it may have lost its cents before it reached us). ``instalments`` is a JSON integer.
``annual_rate`` is required by ``equal_payment`` and ``equal_principal``, ``fee_rate`` by
``flat_fee``; ``down_payment`` defaults to 0.00, ``business_date`` to today, ``pack`` to CN.
Unknown keys are refused, so that a misspelt rate is not silently ignored.

Out::

    {"schedule": [{"n", "due_date", "amount", "principal", "interest", "fee"}],
     "total_amount", "total_interest", "total_fee", "apr"}

with amounts as two-decimal strings and ``apr`` a six-decimal fraction (0.120021 is 12.0021 %).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from arrears.business_days import EARLIEST, LATEST, supported
from arrears.errors import ValidationFailed
from arrears.money import parse_amount, parse_rate
from arrears.plans.rules import (
    FEE_METHODS,
    INTEREST_METHODS,
    NIL,
    ZERO,
    Method,
    PlanPolicy,
    PlanTerms,
    Quote,
    plan_policy,
    quote_plan,
)

FIELDS = (
    "balance",
    "instalments",
    "first_due_date",
    "method",
    "annual_rate",
    "fee_rate",
    "down_payment",
    "business_date",
    "pack",
)


@dataclass(frozen=True)
class QuoteRequest:
    terms: PlanTerms
    policy: PlanPolicy
    business_date: dt.date


def load_json(text: str | bytes, *, field: str) -> object:
    """Decode a JSON document; `field` names where it came from (the file, the request body)."""
    try:
        return json.loads(text)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValidationFailed(f"not valid JSON: {exc}", field=field) from None


def parse_quote_request(data: object, *, default_business_date: Callable[[], dt.date]) -> QuoteRequest:
    """Turn the decoded JSON into validated-for-type terms; the policy checks come in quote_plan."""
    if not isinstance(data, Mapping):
        raise ValidationFailed("expected a JSON object", field="body")
    unknown = sorted(str(k) for k in data if k not in FIELDS)
    if unknown:
        raise ValidationFailed(f"unknown field; expected some of: {', '.join(FIELDS)}", field=unknown[0])
    method = _method(_required(data, "method"))
    balance = _amount(_required(data, "balance"), field="balance")
    instalments = _integer(_required(data, "instalments"), field="instalments")
    first_due_date = _date(_required(data, "first_due_date"), field="first_due_date")
    annual_rate = _rate(data, "annual_rate", required=method in INTEREST_METHODS, method=method)
    fee_rate = _rate(data, "fee_rate", required=method in FEE_METHODS, method=method)
    down_payment = _amount(data["down_payment"], field="down_payment") if data.get("down_payment") is not None else NIL
    business_date = (
        _date(data["business_date"], field="business_date")
        if data.get("business_date") is not None
        else default_business_date()
    )
    pack = data.get("pack")
    if pack is None:
        pack = "CN"
    elif not isinstance(pack, str):
        raise ValidationFailed('give the policy pack as a string, e.g. "CN"', field="pack")
    return QuoteRequest(
        terms=PlanTerms(
            balance=balance,
            instalments=instalments,
            first_due_date=first_due_date,
            method=method,
            annual_rate=annual_rate,
            fee_rate=fee_rate,
            down_payment=down_payment,
        ),
        policy=plan_policy(pack),
        business_date=business_date,
    )


def quote_to_json(quote: Quote) -> dict[str, Any]:
    return {
        "schedule": [
            {
                "n": row.n,
                "due_date": row.due_date.isoformat(),
                "amount": f"{row.amount:.2f}",
                "principal": f"{row.principal:.2f}",
                "interest": f"{row.interest:.2f}",
                "fee": f"{row.fee:.2f}",
            }
            for row in quote.schedule
        ],
        "total_amount": f"{quote.total_amount:.2f}",
        "total_interest": f"{quote.total_interest:.2f}",
        "total_fee": f"{quote.total_fee:.2f}",
        "apr": f"{quote.apr:.6f}",
    }


def quote_json(data: object, *, default_business_date: Callable[[], dt.date]) -> dict[str, Any]:
    """Both doors: parse, make one call, render. Raises ValidationFailed naming the field. The
    business date is asked for only when the request does not give one (a quote needs no database)."""
    request = parse_quote_request(data, default_business_date=default_business_date)
    quote = quote_plan(terms=request.terms, policy=request.policy, business_date=request.business_date)
    return quote_to_json(quote)


# -- fields -------------------------------------------------------------------------------------


def _required(data: Mapping[Any, Any], field: str) -> object:
    value = data.get(field)
    if value is None:
        raise ValidationFailed("required", field=field)
    return value


def _method(value: object) -> Method:
    for method in Method:
        if value == method.value:
            return method
    known = ", ".join(m.value for m in Method)
    raise ValidationFailed(f"unknown method {value!r}; use one of: {known}", field="method")


def _amount(value: object, *, field: str) -> Decimal:
    if not isinstance(value, str):
        raise ValidationFailed('give the amount as a decimal string, e.g. "1000.00"', field=field)
    return parse_amount(value, field=field)


def _integer(value: object, *, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationFailed(f"give a whole number, not {value!r}", field=field)
    return value


def _date(value: object, *, field: str) -> dt.date:
    if isinstance(value, str):
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            pass
        else:
            if not supported(day):  # a schedule from it would run off the calendar
                raise ValidationFailed(
                    f"must be between {EARLIEST} and {LATEST}",
                    field=field,
                    code="out_of_range",
                    params={"low": EARLIEST, "high": LATEST},
                )
            return day
    raise ValidationFailed(f"{value!r} is not a date; use YYYY-MM-DD", field=field)


def _rate(data: Mapping[Any, Any], field: str, *, required: bool, method: Method) -> Decimal:
    value = data.get(field)
    if value is None:
        if required:
            raise ValidationFailed(f"required by {method.value} plans", field=field)
        return ZERO
    return parse_rate(value, field=field)

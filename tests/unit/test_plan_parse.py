"""The plan quote's JSON, as both doors read and write it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from arrears.errors import ValidationFailed
from arrears.plans.parse import load_json, quote_json

TODAY = dt.date(2026, 1, 10)
GOOD: dict[str, Any] = {
    "balance": "1000.00",
    "instalments": 3,
    "first_due_date": "2026-02-15",
    "method": "flat_fee",
    "fee_rate": "0.006",
}


def test_renders_the_schedule_and_totals_as_strings() -> None:
    out = quote_json(GOOD, default_business_date=lambda: TODAY)
    assert out == {
        "schedule": [
            {
                "n": 1,
                "due_date": "2026-02-15",
                "amount": "339.34",
                "principal": "333.34",
                "interest": "0.00",
                "fee": "6.00",
            },
            {
                "n": 2,
                "due_date": "2026-03-15",
                "amount": "339.33",
                "principal": "333.33",
                "interest": "0.00",
                "fee": "6.00",
            },
            {
                "n": 3,
                "due_date": "2026-04-15",
                "amount": "339.33",
                "principal": "333.33",
                "interest": "0.00",
                "fee": "6.00",
            },
        ],
        "total_amount": "1018.00",
        "total_interest": "0.00",
        "total_fee": "18.00",
        "apr": "0.107680",
    }


def test_takes_the_business_date_and_pack_from_the_input_when_given() -> None:
    data = {**GOOD, "business_date": "2026-02-15", "pack": "CN", "down_payment": "0.00"}
    assert quote_json(data, default_business_date=lambda: dt.date(2030, 1, 1))["total_fee"] == "18.00"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"instalments": 61}, "instalments"),
        ({"instalments": "3"}, "instalments"),
        ({"instalments": 3.5}, "instalments"),
        ({"method": "balloon"}, "method"),
        ({"method": None}, "method"),
        ({"balance": "0.00"}, "balance"),
        ({"balance": 1000.0}, "balance"),
        ({"balance": "ten"}, "balance"),
        ({"balance": "1000.001"}, "balance"),
        ({"fee_rate": "-0.001"}, "fee_rate"),
        ({"fee_rate": 0.006}, "fee_rate"),
        ({"fee_rate": "abc"}, "fee_rate"),
        ({"fee_rate": "NaN"}, "fee_rate"),
        ({"fee_rate": None}, "fee_rate"),
        ({"first_due_date": "2026-01-09"}, "first_due_date"),
        ({"first_due_date": "15/02/2026"}, "first_due_date"),
        ({"down_payment": "1000.00"}, "down_payment"),
        ({"business_date": "tomorrow"}, "business_date"),
        ({"pack": "XX"}, "pack"),
        ({"fee": "0.006"}, "fee"),
        ({"method": "equal_payment"}, "annual_rate"),
    ],
)
def test_names_the_field_of_bad_input(changes: dict[str, Any], field: str) -> None:
    data = {**GOOD, **changes}
    with pytest.raises(ValidationFailed) as caught:
        quote_json(data, default_business_date=lambda: TODAY)
    assert caught.value.field == field


def test_names_a_missing_field() -> None:
    data = {k: v for k, v in GOOD.items() if k != "first_due_date"}
    with pytest.raises(ValidationFailed) as caught:
        quote_json(data, default_business_date=lambda: TODAY)
    assert (caught.value.field, caught.value.message) == ("first_due_date", "required")


def test_refuses_what_is_not_a_json_object() -> None:
    with pytest.raises(ValidationFailed) as caught:
        load_json("{not json", field="file")
    assert caught.value.field == "file"
    with pytest.raises(ValidationFailed) as caught:
        quote_json([GOOD], default_business_date=lambda: TODAY)
    assert caught.value.field == "body"

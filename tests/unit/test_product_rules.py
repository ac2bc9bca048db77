"""Card-product parameters: defaults, validation naming the field, buckets."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from arrears.errors import ValidationFailed
from arrears.products.rules import ProductParams, build_params, due_date_for, params_as_json


class TestBuildParams:
    def test_fills_every_parameter_left_out_with_the_default_of_product_md(self) -> None:
        p = build_params({})

        assert p == ProductParams()
        assert (p.daily_interest_rate, p.statement_day, p.due_days_after_statement) == (Decimal("0.0005"), 5, 18)
        assert (p.min_payment_rate, p.late_fee_rate, p.charge_off_dpd) == (Decimal("0.10"), Decimal("0.05"), 180)
        assert (p.interest_on_partial_payment, p.compound_interest) == ("full_amount", False)
        assert p.allocation_waterfall == ("fees", "interest", "principal")
        assert p.allocation_waterfall_late == ("principal", "interest", "fees")
        assert p.bucket_edges == (30, 60, 90, 120, 150, 180)

    def test_reads_decimals_from_strings_exactly_and_whole_numbers_from_digit_strings(self) -> None:
        p = build_params(
            {"daily_interest_rate": "0.000333", "statement_day": "31", "late_fee_cap": "50", "currency": "usd"}
        )

        assert p.daily_interest_rate == Decimal("0.000333")
        assert p.statement_day == 31
        assert p.late_fee_cap == Decimal("50.00")
        assert p.currency == "USD"

    def test_round_trips_through_json(self) -> None:
        p = build_params({"late_fee_floor": "5.00", "compound_interest": True, "bucket_edges": [15, 45]})

        assert build_params(params_as_json(p)) == p

    @pytest.mark.parametrize(
        ("values", "field"),
        [
            ({"statement_day": 32}, "statement_day"),
            ({"statement_day": 0}, "statement_day"),
            ({"statement_day": 5.0}, "statement_day"),
            ({"statement_day": True}, "statement_day"),
            ({"due_days_after_statement": 28}, "due_days_after_statement"),
            ({"due_days_after_statement": 0}, "due_days_after_statement"),
            ({"daily_interest_rate": 0.0005}, "daily_interest_rate"),
            ({"daily_interest_rate": "0.02"}, "daily_interest_rate"),
            ({"daily_interest_rate": "-0.0001"}, "daily_interest_rate"),
            ({"daily_interest_rate": "lots"}, "daily_interest_rate"),
            ({"daily_interest_rate": "NaN"}, "daily_interest_rate"),
            ({"cash_advance_daily_rate": "0.011"}, "cash_advance_daily_rate"),
            ({"min_payment_rate": "1.5"}, "min_payment_rate"),
            ({"late_fee_rate": "-0.05"}, "late_fee_rate"),
            ({"cash_advance_fee_rate": 0.01}, "cash_advance_fee_rate"),
            ({"late_fee_floor": "-1.00"}, "late_fee_floor"),
            ({"late_fee_cap": "1.005"}, "late_fee_cap"),
            ({"late_fee_floor": "10.00", "late_fee_cap": "5.00"}, "late_fee_floor"),
            ({"annual_fee": "-100"}, "annual_fee"),
            ({"min_payment_floor": 100.0}, "min_payment_floor"),
            ({"interest_on_partial_payment": "daily"}, "interest_on_partial_payment"),
            ({"compound_interest": "yes"}, "compound_interest"),
            ({"allocation_waterfall": ["fees", "principal"]}, "allocation_waterfall"),
            ({"allocation_waterfall_late": ["fees", "fees", "principal"]}, "allocation_waterfall_late"),
            ({"allocation_late_from_dpd": 0}, "allocation_late_from_dpd"),
            ({"bucket_edges": [30, 30, 60]}, "bucket_edges"),
            ({"bucket_edges": [0, 30]}, "bucket_edges"),
            ({"bucket_edges": []}, "bucket_edges"),
            ({"charge_off_dpd": 0}, "charge_off_dpd"),
            ({"charge_off_dpd": 3651}, "charge_off_dpd"),
            ({"currency": "RMB1"}, "currency"),
            ({"max_single_payment": "0"}, "max_single_payment"),
            ({"max_single_payment": "1,50"}, "max_single_payment"),
            ({"max_single_payment": "1e6"}, "max_single_payment"),
            ({"max_single_payment": "1000000000000000"}, "max_single_payment"),
            ({"annual_fee": "１００"}, "annual_fee"),
            ({"payment_backdate_days": -1}, "payment_backdate_days"),
            ({"payment_backdate_days": 367}, "payment_backdate_days"),
            ({"payment_backdate_days": "thirty"}, "payment_backdate_days"),
            ({"grace_days": 3}, "grace_days"),
        ],
    )
    def test_refuses_a_parameter_out_of_range_naming_it(self, values: dict[str, Any], field: str) -> None:
        with pytest.raises(ValidationFailed) as caught:
            build_params(values)

        assert caught.value.field == field
        assert caught.value.message

    def test_a_payment_is_at_most_one_million_and_dated_at_most_thirty_days_back_unless_the_product_says(
        self,
    ) -> None:
        assert (ProductParams().max_single_payment, ProductParams().payment_backdate_days) == (
            Decimal("1000000.00"),
            30,
        )
        p = build_params({"max_single_payment": "50,000.00", "payment_backdate_days": "7"})
        assert (p.max_single_payment, p.payment_backdate_days) == (Decimal("50000.00"), 7)
        assert build_params(params_as_json(p)) == p

    def test_explains_that_a_float_rate_must_be_a_string(self) -> None:
        with pytest.raises(ValidationFailed, match="not floats"):
            build_params({"daily_interest_rate": 0.0005})

    @pytest.mark.parametrize("day", [1, 28, 29, 30, 31])
    def test_accepts_every_day_of_the_month_as_statement_day(self, day: int) -> None:
        assert build_params({"statement_day": day}).statement_day == day


class TestBuckets:
    @pytest.mark.parametrize(
        ("dpd", "bucket"),
        [(-3, 0), (0, 0), (1, 1), (30, 1), (31, 2), (60, 2), (61, 3), (90, 3), (91, 4), (121, 5), (151, 6),
         (180, 6), (181, 7), (5000, 7)],
    )  # fmt: skip
    def test_m1_is_1_to_30_dpd_and_m7_is_181_and_over(self, dpd: int, bucket: int) -> None:
        assert ProductParams().bucket_for(dpd) == bucket

    def test_follow_the_product_edges(self) -> None:
        assert [ProductParams(bucket_edges=(15, 45)).bucket_for(d) for d in (0, 15, 16, 45, 46)] == [0, 1, 2, 2, 3]


class TestDueDate:
    def test_is_the_statement_date_plus_the_due_days(self) -> None:
        assert due_date_for(ProductParams(), dt.date(2026, 2, 28)) == dt.date(2026, 3, 18)
        assert due_date_for(ProductParams(due_days_after_statement=25), dt.date(2026, 1, 31)) == dt.date(2026, 2, 25)

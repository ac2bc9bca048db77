"""Worked examples of the plan calculator, computed by hand, and its validation."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal
from typing import Any

import numpy_financial as npf
import pytest

from arrears.errors import ValidationFailed
from arrears.plans.rules import (
    Method,
    PlanPolicy,
    PlanTerms,
    Quote,
    annualised_rate,
    quote_plan,
)

CN = PlanPolicy()
TODAY = dt.date(2026, 1, 10)


def quote(
    balance: str,
    n: int,
    method: Method,
    *,
    annual_rate: str = "0",
    fee_rate: str = "0",
    down_payment: str = "0.00",
    first_due_date: dt.date = dt.date(2026, 2, 15),
    business_date: dt.date = TODAY,
) -> Quote:
    terms = PlanTerms(
        balance=Decimal(balance),
        instalments=n,
        first_due_date=first_due_date,
        method=method,
        annual_rate=Decimal(annual_rate),
        fee_rate=Decimal(fee_rate),
        down_payment=Decimal(down_payment),
    )
    return quote_plan(terms=terms, policy=CN, business_date=business_date)


def rows(q: Quote) -> list[tuple[str, str, str, str]]:
    return [(f"{i.amount}", f"{i.principal}", f"{i.interest}", f"{i.fee}") for i in q.schedule]


def irr_apr(principal: str, q: Quote) -> Decimal:
    """numpy-financial's IRR x 12, as a cross-check of the APR (floats only inside the check)."""
    flows = [-float(principal)] + [float(str(i.amount)) for i in q.schedule]
    return Decimal(str(npf.irr(flows))) * 12


class TestEqualPayment:
    def test_repays_1000_over_3_months_at_12_percent(self) -> None:
        # r = 0.12 / 12 = 0.01. pmt(1000.00, 3) = 10 / (1 - 1.01^-3) = 10 / 0.0294098521
        #   = 340.0221 -> 340.02 (what numpy-financial's pmt gives, to the cent)
        # 1: interest 1000.00 x 0.01 = 10.00; principal 340.02 - 10.00 = 330.02; owed 669.98
        # 2: pmt(669.98, 2) = 6.6998 / (1 - 1.01^-2) = 6.6998 / 0.0197039506 = 340.0232 -> 340.02
        #    interest 669.98 x 0.01 = 6.6998 -> 6.70; principal 333.32; owed 336.66
        # 3: pmt(336.66, 1) = 336.66 x 1.01: interest 3.3666 -> 3.37; amount 336.66 + 3.37 = 340.03
        # totals: 340.02 + 340.02 + 340.03 = 1020.07; interest 10.00 + 6.70 + 3.37 = 20.07
        q = quote("1000.00", 3, Method.EQUAL_PAYMENT, annual_rate="0.12")
        assert rows(q) == [
            ("340.02", "330.02", "10.00", "0.00"),
            ("340.02", "333.32", "6.70", "0.00"),
            ("340.03", "336.66", "3.37", "0.00"),
        ]
        assert (q.total_amount, q.total_principal) == (Decimal("1020.07"), Decimal("1000.00"))
        assert (q.total_interest, q.total_fee) == (Decimal("20.07"), Decimal("0.00"))
        # The customer pays 12 % a year, plus the fraction of a cent the rounding added.
        assert q.apr == Decimal("0.120021")
        assert abs(q.apr - irr_apr("1000.00", q)) < Decimal("0.000001")

    def test_repays_10000_over_12_months_at_12_percent_with_the_numpy_payment(self) -> None:
        # pmt(10000.00, 12) = 100 / (1 - 1.01^-12) = 100 / 0.1125507747 = 888.4879 -> 888.49
        # 1: interest 100.00, principal 788.49, owed 9211.51
        # 2: interest 92.1151 -> 92.12; pmt(9211.51, 11) = 92.1151 / (1 - 1.01^-11)
        #    = 92.1151 / 0.1036762825 = 888.4877 -> 888.49 (the 0.0021 the first payment paid
        #    over 888.4879 is re-spread over the 11 months left); principal 888.49 - 92.12
        q = quote("10000.00", 12, Method.EQUAL_PAYMENT, annual_rate="0.12")
        assert rows(q)[:2] == [
            ("888.49", "788.49", "100.00", "0.00"),
            ("888.49", "796.37", "92.12", "0.00"),
        ]
        assert q.schedule[0].amount == Decimal(f"{npf.pmt(0.01, 12, -10000.0):.2f}")
        assert all(abs(i.amount - Decimal("888.49")) <= Decimal("0.01") for i in q.schedule)
        assert q.total_principal == Decimal("10000.00")
        assert q.total_amount == sum((i.amount for i in q.schedule), Decimal(0))

    def test_at_zero_percent_is_the_principal_split_evenly(self) -> None:
        # 1000.00 / 3 = 333.333...: 333.33 each and the cent left over to the first.
        q = quote("1000.00", 3, Method.EQUAL_PAYMENT, annual_rate="0")
        assert [r[0] for r in rows(q)] == ["333.34", "333.33", "333.33"]
        assert q.apr == Decimal("0.000000")

    def test_keeps_a_60_month_plan_level_to_a_cent_or_two(self) -> None:
        # Level payment for n - 1 months with the last settling the rest would leave the last
        # 0.49 away from the others here: 60 half-cent roundings of the payment, compounded.
        q = quote("3493372.35", 58, Method.EQUAL_PAYMENT, annual_rate="0.1648")
        first = q.schedule[0].amount
        assert first == Decimal(f"{npf.pmt(0.1648 / 12, 58, -3493372.35):.2f}")
        assert max(abs(i.amount - first) for i in q.schedule) <= Decimal("0.02")
        assert q.total_principal == Decimal("3493372.35")


class TestEqualPrincipal:
    def test_repays_1000_over_3_months_at_12_percent(self) -> None:
        # principal 1000.00 / 3 -> 333.34, 333.33, 333.33 (largest remainder: the extra cent first)
        # interest at 0.01 on the balance owed: 1000.00 -> 10.00; 666.66 -> 6.6666 -> 6.67;
        #   333.33 -> 3.3333 -> 3.33
        # amounts 343.34, 340.00, 336.66; total 1020.00; interest 20.00
        q = quote("1000.00", 3, Method.EQUAL_PRINCIPAL, annual_rate="0.12")
        assert rows(q) == [
            ("343.34", "333.34", "10.00", "0.00"),
            ("340.00", "333.33", "6.67", "0.00"),
            ("336.66", "333.33", "3.33", "0.00"),
        ]
        assert (q.total_amount, q.total_interest) == (Decimal("1020.00"), Decimal("20.00"))
        assert q.apr == Decimal("0.120001")
        assert abs(q.apr - irr_apr("1000.00", q)) < Decimal("0.000001")

    def test_splits_100_over_7_by_largest_remainder(self) -> None:
        # 100.00 / 7 = 14.2857: floor 14.28 x 7 = 99.96; the 4 cents left go to the first four.
        q = quote("100.00", 7, Method.EQUAL_PRINCIPAL, annual_rate="0")
        assert [r[1] for r in rows(q)] == ["14.29"] * 4 + ["14.28"] * 3
        assert q.total_principal == Decimal("100.00")

    def test_finances_only_what_is_left_after_the_down_payment(self) -> None:
        # 1200.00 - 200.00 down = 1000.00 financed: the example above.
        q = quote("1200.00", 3, Method.EQUAL_PRINCIPAL, annual_rate="0.12", down_payment="200.00")
        assert [r[0] for r in rows(q)] == ["343.34", "340.00", "336.66"]
        assert q.total_principal == Decimal("1000.00")
        assert q.apr == Decimal("0.120001")


class TestFlatFee:
    def test_repays_1000_over_3_months_with_a_0_6_percent_fee(self) -> None:
        # principal 333.34, 333.33, 333.33; fee 1000.00 x 0.006 = 6.00 on every instalment
        # amounts 339.34, 339.33, 339.33; total 1018.00; fee 18.00
        q = quote("1000.00", 3, Method.FLAT_FEE, fee_rate="0.006")
        assert rows(q) == [
            ("339.34", "333.34", "0.00", "6.00"),
            ("339.33", "333.33", "0.00", "6.00"),
            ("339.33", "333.33", "0.00", "6.00"),
        ]
        assert (q.total_amount, q.total_fee) == (Decimal("1018.00"), Decimal("18.00"))
        assert q.total_interest == Decimal("0.00")
        assert abs(q.apr - irr_apr("1000.00", q)) < Decimal("0.000001")

    def test_rounds_each_fee_half_up(self) -> None:
        # 1234.56 x 0.0065 = 8.02464 -> 8.02 a month; principal 1234.56 / 4 = 308.64 exactly
        q = quote("1234.56", 4, Method.FLAT_FEE, fee_rate="0.0065")
        assert rows(q) == [("316.66", "308.64", "0.00", "8.02")] * 4
        assert (q.total_amount, q.total_fee) == (Decimal("1266.64"), Decimal("32.08"))

    def test_shows_the_true_annual_cost_of_a_monthly_fee(self) -> None:
        # 0.6 % a month on the original principal is 7.2 % a year on paper, but the customer
        # pays it on a balance that falls to nothing: the APR is about 13 %.
        q = quote("10000.00", 12, Method.FLAT_FEE, fee_rate="0.006")
        assert q.apr == Decimal("0.130343")
        assert abs(q.apr - irr_apr("10000.00", q)) < Decimal("0.000001")


class TestAnnualisedRate:
    def test_is_the_rate_at_which_the_instalments_are_worth_the_principal(self) -> None:
        amounts = [Decimal("339.34"), Decimal("339.33"), Decimal("339.33")]
        apr = annualised_rate(principal=Decimal("1000.00"), amounts=amounts)
        v = 1 / (1 + apr / 12)
        present_value = sum((a * v**k for k, a in enumerate(amounts, start=1)), Decimal(0))
        # 1000.00 at the six-decimal APR: within a hundredth of a cent
        assert abs(present_value - Decimal("1000.00")) < Decimal("0.0001")

    def test_is_zero_when_nothing_but_principal_is_paid(self) -> None:
        amounts = [Decimal("500.00"), Decimal("500.00")]
        assert annualised_rate(principal=Decimal("1000.00"), amounts=amounts) == Decimal("0")


class TestDueDates:
    def test_falls_on_the_last_day_of_shorter_months_and_returns_to_the_31st(self) -> None:
        q = quote("600.00", 6, Method.EQUAL_PRINCIPAL, first_due_date=dt.date(2026, 1, 31))
        assert [i.due_date.isoformat() for i in q.schedule] == [
            "2026-01-31",
            "2026-02-28",
            "2026-03-31",
            "2026-04-30",
            "2026-05-31",
            "2026-06-30",
        ]

    def test_uses_the_29th_of_february_in_a_leap_year(self) -> None:
        q = quote(
            "300.00",
            3,
            Method.EQUAL_PAYMENT,
            annual_rate="0.12",
            first_due_date=dt.date(2028, 1, 31),
            business_date=dt.date(2028, 1, 1),
        )
        assert [i.due_date.isoformat() for i in q.schedule] == [
            "2028-01-31",
            "2028-02-29",
            "2028-03-31",
        ]

    def test_keeps_the_original_day_rather_than_drifting_after_a_short_month(self) -> None:
        q = quote("400.00", 4, Method.FLAT_FEE, fee_rate="0.005", first_due_date=dt.date(2026, 8, 31))
        assert [i.due_date.isoformat() for i in q.schedule] == [
            "2026-08-31",
            "2026-09-30",
            "2026-10-31",
            "2026-11-30",
        ]

    def test_crosses_the_year_end_and_a_day_every_month_has(self) -> None:
        q = quote("300.00", 3, Method.EQUAL_PRINCIPAL, first_due_date=dt.date(2026, 11, 15))
        assert [i.due_date.isoformat() for i in q.schedule] == [
            "2026-11-15",
            "2026-12-15",
            "2027-01-15",
        ]


class TestValidation:
    BASE = PlanTerms(
        balance=Decimal("1000.00"),
        instalments=3,
        first_due_date=dt.date(2026, 2, 15),
        method=Method.EQUAL_PAYMENT,
        annual_rate=Decimal("0.12"),
    )

    @pytest.mark.parametrize(
        ("changes", "field"),
        [
            ({"instalments": 61}, "instalments"),
            ({"instalments": 0}, "instalments"),
            ({"annual_rate": Decimal("-0.01")}, "annual_rate"),
            ({"annual_rate": Decimal("0.25")}, "annual_rate"),
            ({"annual_rate": Decimal("12")}, "annual_rate"),
            ({"first_due_date": dt.date(2026, 1, 9)}, "first_due_date"),
            ({"balance": Decimal("0.00")}, "balance"),
            ({"balance": Decimal("-5.00")}, "balance"),
            ({"balance": Decimal("10.001")}, "balance"),
            ({"down_payment": Decimal("-1.00")}, "down_payment"),
            ({"down_payment": Decimal("1000.00")}, "down_payment"),
            ({"fee_rate": Decimal("0.006")}, "fee_rate"),
            ({"balance": Decimal("0.02")}, "instalments"),
        ],
    )
    def test_refuses_terms_the_cn_policy_does_not_allow(self, changes: dict[str, Any], field: str) -> None:
        with pytest.raises(ValidationFailed) as caught:
            quote_plan(terms=replace(self.BASE, **changes), policy=CN, business_date=TODAY)
        assert caught.value.field == field
        assert caught.value.message

    def test_refuses_a_negative_fee_rate_and_one_above_the_maximum(self) -> None:
        for rate in ("-0.001", "0.011"):
            with pytest.raises(ValidationFailed) as caught:
                quote("1000.00", 3, Method.FLAT_FEE, fee_rate=rate)
            assert caught.value.field == "fee_rate"

    def test_refuses_interest_on_a_flat_fee_plan_rather_than_ignoring_it(self) -> None:
        with pytest.raises(ValidationFailed) as caught:
            quote("1000.00", 3, Method.FLAT_FEE, fee_rate="0.006", annual_rate="0.12")
        assert caught.value.field == "annual_rate"

    def test_allows_exactly_60_instalments_and_a_first_due_date_of_today(self) -> None:
        q = quote("6000.00", 60, Method.EQUAL_PAYMENT, annual_rate="0.24", first_due_date=TODAY)
        assert len(q.schedule) == 60

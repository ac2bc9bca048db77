"""Affordability: the disposable income, the instalment it carries, and the plans it supports."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from arrears.errors import ValidationFailed
from arrears.plans.affordability import (
    AffordabilityParameters,
    FinancialSituation,
    Pricing,
    assess_plan,
    disposable_income,
    instalment_ceiling,
    supported_plans,
)
from arrears.plans.rules import Method, PlanPolicy, PlanTerms, quote_plan

CN = PlanPolicy()
DEFAULTS = AffordabilityParameters()
TODAY = dt.date(2026, 1, 10)
FIRST_DUE = dt.date(2026, 2, 15)

# income 8000.00 - expenses 3500.00 - 2 dependants x 1000.00 - other debts 500.00 = 2000.00
# ceiling: 50 % of 2000.00 = 1000.00 a month
SITUATION = FinancialSituation(
    monthly_income=Decimal("8000.00"),
    monthly_expenses=Decimal("3500.00"),
    dependants=2,
    other_debt_payments=Decimal("500.00"),
)


class TestDisposableIncome:
    def test_takes_living_costs_dependants_and_other_debts_from_income(self) -> None:
        assert disposable_income(situation=SITUATION, parameters=DEFAULTS) == Decimal("2000.00")

    def test_uses_the_banks_own_allowance_per_dependant(self) -> None:
        params = AffordabilityParameters(dependant_allowance=Decimal("1500.00"))
        # 8000.00 - 3500.00 - 2 x 1500.00 - 500.00 = 1000.00
        assert disposable_income(situation=SITUATION, parameters=params) == Decimal("1000.00")

    def test_may_be_negative_and_then_carries_no_instalment(self) -> None:
        broke = FinancialSituation(monthly_income=Decimal("3000.00"), monthly_expenses=Decimal("3200.00"))
        disposable = disposable_income(situation=broke, parameters=DEFAULTS)
        assert disposable == Decimal("-200.00")
        assert instalment_ceiling(disposable=disposable, parameters=DEFAULTS) == Decimal("0.00")

    def test_floors_the_ceiling_to_the_cent(self) -> None:
        # 33.33 % of 1000.01 = 333.3033... -> 333.30 (never rounded up)
        params = AffordabilityParameters(max_share_of_disposable=Decimal("0.3333"))
        assert instalment_ceiling(disposable=Decimal("1000.01"), parameters=params) == Decimal("333.30")

    @pytest.mark.parametrize(
        ("field", "situation"),
        [
            ("monthly_income", FinancialSituation(Decimal("-1.00"), Decimal("0.00"))),
            ("monthly_expenses", FinancialSituation(Decimal("1.00"), Decimal("0.001"))),
            ("dependants", FinancialSituation(Decimal("1.00"), Decimal("0.00"), dependants=-1)),
            (
                "other_debt_payments",
                FinancialSituation(Decimal("1.00"), Decimal("0.00"), other_debt_payments=Decimal("-5")),
            ),
        ],
    )
    def test_refuses_a_situation_that_cannot_be_true(self, field: str, situation: FinancialSituation) -> None:
        with pytest.raises(ValidationFailed) as caught:
            disposable_income(situation=situation, parameters=DEFAULTS)
        assert caught.value.field == field


class TestAssessPlan:
    def test_passes_a_plan_within_the_share(self) -> None:
        # 2400.00 over 3 at 0 %: 800.00 a month <= 1000.00
        q = quote_plan(
            terms=PlanTerms(
                balance=Decimal("2400.00"),
                instalments=3,
                first_due_date=FIRST_DUE,
                method=Method.EQUAL_PRINCIPAL,
            ),
            policy=CN,
            business_date=TODAY,
        )
        verdict = assess_plan(quote=q, situation=SITUATION, parameters=DEFAULTS)
        assert verdict.affordable
        assert not verdict.refer_to_assessor
        assert verdict.reason is None

    def test_flags_a_plan_above_the_share_for_the_credit_assessor_with_the_reason(self) -> None:
        # 3000.00 over 2 at 0 %: 1500.00 a month > 1000.00
        q = quote_plan(
            terms=PlanTerms(
                balance=Decimal("3000.00"),
                instalments=2,
                first_due_date=FIRST_DUE,
                method=Method.EQUAL_PRINCIPAL,
            ),
            policy=CN,
            business_date=TODAY,
        )
        verdict = assess_plan(quote=q, situation=SITUATION, parameters=DEFAULTS)
        assert not verdict.affordable
        assert verdict.refer_to_assessor
        assert verdict.reason == ("the instalment 1500.00 exceeds 50 % of the disposable income 2000.00 (1000.00)")

    def test_judges_by_the_largest_instalment(self) -> None:
        # equal_principal front-loads interest: 3000.00 over 3 at 12 %: 1030.00, 1020.00, 1010.00
        q = quote_plan(
            terms=PlanTerms(
                balance=Decimal("3000.00"),
                instalments=3,
                first_due_date=FIRST_DUE,
                method=Method.EQUAL_PRINCIPAL,
                annual_rate=Decimal("0.12"),
            ),
            policy=CN,
            business_date=TODAY,
        )
        verdict = assess_plan(quote=q, situation=SITUATION, parameters=DEFAULTS)
        assert verdict.largest_instalment == Decimal("1030.00")
        assert verdict.refer_to_assessor


class TestSupportedPlans:
    def test_offers_the_shortest_affordable_plan_for_each_method(self) -> None:
        # ceiling 1000.00. Balance 10000.00:
        #   equal_principal at 0 %: 10000.00 / n <= 1000.00 -> n = 10
        #   flat_fee at 0.6 %: 10000.00 / n + 60.00 <= 1000.00 -> n >= 10.64 -> 11
        #     (909.10 + 60.00 = 969.10)
        #   equal_payment at 12 %: pmt(10000, 10) = 100 / 0.0947130453 = 1055.82 > 1000.00;
        #     pmt(10000, 11) = 100 / 0.1036762825 = 964.54, and the schedule's largest instalment
        #     is a cent of re-spread rounding above it, 964.55 -> 11
        result = supported_plans(
            balance=Decimal("10000.00"),
            first_due_date=FIRST_DUE,
            situation=SITUATION,
            pricings=[
                Pricing(Method.EQUAL_PRINCIPAL),
                Pricing(Method.FLAT_FEE, fee_rate=Decimal("0.006")),
                Pricing(Method.EQUAL_PAYMENT, annual_rate=Decimal("0.12")),
            ],
            policy=CN,
            parameters=DEFAULTS,
            business_date=TODAY,
        )
        assert (result.disposable_income, result.ceiling) == (Decimal("2000.00"), Decimal("1000.00"))
        found = [(p.quote.terms.instalments, p.quote.largest_instalment) for p in result.plans if p.quote]
        assert found == [
            (10, Decimal("1000.00")),
            (11, Decimal("969.10")),
            (11, Decimal("964.55")),
        ]

    def test_says_why_when_no_plan_up_to_60_instalments_fits(self) -> None:
        # 100000.00 / 60 = 1666.67 a month even at 0 %: above 1000.00
        result = supported_plans(
            balance=Decimal("100000.00"),
            first_due_date=FIRST_DUE,
            situation=SITUATION,
            pricings=[Pricing(Method.EQUAL_PRINCIPAL)],
            policy=CN,
            parameters=DEFAULTS,
            business_date=TODAY,
        )
        (plan,) = result.plans
        assert plan.quote is None
        assert plan.reason == (
            "no plan of up to 60 instalments fits: the instalment 1666.67 exceeds 50 % of the "
            "disposable income 2000.00 (1000.00); refer to the credit assessor"
        )

    def test_refuses_pricing_the_policy_does_not_allow(self) -> None:
        with pytest.raises(ValidationFailed) as caught:
            supported_plans(
                balance=Decimal("1000.00"),
                first_due_date=FIRST_DUE,
                situation=SITUATION,
                pricings=[Pricing(Method.EQUAL_PAYMENT, annual_rate=Decimal("0.30"))],
                policy=CN,
                parameters=DEFAULTS,
                business_date=TODAY,
            )
        assert caught.value.field == "annual_rate"

"""Affordability: what the cardholder can pay each month, and which plans that supports. Pure.

From the financial situation captured on the call:

    disposable income = monthly income - monthly expenses
                        - dependants x living allowance per dependant
                        - other debt payments (other lenders' instalments, rent-like obligations)

    instalment ceiling = disposable income x max share, rounded down to the cent (0 if the
                         disposable income is not positive)

A plan is affordable when its largest instalment is within the ceiling; otherwise it is flagged
for the credit assessor (信用评估员) with the reason. For each priced method, the plan it supports is
the one with the fewest instalments (up to the policy maximum) that is affordable: the shortest
plan costs the customer least, and clears the debt soonest.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal

from arrears.errors import ValidationFailed
from arrears.money import CENT
from arrears.plans.rules import (
    NIL,
    ZERO,
    Method,
    PlanPolicy,
    PlanTerms,
    Quote,
    quote_plan,
    validate_terms,
)


@dataclass(frozen=True)
class AffordabilityParameters:
    """Bank parameters (defaults, CNY, per month).

    dependant_allowance
        1000.00 per dependant: about the urban minimum living standard (低保) in large Chinese
        cities; a bank sets its own.
    max_share_of_disposable
        0.50: at most half of what is left after living costs and other debts goes to the plan,
        so that one bad month does not break it.
    """

    dependant_allowance: Decimal = Decimal("1000.00")
    max_share_of_disposable: Decimal = Decimal("0.50")


@dataclass(frozen=True)
class FinancialSituation:
    """Monthly figures the collector captures on the call."""

    monthly_income: Decimal
    monthly_expenses: Decimal
    dependants: int = 0
    other_debt_payments: Decimal = NIL


@dataclass(frozen=True)
class Pricing:
    """A method with the rate the bank offers for it."""

    method: Method
    annual_rate: Decimal = ZERO
    fee_rate: Decimal = ZERO


@dataclass(frozen=True)
class PlanAssessment:
    affordable: bool
    largest_instalment: Decimal
    ceiling: Decimal
    refer_to_assessor: bool
    reason: str | None


@dataclass(frozen=True)
class SupportedPlan:
    """For one pricing: the shortest affordable plan, or None with the reason when there is none."""

    pricing: Pricing
    quote: Quote | None
    reason: str | None


@dataclass(frozen=True)
class Affordability:
    disposable_income: Decimal
    ceiling: Decimal
    plans: tuple[SupportedPlan, ...]


def validate_situation(*, situation: FinancialSituation) -> None:
    for field in ("monthly_income", "monthly_expenses", "other_debt_payments"):
        value: Decimal = getattr(situation, field)
        if not value.is_finite() or value < 0:
            raise ValidationFailed(f"{value} must be an amount of 0.00 or more", field=field)
        if value != value.quantize(CENT):
            raise ValidationFailed(f"{value} is not an amount in cents", field=field)
    if situation.dependants < 0:
        raise ValidationFailed("cannot be negative", field="dependants")


def disposable_income(*, situation: FinancialSituation, parameters: AffordabilityParameters) -> Decimal:
    """What is left each month after living costs and other debts; may be negative."""
    validate_situation(situation=situation)
    return (
        situation.monthly_income
        - situation.monthly_expenses
        - situation.dependants * parameters.dependant_allowance
        - situation.other_debt_payments
    ).quantize(CENT)


def instalment_ceiling(*, disposable: Decimal, parameters: AffordabilityParameters) -> Decimal:
    """The largest instalment the customer can carry: a share of the disposable income, floored
    to the cent (never rounded up into what the customer does not have)."""
    if disposable <= 0:
        return NIL
    return (disposable * parameters.max_share_of_disposable).quantize(CENT, rounding=ROUND_FLOOR)


def assess_plan(*, quote: Quote, situation: FinancialSituation, parameters: AffordabilityParameters) -> PlanAssessment:
    """Is this plan within the customer's means? If not, it goes to the credit assessor."""
    disposable = disposable_income(situation=situation, parameters=parameters)
    ceiling = instalment_ceiling(disposable=disposable, parameters=parameters)
    largest = quote.largest_instalment
    if largest <= ceiling:
        return PlanAssessment(
            affordable=True,
            largest_instalment=largest,
            ceiling=ceiling,
            refer_to_assessor=False,
            reason=None,
        )
    return PlanAssessment(
        affordable=False,
        largest_instalment=largest,
        ceiling=ceiling,
        refer_to_assessor=True,
        reason=_unaffordable_reason(largest, disposable, ceiling, parameters),
    )


def supported_plans(
    *,
    balance: Decimal,
    first_due_date: dt.date,
    situation: FinancialSituation,
    pricings: Sequence[Pricing],
    policy: PlanPolicy,
    parameters: AffordabilityParameters,
    business_date: dt.date,
    down_payment: Decimal = NIL,
) -> Affordability:
    """For each pricing, the shortest plan whose largest instalment is within the ceiling."""
    disposable = disposable_income(situation=situation, parameters=parameters)
    ceiling = instalment_ceiling(disposable=disposable, parameters=parameters)
    plans = []
    for pricing in pricings:
        plans.append(
            _shortest_affordable(
                pricing=pricing,
                balance=balance,
                down_payment=down_payment,
                first_due_date=first_due_date,
                policy=policy,
                business_date=business_date,
                disposable=disposable,
                ceiling=ceiling,
                parameters=parameters,
            )
        )
    return Affordability(disposable_income=disposable, ceiling=ceiling, plans=tuple(plans))


def _shortest_affordable(
    *,
    pricing: Pricing,
    balance: Decimal,
    down_payment: Decimal,
    first_due_date: dt.date,
    policy: PlanPolicy,
    business_date: dt.date,
    disposable: Decimal,
    ceiling: Decimal,
    parameters: AffordabilityParameters,
) -> SupportedPlan:
    def terms(n: int) -> PlanTerms:
        return PlanTerms(
            balance=balance,
            instalments=n,
            first_due_date=first_due_date,
            method=pricing.method,
            annual_rate=pricing.annual_rate,
            fee_rate=pricing.fee_rate,
            down_payment=down_payment,
        )

    # Fails loudly on terms no length can fix (a bad rate, a past date); the term itself is ours.
    validate_terms(terms=terms(1), policy=policy, business_date=business_date)
    longest = policy.max_instalments
    smallest_instalment = balance  # the largest instalment of the longest plan tried
    for n in range(1, longest + 1):
        try:
            quote = quote_plan(terms=terms(n), policy=policy, business_date=business_date)
        except ValidationFailed as exc:
            if exc.field != "instalments":
                raise
            break  # too little principal to split further: longer terms cannot help
        if quote.largest_instalment <= ceiling:
            return SupportedPlan(pricing=pricing, quote=quote, reason=None)
        smallest_instalment = quote.largest_instalment
    reason = (
        f"no plan of up to {longest} instalments fits: "
        + _unaffordable_reason(smallest_instalment, disposable, ceiling, parameters)
        + "; refer to the credit assessor"
    )
    return SupportedPlan(pricing=pricing, quote=None, reason=reason)


def _unaffordable_reason(
    largest: Decimal, disposable: Decimal, ceiling: Decimal, parameters: AffordabilityParameters
) -> str:
    if disposable <= 0:
        return f"no disposable income ({disposable:.2f} a month after living costs and debts)"
    share = (parameters.max_share_of_disposable * 100).normalize()
    return f"the instalment {largest:.2f} exceeds {share:f} % of the disposable income {disposable:.2f} ({ceiling:.2f})"

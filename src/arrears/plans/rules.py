"""The repayment-plan calculator (还款计划 / 个性化分期): pure, no ORM, no clock, no settings.

A plan restructures a balance into monthly instalments. Given the balance, the number of
instalments, the first due date, the method and its rate, `quote_plan` validates the terms against
the policy pack (CN-PLAN: at most 60 monthly instalments) and returns the full schedule.

Methods
-------
``equal_payment`` (等额本息)
    An annuity at ``annual_rate``; the monthly rate is ``annual_rate / 12``.
``equal_principal`` (等额本金)
    The principal split evenly; interest at ``annual_rate / 12`` on the declining balance.
``flat_fee`` (分期手续费)
    The principal split evenly, plus a fee of ``fee_rate`` x the original (financed) principal on
    every instalment; no interest.

Rounding (every amount is posted, so every amount is rounded half-up to the cent once)
---------------------------------------------------------------------------------------
* Principal split evenly (``equal_principal``, ``flat_fee``, and ``equal_payment`` at 0 %):
  ``money.split_largest_remainder`` over equal weights: the parts differ by at most one cent and
  the extra cents go to the earliest instalments (1000.00 / 3 = 333.34, 333.33, 333.33).
* Interest (``equal_principal``, ``equal_payment``): ``round_half_up(B × annual_rate / 12)``
  where B is the *rounded* balance still owed before the instalment — every interest line can be
  checked by the customer with a calculator.
* Fee (``flat_fee``): ``round_half_up(financed principal × fee_rate)`` on every instalment; the
  fee is defined per instalment and posted per instalment, so each is rounded on its own and all
  are equal.
* ``equal_payment`` — the payment is re-amortised every month: instalment k pays
  ``round_half_up(pmt(B, r, m))``, the level payment that would exactly repay the rounded balance
  B over the m instalments left, and its principal is that payment less its interest. The first
  instalment is therefore ``round_half_up(pmt(balance, r, n))``, the textbook level payment
  (numpy-financial's ``pmt`` to the cent), and the last (m = 1: pmt = B × (1 + r)) is exactly the
  balance left plus its interest, by the same rule as every other instalment.

  Why not "level payment for n - 1 instalments and the last one settles the remainder"? Rounding
  the level payment to the cent errs by up to half a cent every month; that error compounds over
  the term, so the last instalment differs from the others by about n x 0.5 cent: up to 30-50
  cents at 60 months (measured). That is drift the customer cannot explain. Re-amortising puts
  each month's half-cent errors into the payment for the months left, spread thinly, so nothing
  accumulates: every instalment, the last included, stays within two cents of the first (proven
  by a property test over the whole range of balances, terms and CN rates; in practice nearly
  always within one). The principal parts are never negative (rounding is monotone and
  pmt(B, r, m) > B × r), and they sum exactly to the financed principal because the last one is
  the balance left. (With a balance of only a few cents an instalment, an early instalment may
  pay interest only: 0.00 principal.)

APR (the annualised rate the customer must be shown, CN-RATE)
-------------------------------------------------------------
The internal rate of return of the schedule's cash flows — the financed principal received at the
start, each instalment paid one month later than the one before, the first one month after the
start — times 12: the nominal annual rate compounded monthly (the IRR method of Chinese
annualised-rate disclosure, and the unit-period actuarial method of US Regulation Z). It counts
every cost the customer pays (interest and fees) and nothing else; a down payment is paid on
acceptance, before the schedule, and neither costs nor finances anything, so it does not enter.
Chosen over the effective annual rate ((1 + irr)^12 - 1) because it is on the same scale as the
contract's ``annual_rate``: an equal_payment plan at 12 % shows an APR of 12 % (to within the cent
rounding), while a flat fee of 0.60 % a month shows what it really costs (about 13 % over 12
months, not 7.2 %). Six decimals, half-up.
"""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from arrears.business_days import add_months
from arrears.errors import ValidationFailed
from arrears.money import CENT, from_fen, round_cents, split_largest_remainder, to_fen

ZERO = Decimal(0)
NIL = Decimal("0.00")  # a zero amount, in cents
RATE_PLACES = Decimal("0.000001")
_PRECISION = 40  # working precision of the annuity and IRR arithmetic (results are then rounded)


class Method(StrEnum):
    EQUAL_PAYMENT = "equal_payment"
    EQUAL_PRINCIPAL = "equal_principal"
    FLAT_FEE = "flat_fee"


INTEREST_METHODS = frozenset({Method.EQUAL_PAYMENT, Method.EQUAL_PRINCIPAL})
FEE_METHODS = frozenset({Method.FLAT_FEE})


@dataclass(frozen=True)
class PlanPolicy:
    """The policy-pack parameters a plan is validated against.

    Defaults are the CN pack: at most 60 monthly instalments (CN-PLAN, 2011 art. 70). Rates are
    agreed freely since 2021 (CN-RATE), so the rate ceilings are the bank's own: 24 % a year (the
    line above which Chinese courts do not protect consumer-credit interest) and 1 % of the
    principal per instalment for the fee (above common card-instalment fees of 0.5-0.9 %).
    """

    pack: str = "CN"
    max_instalments: int = 60
    max_annual_rate: Decimal = Decimal("0.24")
    max_fee_rate: Decimal = Decimal("0.01")


PLAN_POLICIES: Mapping[str, PlanPolicy] = {"CN": PlanPolicy()}


def plan_policy(pack: str) -> PlanPolicy:
    try:
        return PLAN_POLICIES[pack]
    except KeyError:
        known = ", ".join(sorted(PLAN_POLICIES))
        raise ValidationFailed(f"unknown policy pack {pack!r}; known: {known}", field="pack") from None


@dataclass(frozen=True)
class PlanTerms:
    """What the collector and the customer agree on. Rates are fractions: 0.12 is 12 % a year."""

    balance: Decimal
    instalments: int
    first_due_date: dt.date
    method: Method
    annual_rate: Decimal = ZERO
    fee_rate: Decimal = ZERO
    down_payment: Decimal = NIL

    @property
    def financed_principal(self) -> Decimal:
        return self.balance - self.down_payment


@dataclass(frozen=True)
class Instalment:
    n: int
    due_date: dt.date
    amount: Decimal
    principal: Decimal
    interest: Decimal
    fee: Decimal


@dataclass(frozen=True)
class Quote:
    terms: PlanTerms
    schedule: tuple[Instalment, ...]
    total_amount: Decimal
    total_principal: Decimal
    total_interest: Decimal
    total_fee: Decimal
    apr: Decimal

    @property
    def largest_instalment(self) -> Decimal:
        return max(i.amount for i in self.schedule)


# -- validation -----------------------------------------------------------------------------------


def validate_terms(*, terms: PlanTerms, policy: PlanPolicy, business_date: dt.date) -> None:
    """Raise ValidationFailed naming the first field that breaks the policy; return otherwise."""
    if terms.balance <= 0:
        raise ValidationFailed("the balance to restructure must be more than 0.00", field="balance")
    _require_cents(terms.balance, field="balance")
    if not isinstance(terms.method, Method):
        raise ValidationFailed(f"unknown method {terms.method!r}", field="method")
    if not 1 <= terms.instalments <= policy.max_instalments:
        raise ValidationFailed(
            f"the {policy.pack} policy allows 1 to {policy.max_instalments} instalments, not {terms.instalments}",
            field="instalments",
            code="out_of_range",
            params={"low": 1, "high": policy.max_instalments},
        )
    if terms.first_due_date < business_date:
        raise ValidationFailed(
            f"{terms.first_due_date.isoformat()} is before the business date {business_date.isoformat()}",
            field="first_due_date",
            code="before_business_date",
            params={"date": business_date},
        )
    _validate_rate(
        terms.annual_rate,
        field="annual_rate",
        maximum=policy.max_annual_rate,
        used=terms.method in INTEREST_METHODS,
        method=terms.method,
        pack=policy.pack,
    )
    _validate_rate(
        terms.fee_rate,
        field="fee_rate",
        maximum=policy.max_fee_rate,
        used=terms.method in FEE_METHODS,
        method=terms.method,
        pack=policy.pack,
    )
    if terms.down_payment < 0:
        raise ValidationFailed("the down payment cannot be negative", field="down_payment", code="must_not_be_negative")
    _require_cents(terms.down_payment, field="down_payment")
    if terms.down_payment >= terms.balance:
        raise ValidationFailed(
            f"the down payment {terms.down_payment:.2f} must be less than the balance {terms.balance:.2f}",
            field="down_payment",
        )
    if to_fen(terms.financed_principal) < terms.instalments:
        raise ValidationFailed(
            f"{terms.financed_principal:.2f} cannot be split into {terms.instalments} instalments of at least 0.01",
            field="instalments",
        )


def _require_cents(amount: Decimal, *, field: str) -> None:
    if not amount.is_finite() or amount != amount.quantize(CENT):
        raise ValidationFailed(f"{amount} is not an amount in cents", field=field)


def _validate_rate(rate: Decimal, *, field: str, maximum: Decimal, used: bool, method: Method, pack: str) -> None:
    if not rate.is_finite():
        raise ValidationFailed(f"{rate} is not a rate", field=field)
    if rate < 0:
        raise ValidationFailed(f"the rate cannot be negative ({rate})", field=field, code="must_not_be_negative")
    if not used and rate != 0:
        raise ValidationFailed(
            f"{method.value} plans do not use {field}; leave it out", field=field, code="rate_not_used"
        )
    if rate > maximum:
        raise ValidationFailed(
            f"{rate} is above the {pack} maximum {maximum} (rates are fractions: 0.12 is 12 %)",
            field=field,
            code="rate_above_maximum",
            params={"maximum": maximum},
        )


# -- the schedule ---------------------------------------------------------------------------------


def quote_plan(*, terms: PlanTerms, policy: PlanPolicy, business_date: dt.date) -> Quote:
    """Validate the terms, then build the schedule, the totals and the APR."""
    validate_terms(terms=terms, policy=policy, business_date=business_date)
    principal = terms.financed_principal
    n = terms.instalments
    with decimal.localcontext() as ctx:
        ctx.prec = _PRECISION
        if terms.method is Method.EQUAL_PAYMENT and terms.annual_rate > 0:
            rows = _equal_payment(principal, terms.annual_rate / 12, n)
        elif terms.method is Method.FLAT_FEE:
            fee = round_cents(principal * terms.fee_rate)
            rows = [(p, NIL, fee) for p in _even_principal(principal, n)]
        else:  # equal_principal, and equal_payment at 0 % (the same thing)
            rows = _equal_principal(principal, terms.annual_rate / 12, n)
        schedule = tuple(
            Instalment(
                n=k,
                due_date=add_months(terms.first_due_date, k - 1),
                amount=p + i + f,
                principal=p,
                interest=i,
                fee=f,
            )
            for k, (p, i, f) in enumerate(rows, start=1)
        )
        apr = annualised_rate(principal=principal, amounts=[row.amount for row in schedule])
    return Quote(
        terms=terms,
        schedule=schedule,
        total_amount=sum((i.amount for i in schedule), NIL),
        total_principal=sum((i.principal for i in schedule), NIL),
        total_interest=sum((i.interest for i in schedule), NIL),
        total_fee=sum((i.fee for i in schedule), NIL),
        apr=apr,
    )


def level_payment(*, principal: Decimal, monthly_rate: Decimal, instalments: int) -> Decimal:
    """The unrounded annuity payment that repays `principal` in `instalments` months."""
    if monthly_rate == 0:
        return principal / instalments
    if instalments == 1:
        return principal * (1 + monthly_rate)
    return principal * monthly_rate / (1 - (1 + monthly_rate) ** -instalments)


def _even_principal(principal: Decimal, n: int) -> list[Decimal]:
    return [from_fen(f) for f in split_largest_remainder(to_fen(principal), [Decimal(1)] * n)]


def _equal_principal(principal: Decimal, monthly_rate: Decimal, n: int) -> list[tuple[Decimal, Decimal, Decimal]]:
    rows = []
    owed = principal
    for part in _even_principal(principal, n):
        interest = round_cents(owed * monthly_rate)
        rows.append((part, interest, NIL))
        owed -= part
    return rows


def _equal_payment(principal: Decimal, monthly_rate: Decimal, n: int) -> list[tuple[Decimal, Decimal, Decimal]]:
    rows = []
    owed = principal
    for left in range(n, 0, -1):
        interest = round_cents(owed * monthly_rate)
        if left == 1:  # pmt(B, r, 1) = B x (1 + r): the balance plus its interest, exactly
            payment = owed + interest
        else:
            payment = round_cents(level_payment(principal=owed, monthly_rate=monthly_rate, instalments=left))
        rows.append((payment - interest, interest, NIL))
        owed -= payment - interest
    return rows


# -- APR -------------------------------------------------------------------------------------------


def annualised_rate(*, principal: Decimal, amounts: list[Decimal]) -> Decimal:
    """12 x the monthly internal rate of return of: +principal now, -amounts[k] after k+1 months.

    Newton's method from 0: the present value is a decreasing convex function of the rate, and
    the instalments sum to at least the principal, so the iteration climbs monotonically to the
    root from below.
    """
    with decimal.localcontext() as ctx:
        ctx.prec = _PRECISION
        rate = ZERO
        tolerance = Decimal("1e-24")
        for _ in range(200):
            value, slope = _npv_and_slope(rate, principal, amounts)
            if value <= 0 or slope == 0:
                break
            step = value / slope
            rate += step
            if step < tolerance:
                break
        return (rate * 12).quantize(RATE_PLACES, rounding=ROUND_HALF_UP)


def _npv_and_slope(rate: Decimal, principal: Decimal, amounts: list[Decimal]) -> tuple[Decimal, Decimal]:
    """Present value of the instalments less the principal, and minus its derivative."""
    discount = 1 / (1 + rate)
    factor = Decimal(1)
    value = -principal
    slope = ZERO
    for k, amount in enumerate(amounts, start=1):
        factor *= discount
        value += amount * factor
        slope += k * amount * factor * discount
    return value, slope

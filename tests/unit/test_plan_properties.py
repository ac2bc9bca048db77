"""Laws of the plan calculator, for any balance, term and method the CN policy allows."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy_financial as npf
from hypothesis import given, settings
from hypothesis import strategies as st

from arrears.business_days import add_months
from arrears.errors import ValidationFailed
from arrears.money import CENT, round_cents
from arrears.plans.rules import (
    Method,
    PlanPolicy,
    PlanTerms,
    level_payment,
    quote_plan,
)

CN = PlanPolicy()
TODAY = dt.date(2026, 1, 10)

fen = st.integers(min_value=1, max_value=1_000_000_000)  # 0.01 .. 10,000,000.00
terms_n = st.integers(min_value=1, max_value=CN.max_instalments)
annual_rates = st.integers(min_value=0, max_value=240_000).map(lambda x: Decimal(x) / 1_000_000)
fee_rates = st.integers(min_value=0, max_value=10_000).map(lambda x: Decimal(x) / 1_000_000)
first_due_dates = st.dates(min_value=TODAY, max_value=dt.date(2030, 12, 31))


def cents(f: int) -> Decimal:
    return Decimal(f) / 100


@st.composite
def plan_terms(draw: st.DrawFn) -> PlanTerms:
    balance_fen = draw(fen)
    method = draw(st.sampled_from(list(Method)))
    down_fen = draw(st.one_of(st.just(0), st.integers(min_value=0, max_value=balance_fen - 1)))
    return PlanTerms(
        balance=cents(balance_fen),
        instalments=draw(terms_n),
        first_due_date=draw(first_due_dates),
        method=method,
        annual_rate=draw(annual_rates) if method is not Method.FLAT_FEE else Decimal(0),
        fee_rate=draw(fee_rates) if method is Method.FLAT_FEE else Decimal(0),
        down_payment=cents(down_fen),
    )


class TestEverySchedule:
    @settings(max_examples=400, deadline=None)
    @given(terms=plan_terms())
    def test_sums_exactly_to_its_totals(self, terms: PlanTerms) -> None:
        financed = terms.balance - terms.down_payment
        if financed * 100 < terms.instalments:
            # Fewer cents than instalments: refused rather than scheduling 0.00 instalments.
            try:
                quote_plan(terms=terms, policy=CN, business_date=TODAY)
            except ValidationFailed as exc:
                assert exc.field == "instalments"
                return
            raise AssertionError("a plan with instalments below 0.01 was accepted")
        q = quote_plan(terms=terms, policy=CN, business_date=TODAY)
        schedule = q.schedule
        assert len(schedule) == terms.instalments
        assert sum(i.principal for i in schedule) == financed == q.total_principal
        assert sum(i.interest for i in schedule) == q.total_interest
        assert sum(i.fee for i in schedule) == q.total_fee
        assert sum(i.amount for i in schedule) == q.total_amount
        assert q.total_amount == financed + q.total_interest + q.total_fee
        for k, i in enumerate(schedule, start=1):
            assert i.n == k
            assert i.amount == i.principal + i.interest + i.fee
            for part in (i.amount, i.principal, i.interest, i.fee):
                assert part >= 0
                assert part == part.quantize(CENT)
            assert i.amount >= CENT
            if terms.method is not Method.EQUAL_PAYMENT:
                assert i.principal >= CENT  # an even split of at least a cent each
            assert i.due_date == add_months(terms.first_due_date, k - 1)
        assert q.apr >= 0

    @settings(max_examples=200, deadline=None)
    @given(balance=fen, n=terms_n, rate=annual_rates)
    def test_equal_principal_parts_differ_by_at_most_a_cent(self, balance: int, n: int, rate: Decimal) -> None:
        if balance < n:
            return
        terms = PlanTerms(
            balance=cents(balance),
            instalments=n,
            first_due_date=TODAY,
            method=Method.EQUAL_PRINCIPAL,
            annual_rate=rate,
        )
        parts = [i.principal for i in quote_plan(terms=terms, policy=CN, business_date=TODAY).schedule]
        assert max(parts) - min(parts) <= CENT
        assert parts == sorted(parts, reverse=True)  # the extra cents go to the earliest


class TestEqualPayment:
    @settings(max_examples=400, deadline=None)
    @given(balance=fen, n=terms_n, rate=annual_rates.filter(lambda r: r > 0))
    def test_every_instalment_stays_within_two_cents_of_the_level_payment(
        self, balance: int, n: int, rate: Decimal
    ) -> None:
        # The last instalment absorbs no accumulated drift: the half-cent roundings are re-spread
        # over the months left each month, so no instalment, the last included, strays.
        if balance < n:
            return
        terms = PlanTerms(
            balance=cents(balance),
            instalments=n,
            first_due_date=TODAY,
            method=Method.EQUAL_PAYMENT,
            annual_rate=rate,
        )
        q = quote_plan(terms=terms, policy=CN, business_date=TODAY)
        level = round_cents(level_payment(principal=cents(balance), monthly_rate=rate / 12, instalments=n))
        assert q.schedule[0].amount == level
        assert max(abs(i.amount - level) for i in q.schedule) <= Decimal("0.02")
        # and each interest line is the rounded balance owed times the monthly rate
        owed = cents(balance)
        for i in q.schedule:
            assert i.interest == round_cents(owed * rate / 12)
            owed -= i.principal
        assert owed == 0

    @settings(max_examples=300, deadline=None)
    @given(balance=fen, n=terms_n, rate=annual_rates.filter(lambda r: r > 0))
    def test_level_payment_agrees_with_numpy_financial_pmt_to_the_cent(
        self, balance: int, n: int, rate: Decimal
    ) -> None:
        if balance < n:
            return
        terms = PlanTerms(
            balance=cents(balance),
            instalments=n,
            first_due_date=TODAY,
            method=Method.EQUAL_PAYMENT,
            annual_rate=rate,
        )
        q = quote_plan(terms=terms, policy=CN, business_date=TODAY)
        # floats only here, converted through str()
        pmt = Decimal(str(npf.pmt(float(str(rate)) / 12, n, -float(str(cents(balance))))))
        # pmt rounded half-up to the cent; the float's own error is allowed for in case pmt lies
        # within a hair of a half cent: at tiny rates (1 + r)^n - 1 cancels, and the float formula
        # loses about 1e-16 / (n r) relative, up to 1e-9 at 0.0001 % a year.
        assert abs(q.schedule[0].amount - pmt) <= Decimal("0.005") + pmt * Decimal("1e-8")
        assert all(abs(i.amount - pmt) <= Decimal("0.025") for i in q.schedule)

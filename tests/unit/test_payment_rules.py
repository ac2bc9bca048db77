"""The allocation waterfall (PRODUCT.md §4): pure function tests and its money-conservation laws; the
limits on one payment (the product's maximum, the value-date window)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from arrears.payments.rules import allocate, date_refusal, product_refusal
from arrears.products.rules import ProductParams

EARLY = ("fees", "interest", "principal")
LATE = ("principal", "interest", "fees")


class TestAllocate:
    def test_pays_fees_then_interest_then_principal(self) -> None:
        # Owed: fees 30.00, interest 50.00, principal 1000.00. 100.00 paid:
        # fees 30.00, interest 50.00, principal 20.00.
        assert allocate(10000, {"fees": 3000, "interest": 5000, "principal": 100000}, EARLY) == {
            "fees": 3000,
            "interest": 5000,
            "principal": 2000,
        }

    def test_pays_principal_first_when_late(self) -> None:
        # The same 100.00 late: all of it to principal.
        assert allocate(10000, {"fees": 3000, "interest": 5000, "principal": 100000}, LATE) == {
            "principal": 10000,
            "interest": 0,
            "fees": 0,
        }

    def test_late_order_moves_to_interest_then_fees_once_principal_is_paid(self) -> None:
        # Principal 40.00, interest 50.00, fees 30.00; 100.00 late: 40.00, 50.00, 10.00.
        assert allocate(10000, {"fees": 3000, "interest": 5000, "principal": 4000}, LATE) == {
            "principal": 4000,
            "interest": 5000,
            "fees": 1000,
        }

    def test_an_overpayment_lowers_principal_below_zero(self) -> None:
        # 150.00 on fees 10.00 + principal 100.00: fees 10.00, principal 140.00 (credit 40.00).
        assert allocate(15000, {"fees": 1000, "interest": 0, "principal": 10000}, EARLY) == {
            "fees": 1000,
            "interest": 0,
            "principal": 14000,
        }

    def test_a_credit_component_takes_nothing(self) -> None:
        # Principal already a credit of 20.00: all 50.00 of the payment still lands on principal.
        assert allocate(5000, {"fees": 0, "interest": 0, "principal": -2000}, EARLY) == {
            "fees": 0,
            "interest": 0,
            "principal": 5000,
        }

    @pytest.mark.parametrize("amount", [0, -1])
    def test_refuses_a_payment_that_is_not_positive(self, amount: int) -> None:
        with pytest.raises(ValueError, match="positive"):
            allocate(amount, {"principal": 100}, EARLY)


class TestWaterfallFromProduct:
    def test_switches_to_principal_first_at_91_dpd(self) -> None:
        params = ProductParams()
        assert params.waterfall_for(0) == EARLY
        assert params.waterfall_for(90) == EARLY
        assert params.waterfall_for(91) == LATE


balances = st.fixed_dictionaries(
    {c: st.integers(min_value=-(10**7), max_value=10**9) for c in ("principal", "interest", "fees")}
)


class TestWaterfallConservesMoney:
    @given(
        amount=st.integers(min_value=1, max_value=10**10),
        owed=balances,
        order=st.permutations(["principal", "interest", "fees"]),
    )
    def test_parts_sum_to_the_payment_and_never_exceed_what_is_owed_except_principal(
        self, amount: int, owed: dict[str, int], order: list[str]
    ) -> None:
        parts = allocate(amount, owed, order)

        assert sum(parts.values()) == amount
        assert all(part >= 0 for part in parts.values())
        for component in ("interest", "fees"):
            assert parts[component] <= max(owed[component], 0)
        overpaid = parts["principal"] - max(owed["principal"], 0)
        if overpaid > 0:
            # Only what is left once every component is paid off goes below zero.
            assert all(parts[c] == max(owed[c], 0) for c in ("interest", "fees"))
            assert overpaid == amount - sum(max(v, 0) for v in owed.values())

    @given(amount=st.integers(min_value=1, max_value=10**10), owed=balances, order=st.permutations(list(EARLY)))
    def test_a_component_is_paid_only_once_the_ones_before_it_are_paid_off(
        self, amount: int, owed: dict[str, int], order: list[str]
    ) -> None:
        parts = allocate(amount, owed, order)

        # What each component takes within what it owes (the overpayment on principal aside).
        paid = {c: min(parts[c], max(owed[c], 0)) for c in order}
        for i, component in enumerate(order):
            if paid[component] > 0:
                assert all(paid[c] == max(owed[c], 0) for c in order[:i])


class TestPaymentLimits:
    DAY = dt.date(2026, 3, 20)
    PARAMS = ProductParams(max_single_payment=Decimal("5000.00"), payment_backdate_days=10)

    def refusal(self, amount: str = "10.00", value_date: dt.date = DAY) -> tuple[str, str] | None:
        refused = date_refusal(value_date=value_date, business_date=self.DAY) or product_refusal(
            amount=Decimal(amount), value_date=value_date, business_date=self.DAY, params=self.PARAMS
        )
        return None if refused is None else (refused.field, refused.code)

    def test_takes_the_products_maximum_and_refuses_a_fen_more(self) -> None:
        assert self.refusal("5000.00") is None
        assert self.refusal("5000.01") == ("amount", "payment_above_maximum")

    def test_takes_a_value_date_from_the_window_edges_included_and_refuses_one_outside(self) -> None:
        assert self.refusal(value_date=self.DAY) is None
        assert self.refusal(value_date=self.DAY - dt.timedelta(days=10)) is None
        assert self.refusal(value_date=self.DAY - dt.timedelta(days=11)) == ("date", "value_date_too_old")
        assert self.refusal(value_date=dt.date(1900, 1, 1)) == ("date", "value_date_too_old")
        assert self.refusal(value_date=self.DAY + dt.timedelta(days=1)) == ("date", "value_date_after_business_date")

    def test_a_refusal_carries_the_values_the_pages_word_it_with(self) -> None:
        too_old = product_refusal(
            amount=Decimal("1.00"), value_date=dt.date(2026, 1, 1), business_date=self.DAY, params=self.PARAMS
        )
        assert too_old is not None and too_old.params == {"days": "10", "earliest": "2026-03-10"}
        too_big = product_refusal(
            amount=Decimal("9999.00"), value_date=self.DAY, business_date=self.DAY, params=self.PARAMS
        )
        assert too_big is not None and too_big.params == {"limit": "5000.00"}

    @given(
        st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999.99"), places=2),
        st.integers(min_value=-400, max_value=5),
    )
    def test_a_payment_passes_exactly_when_it_is_within_both_limits(self, amount: Decimal, days_back: int) -> None:
        value_date = self.DAY - dt.timedelta(days=days_back)
        inside = amount <= self.PARAMS.max_single_payment and 0 <= days_back <= self.PARAMS.payment_backdate_days
        assert (self.refusal(str(amount), value_date) is None) == inside

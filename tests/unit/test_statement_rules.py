"""Interest, minimum payment, late fee and cash-advance fee: the pure rules, by hand.

Amounts are fen; every expected figure is worked out in the comment above it.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from arrears.business_days import statement_days_on
from arrears.products.rules import ProductParams, cash_advance_fee
from arrears.statements.rules import (
    Posting,
    PreviousStatement,
    apply_to_minimums,
    compute_interest,
    compute_late_fee,
    compute_minimum,
)

D = dt.date
PARAMS = ProductParams(cash_advance_daily_rate=Decimal("0.001"))


def posting(kind: str, amount_fen: int, on: D, component: str = "principal") -> Posting:
    return Posting(kind=kind, component=component, amount_fen=amount_fen, posting_date=on, value_date=on)


def previous(**changes: object) -> PreviousStatement:
    """The 04-05 statement of the cycle [03-05, 04-05): 1000.00 principal, not paid in full."""
    values: dict[str, object] = {
        "statement_date": D(2026, 4, 5),
        "period_start": D(2026, 3, 5),
        "new_balance_fen": 100000,
        "principal_fen": 100000,
        "interest_fen": 0,
        "revolving": False,
        "grace_kept": False,
        "paid_by_due_fen": 0,
    }
    values.update(changes)
    return PreviousStatement(**values)  # type: ignore[arg-type]


# The cycle [04-05, 05-05) under every convention: the 1000.00 purchase of 03-15 (last cycle),
# 200.00 bought 04-15, 300.00 of principal paid 04-20, a 5.00 late fee 04-24 (never interest-bearing),
# a 100.00 cash advance 04-25 at the cash-advance rate 0.1 % a day.
POSTINGS = [
    posting("purchase", 100000, D(2026, 3, 15)),
    posting("purchase", 20000, D(2026, 4, 15)),
    posting("payment", -30000, D(2026, 4, 20)),
    posting("late_fee", 500, D(2026, 4, 24), component="fees"),
    posting("cash_advance", 10000, D(2026, 4, 25)),
]


def interest(prev: PreviousStatement | None, params: ProductParams = PARAMS, postings: list[Posting] = POSTINGS):
    return compute_interest(
        params=params,
        statement_date=D(2026, 5, 5),
        period_start=D(2026, 4, 5),
        previous=prev,
        postings=postings,
    )


class TestInterestUnderFullAmount:
    def test_the_first_missed_statement_loses_its_grace_retroactively(self) -> None:
        #  1000.00 x 30 days (04-05..05-04, principal of the 04-05 statement)       = 30000.00
        #   200.00 x 20 days (04-15..05-04)                                          =  4000.00
        #  -300.00 x 15 days (04-20..05-04, the payment lowers the base)             = -4500.00
        #  1000.00 x 21 days (03-15..04-04, purchase of the last cycle, grace lost)  = 21000.00
        #  50500.00 x 0.0005 = 25.25;  cash advance 100.00 x 10 days (04-25..05-04) x 0.001 = 1.00
        #  total 26.25
        result = interest(previous())

        assert result.amount_fen == 2625
        assert result.explanation["rule"] == "full_amount"
        assert result.explanation["period"] == ["2026-04-05", "2026-05-04"]
        assert {
            "what": "purchase 2026-03-15 (grace lost)",
            "base": "1000.00",
            "from": "2026-03-15",
            "to": "2026-04-04",
            "days": 21,
            "rate": "0.0005",
            "interest": "10.50",
        } in result.explanation["parts"]
        assert result.explanation["amount"] == "26.25"

    def test_an_account_already_revolving_pays_no_grace_lost_part_again(self) -> None:
        # As above without the 21000.00: 29500.00 x 0.0005 = 14.75, + 1.00 cash advance = 15.75.
        assert interest(previous(revolving=True)).amount_fen == 1575

    def test_compound_interest_puts_charged_interest_in_the_base_but_never_fees(self) -> None:
        # Previous statement carried 20.00 of interest, paid on 04-20 (an interest posting of -20.00):
        #   (1000.00 + 20.00) x 30 = 30600.00; -20.00 x 15 days = -300.00;
        #   + 4000.00 - 4500.00 = 29800.00 x 0.0005 = 14.90; + 1.00 cash advance = 15.90.
        # The 5.00 late fee stays out of the base.
        postings = [*POSTINGS, posting("payment", -2000, D(2026, 4, 20), component="interest")]
        compound = ProductParams(cash_advance_daily_rate=Decimal("0.001"), compound_interest=True)

        assert interest(previous(revolving=True, interest_fen=2000), compound, postings).amount_fen == 1590
        # Without compounding the interest posting is ignored: 15.75 as before.
        assert interest(previous(revolving=True, interest_fen=2000), PARAMS, postings).amount_fen == 1575


class TestInterestUnderUnpaidPortion:
    PARAMS = ProductParams(cash_advance_daily_rate=Decimal("0.001"), interest_on_partial_payment="unpaid_portion")

    def test_charges_the_unpaid_share_of_each_purchase_and_of_older_principal(self) -> None:
        # Previous statement: principal 1500.00 (1000.00 older + 500.00 bought 03-25), interest 20.00,
        # new balance 1520.00; 620.00 paid by the due date (20.00 interest first, then 600.00 principal).
        # Unpaid principal 1520.00 - 620.00 = 900.00, a share of 900/1500 = 0.6:
        #   0.6 x 500.00  = 300.00 x 41 days (03-25..05-04) = 12300.00
        #   0.6 x 1000.00 = 600.00 x 30 days (04-05..05-04) = 18000.00
        #   30300.00 x 0.0005 = 15.15
        # This cycle's 200.00 purchase bears none; the cash advance 1.00 as always: 16.15.
        prev = previous(principal_fen=150000, new_balance_fen=152000, interest_fen=2000, paid_by_due_fen=62000)
        postings = [posting("purchase", 50000, D(2026, 3, 25)), *POSTINGS[1:]]

        result = interest(prev, self.PARAMS, postings)

        assert result.amount_fen == 1615
        assert result.explanation["rule"] == "unpaid_portion"

    def test_a_purchase_partly_covered_by_a_credit_balance_bears_interest_only_on_the_unpaid_part(self) -> None:
        # A credit of 500.00 before the last cycle, then 1000.00 bought 03-15: the 04-05 statement
        # shows principal 500.00, nothing paid. Unpaid 500.00 - all of it the 03-15 purchase's:
        #   500.00 x 51 days (03-15..05-04) x 0.0005 = 12.75 (not 1000.00 x 51 x 0.0005 = 25.50)
        # plus the cash advance 1.00: 13.75.
        prev = previous(principal_fen=50000, new_balance_fen=50000)

        assert interest(prev, self.PARAMS).amount_fen == 1375

    def test_charges_nothing_but_cash_advances_when_the_statement_was_paid_in_full(self) -> None:
        prev = previous(grace_kept=True, paid_by_due_fen=100000)

        assert interest(prev, self.PARAMS).amount_fen == 100


class TestInterestWithinTheGrace:
    def test_a_first_statement_charges_only_cash_advances_from_their_posting_date(self) -> None:
        # 100.00 x 10 days (04-25..05-04) x 0.001 = 1.00; purchases bear nothing.
        result = interest(None, PARAMS, POSTINGS[1:])

        assert (result.amount_fen, result.explanation["rule"]) == (100, "grace")

    def test_a_statement_paid_in_full_keeps_the_grace(self) -> None:
        assert interest(previous(grace_kept=True, paid_by_due_fen=100000)).amount_fen == 100

    def test_rounds_the_exact_interest_half_up_once(self) -> None:
        # 250.00 advanced 05-04 at 0.05 %: 250.00 x 1 day x 0.0005 = 0.125 -> 0.13.
        result = interest(None, ProductParams(), [posting("cash_advance", 25000, D(2026, 5, 4))])

        assert (result.amount_fen, result.explanation["exact"]) == (13, "0.125")


class TestMinimumPayment:
    def test_is_ten_percent_of_principal_plus_this_cycles_interest_and_fees(self) -> None:
        # 10 % x 1234.56 = 123.456 -> 123.46; + 10.00 interest + 5.00 fees = 138.46.
        m = compute_minimum(
            params=ProductParams(), principal_fen=123456, interest_fen=1000, fees_fen=500,
            cycle_interest_and_fees_fen=1500, past_due_fen=0, credit_limit_fen=1000000,
        )  # fmt: skip

        assert (m.total_fen, m.own_fen) == (13846, 13846)

    def test_adds_the_past_due_minimum_which_is_not_its_own(self) -> None:
        # 138.46 + 200.00 past due = 338.46; its own part stays 138.46.
        m = compute_minimum(
            params=ProductParams(), principal_fen=123456, interest_fen=1000, fees_fen=500,
            cycle_interest_and_fees_fen=1500, past_due_fen=20000, credit_limit_fen=1000000,
        )  # fmt: skip

        assert (m.total_fen, m.own_fen) == (33846, 13846)
        assert m.explanation["past_due"] == "200.00"

    def test_adds_the_amount_over_the_credit_limit(self) -> None:
        # Principal 12000.00 on a 10000.00 limit: 1200.00 + 2000.00 over = 3200.00.
        m = compute_minimum(
            params=ProductParams(), principal_fen=1200000, interest_fen=0, fees_fen=0,
            cycle_interest_and_fees_fen=0, past_due_fen=0, credit_limit_fen=1000000,
        )  # fmt: skip

        assert m.total_fen == 320000
        assert m.explanation["over_limit"] == "2000.00"

    def test_is_at_least_the_floor(self) -> None:
        # 10 % x 500.00 = 50.00 < floor 100.00.
        m = compute_minimum(
            params=ProductParams(min_payment_floor=Decimal("100.00")), principal_fen=50000, interest_fen=0,
            fees_fen=0, cycle_interest_and_fees_fen=0, past_due_fen=0, credit_limit_fen=1000000,
        )  # fmt: skip

        assert m.total_fen == 10000

    def test_is_capped_at_the_new_balance_and_says_so(self) -> None:
        # Floor 100.00 on a 60.00 balance: 60.00.
        m = compute_minimum(
            params=ProductParams(min_payment_floor=Decimal("100.00")), principal_fen=6000, interest_fen=0,
            fees_fen=0, cycle_interest_and_fees_fen=0, past_due_fen=0, credit_limit_fen=1000000,
        )  # fmt: skip

        assert m.total_fen == 6000
        assert m.explanation["capped_at_balance"] is True

    def test_a_past_due_minimum_above_the_balance_is_capped_too(self) -> None:
        # Balance 150.00 (principal 100.00 + fees 50.00); wanted 10.00 + 50.00 + 200.00 past due = 260.00,
        # capped at 150.00, none of it new.
        m = compute_minimum(
            params=ProductParams(), principal_fen=10000, interest_fen=0, fees_fen=5000,
            cycle_interest_and_fees_fen=5000, past_due_fen=20000, credit_limit_fen=1000000,
        )  # fmt: skip

        assert (m.total_fen, m.own_fen) == (15000, 0)

    def test_is_zero_on_a_credit_balance(self) -> None:
        m = compute_minimum(
            params=ProductParams(min_payment_floor=Decimal("100.00")), principal_fen=-5000, interest_fen=0,
            fees_fen=0, cycle_interest_and_fees_fen=0, past_due_fen=0, credit_limit_fen=1000000,
        )  # fmt: skip

        assert (m.total_fen, m.own_fen) == (0, 0)


class TestLateFee:
    DUE = D(2026, 4, 23)

    def test_is_five_percent_of_the_unpaid_minimum(self) -> None:
        # 5 % x 80.00 = 4.00.
        fee = compute_late_fee(params=ProductParams(), unpaid_minimum_fen=8000, due_date=self.DUE)

        assert fee.amount_fen == 400
        assert fee.explanation == {
            "rule": "late_fee", "due_date": "2026-04-23", "base": "80.00", "rate": "0.05",
            "floor": None, "cap": None, "amount": "4.00",
        }  # fmt: skip

    def test_rounds_half_up(self) -> None:
        # 5 % x 229.50 = 11.475 -> 11.48.
        assert compute_late_fee(params=ProductParams(), unpaid_minimum_fen=22950, due_date=self.DUE).amount_fen == 1148

    def test_is_lifted_to_the_floor_and_held_to_the_cap(self) -> None:
        floor = ProductParams(late_fee_floor=Decimal("5.00"))
        cap = ProductParams(late_fee_cap=Decimal("3.00"))
        both = ProductParams(late_fee_floor=Decimal("1.00"), late_fee_cap=Decimal("50.00"))

        assert compute_late_fee(params=floor, unpaid_minimum_fen=8000, due_date=self.DUE).amount_fen == 500
        assert compute_late_fee(params=cap, unpaid_minimum_fen=8000, due_date=self.DUE).amount_fen == 300
        assert compute_late_fee(params=both, unpaid_minimum_fen=8000, due_date=self.DUE).amount_fen == 400

    def test_is_nothing_when_the_minimum_was_paid_even_with_a_floor(self) -> None:
        params = ProductParams(late_fee_floor=Decimal("5.00"))

        assert compute_late_fee(params=params, unpaid_minimum_fen=0, due_date=self.DUE).amount_fen == 0


class TestCashAdvanceFee:
    def test_is_one_percent_with_a_minimum_of_ten(self) -> None:
        # 1 % x 3000.00 = 30.00; 1 % x 500.00 = 5.00 -> 10.00; 1 % x 1234.50 = 12.345 -> 12.35.
        params = ProductParams()

        assert cash_advance_fee(params=params, amount_fen=300000) == 3000
        assert cash_advance_fee(params=params, amount_fen=50000) == 1000
        assert cash_advance_fee(params=params, amount_fen=123450) == 1235

    def test_is_nothing_when_the_product_charges_none(self) -> None:
        params = ProductParams(cash_advance_fee_rate=Decimal(0), cash_advance_fee_min=Decimal("0.00"))

        assert cash_advance_fee(params=params, amount_fen=300000) == 0


class TestApplyToMinimums:
    def test_pays_the_oldest_unpaid_minimum_first(self) -> None:
        # 300.00 against 200.00, 210.00, 220.50: 0, 110.00, 220.50.
        assert apply_to_minimums([20000, 21000, 22050], 30000) == [0, 11000, 22050]

    def test_an_overpayment_clears_them_all(self) -> None:
        assert apply_to_minimums([20000, 21000], 99999) == [0, 0]


class TestStatementDays:
    @pytest.mark.parametrize(
        ("date", "days"),
        [
            (D(2026, 2, 28), [28, 29, 30, 31]),
            (D(2028, 2, 28), [28]),
            (D(2028, 2, 29), [29, 30, 31]),
            (D(2026, 4, 30), [30, 31]),
            (D(2026, 3, 30), [30]),
            (D(2026, 3, 31), [31]),
        ],
    )
    def test_days_29_to_31_fall_on_the_last_day_of_shorter_months(self, date: D, days: list[int]) -> None:
        assert statement_days_on(date) == days

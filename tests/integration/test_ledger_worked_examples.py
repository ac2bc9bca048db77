"""Worked examples of every ledger rule, computed by hand, run through the real cycle.

Each scenario in tests/scenarios runs through arrears.scenario.run (the cycle of a date first,
then that date's events). Defaults unless a scenario says otherwise: daily rate 0.05 %,
statement day 5, due 18 days after the statement, minimum 10 % of principal + this cycle's
interest and fees + past-due minimum, late fee 5 % of the unpaid minimum, charge-off at 180 DPD.
Day counts are inclusive of both ends written (03-10..04-04 is 26 days).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from arrears import scenario
from arrears.delinquency.models import BucketChange
from arrears.ledger.models import Account, Entry
from arrears.ledger.queries import cache_mismatches

SCENARIOS = Path(__file__).parent.parent / "scenarios"


def run(
    name: str,
    *,
    product: dict[str, Any] | None = None,
    account: dict[str, Any] | None = None,
    events: list[dict[str, Any]] | None = None,
    run_until: dt.date | None = None,
) -> dict[str, Any]:
    """Run a scenario file, optionally with product/account keys changed or events replaced."""
    data = scenario.load((SCENARIOS / name).read_text())
    data["product"] = {**(data.get("product") or {}), **(product or {})}
    data["account"] = {**data["account"], **(account or {})}
    if events is not None:
        data["events"] = events
    if run_until is not None:
        data["run_until"] = run_until
    result = scenario.run(data)
    assert cache_mismatches() == []
    return result


def event(on: str, kind: str, amount: str) -> dict[str, Any]:
    return {"on": dt.date.fromisoformat(on), "type": kind, "amount": amount}


def statement(result: dict[str, Any], on: str) -> dict[str, Any]:
    return next(s for s in result["statements"] if s["statement_date"] == on)


def the_account() -> Account:
    return Account.objects.get()


def entries(kind: str) -> list[tuple[str, str, str]]:
    """(posting date, component, amount) of the entries of one kind, in posting order."""
    return [
        (e.posting_date.isoformat(), e.component, f"{e.amount_fen / 100:.2f}")
        for e in Entry.objects.filter(kind=kind).order_by("posting_date", "id")
    ]


def bucket_history() -> list[tuple[str, int, int, int]]:
    return [
        (c.change_date.isoformat(), c.from_bucket, c.to_bucket, c.dpd)
        for c in BucketChange.objects.order_by("change_date")
    ]


@pytest.mark.django_db
class TestPaidInFull:
    def test_charges_no_interest_on_old_or_new_purchases(self) -> None:
        # 04-05 statement: 2000.00 (purchase of 03-10), minimum 10 % = 200.00, due 04-23.
        # 2000.00 paid on 04-23 (the due date counts): the grace is kept, so the 05-05
        # statement charges no interest, on the 03-10 purchase nor on the 500.00 of 04-10.
        # New balance 2000.00 + 500.00 - 2000.00 = 500.00; minimum 10 % x 500.00 = 50.00.
        result = run("paid_in_full.yaml")

        april = statement(result, "2026-04-05")
        assert (april["new_balance"], april["minimum_payment"], april["due_date"]) == (
            "2000.00",
            "200.00",
            "2026-04-23",
        )
        may = statement(result, "2026-05-05")
        assert (may["interest"], may["new_balance"], may["minimum_payment"]) == ("0.00", "500.00", "50.00")
        assert entries("interest") == []
        assert (result["dpd"], result["bucket"]) == (0, "M0")

    def test_a_payment_one_day_after_the_due_date_loses_the_grace(self) -> None:
        # The same 2000.00 arrives on 04-24, a day late. The cycle of 04-24 runs first:
        # late fee 5 % x 200.00 = 10.00, DPD 1. The payment pays fees first: 10.00 fees,
        # 1990.00 principal, leaving principal 2000.00 + 500.00 - 1990.00 = 510.00.
        # 05-05 interest (full_amount, the grace lost retroactively):
        #   2000.00 x 26 days (03-10..04-04, purchase of the 04-05 statement) = 52000.00
        #   2000.00 x 30 days (04-05..05-04, principal of the 04-05 statement) = 60000.00
        #    500.00 x 25 days (04-10..05-04, purchase of this cycle)          = 12500.00
        #  -1990.00 x 11 days (04-24..05-04, the payment's principal)         = -21890.00
        #   102610.00 x 0.0005 = 51.305 -> 51.31 (half-up)
        # Minimum: 10 % x 510.00 = 51.00 + interest 51.31 + late fee 10.00 = 112.31; nothing past due.
        result = run(
            "paid_in_full.yaml",
            events=[
                event("2026-03-10", "purchase", "2000.00"),
                event("2026-04-10", "purchase", "500.00"),
                event("2026-04-24", "payment", "2000.00"),
            ],
        )

        may = statement(result, "2026-05-05")
        assert (may["interest"], may["fees"], may["new_balance"], may["minimum_payment"], may["past_due"]) == (
            "51.31",
            "10.00",
            "561.31",
            "112.31",
            "0.00",
        )
        assert entries("late_fee") == [("2026-04-24", "fees", "10.00")]
        assert (result["dpd"], result["bucket"]) == (0, "M0")


@pytest.mark.django_db
class TestRevolvingInterest:
    def test_unpaid_portion_charges_only_the_unpaid_share_of_the_purchase(self) -> None:
        # Purchase 2500.00 on 03-12, statement 04-05 (2500.00, due 04-23), 1200.00 paid on 04-20.
        # Unpaid at the due date: 2500.00 - 1200.00 = 1300.00, a share of 1300/2500 = 0.52 of
        # the purchase, charged from its posting date to the day before the 05-05 statement:
        #   0.52 x 2500.00 = 1300.00 x 54 days (03-12..05-04: 20 + 30 + 4) = 70200.00
        #   70200.00 x 0.0005 = 35.10   (full_amount charges 58.50 on the same events)
        # Minimum: 10 % x 1300.00 = 130.00 + 35.10 = 165.10; new balance 1335.10.
        result = run("revolve_unpaid_portion.yaml")

        may = statement(result, "2026-05-05")
        assert (may["interest"], may["minimum_payment"], may["new_balance"]) == ("35.10", "165.10", "1335.10")
        assert result["balances"] == {"principal": "1300.00", "interest": "35.10", "fees": "0.00"}

    @pytest.mark.parametrize(
        ("compound", "interest", "minimum", "new_balance"),
        [(False, "19.11", "136.11", "1189.11"), (True, "19.55", "136.55", "1189.55")],
    )
    def test_compound_interest_adds_charged_interest_to_the_base(
        self, compound: bool, interest: str, minimum: str, new_balance: str
    ) -> None:
        # 05-05 statement as in revolve_full_amount.yaml: principal 1300.00, interest 58.50,
        # minimum 188.50 due 05-23, paid on 05-20 (fees 0, interest 58.50, principal 130.00).
        # 06-05 interest, still revolving (05-05 not paid in full), no grace-lost part:
        # without compounding:
        #   1300.00 x 31 days (05-05..06-04) = 40300.00;  -130.00 x 16 days (05-20..06-04) = -2080.00
        #   38220.00 x 0.0005 = 19.11
        # with compounding the interest is in the base too:
        #   1358.50 x 31 = 42113.50;  -(130.00 + 58.50) x 16 = -3016.00
        #   39097.50 x 0.0005 = 19.54875 -> 19.55
        # Minimum: 10 % x 1170.00 = 117.00 + interest; new balance 1170.00 + interest.
        result = run("revolve_two_cycles.yaml", product={"compound_interest": compound})

        june = statement(result, "2026-06-05")
        assert (june["interest"], june["minimum_payment"], june["new_balance"]) == (interest, minimum, new_balance)
        assert statement(result, "2026-05-05")["interest"] == "58.50"
        assert entries("payment") == [
            ("2026-04-20", "principal", "-1200.00"),
            ("2026-05-20", "interest", "-58.50"),
            ("2026-05-20", "principal", "-130.00"),
        ]


@pytest.mark.django_db
class TestCashAdvance:
    def test_bears_interest_from_its_posting_date_and_a_fee(self) -> None:
        # Cash advance 3000.00 on 03-20; first statement 04-05, no interest-free period:
        #   3000.00 x 16 days (03-20..04-04) x 0.0007 (cash-advance rate) = 33.60
        # Fee 1 % x 3000.00 = 30.00 (above the 10.00 minimum), posted with the advance.
        # Minimum: 10 % x 3000.00 = 300.00 + 33.60 + 30.00 = 363.60; new balance 3063.60.
        result = run("cash_advance.yaml")

        april = statement(result, "2026-04-05")
        assert (april["interest"], april["fees"], april["minimum_payment"], april["new_balance"]) == (
            "33.60",
            "30.00",
            "363.60",
            "3063.60",
        )
        assert entries("cash_advance_fee") == [("2026-03-20", "fees", "30.00")]
        assert result["balances"] == {"principal": "3000.00", "interest": "33.60", "fees": "30.00"}

    def test_a_small_advance_pays_the_minimum_fee(self) -> None:
        # 1 % x 500.00 = 5.00 is below the 10.00 minimum fee: 10.00.
        # Interest 500.00 x 16 x 0.0007 = 5.60.
        result = run("cash_advance.yaml", events=[event("2026-03-20", "cash_advance", "500.00")])

        assert entries("cash_advance_fee") == [("2026-03-20", "fees", "10.00")]
        assert statement(result, "2026-04-05")["interest"] == "5.60"


@pytest.mark.django_db
class TestLateFee:
    @pytest.mark.parametrize(
        ("rule", "fee"),
        [({}, "4.00"), ({"late_fee_floor": "5.00"}, "5.00"), ({"late_fee_cap": "3.00"}, "3.00")],
    )
    def test_is_five_percent_of_the_unpaid_minimum_within_floor_and_cap(self, rule: dict, fee: str) -> None:
        # Minimum 200.00 due 04-23, 120.00 paid on 04-20: 80.00 of it unpaid.
        # 5 % x 80.00 = 4.00, posted on 04-24; a floor of 5.00 lifts it, a cap of 3.00 lowers it.
        result = run("late_fee.yaml", product=rule)

        assert entries("late_fee") == [("2026-04-24", "fees", fee)]
        assert (result["dpd"], result["bucket"]) == (1, "M1")
        assert result["balances"]["fees"] == fee
        assert result["balances"]["principal"] == "1880.00"

    def test_is_not_charged_when_the_minimum_is_paid_by_the_due_date(self) -> None:
        # 200.00 paid on 04-20 covers the minimum: no fee, not past due, though not paid in full.
        result = run(
            "late_fee.yaml",
            events=[event("2026-03-28", "purchase", "2000.00"), event("2026-04-20", "payment", "200.00")],
        )

        assert entries("late_fee") == []
        assert (result["dpd"], result["balances"]["fees"]) == (0, "0.00")


@pytest.mark.django_db
class TestMinimumPayment:
    def test_adds_the_past_due_minimum_interest_and_the_late_fee(self) -> None:
        # Nothing paid on 2000.00. 04-05 minimum 200.00 (due 04-23) missed; late fee 10.00 on 04-24.
        # 05-05 interest (full_amount, first statement not paid in full, grace lost):
        #   2000.00 x 26 days (03-10..04-04) + 2000.00 x 30 days (04-05..05-04) = 112000.00
        #   112000.00 x 0.0005 = 56.00
        # Minimum: 10 % x 2000.00 = 200.00 + 56.00 + 10.00 + past due 200.00 = 466.00.
        # New balance 2000.00 + 10.00 + 56.00 = 2066.00. DPD on 05-05: 05-05 - 04-23 = 12.
        result = run("missed_minimum.yaml")

        may = statement(result, "2026-05-05")
        assert (may["interest"], may["fees"], may["past_due"], may["minimum_payment"], may["new_balance"]) == (
            "56.00",
            "10.00",
            "200.00",
            "466.00",
            "2066.00",
        )
        assert (result["dpd"], result["bucket"]) == (12, "M1")

    def test_adds_the_amount_over_the_credit_limit(self) -> None:
        # Limit 1500.00, principal 2000.00: 10 % x 2000.00 = 200.00 + 500.00 over the limit = 700.00.
        result = run(
            "missed_minimum.yaml",
            account={"credit_limit": "1500.00", "opened_on": dt.date(2026, 3, 28)},
            events=[event("2026-03-28", "purchase", "2000.00")],
            run_until=dt.date(2026, 4, 5),
        )

        assert statement(result, "2026-04-05")["minimum_payment"] == "700.00"

    def test_is_capped_at_the_new_balance(self) -> None:
        # A 100.00 floor on a 60.00 balance: max(10 % x 60.00, 100.00) = 100.00, capped at 60.00.
        result = run(
            "missed_minimum.yaml",
            product={"min_payment_floor": "100.00"},
            account={"opened_on": dt.date(2026, 3, 28)},
            events=[event("2026-03-28", "purchase", "60.00")],
            run_until=dt.date(2026, 4, 5),
        )

        april = statement(result, "2026-04-05")
        assert (april["new_balance"], april["minimum_payment"]) == ("60.00", "60.00")


@pytest.mark.django_db
class TestCure:
    def test_paying_the_past_due_minimum_brings_the_account_back_to_m0(self) -> None:
        # Minimum 200.00 due 04-23 missed: 04-24 late fee 10.00, DPD 1, M0 -> M1.
        # 04-28 (DPD 5) 200.00 paid: fees 10.00 first, then 190.00 principal; the minimum is met.
        # 04-29: DPD 0, M1 -> M0. Balance 2000.00 + 10.00 - 200.00 = 1810.00, all principal.
        result = run("cure.yaml")

        assert (result["dpd"], result["bucket"], result["status"]) == (0, "M0", "open")
        assert bucket_history() == [("2026-04-24", 0, 1, 1), ("2026-04-29", 1, 0, 0)]
        assert entries("payment") == [("2026-04-28", "fees", "-10.00"), ("2026-04-28", "principal", "-190.00")]
        assert result["balances"] == {"principal": "1810.00", "interest": "0.00", "fees": "0.00"}


@pytest.mark.django_db
class TestRollAndChargeOff:
    def test_rolls_through_the_buckets_and_is_charged_off_the_day_dpd_reaches_180(self) -> None:
        # Nothing paid, no interest or fees: the oldest unpaid due date stays 04-23.
        # DPD d - 04-23; bucket edges 30, 60, 90, 120, 150, 180:
        #   04-24 DPD 1 -> M1;  05-24 DPD 31 -> M2;  06-23 DPD 61 -> M3;  07-23 DPD 91 -> M4;
        #   08-22 DPD 121 -> M5;  09-21 DPD 151 -> M6;  10-20 DPD 180 -> charge-off.
        # On 10-19 (DPD 179) it is still open: the only charge-off entries are dated 10-20.
        # The 2000.00 of principal is written off by one charge_off entry of -2000.00.
        result = run("roll_to_charge_off.yaml")

        assert bucket_history() == [
            ("2026-04-24", 0, 1, 1),
            ("2026-05-24", 1, 2, 31),
            ("2026-06-23", 2, 3, 61),
            ("2026-07-23", 3, 4, 91),
            ("2026-08-22", 4, 5, 121),
            ("2026-09-21", 5, 6, 151),
        ]
        assert (result["status"], result["dpd"], result["balance"]) == ("charged_off", 180, "0.00")
        assert entries("charge_off") == [("2026-10-20", "principal", "-2000.00")]
        account = the_account()
        assert (account.charged_off_on, account.charged_off_fen) == (dt.date(2026, 10, 20), 200000)

    def test_writes_off_every_component_and_records_a_recovery_after(self) -> None:
        # charge_off_dpd 30: DPD reaches 30 on 04-23 + 30 = 05-23. Then outstanding:
        #   principal 2000.00; interest 56.00 (the 05-05 statement, as in missed_minimum.yaml);
        #   fees 10.00 (late fee of 04-24; the 05-23 due date's fee would come on 05-24).
        # Charge-off entries -2000.00, -56.00, -10.00; charged off 2066.00.
        # 06-01: 500.00 received is a recovery: the balance stays 0.00, recovered 500.00.
        result = run("charge_off_and_recovery.yaml")

        assert sorted(entries("charge_off")) == [
            ("2026-05-23", "fees", "-10.00"),
            ("2026-05-23", "interest", "-56.00"),
            ("2026-05-23", "principal", "-2000.00"),
        ]
        assert entries("recovery") == [("2026-06-01", "recovery", "-500.00")]
        assert entries("payment") == []
        assert (result["status"], result["balance"]) == ("charged_off", "0.00")
        account = the_account()
        assert (account.charged_off_on, account.charged_off_fen, account.recovered_fen) == (
            dt.date(2026, 5, 23),
            206600,
            50000,
        )


@pytest.mark.django_db
class TestStatementDay31:
    def test_falls_on_the_last_day_of_february_and_april(self) -> None:
        # Statement day 31 from 2026-01-15: 01-31, 02-28, 03-31, 04-30; due 18 days later.
        # 1000.00 bought 02-10 and never paid. 02-28 statement: 1000.00, minimum 100.00 due 03-18.
        # 03-19 late fee 5 % x 100.00 = 5.00.
        # 03-31 interest (grace lost):
        #   1000.00 x 18 days (02-10..02-27) + 1000.00 x 31 days (02-28..03-30) = 49000.00 x 0.0005 = 24.50
        #   minimum 100.00 + 24.50 + 5.00 + past due 100.00 = 229.50 (own 129.50), due 04-18.
        # 04-19 late fee 5 % x (100.00 + 129.50) = 11.475 -> 11.48.
        # 04-30 interest 1000.00 x 30 days (03-31..04-29) x 0.0005 = 15.00;
        #   minimum 100.00 + 15.00 + 11.48 + past due 229.50 = 355.98;
        #   new balance 1000.00 + 5.00 + 24.50 + 11.48 + 15.00 = 1055.98.
        result = run("statement_day_31.yaml")

        assert [(s["statement_date"], s["due_date"]) for s in result["statements"]] == [
            ("2026-01-31", "2026-02-18"),
            ("2026-02-28", "2026-03-18"),
            ("2026-03-31", "2026-04-18"),
            ("2026-04-30", "2026-05-18"),
        ]
        february = statement(result, "2026-02-28")
        assert february["period"] == ["2026-01-31", "2026-02-27"]
        assert (february["new_balance"], february["minimum_payment"]) == ("1000.00", "100.00")
        march = statement(result, "2026-03-31")
        assert (march["interest"], march["minimum_payment"]) == ("24.50", "229.50")
        april = statement(result, "2026-04-30")
        assert (april["interest"], april["fees"], april["minimum_payment"], april["new_balance"]) == (
            "15.00",
            "11.48",
            "355.98",
            "1055.98",
        )

    def test_falls_on_february_29_in_a_leap_year(self) -> None:
        result = run(
            "statement_day_31.yaml",
            account={"opened_on": dt.date(2028, 2, 20)},
            events=[],
            run_until=dt.date(2028, 3, 31),
        )

        assert [s["statement_date"] for s in result["statements"]] == ["2028-02-29", "2028-03-31"]


@pytest.mark.django_db
class TestAllocationWaterfall:
    # Nothing paid and no interest (waterfall.yaml): on 07-22 and 07-23 the balance is
    # principal 2000.00 and late fees 10.00 + 20.50 + 31.53 = 62.03.
    # DPD on 07-22 = 07-22 - 04-23 = 90; on 07-23 = 91.

    def test_pays_fees_first_up_to_90_dpd(self) -> None:
        # The late fee is charged once per missed due date and grows with the past-due minimum:
        #   04-24: 5 % x 200.00 = 10.00.  05-05 minimum: own 10 % x 2000.00 + 10.00 = 210.00, past due 200.00.
        #   05-24: 5 % x (200.00 + 210.00) = 20.50.  06-05 own 200.00 + 20.50 = 220.50.
        #   06-24: 5 % x (200.00 + 210.00 + 220.50) = 31.525 -> 31.53 (half-up).
        # 100.00 at DPD 90: fees 62.03, then principal 37.97.
        result = run(
            "waterfall.yaml",
            events=[event("2026-03-28", "purchase", "2000.00"), event("2026-07-22", "payment", "100.00")],
            run_until=dt.date(2026, 7, 22),
        )

        assert entries("late_fee") == [
            ("2026-04-24", "fees", "10.00"),
            ("2026-05-24", "fees", "20.50"),
            ("2026-06-24", "fees", "31.53"),
        ]
        assert result["dpd"] == 90
        assert entries("payment") == [("2026-07-22", "fees", "-62.03"), ("2026-07-22", "principal", "-37.97")]
        assert result["balances"] == {"principal": "1962.03", "interest": "0.00", "fees": "0.00"}

    def test_pays_principal_first_from_91_dpd(self) -> None:
        # 100.00 at DPD 91: all to principal; the fees stay.
        result = run(
            "waterfall.yaml",
            events=[event("2026-03-28", "purchase", "2000.00"), event("2026-07-23", "payment", "100.00")],
        )

        assert result["dpd"] == 91
        assert entries("payment") == [("2026-07-23", "principal", "-100.00")]
        assert result["balances"] == {"principal": "1900.00", "interest": "0.00", "fees": "62.03"}


@pytest.mark.django_db
class TestOverpayment:
    def test_leaves_a_credit_balance_and_no_minimum(self) -> None:
        # 150.00 paid on a 100.00 purchase (03-28, paid 03-30): principal -50.00; statement 04-05 new balance -50.00,
        # minimum 0.00, no interest.
        result = run("overpayment.yaml")

        april = statement(result, "2026-04-05")
        assert (april["new_balance"], april["minimum_payment"], april["interest"]) == ("-50.00", "0.00", "0.00")
        assert (result["balance"], result["balances"]["principal"]) == ("-50.00", "-50.00")
        assert entries("payment") == [("2026-03-30", "principal", "-150.00")]

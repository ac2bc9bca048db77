"""Credit reporting worked out by hand on states built through the operations, with the real cycle
on the dates that matter and on the first day of every month (whose cycle writes the records of the
month before).

Dates (tests/builders.py): opened 2026-03-01, statement day 5, bought 03-10; the 04-05 statement is
due 04-23, so a customer who never pays is 1 day past due on 04-24, and at the close of a month
(the first day of the next) `close - 04-23` days past due: 8 on 05-01, 39 on 06-01, 69 on 07-01,
100 on 08-01, 131 on 09-01, 161 on 10-01, 192 on 11-01, 222 on 12-01.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from arrears.bureau import cycle as bureau
from arrears.bureau.models import BureauRecord, DisputeTask
from arrears.bureau.operations import open_dispute, record_notice, resolve_dispute
from arrears.business_days import add_months
from arrears.cycle.runner import last_completed, run_date
from arrears.ledger.models import Account, AccountStatus
from tests.builders import OPENED, advance, buy, open_card_accounts, pay
from tests.factories import make_product

APRIL_23 = dt.date(2026, 4, 23)


def through(day: dt.date) -> None:
    """The cycle on every date that matters and on every first of a month, up to `day`."""
    first = add_months((last_completed() or OPENED - dt.timedelta(days=1)).replace(day=1), 1, day=1)
    while first <= day:
        advance(through=first)
        first = add_months(first, 1, day=1)
    advance(through=day)


def never_paying(charge_off_dpd: int = 400, amount: str = "1000.00") -> Account:
    [account] = open_card_accounts(product=make_product(charge_off_dpd=charge_off_dpd))
    buy(accounts=[account], amounts=[amount])
    return account


def records(account: Account) -> list[BureauRecord]:
    return list(BureauRecord.objects.filter(account=account).order_by("month"))


def by_month(account: Account, month: str) -> BureauRecord:
    return BureauRecord.objects.get(account=account, month=dt.date.fromisoformat(month + "-01"))


def owed(account: Account) -> str:
    account.refresh_from_db()
    fen = account.charged_off_fen - account.recovered_fen if account.charged_off_on else account.balance_fen
    return f"{Decimal(fen) / 100:.2f}"


@pytest.mark.django_db
class TestMissedMinimums:
    def test_one_to_seven_and_more_unpaid_minimums(self) -> None:
        account = never_paying()
        through(dt.date(2026, 12, 1))

        rows = records(account)
        assert [r.month.strftime("%m") for r in rows] == ["03", "04", "05", "06", "07", "08", "09", "10", "11"]
        # March: the first statement (04-05) is not out: nothing due. Then one more unpaid minimum each
        # month; eight or more still read 7.
        assert "".join(r.pboc_status for r in rows) == "*12345677"
        assert [r.metro2_status for r in rows] == ["11", "11", "71", "78", "80", "82", "83", "84", "84"]
        assert [r.dpd for r in rows] == [0, 8, 39, 69, 100, 131, 161, 192, 222]
        assert "".join(r.php_code for r in rows) == "001234566"
        november = rows[-1]
        # Dec 2024 .. Nov 2026, oldest first: 15 months before the account opened.
        assert november.pboc_history == "/" * 15 + "*12345677"
        # Oct .. Nov 2024, newest first: October 6 (180+ days), ..., April and March 0, then B.
        assert november.payment_history == "65432100" + "B" * 16
        assert [r.dofd for r in rows] == [None, None] + [dt.date(2026, 4, 24)] * 7
        assert november.past_due_fen > 0 and november.balance_fen > november.past_due_fen

    def test_negative_marks_are_held_until_the_notice(self) -> None:
        account = never_paying()
        through(dt.date(2026, 6, 1))
        may = by_month(account, "2026-05")
        assert (may.pboc_status, may.held_pboc, may.held_metro2) == ("2", True, True)
        record_notice(
            actor="test", account=account, channel="letter", sent_on=dt.date(2026, 6, 10),
            business_date=dt.date(2026, 6, 10),
        )  # fmt: skip
        through(dt.date(2026, 7, 1))
        june = by_month(account, "2026-06")
        # Sent 06-10: before June's close (CN-CR-PRE) and 14 days before it (US-PASSIVE, 06-24 < 07-01).
        assert (june.pboc_status, june.held_pboc, june.held_metro2) == ("3", False, False)


@pytest.mark.django_db
class TestCurrentAndCured:
    def test_paid_in_full_then_nothing_due(self) -> None:
        [account] = open_card_accounts()
        buy(accounts=[account], amounts=["1000.00"])
        through(dt.date(2026, 4, 20))
        pay(accounts=[account], amounts=["1000.00"], on=dt.date(2026, 4, 20))
        through(dt.date(2026, 6, 1))

        rows = records(account)
        assert "".join(r.pboc_status for r in rows) == "*N*"  # May: the 05-05 statement owes nothing
        assert [r.metro2_status for r in rows] == ["11", "11", "11"]
        assert rows[-1].php_code == "E"  # zero balance and current
        assert rows[-1].payment_history == "E0" + "B" * 22  # April paid to zero, March owing
        assert rows[-1].pboc_history == "/" * 21 + "*N*"
        assert all(r.dofd is None and not r.held_pboc for r in rows)

    def test_cured_after_two_missed_minimums(self) -> None:
        account = never_paying()
        through(dt.date(2026, 6, 10))
        pay(accounts=[account], amounts=[owed(account)], on=dt.date(2026, 6, 10))
        through(dt.date(2026, 7, 1))

        rows = records(account)
        assert "".join(r.pboc_status for r in rows) == "*12N"
        assert [r.metro2_status for r in rows] == ["11", "11", "71", "11"]
        june = rows[-1]
        assert (june.dofd, june.dpd, june.php_code, june.balance_fen) == (None, 0, "E", 0)
        assert june.payment_history == "100" + "B" * 21  # May 1 (30-59 days), April 0, March 0


@pytest.mark.django_db
class TestChargedOff:
    def test_charged_off_then_paid_in_full(self) -> None:
        account = never_paying(charge_off_dpd=30)
        through(dt.date(2026, 6, 1))
        rows = records(account)
        # Charged off on 05-23 (30 days past 04-23): B and 97 from May, L in the profile after it.
        assert "".join(r.pboc_status for r in rows) == "*1B"
        assert [r.metro2_status for r in rows] == ["11", "11", "97"]
        may = rows[-1]
        account.refresh_from_db()
        assert may.balance_fen == may.past_due_fen == account.charged_off_fen > 0
        assert (may.dofd, may.php_code, may.charged_off_fen) == (dt.date(2026, 4, 24), "L", account.charged_off_fen)

        through(dt.date(2026, 6, 10))
        pay(accounts=[account], amounts=[owed(account)], on=dt.date(2026, 6, 10))
        through(dt.date(2026, 7, 1))
        june = by_month(account, "2026-06")
        # Recovered in full: C, 64 (paid in full, was a charge-off); the DOFD stays.
        assert (june.pboc_status, june.metro2_status, june.special_comment) == ("C", "64", "")
        assert (june.balance_fen, june.past_due_fen, june.dofd) == (0, 0, dt.date(2026, 4, 24))
        assert june.pboc_history.endswith("*1BC")
        assert june.payment_history.startswith("L00B")

    def test_settled_after_charge_off(self) -> None:
        account = never_paying(charge_off_dpd=30)
        through(dt.date(2026, 6, 10))
        # The settlement after charge-off is the charge-off part's operation: its outcome, the SETTLED
        # status, stands in for it here.
        Account.objects.filter(pk=account.pk).update(status=AccountStatus.SETTLED)
        through(dt.date(2026, 7, 1))
        june = by_month(account, "2026-06")
        assert (june.pboc_status, june.metro2_status, june.special_comment) == ("C", "64", "AU")
        assert (june.balance_fen, june.dofd, june.ended_on) == (0, dt.date(2026, 4, 24), dt.date(2026, 6, 30))
        assert june.was_negative


@pytest.mark.django_db
class TestDisputes:
    def test_xb_while_open_then_xh_and_the_20_day_deadline(self) -> None:
        [account] = open_card_accounts()
        buy(accounts=[account], amounts=["500.00"])
        through(dt.date(2026, 5, 10))
        task = open_dispute(actor="test", account=account, reason="不认可4月账单", business_date=dt.date(2026, 5, 10))
        assert task.due_on == dt.date(2026, 5, 30)  # CN-CR-DISP: 20 days
        through(dt.date(2026, 6, 1))
        task.refresh_from_db()
        assert task.overdue  # the cycle of 05-31 saw it unanswered after 05-30
        assert by_month(account, "2026-05").compliance_code == "XB"
        resolve_dispute(actor="test", task=task, answer="核实无误，书面答复", business_date=dt.date(2026, 6, 5))
        through(dt.date(2026, 7, 1))
        assert by_month(account, "2026-06").compliance_code == "XH"
        assert by_month(account, "2026-04").compliance_code == ""

    def test_bad_input_changes_nothing(self) -> None:
        from arrears.errors import Conflict, ValidationFailed

        [account] = open_card_accounts()
        with pytest.raises(ValidationFailed) as e:
            open_dispute(actor="test", account=account, reason="  ", business_date=dt.date(2026, 5, 10))
        assert e.value.field == "reason"
        with pytest.raises(ValidationFailed) as e:
            record_notice(
                actor="test", account=account, channel="fax", sent_on=dt.date(2026, 5, 1),
                business_date=dt.date(2026, 5, 1),
            )  # fmt: skip
        assert e.value.field == "channel"
        assert DisputeTask.objects.count() == 0
        task = open_dispute(actor="test", account=account, reason="r", business_date=dt.date(2026, 5, 10))
        resolve_dispute(actor="test", task=task, answer="a", business_date=dt.date(2026, 5, 11))
        with pytest.raises(Conflict):
            resolve_dispute(actor="test", task=task, answer="b", business_date=dt.date(2026, 5, 12))


@pytest.mark.django_db
class TestLeavesTheFile:
    def test_seven_years_from_180_days_after_the_first_delinquency(self) -> None:
        account = never_paying(charge_off_dpd=30)
        through(dt.date(2026, 6, 1))
        # DOFD 2026-04-24 + 180 days + 7 years = 2033-10-21.
        bureau.report_month(dt.date(2033, 9, 1))
        bureau.report_month(dt.date(2033, 10, 1))
        september, october = by_month(account, "2033-09"), by_month(account, "2033-10")
        assert (september.metro2_status, september.dofd) == ("97", dt.date(2026, 4, 24))
        assert (september.removed_metro2, october.removed_metro2) == (False, True)
        assert not october.removed_pboc  # still B: CN-CR-5Y counts from the end, which has not come

    def test_five_years_after_the_settlement(self) -> None:
        account = never_paying(charge_off_dpd=30)
        through(dt.date(2026, 6, 10))
        Account.objects.filter(pk=account.pk).update(status=AccountStatus.SETTLED)
        through(dt.date(2026, 7, 1))
        month = dt.date(2026, 7, 1)
        while month <= dt.date(2031, 6, 1):  # each month's record carries the end forward
            bureau.report_month(month)
            month = add_months(month, 1, day=1)
        # Ended 2026-06-30 (the June record was the first C): kept until 2031-06-30.
        may, june = by_month(account, "2031-05"), by_month(account, "2031-06")
        assert (may.ended_on, may.removed_pboc, june.removed_pboc) == (dt.date(2026, 6, 30), False, True)


@pytest.mark.django_db
def test_the_step_reports_only_on_the_first_of_a_month_and_rerunning_it_changes_nothing() -> None:
    account = never_paying()
    through(dt.date(2026, 5, 31))
    assert bureau.credit_report(dt.date(2026, 5, 31), 0, 2**62, {}) == 0
    run_date(dt.date(2026, 6, 1))
    first = [(r.pk, r.pboc_status, r.pboc_history, r.payment_history) for r in records(account)]
    assert bureau.credit_report(dt.date(2026, 6, 1), 0, 2**62, {}) == 1
    assert [(r.pk, r.pboc_status, r.pboc_history, r.payment_history) for r in records(account)] == first


@pytest.mark.django_db
class TestScenarioRunner:
    def test_credit_report_of_the_month_of_run_until(self) -> None:
        from pathlib import Path

        from arrears import scenario

        path = Path(__file__).parent.parent / "scenarios" / "charge_off_and_recovery.yaml"
        result = scenario.run(scenario.load(path.read_text()))
        # Bought 03-10, the 04-05 statement (due 04-23) unpaid, charged off at 30 days on 05-23,
        # 500.00 recovered on 06-01: March *, April 1, May and June B; the profile before June: May L,
        # April 0 (8 days past due at its close), March 0.
        assert result["credit_report"] == {
            "pboc": {"status": "B", "history": "/" * 20 + "*1BB"},
            "metro2": {"account_status": "97", "payment_history": "L00" + "B" * 21, "dofd": "2026-04-24"},
        }
        # Computed, not written: the June record is the cycle's to write on 07-01.
        assert not BureauRecord.objects.filter(month=dt.date(2026, 6, 1)).exists()

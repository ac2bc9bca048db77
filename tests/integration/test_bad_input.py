"""Bad input is answered with an error naming the field, and nothing in the database changes."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from arrears import scenario
from arrears.audit.models import AuditEntry
from arrears.errors import ArrearsError, Duplicate, NotFound, ValidationFailed
from arrears.ledger.models import Account, Entry
from arrears.ledger.operations import post_charge
from arrears.payments.models import Payment
from arrears.payments.operations import PaymentIn, import_payments, post_payment, post_payments
from arrears.statements.models import Statement
from tests.factories import make_account, pay, purchase

DAY = dt.date(2026, 3, 20)
ARREARS = Path(sys.executable).parent / "arrears"


def snapshot() -> dict[str, Any]:
    """Everything a bad input could have touched."""
    return {
        "entries": Entry.objects.count(),
        "payments": Payment.objects.count(),
        "statements": Statement.objects.count(),
        "audit": AuditEntry.objects.count(),
        "balances": list(
            Account.objects.order_by("id").values_list("principal_fen", "interest_fen", "fees_fen", "recovered_fen")
        ),
    }


@pytest.fixture
def account(db: None) -> Account:
    account = make_account(opened_on=dt.date(2026, 3, 1))
    purchase(account, dt.date(2026, 3, 10), "1000.00")
    pay(account, dt.date(2026, 3, 15), "100.00", reference="PAID-1")
    return account


def payment(account: Account, amount: str = "50.00", reference: str = "REF-1", on: dt.date = DAY) -> PaymentIn:
    return PaymentIn(account_number=account.number, amount=Decimal(amount), value_date=on, reference=reference)


class TestPostPayment:
    @pytest.mark.parametrize(
        ("changes", "error", "field"),
        [
            ({"amount": "0"}, ValidationFailed, "amount"),
            ({"amount": "-50.00"}, ValidationFailed, "amount"),
            ({"amount": "10.005"}, ValidationFailed, "amount"),
            ({"reference": "PAID-1"}, Duplicate, "reference"),
            ({"reference": "has spaces"}, ValidationFailed, "reference"),
            ({"on": DAY + dt.timedelta(days=1)}, ValidationFailed, "date"),
        ],
    )
    def test_refuses_a_bad_payment_naming_the_field_and_posts_nothing(
        self, account: Account, changes: dict[str, Any], error: type[ArrearsError], field: str
    ) -> None:
        before = snapshot()

        with pytest.raises(error) as caught:
            post_payment(actor="test", business_date=DAY, payment=payment(account, **changes))

        assert caught.value.field == field
        assert caught.value.message
        assert snapshot() == before

    def test_refuses_an_unknown_account(self, account: Account) -> None:
        before = snapshot()
        unknown = PaymentIn(account_number="6200000000", amount=Decimal("5.00"), value_date=DAY, reference="X-1")

        with pytest.raises(NotFound) as caught:
            post_payment(actor="test", business_date=DAY, payment=unknown)

        assert caught.value.field == "account"
        assert "6200000000" in caught.value.message
        assert snapshot() == before

    def test_a_batch_with_one_bad_payment_posts_none_of_them(self, account: Account) -> None:
        before = snapshot()
        batch = [payment(account, "10.00", "B-1"), payment(account, "20.00", "B-2"), payment(account, "0", "B-3")]

        with pytest.raises(ValidationFailed) as caught:
            post_payments(actor="test", business_date=DAY, payments=batch)

        assert caught.value.field == "amount"
        assert "payment 3" in caught.value.message
        assert snapshot() == before

    def test_a_reference_repeated_inside_one_batch_is_a_duplicate(self, account: Account) -> None:
        before = snapshot()

        with pytest.raises(Duplicate) as caught:
            batch = [payment(account, "10.00", "B-1"), payment(account, "20.00", "B-1")]
            post_payments(actor="test", business_date=DAY, payments=batch)

        assert caught.value.field == "reference"
        assert snapshot() == before


class TestPostCharge:
    @pytest.mark.parametrize(
        ("kind", "amount", "field"),
        [
            ("purchase", "0", "amount"),
            ("purchase", "-10.00", "amount"),
            ("cash_advance", "-10.00", "amount"),
            ("purchase", "1.001", "amount"),
            ("refund", "10.00", "kind"),
        ],
    )
    def test_refuses_a_bad_charge_naming_the_field_and_posts_nothing(
        self, account: Account, kind: str, amount: str, field: str
    ) -> None:
        before = snapshot()

        with pytest.raises(ValidationFailed) as caught:
            post_charge(actor="test", account=account, kind=kind, amount=Decimal(amount), business_date=DAY)

        assert caught.value.field == field
        assert snapshot() == before


GOOD_ROWS = "{n},120.00,2026-03-18,F-1\n{n},80.50,2026-03-19,F-2\n"


class TestImportPayments:
    def test_a_good_file_posts_every_row(self, account: Account) -> None:
        text = "account,amount,date,reference\n" + GOOD_ROWS.format(n=account.number)

        report = import_payments(actor="test", text=text, business_date=DAY)

        assert (report.posted, report.refused, report.total_fen) == (2, [], 20050)
        account.refresh_from_db()
        # 1000.00 - 100.00 - 120.00 - 80.50
        assert account.principal_fen == 69950

    @pytest.mark.parametrize(
        "header",
        ["account,amount,date\n", "account,sum,date,reference\n", "", "konto;amount;date;reference\n"],
    )
    def test_a_file_without_the_four_columns_is_refused_naming_the_header(self, account: Account, header: str) -> None:
        before = snapshot()

        with pytest.raises(ValidationFailed) as caught:
            import_payments(actor="test", text=header + GOOD_ROWS.format(n=account.number), business_date=DAY)

        assert caught.value.field == "header"
        assert snapshot() == before

    BAD_ROWS = [
        ("{n},12.x,2026-03-18,R-1", "amount"),
        ("{n},12.345,2026-03-18,R-2", "amount"),
        ("{n},-5.00,2026-03-18,R-3", "amount"),
        ("{n},0,2026-03-18,R-4", "amount"),
        ("{n},12.00,2026-13-01,R-5", "date"),
        ("{n},12.00,18/03/2026,R-6", "date"),
        ("{n},12.00,2026-03-21,R-7", "date"),
        ("6299999999,12.00,2026-03-18,R-8", "account"),
        ("{n},12.00,2026-03-18,PAID-1", "reference"),
        ("{n},12.00,2026-03-18,F-1", "reference"),
        ("{n},12.00", "date"),
    ]

    def bad_file(self, account: Account) -> str:
        # Rows 1-2 good (F-1, F-2), rows 3.. bad; the last but one repeats F-1 of row 1.
        rows = [r.format(n=account.number) for r, _ in self.BAD_ROWS]
        return "account,amount,date,reference\n" + GOOD_ROWS.format(n=account.number) + "\n".join(rows) + "\n"

    def test_a_file_with_bad_rows_is_refused_whole_with_a_report_of_every_bad_row(self, account: Account) -> None:
        before = snapshot()

        report = import_payments(actor="test", text=self.bad_file(account), business_date=DAY)

        assert report.posted == 0
        assert report.total_fen == 0
        assert [(e.row, e.field) for e in report.refused] == [
            (i, field) for i, (_, field) in enumerate(self.BAD_ROWS, start=3)
        ]
        assert all(e.message for e in report.refused)
        assert snapshot() == before

    def test_with_post_valid_the_good_rows_post_and_the_bad_ones_are_reported(self, account: Account) -> None:
        report = import_payments(actor="test", text=self.bad_file(account), business_date=DAY, post_valid=True)

        assert (report.posted, report.total_fen) == (2, 20050)
        assert len(report.refused) == len(self.BAD_ROWS)
        assert set(Payment.objects.values_list("reference", flat=True)) == {"PAID-1", "F-1", "F-2"}
        account.refresh_from_db()
        assert account.principal_fen == 69950

    def test_a_reference_twice_in_one_file_is_refused(self, account: Account) -> None:
        before = snapshot()
        n = account.number
        text = f"account,amount,date,reference\n{n},1.00,2026-03-18,D-1\n{n},2.00,2026-03-18,D-1\n"

        report = import_payments(actor="test", text=text, business_date=DAY)

        assert [(e.row, e.field) for e in report.refused] == [(2, "reference")]
        assert "duplicate" in report.refused[0].message
        assert snapshot() == before


def run_cli(tmp_path: Path, text: str) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "scenario.yaml"
    path.write_text(text)
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path}/unused.sqlite3"}
    return subprocess.run(
        [str(ARREARS), "scenario", "run", str(path)], capture_output=True, text=True, env=env, check=False, timeout=120
    )


GOOD = {
    "product": 'product: {statement_day: 5, daily_interest_rate: "0.0005"}',
    "account": 'account: {opened_on: 2026-03-01, credit_limit: "10000.00"}',
    "events": 'events:\n  - {on: 2026-03-12, type: purchase, amount: "2500.00"}',
    "run_until": "run_until: 2026-04-05",
}


def yaml_with(**lines: str | None) -> str:
    return "\n".join(line for line in {**GOOD, **lines}.values() if line) + "\n"


MALFORMED = [
    (yaml_with(events="events:\n  - {on: 2026-02-30, type: purchase, amount: '1.00'}"), "events[0].on"),
    (yaml_with(events="events:\n  - {on: yesterday, type: purchase, amount: '1.00'}"), "events[0].on"),
    (yaml_with(account="account: {opened_on: 2026-13-01}"), "account.opened_on"),
    (yaml_with(account='account: {credit_limit: "100.00"}'), "account.opened_on"),
    (yaml_with(run_until="run_until: 2026-03-01\nrununtil: 2026-04-05"), "rununtil"),
    (yaml_with(run_until=None), "run_until"),
    (yaml_with(run_until="run_until: 2026-02-01"), "run_until"),
    (yaml_with(events="events:\n  - {on: 2026-03-12, type: refund, amount: '1.00'}"), "events[0].type"),
    (yaml_with(events="events:\n  - {on: 2026-03-12, type: purchase, amount: '-1.00'}"), "events[0].amount"),
    (yaml_with(events="events:\n  - {on: 2026-03-12, type: purchase, amount: '0'}"), "events[0].amount"),
    (yaml_with(events="events:\n  - {on: 2026-03-12, type: purchase, amount: '1.001'}"), "events[0].amount"),
    (yaml_with(events="events:\n  - {on: 2026-03-12, type: purchase, amont: '1.00'}"), "events[0].amont"),
    (yaml_with(events="events:\n  - {on: 2026-05-12, type: purchase, amount: '1.00'}"), "events[0].on"),
    (yaml_with(product="product: {statement_day: 32}"), "product.statement_day"),
    (yaml_with(product='product: {daily_interest_rate: "0.5"}'), "product.daily_interest_rate"),
    (yaml_with(product="product: {daily_interest_rate: .inf}"), "product.daily_interest_rate"),
    (yaml_with(product="product: {interest_on_partial_payment: both}"), "product.interest_on_partial_payment"),
    (yaml_with(product="product: {grace_days: 3}"), "product.grace_days"),
    (yaml_with(account="account: {opened_on: 2026-03-01, statement_day: true}"), "account.statement_day"),
    (yaml_with(account="account: {opened_on: 2026-03-01, credit_limit: 1e30}"), "account.credit_limit"),
    ("product: [unclosed\n", "file"),
    ("- just a list\n", "file"),
]


class TestScenarioValidation:
    @pytest.mark.parametrize(("text", "key"), MALFORMED)
    def test_names_the_key_of_the_first_problem(self, text: str, key: str) -> None:
        with pytest.raises(ValidationFailed) as caught:
            scenario.parse(scenario.load(text))

        assert caught.value.field == key
        assert caught.value.message

    def test_an_unquoted_decimal_is_read_exactly_never_as_a_float(self) -> None:
        spec = scenario.parse(scenario.load(yaml_with(product="product: {daily_interest_rate: 0.0003}")))

        assert spec["params"].daily_interest_rate == Decimal("0.0003")
        assert str(spec["params"].daily_interest_rate) == "0.0003"


class TestScenarioCommand:
    # A few of MALFORMED through the real command (each is a new process; the rest are checked above).
    @pytest.mark.parametrize(("text", "key"), [MALFORMED[i] for i in (0, 4, 5, 7, 13, 15)])
    def test_a_malformed_file_exits_non_zero_naming_the_key(self, tmp_path: Path, text: str, key: str) -> None:
        done = run_cli(tmp_path, text)

        assert done.returncode != 0
        assert done.stdout == ""
        assert f"{key}: " in done.stderr
        assert "Traceback" not in done.stderr

    def test_a_good_file_prints_the_json_report(self, tmp_path: Path) -> None:
        # 2500.00 bought 03-12, first statement with a balance 04-05: minimum 10 % = 250.00.
        done = run_cli(tmp_path, yaml_with())

        assert done.returncode == 0, done.stderr
        assert '"minimum_payment": "250.00"' in done.stdout
        assert '"status": "open"' in done.stdout

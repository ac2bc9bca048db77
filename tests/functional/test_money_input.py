"""Money input through every door (issue 9): the probe's payment examples through the API, the command
line and a CSV file are refused with 422 naming the field, nothing posted; a correctly grouped amount is
read; a payment above the product's maximum or with a value date outside the window is refused; the
pages word a refused amount by its code in Chinese and English."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.test import Client

from arrears.contacts.models import FinancialSituation
from arrears.cycle import business_date
from arrears.ledger.models import Account, Entry
from arrears.payments.models import Payment
from arrears.people.models import Role
from tests.collections_factories import PASSWORD, delinquent_customers, staff, team_with_queue
from tests.factories import make_account, make_product, purchase

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 3, 20)


@pytest.fixture(autouse=True)
def _business_day(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(business_date, "current", lambda: DAY)


@pytest.fixture
def account() -> Account:
    """An account owing 1000.00 on a product that takes at most 5000.00 in one payment, dated up to
    10 days back."""
    product = make_product(max_single_payment="5000.00", payment_backdate_days=10)
    account = make_account(product=product, opened_on=dt.date(2026, 3, 1))
    purchase(account, dt.date(2026, 3, 10), "1000.00")
    return account


@pytest.fixture
def client() -> Client:
    User.objects.create_superuser("boss", password=PASSWORD)
    client = Client()
    assert client.login(username="boss", password=PASSWORD)
    return client


def post_payment(client: Client, body: dict[str, Any]) -> Any:
    return client.post("/api/v1/payments", json.dumps(body), content_type="application/json")


def posted() -> tuple[int, int, list[int]]:
    return Payment.objects.count(), Entry.objects.count(), list(Account.objects.values_list("principal_fen", flat=True))


REFUSED_AMOUNTS = [
    ("1,50", "amount_grouping"),
    ("15,00", "amount_grouping"),
    ("1,5000", "amount_grouping"),
    ("1_000", "amount_underscore"),
    ("1e2", "amount_exponent"),
    ("１００", "amount_full_width"),
    ("100.00 ", None),  # trailing space: read (stripped), posted; the control row
    ("1 00", "amount_spaces"),
    ("+100", "amount_plus_sign"),
    ("-100", "must_not_be_negative"),
    ("NaN", "not_finite"),
    ("Infinity", "not_finite"),
    ("0.001", "too_many_decimals"),
    ("999,999,999,999,999.99", "payment_above_maximum"),
    ("9999999999999999", "too_large"),
    ("5000.01", "payment_above_maximum"),
    ("0", "must_be_positive"),
]


class TestThePaymentsApi:
    @pytest.mark.parametrize(("amount", "code"), REFUSED_AMOUNTS)
    def test_the_probes_amounts_are_refused_with_a_422_naming_the_amount_and_nothing_posts(
        self, client: Client, account: Account, amount: str, code: str | None
    ) -> None:
        before = posted()

        response = post_payment(client, {"account": account.number, "amount": amount, "reference": "PROBE-1"})

        if code is None:
            assert response.status_code == 201, response.content
            return
        assert response.status_code == 422, response.content
        assert (response.json()["code"], response.json()["field"]) == (code, "amount")
        assert posted() == before

    def test_one_fifty_written_with_a_comma_is_not_posted_as_one_hundred_and_fifty(
        self, client: Client, account: Account
    ) -> None:
        response = post_payment(client, {"account": account.number, "amount": "1,50", "reference": "P-1"})

        assert response.status_code == 422
        assert "point (1.50)" in response.json()["message"]
        assert not Payment.objects.exists()

    def test_a_correctly_grouped_amount_posts_as_written(self, client: Client, account: Account) -> None:
        response = post_payment(client, {"account": account.number, "amount": "1,500.00", "reference": "P-1"})

        assert response.status_code == 201, response.content
        assert response.json()["amount"] == "1500.00"
        account.refresh_from_db()
        assert account.principal_fen == -500_00  # a credit balance of 500.00, within the product's maximum

    def test_the_products_maximum_is_taken_and_a_fen_more_is_refused(self, client: Client, account: Account) -> None:
        assert (
            post_payment(client, {"account": account.number, "amount": "5000.00", "reference": "P-1"}).status_code
            == 201
        )
        refused = post_payment(client, {"account": account.number, "amount": "5000.01", "reference": "P-2"})

        assert refused.status_code == 422
        assert refused.json() | {"message": ""} == {"code": "payment_above_maximum", "field": "amount", "message": ""}
        assert "5000.00" in refused.json()["message"]

    @pytest.mark.parametrize(
        ("date", "code"),
        [
            ("1900-01-01", "value_date_too_old"),
            ("2026-03-09", "value_date_too_old"),  # 11 days back, the product allows 10
            ("2026-03-21", "value_date_after_business_date"),
            ("9999-12-31", "value_date_after_business_date"),
        ],
    )
    def test_a_value_date_outside_the_window_is_refused_naming_the_date(
        self, client: Client, account: Account, date: str, code: str
    ) -> None:
        before = posted()

        response = post_payment(
            client, {"account": account.number, "amount": "10.00", "date": date, "reference": "P-1"}
        )

        assert response.status_code == 422, response.content
        assert (response.json()["code"], response.json()["field"]) == (code, "date")
        assert posted() == before

    @pytest.mark.parametrize("date", ["2026-03-10", "2026-03-20"])
    def test_a_value_date_inside_the_window_edges_included_posts(
        self, client: Client, account: Account, date: str
    ) -> None:
        response = post_payment(
            client, {"account": account.number, "amount": "10.00", "date": date, "reference": "P-1"}
        )

        assert response.status_code == 201, response.content
        assert Payment.objects.get().value_date.isoformat() == date


class TestTheCommandLine:
    def test_payment_post_refuses_a_comma_decimal_naming_the_amount(self, account: Account) -> None:
        with pytest.raises(CommandError, match=r"^amount: '1,50' has a comma"):
            call_command("payment", "post", "--account", account.number, "--amount", "1,50", "--reference", "C-1")
        assert not Payment.objects.exists()

    def test_payment_post_refuses_an_amount_above_the_products_maximum(self, account: Account) -> None:
        with pytest.raises(CommandError, match=r"^amount: .*maximum for a single payment, 5000\.00"):
            call_command("payment", "post", "--account", account.number, "--amount", "5000.01", "--reference", "C-1")
        assert not Payment.objects.exists()

    def test_payment_import_reports_every_refused_row_with_its_code_and_posts_nothing(
        self, account: Account, tmp_path: Path
    ) -> None:
        n = account.number
        rows = [
            f'{n},"1,50",2026-03-20,F-1',
            f"{n},1e2,2026-03-20,F-2",
            f"{n},１００,2026-03-20,F-3",
            f"{n},5000.01,2026-03-20,F-4",
            f"{n},10.00,1900-01-01,F-5",
            f"{n},10.00,2026-03-21,F-6",
            f'{n},"1,500.00",2026-03-20,F-7',
        ]
        path = tmp_path / "payments.csv"
        path.write_text("account,amount,date,reference\n" + "\n".join(rows) + "\n", encoding="utf-8")
        out = io.StringIO()

        with pytest.raises(CommandError, match="6 bad row"):
            call_command("payment", "import", str(path), stdout=out)

        report = json.loads(out.getvalue())
        assert [(e["row"], e["field"], e["code"]) for e in report["errors"]] == [
            (1, "amount", "amount_grouping"),
            (2, "amount", "amount_exponent"),
            (3, "amount", "amount_full_width"),
            (4, "amount", "payment_above_maximum"),
            (5, "date", "value_date_too_old"),
            (6, "date", "value_date_after_business_date"),
        ]
        assert not Payment.objects.exists()


class TestThePages:
    @pytest.fixture
    def case_page(self, monkeypatch: pytest.MonkeyPatch) -> tuple[Client, str]:
        today = dt.date(2026, 5, 3)
        monkeypatch.setattr(business_date, "current", lambda: today)
        lead = staff(Role.TEAM_LEAD)
        collector = staff(team=team_with_queue(lead=lead))
        (case,) = delinquent_customers(1, through=today)
        client = Client()
        assert client.login(username=collector.username, password=PASSWORD)
        return client, f"/cases/{case.pk}/"

    def situation(self, monthly_income: str) -> dict[str, str]:
        return {
            "action": "situation",
            "monthly_income": monthly_income,
            "monthly_expenses": "2000.00",
            "dependants": "0",
            "other_debts": "0.00",
            "ability": "able",
            "willingness": "willing",
        }

    def test_an_amount_with_a_decimal_comma_is_worded_by_its_code_in_chinese_and_english(
        self, case_page: tuple[Client, str]
    ) -> None:
        client, path = case_page

        chinese = client.post(path, self.situation("8000,50")).content.decode()
        english = client.post("/en" + path, self.situation("8000,50")).content.decode()

        assert "逗号只能用作千位分隔符" in chinese
        assert "a comma may only separate thousands" in english
        assert not FinancialSituation.objects.exists()

    def test_full_width_digits_are_refused_on_the_page_too(self, case_page: tuple[Client, str]) -> None:
        client, path = case_page

        page = client.post(path, self.situation("８０００")).content.decode()

        assert "不接受全角数字" in page
        assert not FinancialSituation.objects.exists()

    def test_a_grouped_amount_is_saved_as_written(self, case_page: tuple[Client, str]) -> None:
        client, path = case_page

        client.post(path, self.situation("8,000.50"))

        assert FinancialSituation.objects.get().monthly_income_fen == 8000_50

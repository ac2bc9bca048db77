"""The payment gateway and the card host post money through signed requests, each only its own kind."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from arrears.audit.models import AuditEntry
from arrears.cycle.business_date import open_date
from arrears.integrations.models import IdempotentRequest, IntegrationKind
from arrears.kernel.pan import mask_pan
from arrears.ledger.models import Account, Entry
from arrears.payments.models import Payment
from tests.factories import make_account, purchase
from tests.signed import System, system

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 5, 3)
PAYMENTS = "/api/v1/gateway/payments"
CARD_HOST = "/api/v1/card-host/transactions"


@pytest.fixture(autouse=True)
def _business_today(db: None) -> None:
    open_date(TODAY)


@pytest.fixture
def account() -> Account:
    account = make_account()
    purchase(account, TODAY, "800.00")
    account.refresh_from_db()
    return account


@pytest.fixture
def gateway() -> System:
    return system("unionpay", IntegrationKind.PAYMENT_GATEWAY)


@pytest.fixture
def host() -> System:
    return system("card-host", IntegrationKind.CARD_HOST)


def balance(account: Account) -> int:
    account.refresh_from_db()
    return account.balance_fen


class TestGatewayPayments:
    def test_a_payment_posts_and_is_audited_under_the_gateway(self, account: Account, gateway: System) -> None:
        response = gateway.post(PAYMENTS, {"account": account.number, "amount": "300.00", "reference": "gw-1"})
        assert response.status_code == 201, response.content
        assert response.json() == {
            "reference": "gw-1",
            "account": mask_pan(account.number),
            "amount": "300.00",
            "value_date": "2026-05-03",
        }
        assert balance(account) == 50000
        payment = Payment.objects.get()
        assert payment.source == "gateway:unionpay"
        assert AuditEntry.objects.filter(actor="integration:unionpay", action__startswith="payment").exists()
        # the answer is kept for replays: it holds no full card number
        assert account.number not in response.content.decode()
        assert not any(account.number in r.response for r in IdempotentRequest.objects.all())

    def test_a_reference_posted_before_is_a_409_even_under_another_request_key(
        self, account: Account, gateway: System
    ) -> None:
        body = {"account": account.number, "amount": "100.00", "reference": "gw-2"}
        assert gateway.post(PAYMENTS, body, key="a").status_code == 201
        again = gateway.post(PAYMENTS, body, key="b")
        assert again.status_code == 409 and again.json()["code"] == "duplicate"
        assert balance(account) == 70000

    def test_a_retry_under_the_same_key_gets_the_201_again_and_posts_once(
        self, account: Account, gateway: System
    ) -> None:
        body = {"account": account.number, "amount": "100.00", "reference": "gw-3"}
        first = gateway.post(PAYMENTS, body, key="pay-3")
        retry = gateway.post(
            PAYMENTS, body, key="pay-3", timestamp=int(first.wsgi_request.headers["X-Arrears-Timestamp"]) + 1
        )
        assert first.status_code == retry.status_code == 201 and first.content == retry.content
        assert Payment.objects.count() == 1 and balance(account) == 70000

    @pytest.mark.parametrize(
        ("body", "status", "field"),
        [
            ({"amount": "abc"}, 422, "amount"),
            ({"amount": "-5.00"}, 422, "amount"),
            ({"account": "6200000000000"}, 404, "account"),
        ],
    )
    def test_bad_input_is_refused_naming_the_field(
        self, account: Account, gateway: System, body: dict[str, Any], status: int, field: str
    ) -> None:
        response = gateway.post(PAYMENTS, {"account": account.number, "amount": "1.00", "reference": "r", **body})
        assert response.status_code == status and response.json()["field"] == field
        assert Payment.objects.count() == 0


class TestCardHost:
    def test_a_batch_posts_purchases_cash_advances_with_their_fee_and_annual_fees(
        self, account: Account, host: System
    ) -> None:
        before = balance(account)
        batch = [
            {"account": account.number, "kind": "purchase", "amount": "120.50", "reference": "t-1"},
            {"account": account.number, "kind": "cash_advance", "amount": "1000.00", "reference": "t-2"},
            {"account": account.number, "kind": "annual_fee", "amount": "200.00", "reference": "t-3"},
        ]
        response = host.post(CARD_HOST, {"transactions": batch})
        assert response.status_code == 201, response.content
        out = response.json()
        assert out["posted"] == 3
        assert [(e["row"], e["kind"]) for e in out["entries"]] == [
            (1, "purchase"),
            (2, "cash_advance"),
            (2, "cash_advance_fee"),
            (3, "annual_fee"),
        ]
        assert {e["account"] for e in out["entries"]} == {mask_pan(account.number)}
        posted = sum(int(e["amount"].replace(".", "")) for e in out["entries"])
        assert balance(account) == before + posted
        assert AuditEntry.objects.filter(actor="integration:card-host").count() >= 3

    def test_bad_rows_are_all_named_with_row_and_field_and_nothing_is_posted(
        self, account: Account, host: System
    ) -> None:
        entries = Entry.objects.count()
        batch = [
            {"account": account.number, "kind": "purchase", "amount": "10.00", "reference": "ok-1"},
            {"account": account.number, "kind": "purchase", "amount": "1.005", "reference": "bad-2"},
            {"account": account.number, "kind": "refund", "amount": "10.00", "reference": "bad-3"},
            {"account": account.number, "kind": "purchase", "amount": "10.00", "reference": ""},
        ]
        response = host.post(CARD_HOST, {"transactions": batch})
        assert response.status_code == 422
        assert [(e["row"], e["field"]) for e in response.json()["errors"]] == [
            (2, "amount"),
            (3, "kind"),
            (4, "reference"),
        ]
        assert Entry.objects.count() == entries

    def test_rows_the_ledger_refuses_are_named_too_and_nothing_is_posted(self, account: Account, host: System) -> None:
        entries = Entry.objects.count()
        batch = [
            {"account": account.number, "kind": "purchase", "amount": "10.00", "reference": "dup"},
            {"account": account.number, "kind": "purchase", "amount": "10.00", "reference": "dup"},
            {"account": "6200000000000", "kind": "purchase", "amount": "10.00", "reference": "x"},
            {
                "account": account.number,
                "kind": "purchase",
                "amount": "10.00",
                "reference": "f",
                "value_date": "2026-06-01",
            },
        ]
        response = host.post(CARD_HOST, {"transactions": batch})
        assert response.status_code == 409
        assert [(e["row"], e["field"], e["code"]) for e in response.json()["errors"]] == [
            (2, "reference", "duplicate"),
            (3, "account", "not_found"),
            (4, "value_date", "validation_failed"),
        ]
        assert Entry.objects.count() == entries

    def test_an_empty_batch_is_refused(self, host: System) -> None:
        response = host.post(CARD_HOST, {"transactions": []})
        assert response.status_code == 422 and response.json()["field"] == "transactions"

"""Two payments with the same reference at the same moment (issue 9): one is posted (201), the other is a
409 `duplicate` naming the reference, never a 500, and the money is posted once.

Both requests check that the reference is free before they write; the loser only learns it is taken
from the unique index, once the winner commits. On PostgreSQL the requests run in threads, each on its
own connection, and the race is also forced every time: the first payment is held inside its transaction
until the second request waits for it (pg_locks shows the wait). SQLite's test database is a shared-cache
in-memory one, whose table locks behave unlike a file database's busy timeout, so there the loser's path
is driven directly: payments validated while their reference was free, posted after it was taken.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import threading
import time
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection, transaction
from django.test import Client

from arrears.audit.models import AuditEntry
from arrears.cycle import business_date
from arrears.errors import Duplicate
from arrears.ledger.models import Account, Entry
from arrears.payments import operations as payments_operations
from arrears.payments.models import Payment
from arrears.payments.operations import PaymentIn, post_payment
from tests.builders import PASSWORD
from tests.factories import make_account, purchase

pytestmark = pytest.mark.django_db(transaction=True)
DAY = dt.date(2026, 3, 20)
WAIT = 30.0


@pytest.fixture(autouse=True)
def _business_day(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(business_date, "current", lambda: DAY)


@pytest.fixture
def account() -> Account:
    account = make_account(opened_on=dt.date(2026, 3, 1))
    purchase(account, dt.date(2026, 3, 10), "1000.00")
    User.objects.create_superuser("cashier", password=PASSWORD)
    return account


def cashier() -> Client:
    client = Client()
    assert client.login(username="cashier", password=PASSWORD)
    return client


def api_payment(client: Client, account: Account, amount: str, reference: str) -> Any:
    """POST /api/v1/payments from this thread, on this thread's own connection."""
    body = {"account": account.number, "amount": amount, "reference": reference}
    try:
        return client.post("/api/v1/payments", json.dumps(body), content_type="application/json")
    finally:
        connection.close()


def waiting_for_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
            " WHERE NOT l.granted AND a.datname = current_database()"
        )
        return bool(cursor.fetchone()[0])


def run(target: Any, results: list[Any], errors: list[BaseException]) -> threading.Thread:
    def body() -> None:
        try:
            results.append(target())
        except BaseException as exc:  # the test reports it; a thread would swallow it
            errors.append(exc)

    thread = threading.Thread(target=body)
    thread.start()
    return thread


POSTGRESQL = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL: SQLite's shared-cache test database has no busy timeout"
)


def test_a_payment_validated_before_its_reference_was_taken_is_a_duplicate_and_writes_nothing(
    account: Account,
) -> None:
    first = PaymentIn(account_number=account.number, amount=Decimal("30.00"), value_date=DAY, reference="LATE-1")
    late = [
        PaymentIn(account_number=account.number, amount=Decimal("5.00"), value_date=DAY, reference="LATE-0"),
        dataclasses.replace(first, amount=Decimal("40.00")),
    ]
    assert payments_operations._validate(late, DAY) == []  # both references free when checked
    post_payment(actor="bank-file", payment=first, business_date=DAY)
    before = (Payment.objects.count(), Entry.objects.count(), AuditEntry.objects.count())

    with pytest.raises(Duplicate) as refused:
        payments_operations._post_many(late, business_date=DAY, actor="api", source="api")

    assert (refused.value.code, refused.value.field, refused.value.status) == ("duplicate", "reference", 409)
    assert "LATE-1" in refused.value.message
    assert (Payment.objects.count(), Entry.objects.count(), AuditEntry.objects.count()) == before
    account.refresh_from_db()
    assert account.principal_fen == 1000_00 - 30_00


@POSTGRESQL
def test_two_requests_with_the_same_reference_at_once_give_one_201_and_one_409(account: Account) -> None:
    results: list[Any] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)

    def pay(client: Client, amount: str) -> Any:
        barrier.wait(timeout=WAIT)
        return api_payment(client, account, amount, "BANK-RACE-1")

    clients = {amount: cashier() for amount in ("10.00", "20.00")}
    threads = [run(lambda a=amount, c=client: pay(c, a), results, errors) for amount, client in clients.items()]
    for thread in threads:
        thread.join(WAIT * 2)

    assert errors == []
    assert sorted(r.status_code for r in results) == [201, 409], [r.content for r in results]
    refused = next(r for r in results if r.status_code == 409).json()
    assert (refused["code"], refused["field"]) == ("duplicate", "reference")
    assert Payment.objects.filter(reference="BANK-RACE-1").count() == 1
    account.refresh_from_db()
    assert account.principal_fen == 1000_00 - Payment.objects.get().amount_fen


@POSTGRESQL
def test_a_payment_that_loses_the_race_to_a_reference_is_a_409_not_a_500(account: Account) -> None:
    held = threading.Event()
    release = threading.Event()
    results: list[Any] = []
    errors: list[BaseException] = []

    def first() -> str:
        try:
            with transaction.atomic():
                payment = PaymentIn(
                    account_number=account.number, amount=Decimal("30.00"), value_date=DAY, reference="RACE-2"
                )
                post_payment(actor="bank-file", payment=payment, business_date=DAY)
                held.set()
                assert release.wait(WAIT)
            return "committed"
        finally:
            connection.close()

    client = cashier()
    holder = run(first, results, errors)
    assert held.wait(WAIT)
    # The second request finds the reference free (the first has not committed), then waits for the account.
    second = run(lambda: api_payment(client, account, "40.00", "RACE-2"), results, errors)
    deadline = time.monotonic() + WAIT
    while not waiting_for_a_lock() and second.is_alive():
        assert time.monotonic() < deadline, "the second payment never waited for the first"
        time.sleep(0.01)
    release.set()
    holder.join(WAIT)
    second.join(WAIT)

    assert errors == []
    response = next(r for r in results if r != "committed")
    assert response.status_code == 409, response.content
    assert (response.json()["code"], response.json()["field"]) == ("duplicate", "reference")
    assert list(Payment.objects.values_list("reference", "amount_fen")) == [("RACE-2", 30_00)]
    account.refresh_from_db()
    assert account.principal_fen == 1000_00 - 30_00

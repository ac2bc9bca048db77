"""A retry that arrives while the first request with its key is still being served waits for it and
gets its answer: the payment is posted once (PostgreSQL, where the two requests really overlap)."""

from __future__ import annotations

import datetime as dt
import threading
import time
from typing import Any

import pytest
from django.db import connection, connections

from arrears.cycle.business_date import open_date
from arrears.integrations.models import IntegrationKind
from arrears.interfaces.api import integrations as doors
from arrears.kernel import clock
from arrears.payments.models import Payment
from tests.factories import make_account, purchase
from tests.signed import system

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="PostgreSQL only: SQLite transactions are IMMEDIATE, so the two requests never overlap",
    ),
]
TODAY = dt.date(2026, 5, 3)
WAIT = 20.0


def someone_waits_for_a_lock() -> bool:
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_locks WHERE NOT granted")
        row = cursor.fetchone()
    return bool(row and row[0])


def test_a_retry_during_the_first_request_waits_for_it_and_gets_its_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    open_date(TODAY)
    account = make_account()
    purchase(account, TODAY, "800.00")
    gateway = system("gw", IntegrationKind.PAYMENT_GATEWAY)
    body = {"account": account.number, "amount": "100.00", "reference": "race-1"}
    serving, overlapped = threading.Event(), threading.Event()
    real = doors.post_payment

    def held(**kwargs: Any) -> Any:
        """The first request, inside its work: held until the retry waits on the request key."""
        serving.set()
        deadline = time.monotonic() + WAIT
        while not someone_waits_for_a_lock() and time.monotonic() < deadline:
            time.sleep(0.05)
        if someone_waits_for_a_lock():
            overlapped.set()
        return real(**kwargs)

    monkeypatch.setattr(doors, "post_payment", held)
    answers: dict[str, Any] = {}

    def send(who: str, offset: int) -> None:
        try:
            answers[who] = gateway.post(
                "/api/v1/gateway/payments", body, key="pay-race", timestamp=int(clock.now().timestamp()) + offset
            )
        finally:
            connections.close_all()

    first = threading.Thread(target=send, args=("first", 0))
    first.start()
    assert serving.wait(WAIT)
    retry = threading.Thread(target=send, args=("retry", 1))
    retry.start()
    first.join(WAIT * 2)
    retry.join(WAIT * 2)
    assert overlapped.is_set()  # the retry really arrived while the first request was being served
    assert answers["first"].status_code == answers["retry"].status_code == 201
    assert answers["first"].content == answers["retry"].content
    assert answers["retry"]["Idempotent-Replayed"] == "true"
    assert Payment.objects.filter(reference="race-1").count() == 1

"""Collectors asking for the next account at the same moment never receive the same case.

Each collector is a thread with its own database connection, all released at once by a barrier.
On PostgreSQL the lock is SELECT … FOR UPDATE SKIP LOCKED, then the conditional UPDATE that is the
lease. SQLite serialises writers (IMMEDIATE transactions, a 30 s busy timeout); its test database is a
shared-cache in-memory one, which answers "table is locked" at once instead of waiting out the busy
timeout as a file database does, so there a collector waits a random, growing moment and asks again
(what the timeout does). Fifty threads spinning on one shared cache could starve each other on a
two-core machine, so SQLite runs with fewer collectors; the property is the same.
"""

from __future__ import annotations

import datetime as dt
import random
import threading
import time
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import OperationalError, connection

from arrears.audit.models import AuditEntry
from arrears.cases.models import Case, CaseStatus
from arrears.cases.operations import next_case
from arrears.ledger.models import Customer
from arrears.people.models import Team

pytestmark = pytest.mark.django_db(transaction=True)

OPENED_ON = dt.date(2026, 5, 3)


COLLECTORS = 50
SQLITE_COLLECTORS = 16
WAIT_AT_MOST = 120  # seconds a collector keeps asking while SQLite says "locked"


def _collectors() -> int:
    return SQLITE_COLLECTORS if connection.vendor == "sqlite" else COLLECTORS


def _team_of_collectors(n: int) -> tuple[Team, list[User]]:
    User.objects.bulk_create([User(username=f"collector{i}") for i in range(n)])
    users = list(User.objects.filter(username__startswith="collector").order_by("id"))
    team = Team.objects.create(name="phones")
    team.members.add(*users)
    return team, users


def _open_cases(team: Team, n: int) -> list[int]:
    Customer.objects.bulk_create([Customer(name=f"客户{i}") for i in range(n)])
    customers = Customer.objects.order_by("id").values_list("id", flat=True)
    Case.objects.bulk_create(
        [
            # Equal priorities for half the cases: every collector wants the same rows first.
            Case(customer_id=c, team=team, opened_on=OPENED_ON, status=CaseStatus.OPEN, priority=(i % 2) * 1000)
            for i, c in enumerate(customers)
        ]
    )
    return list(Case.objects.values_list("id", flat=True))


def _lease_next(user: User) -> Any:
    deadline = time.monotonic() + WAIT_AT_MOST
    pause = 0.005
    while True:
        try:
            return next_case(user=user, business_date=dt.date(2026, 5, 3))
        except OperationalError as exc:
            if connection.vendor != "sqlite" or "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(random.uniform(0, pause))  # jitter so the waiting threads do not retry in step
            pause = min(pause * 2, 0.2)


def _all_at_once(users: list[User]) -> dict[str, Any]:
    """Every user asks for the next account at the same moment; returns {username: case id or None}."""
    barrier = threading.Barrier(len(users))
    got: dict[str, Any] = {}
    errors: list[BaseException] = []

    def ask(user: User) -> None:
        try:
            barrier.wait(timeout=30)
            case = _lease_next(user)
            got[user.username] = case.pk if case else None
        except BaseException as exc:  # reported by the test, not lost in the thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=ask, args=(u,)) for u in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=WAIT_AT_MOST + 60)
    assert not errors, errors
    assert len(got) == len(users)
    return got


class TestNextAccountUnderConcurrency:
    def test_collectors_asking_at_once_each_get_a_different_case_while_cases_last(self) -> None:
        n = _collectors()
        team, users = _team_of_collectors(n)
        case_ids = _open_cases(team, n + 10)

        got = _all_at_once(users)

        leased = [c for c in got.values() if c is not None]
        assert len(leased) == n, f"{n - len(leased)} collector(s) got nothing while cases were free"
        assert len(set(leased)) == n
        assert set(leased) <= set(case_ids)
        holders = dict(Case.objects.filter(lease_holder__isnull=False).values_list("id", "lease_holder__username"))
        assert holders == {case_id: name for name, case_id in got.items()}
        assert AuditEntry.objects.filter(action="case.lease").count() == n

    def test_when_there_are_fewer_cases_than_collectors_the_rest_get_none(self) -> None:
        n = _collectors()
        team, users = _team_of_collectors(n)
        case_ids = _open_cases(team, n // 2)

        got = _all_at_once(users)

        leased = [c for c in got.values() if c is not None]
        assert sorted(leased) == sorted(case_ids)  # every case leased, each exactly once
        assert list(got.values()).count(None) == n - n // 2
        assert Case.objects.filter(lease_holder__isnull=True).count() == 0

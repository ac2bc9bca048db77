"""The row locks that keep two writers apart, tested in a fixed order rather than by a race.

Two transactions in two threads, each with its own connection. The first is paused inside its
transaction right after it has taken its lock and written; only then does the second start, and the
first is let go only once the second is known to have read: it is waiting on a lock (PostgreSQL:
pg_stat_activity says so; SQLite: its IMMEDIATE transaction was told the database is locked) or it
has finished. So the second always reads while the first holds its lock, and the test fails every
time the lock is missing, not only when the threads happen to interleave badly:

- the team budget (concessions.operations._spend_budget, SELECT … FOR UPDATE): without the lock the
  second approval reads the budget unspent and both are granted;
- the next case (cases.operations.next_case, FOR UPDATE SKIP LOCKED): without it the second collector
  picks the case the first is leasing, loses the conditional update, and is told nothing is left.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import OperationalError, connection

from arrears.cases import operations as case_operations
from arrears.cases.models import Case, CaseStatus
from arrears.cases.operations import next_case
from arrears.concessions import operations as concession_operations
from arrears.concessions.models import AuthorityRule, TeamBudget
from arrears.concessions.operations import ConcessionIn, decide_approval, request_concession
from arrears.ledger.models import Customer
from arrears.people.models import Role, Team
from tests.collections_factories import staff, team_with_queue
from tests.factories import make_account, make_product, purchase

pytestmark = pytest.mark.django_db(transaction=True)
DAY = dt.date(2026, 3, 26)
WAIT = 30  # seconds: a bound on every wait, never a pause that the order depends on


class InOrder:
    """Run `first` until it reaches `pause_at` (a module function it calls inside its transaction),
    then `second`, and let `first` finish only once `second` has read."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, module: Any, pause_at: str) -> None:
        self.holding, self.release, self.second_blocked = threading.Event(), threading.Event(), threading.Event()
        self.first_thread: threading.Thread | None = None
        real = getattr(module, pause_at)

        def paused(*args: Any, **kwargs: Any) -> Any:
            result = real(*args, **kwargs)
            if threading.current_thread() is self.first_thread:
                self.holding.set()
                assert self.release.wait(WAIT), "the second transaction never read"
            return result

        monkeypatch.setattr(module, pause_at, paused)

    def run(self, first: Callable[[], Any], second: Callable[[], Any]) -> tuple[Any, Any]:
        results: dict[str, Any] = {}
        pid: dict[str, int] = {}

        def as_thread(name: str, call: Callable[[], Any]) -> None:
            try:
                if name == "second" and connection.vendor == "postgresql":
                    with connection.cursor() as cursor:
                        cursor.execute("SELECT pg_backend_pid()")
                        pid["second"] = cursor.fetchone()[0]
                results[name] = self._retrying(call) if name == "second" else call()
            except Exception as exc:  # the outcome to assert on, not lost in the thread
                results[name] = exc
            finally:
                connection.close()

        self.first_thread = threading.Thread(target=as_thread, args=("first", first))
        second_thread = threading.Thread(target=as_thread, args=("second", second))
        self.first_thread.start()
        assert self.holding.wait(WAIT), results.get("first")
        second_thread.start()
        deadline = time.monotonic() + WAIT
        while not (self.second_blocked.is_set() or not second_thread.is_alive() or self._waits_on_a_lock(pid)):
            assert time.monotonic() < deadline, "the second transaction neither waited nor finished"
            time.sleep(0.01)
        self.release.set()
        self.first_thread.join(WAIT)
        second_thread.join(WAIT)
        return results["first"], results["second"]

    def _retrying(self, call: Callable[[], Any]) -> Any:
        """SQLite's in-memory test database answers "locked" at once where a file would wait."""
        while True:
            try:
                return call()
            except OperationalError as exc:
                if connection.vendor != "sqlite" or "locked" not in str(exc):
                    raise
                self.second_blocked.set()
                time.sleep(0.005)

    @staticmethod
    def _waits_on_a_lock(pid: dict[str, int]) -> bool:
        if "second" not in pid:
            return False
        with connection.cursor() as cursor:
            cursor.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [pid["second"]])
            row = cursor.fetchone()
        return row is not None and row[0] == "Lock"


def two_pending_waivers() -> dict[str, Any]:
    """Two customers of one team, each with a 5.00 late fee waiver waiting for a lead; 8.00 of budget."""
    lead, second_lead = staff(Role.TEAM_LEAD), staff(Role.TEAM_LEAD)
    team = team_with_queue(lead=lead)
    team.members.add(second_lead)
    collector = staff(team=team)
    product = make_product(due_days_after_statement=18)
    for n in range(2):
        account = make_account(product=product, statement_day=7, name=f"预算客户{n}")
        purchase(account, dt.date(2026, 3, 1), "1000.00")
    from arrears.cycle.runner import run_date

    run_date(dt.date(2026, 3, 7))
    run_date(DAY)  # the minimums unpaid: a 5.00 late fee each, cases open for the team
    AuthorityRule.objects.create(role=Role.TEAM_LEAD, kind="late_fee_waiver", max_amount_fen=1000)
    TeamBudget.objects.create(team=team, month=DAY.replace(day=1), limit_fen=800)
    data = ConcessionIn(kind="late_fee_waiver", reason="illness", evidence="hospital certificate", amount=Decimal(5))
    cases = list(Case.objects.order_by("id"))
    assert len(cases) == 2
    approvals = [request_concession(user=collector, case=c, data=data, business_date=DAY).approval for c in cases]
    return {"approvals": approvals, "leads": [lead, second_lead], "team": team}


def test_the_second_approval_reads_the_budget_after_the_first_has_spent_it(monkeypatch: pytest.MonkeyPatch) -> None:
    w = two_pending_waivers()
    order = InOrder(monkeypatch, concession_operations, "_spend_budget")

    def approve(n: int) -> Callable[[], Any]:
        return lambda: decide_approval(
            user=w["leads"][n], approval_id=w["approvals"][n].pk, decision="approve", business_date=DAY
        )

    first, second = order.run(approve(0), approve(1))

    assert not isinstance(first, Exception), first
    assert type(second).__name__ == "BudgetExhausted", second
    assert TeamBudget.objects.get().spent_fen == 500


def two_cases_and_two_collectors() -> tuple[list[User], list[int]]:
    team = Team.objects.create(name="phones")
    users = [User.objects.create(username=f"phone{n}") for n in range(2)]
    team.members.add(*users)
    customers = Customer.objects.bulk_create([Customer(name=f"客户{n}") for n in range(2)])
    cases = Case.objects.bulk_create(
        [
            Case(customer=c, team=team, opened_on=DAY, status=CaseStatus.OPEN, priority=1000 - n)
            for n, c in enumerate(customers)
        ]
    )
    ids = [c.pk for c in cases] if cases[0].pk else list(Case.objects.order_by("id").values_list("id", flat=True))
    return users, ids


def test_a_collector_asking_while_another_leases_the_top_case_gets_the_next_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    users, (top, next_one) = two_cases_and_two_collectors()
    order = InOrder(monkeypatch, case_operations, "record")  # the lease is written, the audit entry next

    first, second = order.run(
        lambda: next_case(user=users[0], business_date=DAY), lambda: next_case(user=users[1], business_date=DAY)
    )

    assert (getattr(first, "pk", first), getattr(second, "pk", second)) == (top, next_one)
    holders = dict(Case.objects.values_list("id", "lease_holder__username"))
    assert holders == {top: "phone0", next_one: "phone1"}

"""Payments posted from threads while the cycle's charge-off and plan steps run on the same accounts
lose no money (issue 8), ordered so that the race happens every time, not by luck.

Four accounts, past due since 03-03 on a product that charges off at 5 days past due: A and B
charge off on 03-08; C and D are in repayment plans whose first instalment (due 03-06) is missed,
so the plans break on 03-08. The cycle of 03-08 runs in the main thread. Inside the charge-off step
and inside the plan step, right after the step has taken its accounts through `posting.lock` and
read their balances, the step is held while payment threads start (two on A and one on B, then two
on C and one on D), each with its own connection. The step goes on only when every payment thread
is waiting for a row lock (PostgreSQL's pg_locks shows it) or has finished.

With the lock, every payment waits, and is applied after the step commits, on what the step left:
a recovery on a charged-off account, a card payment on an account whose plan has broken. Without
it, a payment would commit between the step's read and its write, and the step would write off a
balance already paid (leaving the account owing less than nothing) or return to the card a plan
balance already paid (leaving the plan component below zero): the money paid would be lost.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import threading
import time
from collections.abc import Iterable
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Sum

from arrears.cases.models import Case
from arrears.cycle import registry
from arrears.cycle.runner import run_date
from arrears.ledger import posting
from arrears.ledger.models import Account, AccountStatus, Component, Entry, EntryKind
from arrears.ledger.queries import cache_mismatches
from arrears.payments.models import Payment
from arrears.payments.operations import PaymentIn, post_payment
from arrears.people.models import Role
from arrears.plans.models import Evidence, Plan, PlanPolicy, PlanStatus
from arrears.plans.operations import accept_plan, activate_plan, approve_plan, offer_plan, propose_plan
from arrears.products.rules import ProductParams
from tests.collections_factories import staff, team_with_queue
from tests.factories import make_account, make_product, purchase, run_days

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="PostgreSQL only: SQLite transactions are IMMEDIATE, so a payment and a cycle step never overlap",
    ),
]

OPENED = dt.date(2026, 3, 1)
PLANNED = dt.date(2026, 3, 4)
RACE_DAY = dt.date(2026, 3, 8)
WAIT = 30.0  # seconds a step is held at most, waiting for the payment threads to block or finish
_refs = itertools.count(1)

# The payments released inside each step: (account, amount in fen).
RELEASED = {
    "charge_off": [("A", 30_000), ("A", 20_000), ("B", 40_000)],
    "plans": [("C", 30_000), ("C", 25_000), ("D", 40_000)],
}


@dataclasses.dataclass
class Race:
    """Holds a step after its `posting.lock` until its payment threads wait for the rows or are done."""

    accounts: dict[str, Account]
    step: str | None = None
    held: set[str] = dataclasses.field(default_factory=set)
    threads: list[threading.Thread] = dataclasses.field(default_factory=list)
    pids: dict[str, int] = dataclasses.field(default_factory=dict)
    posted: list[tuple[str, str, int]] = dataclasses.field(default_factory=list)  # (account, reference, fen)
    errors: list[BaseException] = dataclasses.field(default_factory=list)

    def pay(self, name: str, reference: str, fen: int) -> None:
        """One payment from its own thread and its own connection."""
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                self.pids[reference] = cursor.fetchone()[0]
            payment = PaymentIn(
                account_number=self.accounts[name].number,
                amount=Decimal(fen) / 100,
                value_date=RACE_DAY,
                reference=reference,
            )
            post_payment(actor="test", payment=payment, business_date=RACE_DAY)
        except BaseException as exc:  # reported by the main thread
            self.errors.append(exc)
        finally:
            connection.close()

    def release(self, step: str) -> None:
        """Start the step's payment threads and wait until each waits for a lock or has finished."""
        started = []
        for name, fen in RELEASED[step]:
            reference = f"race-{step}-{next(_refs)}"
            self.posted.append((name, reference, fen))
            thread = threading.Thread(target=self.pay, args=(name, reference, fen), name=reference)
            thread.start()
            started.append(thread)
        self.threads += started
        deadline = time.monotonic() + WAIT
        while True:
            waiting = self._waiting_for_locks([t.name for t in started])
            if all(not t.is_alive() or t.name in waiting for t in started):
                return
            if time.monotonic() > deadline:
                pytest.fail(f"the payments of step {step} neither waited for a lock nor finished in {WAIT:.0f} s")
            time.sleep(0.02)

    def _waiting_for_locks(self, references: Iterable[str]) -> set[str]:
        pids = {self.pids[r]: r for r in references if r in self.pids}
        if not pids:
            return set()
        with connection.cursor() as cursor:
            cursor.execute("SELECT DISTINCT pid FROM pg_locks WHERE NOT granted AND pid = ANY(%s)", [list(pids)])
            return {pids[pid] for (pid,) in cursor.fetchall()}

    def join(self) -> None:
        """The payments released by a step that has committed: they finish now."""
        for thread in self.threads:
            thread.join(WAIT)
            assert not thread.is_alive(), f"payment {thread.name} still running after {WAIT:.0f} s"
        self.threads = []


@pytest.fixture
def race(monkeypatch: pytest.MonkeyPatch) -> Race:
    """The world on the eve of 03-08, and the cycle's steps instrumented to hold and release."""
    PlanPolicy.objects.create(grace_days=1, missed_to_break=1)
    lead = staff(Role.TEAM_LEAD)
    team = team_with_queue(lead=lead)
    collector = staff(team=team)
    product = make_product(statement_day=OPENED.day + 1, due_days_after_statement=1, charge_off_dpd=5)
    accounts = {name: make_account(product=product, opened_on=OPENED, name=f"客户{name}") for name in "ABCD"}
    for account in accounts.values():
        purchase(account, OPENED, "1000.00")
    run_days(OPENED, PLANNED)
    for name in "CD":
        plan = propose_plan(
            actor=collector,
            case=Case.objects.get(customer=accounts[name].customer),
            account_number=accounts[name].number,
            scope="whole",
            method="flat_fee",
            instalments=3,
            first_due_date=dt.date(2026, 3, 6),
            fee_rate=Decimal("0.005"),
            business_date=PLANNED,
        )
        approve_plan(actor=lead, plan=plan)
        offer_plan(actor=collector, plan=plan, business_date=PLANNED)
        accept_plan(
            actor=collector, plan=plan, evidence=Evidence.SIGNED_DOCUMENT, evidence_ref="DOC-1", business_date=PLANNED
        )
        activate_plan(actor=collector, plan=plan, business_date=PLANNED)
    run_days(PLANNED + dt.timedelta(days=1), RACE_DAY - dt.timedelta(days=1))

    r = Race(accounts)
    real_lock = posting.lock

    def lock(account_ids: Iterable[int]) -> dict[int, posting.Balances]:
        found = real_lock(account_ids)
        step = r.step
        if threading.current_thread() is threading.main_thread() and step in RELEASED and step not in r.held:
            r.held.add(step)
            r.release(step)
        return found

    def instrumented(step: registry.Step) -> registry.Step:
        def run(d: dt.date, lo: int, hi: int, params: dict[int, ProductParams]) -> int:
            r.join()  # the previous step has committed: the payments it held finish first
            r.step = step.name
            try:
                return step.run(d, lo, hi, params)
            finally:
                r.step = None

        return dataclasses.replace(step, run=run)

    monkeypatch.setattr(posting, "lock", lock)
    monkeypatch.setattr(registry, "STEPS", [instrumented(s) for s in registry.STEPS])
    return r


def balances(account: Account) -> dict[str, int]:
    account.refresh_from_db()
    return {c: getattr(account, c) for c in posting.CACHE_COLUMNS}


def test_payments_posted_while_the_charge_off_and_plan_steps_run_are_never_lost(race: Race) -> None:
    a, b, c, d = (race.accounts[n] for n in "ABCD")
    eve = {name: balances(account) for name, account in race.accounts.items()}
    assert [account.status for account in (a, b, c, d)] == [AccountStatus.OPEN] * 4
    assert eve["C"]["plan_fen"] > 0 and eve["D"]["plan_fen"] > 0

    run_date(RACE_DAY)
    race.join()

    assert race.errors == []
    assert race.held == {"charge_off", "plans"}
    # Every payment is on the ledger, in full.
    for _name, reference, fen in race.posted:
        assert Payment.objects.get(reference=reference).amount_fen == fen
        assert Entry.objects.filter(reference=reference).aggregate(s=Sum("amount_fen"))["s"] == -fen
    assert cache_mismatches() == []
    paid = {name: sum(fen for n, _, fen in race.posted if n == name) for name in "ABCD"}
    # A and B: what they owed on the eve is written off, and every payment recovers after it.
    for name in "AB":
        after = balances(race.accounts[name])
        owed_on_the_eve = sum(eve[name][column] for column in posting.OWED.values())
        assert race.accounts[name].status == AccountStatus.CHARGED_OFF
        assert {column: after[column] for column in posting.OWED.values()} == dict.fromkeys(posting.OWED.values(), 0)
        assert (after["charged_off_fen"], after["recovered_fen"]) == (owed_on_the_eve, paid[name])
    # C and D: the plan broke and returned its balance (less the waived charge of the current period)
    # to the card, where every payment lowered it; nothing is left on the plan component.
    for name in "CD":
        account = race.accounts[name]
        after = balances(account)
        waived = -(
            Entry.objects.filter(account=account, kind=EntryKind.REVERSAL, component=Component.PLAN).aggregate(
                s=Sum("amount_fen")
            )["s"]
            or 0
        )
        assert Plan.objects.get(account=account).status == PlanStatus.BROKEN
        assert after["plan_fen"] == 0
        assert min(after[column] for column in posting.OWED.values()) >= 0
        assert account.balance_fen == eve[name]["plan_fen"] - waived - paid[name]
        assert not Entry.objects.filter(account=account, kind=EntryKind.PAYMENT, component=Component.PLAN).exists()


def test_the_steps_really_are_held_while_the_payments_wait(race: Race, monkeypatch: pytest.MonkeyPatch) -> None:
    """A positive control of the ordering: while a step is held, its payments have not committed."""
    seen: dict[str, int] = {}
    release = race.release

    def release_and_count(step: str) -> None:
        release(step)
        seen[step] = Payment.objects.filter(reference__startswith=f"race-{step}-").count()

    monkeypatch.setattr(race, "release", release_and_count)

    run_date(RACE_DAY)
    race.join()

    assert seen == {"charge_off": 0, "plans": 0}
    assert Payment.objects.filter(reference__startswith="race-").count() == 6

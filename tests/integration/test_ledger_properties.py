"""The ledger's laws under random portfolios: balances are sums of entries, the cycle is
idempotent, and a range of dates equals those dates run one by one.

Each hypothesis example builds its own accounts inside a transaction that is rolled back at its
end, so every example starts from an empty ledger.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import itertools
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.db import transaction
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from arrears.business_days import date_range
from arrears.cycle.models import CycleDay
from arrears.cycle.runner import partitions, run_date, run_partition, run_through
from arrears.delinquency.models import BucketChange
from arrears.kernel.vocabulary import CARD_COMPONENTS
from arrears.ledger.models import Account, AccountStatus, Entry
from arrears.ledger.queries import cache_mismatches
from arrears.statements.models import Statement
from tests.factories import make_account, make_product, pay, purchase

OPENED = dt.date(2026, 3, 1)
_refs = itertools.count(1)

DB_SETTINGS = settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)


@dataclasses.dataclass(frozen=True)
class Event:
    day: int  # days after OPENED
    account: int
    kind: str  # purchase, cash_advance, payment
    fen: int


@dataclasses.dataclass(frozen=True)
class Portfolio:
    parameters: dict[str, Any]
    accounts: int
    days: int
    events: tuple[Event, ...]


@st.composite
def portfolios(draw: st.DrawFn, min_days: int = 8, max_days: int = 36) -> Portfolio:
    # The first statement falls 1-5 days after opening, the due date 1-4 days after it and the
    # charge-off 1-6 days past due, so that statements, late fees, DPD, cures and charge-offs all
    # happen within a few weeks of cycle days (a second statement needs a month).
    parameters = {
        "statement_day": OPENED.day + draw(st.integers(1, 5)),
        "due_days_after_statement": draw(st.integers(1, 4)),
        "charge_off_dpd": draw(st.integers(1, 6)),
        "interest_on_partial_payment": draw(st.sampled_from(["full_amount", "unpaid_portion"])),
        "compound_interest": draw(st.booleans()),
        "late_fee_floor": draw(st.sampled_from([None, "1.00"])),
    }
    accounts = draw(st.integers(1, 3))
    days = draw(st.integers(min_days, max_days))
    events = draw(
        st.lists(
            st.builds(
                Event,
                day=st.integers(0, days - 1),
                account=st.integers(0, accounts - 1),
                kind=st.sampled_from(["purchase", "purchase", "cash_advance", "payment"]),
                fen=st.integers(1, 300000),
            ),
            max_size=12,
        )
    )
    return Portfolio(parameters, accounts, days, tuple(sorted(events, key=lambda e: e.day)))


@contextlib.contextmanager
def rolled_back() -> Iterator[None]:
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def open_accounts(portfolio: Portfolio) -> list[Account]:
    product = make_product(**portfolio.parameters)
    return [make_account(product=product, opened_on=OPENED) for _ in range(portfolio.accounts)]


def post(account: Account, day: dt.date, e: Event) -> None:
    amount = str(Decimal(e.fen) / 100)
    account.refresh_from_db()
    if e.kind == "payment":
        pay(account, day, amount, reference=f"P{next(_refs)}")
    elif account.status == AccountStatus.OPEN:
        purchase(account, day, amount, kind=e.kind)


def live(portfolio: Portfolio, accounts: list[Account], through: int) -> None:
    """Day by day: the cycle of a date, then that date's events."""
    for offset in range(through + 1):
        day = OPENED + dt.timedelta(days=offset)
        run_date(day)
        for e in portfolio.events:
            if e.day == offset:
                post(accounts[e.account], day, e)


def snapshot() -> dict[str, list[dict[str, Any]]]:
    """Every row of the ledger tables, in id order."""
    return {
        "entries": list(Entry.objects.order_by("id").values()),
        "statements": list(Statement.objects.order_by("id").values()),
        "accounts": list(Account.objects.order_by("id").values()),
        "bucket_changes": list(BucketChange.objects.order_by("id").values()),
    }


def portable_snapshot() -> dict[str, list[tuple[Any, ...]]]:
    """The ledger tables without ids, accounts named by their position, for two builds to compare."""
    index = {pk: i for i, pk in enumerate(Account.objects.order_by("id").values_list("id", flat=True))}

    def rows(model: Any, *fields: str) -> list[tuple[Any, ...]]:
        return sorted((index[r[0]], *r[1:]) for r in model.objects.values_list("account_id", *fields).order_by("id"))

    return {
        "entries": rows(Entry, "kind", "component", "amount_fen", "posting_date", "value_date", "explanation"),
        "statements": rows(
            Statement,
            "statement_date",
            "period_start",
            "due_date",
            "new_balance_fen",
            "principal_fen",
            "interest_fen",
            "fees_fen",
            "minimum_payment_fen",
            "minimum_unpaid_fen",
            "grace_kept",
            "explanation",
        ),
        "accounts": sorted(
            (index[a[0]], *a[1:])
            for a in Account.objects.values_list(
                "id",
                "principal_fen",
                "interest_fen",
                "fees_fen",
                "dpd",
                "bucket",
                "status",
                "last_statement_date",
                "charged_off_on",
                "charged_off_fen",
                "recovered_fen",
            )
        ),
        "bucket_changes": rows(BucketChange, "change_date", "from_bucket", "to_bucket", "dpd"),
    }


@pytest.mark.django_db
class TestBalancesAreSumsOfEntries:
    @DB_SETTINGS
    @given(portfolio=portfolios())
    def test_after_any_purchases_advances_payments_and_cycle_days(self, portfolio: Portfolio) -> None:
        with rolled_back():
            accounts = open_accounts(portfolio)

            live(portfolio, accounts, portfolio.days)

            assert cache_mismatches() == []
            # Each statement's balances are the sums of the entries posted before its date.
            for s in Statement.objects.all():
                before = Entry.objects.filter(account_id=s.account_id, posting_date__lt=s.statement_date)
                sums = {c: before.filter(component=c).aggregate(s=Sum("amount_fen"))["s"] or 0 for c in CARD_COMPONENTS}
                assert (s.principal_fen, s.interest_fen, s.fees_fen) == (
                    sums["principal"],
                    sums["interest"],
                    sums["fees"],
                )
                assert s.new_balance_fen == sum(sums.values())
                assert 0 <= s.minimum_payment_fen <= max(s.new_balance_fen, 0)
            # A charged-off account owes nothing; what it owed is in its charge-off entries.
            for a in Account.objects.filter(status=AccountStatus.CHARGED_OFF):
                written_off = Entry.objects.filter(account=a, kind="charge_off").aggregate(s=Sum("amount_fen"))["s"]
                assert (a.balance_fen, written_off or 0) == (0, -a.charged_off_fen)


@pytest.mark.django_db
class TestTheCycleIsIdempotent:
    @DB_SETTINGS
    @given(portfolio=portfolios(max_days=20))
    def test_a_second_run_of_any_date_changes_nothing(self, portfolio: Portfolio) -> None:
        with rolled_back():
            accounts = open_accounts(portfolio)
            live(portfolio, accounts, portfolio.days)
            before = snapshot()

            # Every date again; then as if each date had crashed after its last partition was done
            # (the completed-day mark lost): its partitions run again.
            again = [run_date(OPENED + dt.timedelta(days=d)) for d in range(portfolio.days + 1)]
            CycleDay.objects.all().delete()
            for d in range(portfolio.days + 1):
                for p in partitions():
                    run_partition(OPENED + dt.timedelta(days=d), p)

            assert not any(again)
            assert snapshot() == before
            assert cache_mismatches() == []


@pytest.mark.django_db
class TestARangeEqualsItsDays:
    @settings(DB_SETTINGS, max_examples=6)
    @given(portfolio=portfolios(max_days=15), extra=st.integers(1, 12))
    def test_running_a_range_of_dates_equals_running_them_one_by_one(self, portfolio: Portfolio, extra: int) -> None:
        first = OPENED + dt.timedelta(days=portfolio.days + 1)
        last = first + dt.timedelta(days=extra - 1)
        with rolled_back():
            accounts = open_accounts(portfolio)
            live(portfolio, accounts, portfolio.days)
            results = []
            for by_range in (False, True):
                with rolled_back():
                    if by_range:
                        ran = run_through(last)
                    else:
                        ran = [day for day in date_range(first, last + dt.timedelta(days=1)) if run_date(day)]

                    assert ran == date_range(first, last + dt.timedelta(days=1))
                    results.append(portable_snapshot())

        assert results[0] == results[1]

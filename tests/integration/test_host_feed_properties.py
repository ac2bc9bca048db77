"""A hypothesis property of the feed's balance sync: over random snapshot and delta balances, with Arrears'
own posts the host has not applied yet (outstanding instructions), after each import every account's
component = the host's balance + its outstanding instructions, and cache = sum of entries."""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from arrears.hostfeed.operations import import_feed
from arrears.hostfeed.rules import COMPONENTS
from arrears.ledger import posting
from arrears.ledger.models import Account, Entry, EntryKind, InstructionStatus, OutboundInstruction
from arrears.ledger.queries import cache_mismatches
from tests.factories import make_product
from tests.hostfeed_writer import write_feed

START = dt.date(2026, 5, 1)
amounts = st.integers(-50_000, 5_000_000)
balances = st.tuples(amounts, amounts, amounts)
day = st.tuples(
    st.lists(balances, min_size=2, max_size=2),  # the host's principal, interest, fees of each account
    st.lists(st.tuples(st.integers(0, 1), st.integers(-20_000, -1)), max_size=2),  # Arrears' own posts
)


@contextlib.contextmanager
def rolled_back() -> Iterator[None]:
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def _yuan(fen: int) -> str:
    sign = "-" if fen < 0 else ""
    return f"{sign}{abs(fen) // 100}.{abs(fen) % 100:02d}"


def _post_own(account: Account, amount: int, on: dt.date, n: int) -> None:
    """An own post the host has not applied yet (as the outbound door hook records it)."""
    reference = f"own:{n}"
    posting.post(
        [
            posting.Line(
                account_id=account.id,
                kind=EntryKind.PAYMENT,
                component="principal",
                amount_fen=amount,
                posting_date=on,
                reference=reference,
            )
        ]
    )
    entry = Entry.objects.get(account=account, reference=reference)
    OutboundInstruction.objects.create(
        entry=entry,
        account=account,
        kind=entry.kind,
        component="principal",
        amount_fen=amount,
        business_date=on,
        status=InstructionStatus.PENDING,
    )


@pytest.mark.django_db
def test_after_every_import_each_component_is_the_hosts_plus_what_it_has_not_applied_yet() -> None:
    product = make_product()
    numbers = itertools.count(1)

    @settings(max_examples=12, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
    @given(days=st.lists(day, min_size=1, max_size=3))
    def live(days: list[tuple[list[tuple[int, int, int]], list[tuple[int, int]]]]) -> None:
        with rolled_back(), tempfile.TemporaryDirectory() as tmp:
            for i, (host, own) in enumerate(days):
                on = START + dt.timedelta(days=i)
                accounts = [
                    [
                        "H1",
                        "C1",
                        "6200000000000001",
                        product.code,
                        "2026-01-01",
                        "5",
                        "10000.00",
                        "open",
                        "0",
                        *map(_yuan, host[0]),
                    ],
                    [
                        "H2",
                        "C1",
                        "6200000000000002",
                        product.code,
                        "2026-01-01",
                        "5",
                        "10000.00",
                        "open",
                        "3",
                        *map(_yuan, host[1]),
                    ],
                ]
                files = {"accounts.csv": accounts}
                if i == 0:
                    files["customers.csv"] = [["C1", "客户", "", "zh-hans"]]
                import_feed(
                    write_feed(Path(tmp) / str(i), kind="delta" if i else "snapshot", business_date=on, files=files),
                    actor="test",
                )
                for ref, balance in zip(("H1", "H2"), host, strict=True):
                    account = Account.objects.get(ref=ref)
                    for component, fen in zip(COMPONENTS, balance, strict=True):
                        outstanding = sum(
                            OutboundInstruction.objects.filter(
                                account=account, component=component, status__in=("pending", "exported")
                            ).values_list("amount_fen", flat=True)
                        )
                        assert getattr(account, f"{component}_fen") == fen + outstanding
                assert cache_mismatches() == []
                for which, amount in own:
                    _post_own(Account.objects.get(ref=("H1", "H2")[which]), amount, on, next(numbers))

    live()

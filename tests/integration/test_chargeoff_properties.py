"""Charged-off positions under random books: for any mix of principal, interest and fees charged off
by the cycle's charge-off step and any recoveries posted through the payment door, each account's
components sum to its charged-off total (the cache column), recoveries never exceed a component's
charge-off, and recovered + excess equals what the ledger's recovery entries hold.

The books are built through the doors: purchases and cash advances (with their fee) through
post_charges, interest through the ledger door as the cycle posts it, the cycle's own charge_off step
(with a charge-off DPD of 0, so that it takes every account at once), payments through post_payments.
Each example runs in a transaction rolled back at its end.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
from collections.abc import Iterator
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from arrears.delinquency.chargeoff import charged_off_positions, recovery_vintages
from arrears.delinquency.cycle import charge_off
from arrears.ledger import posting
from arrears.ledger.models import Account, AccountStatus, EntryKind
from arrears.ledger.operations import ChargeIn, post_charges
from arrears.ledger.queries import cache_mismatches
from arrears.payments.operations import PaymentIn, post_payments
from arrears.products.rules import ProductParams
from tests.factories import make_account, make_product

pytestmark = pytest.mark.django_db(transaction=False)
DAY = dt.date(2026, 3, 10)
CHARGE_OFF_DAY = dt.date(2026, 9, 30)
_refs = itertools.count(1)


@contextlib.contextmanager
def rolled_back() -> Iterator[None]:
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


book = st.lists(
    st.fixed_dictionaries(
        {
            "purchase": st.integers(1, 2_000_000),
            "cash": st.integers(0, 500_000),
            "interest": st.integers(0, 200_000),
            "recoveries": st.lists(st.integers(1, 800_000), max_size=4),
        }
    ),
    min_size=1,
    max_size=4,
)


@settings(max_examples=15, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(accounts=book)
def test_positions_sum_to_the_charge_off_and_recoveries_never_exceed_a_component(accounts: list[dict]) -> None:  # type: ignore[type-arg]
    with rolled_back():
        product = make_product()
        opened = [make_account(product=product) for _ in accounts]
        charges = [
            ChargeIn(account_number=a.number, kind=EntryKind.PURCHASE, amount=Decimal(x["purchase"]) / 100)
            for a, x in zip(opened, accounts, strict=True)
        ]
        charges += [
            ChargeIn(account_number=a.number, kind=EntryKind.CASH_ADVANCE, amount=Decimal(x["cash"]) / 100)
            for a, x in zip(opened, accounts, strict=True)
            if x["cash"]
        ]
        post_charges(actor="test", charges=charges, business_date=DAY)
        posting.post(
            [
                posting.Line(
                    account_id=a.pk,
                    kind=EntryKind.INTEREST,
                    component="interest",
                    amount_fen=x["interest"],
                    posting_date=DAY,
                    reference=f"interest:{DAY}",
                )
                for a, x in zip(opened, accounts, strict=True)
                if x["interest"]
            ]
        )
        ids = [a.pk for a in opened]
        charge_off(CHARGE_OFF_DAY, min(ids), max(ids) + 1, {product.pk: ProductParams(charge_off_dpd=0)})
        assert set(Account.objects.filter(pk__in=ids).values_list("status", flat=True)) == {AccountStatus.CHARGED_OFF}
        on = CHARGE_OFF_DAY + dt.timedelta(days=20)
        post_payments(
            actor="test",
            payments=[
                PaymentIn(account_number=a.number, amount=Decimal(r) / 100, value_date=on, reference=f"r{next(_refs)}")
                for a, x in zip(opened, accounts, strict=True)
                for r in x["recoveries"]
            ],
            business_date=on,
        )

        positions = charged_off_positions(ids)
        cached = {a.pk: a for a in Account.objects.filter(pk__in=ids)}
        assert set(positions) == set(ids)
        for pk, p in positions.items():
            a = cached[pk]
            assert p.charged_off_fen == a.charged_off_fen
            assert p.recovered_fen == a.recovered_fen
            for c, part in p.components.items():
                assert 0 <= part.recovered_fen <= max(part.charged_off_fen, 0), c
            assert sum(part.recovered_fen for part in p.components.values()) + p.excess_fen == p.recovered_fen
            assert p.still_owed_fen == a.charged_off_fen - a.recovered_fen
        [vintage] = recovery_vintages(business_date=on)
        assert vintage.charged_off_fen == sum(p.charged_off_fen for p in positions.values())
        assert vintage.recovered_fen == sum(p.recovered_fen for p in positions.values())
        assert vintage.cumulative_fen[-1] == vintage.recovered_fen
        assert cache_mismatches() == []

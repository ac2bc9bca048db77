"""Ledger entries are immutable: no update or delete by any path; a correction is a reversal."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.db import DatabaseError, connection, transaction

from arrears.errors import ValidationFailed
from arrears.ledger.models import Account, Entry, EntryKind
from arrears.ledger.operations import reverse_entry
from arrears.ledger.queries import cache_mismatches
from tests.factories import make_account, purchase

DAY = dt.date(2026, 3, 20)


@pytest.fixture
def entry(db: None) -> Entry:
    account = make_account(opened_on=dt.date(2026, 3, 1))
    purchase(account, dt.date(2026, 3, 10), "300.00")
    purchase(account, dt.date(2026, 3, 11), "45.60")
    return Entry.objects.get(account=account, amount_fen=4560)


def _orm_save(e: Entry) -> None:
    e.amount_fen = 1
    e.save()


def _raw(sql: str) -> Callable[[Entry], None]:
    def run(e: Entry) -> None:
        with connection.cursor() as cursor:
            cursor.execute(sql.format(table=Entry._meta.db_table), [e.pk])

    return run


WAYS = {
    "queryset update": lambda e: Entry.objects.filter(pk=e.pk).update(amount_fen=1),
    "queryset delete": lambda e: Entry.objects.filter(pk=e.pk).delete(),
    "instance delete": lambda e: e.delete(),
    "raw SQL update": _raw("UPDATE {table} SET amount_fen = 1 WHERE id = %s"),
    "raw SQL delete": _raw("DELETE FROM {table} WHERE id = %s"),
}


class TestEntriesAreImmutable:
    def test_saving_a_changed_entry_through_the_orm_is_refused(self, entry: Entry) -> None:
        with pytest.raises(RuntimeError, match="immutable"):
            _orm_save(entry)

        assert Entry.objects.get(pk=entry.pk).amount_fen == 4560

    @pytest.mark.parametrize("way", list(WAYS))
    def test_the_database_refuses_every_update_and_delete(self, entry: Entry, way: str) -> None:
        with pytest.raises(DatabaseError, match="immutable"), transaction.atomic():
            WAYS[way](entry)

        assert Entry.objects.get(pk=entry.pk).amount_fen == 4560
        assert Entry.objects.filter(account_id=entry.account_id).count() == 2


class TestReverseEntry:
    def test_posts_the_opposite_entry_and_keeps_the_cache_right(self, entry: Entry) -> None:
        # 300.00 + 45.60 owed; the 45.60 reversed: 300.00 owed, both original entries intact.
        reversal = reverse_entry(actor="test", entry=entry, business_date=DAY, reason="duplicate charge")

        assert (reversal.kind, reversal.component, reversal.amount_fen, reversal.reverses_id) == (
            EntryKind.REVERSAL,
            "principal",
            -4560,
            entry.pk,
        )
        assert reversal.posting_date == DAY
        assert Entry.objects.get(pk=entry.pk).amount_fen == 4560
        assert Account.objects.get(pk=entry.account_id).principal_fen == 30000
        assert cache_mismatches() == []

    def test_an_entry_is_reversed_only_once(self, entry: Entry) -> None:
        reverse_entry(actor="test", entry=entry, business_date=DAY, reason="duplicate charge")

        with pytest.raises(ValidationFailed) as caught:
            reverse_entry(actor="test", entry=entry, business_date=DAY, reason="again")

        assert caught.value.field == "entry"
        assert Account.objects.get(pk=entry.account_id).principal_fen == 30000

    def test_a_reversal_is_not_itself_reversed(self, entry: Entry) -> None:
        reversal = reverse_entry(actor="test", entry=entry, business_date=DAY, reason="duplicate charge")

        with pytest.raises(ValidationFailed) as caught:
            reverse_entry(actor="test", entry=reversal, business_date=DAY, reason="undo")

        assert caught.value.field == "entry"

    def test_needs_a_reason(self, entry: Entry) -> None:
        count = Entry.objects.count()

        with pytest.raises(ValidationFailed) as caught:
            reverse_entry(actor="test", entry=entry, business_date=DAY, reason="  ")

        assert caught.value.field == "reason"
        assert Entry.objects.count() == count

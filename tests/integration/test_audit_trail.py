"""The audit trail: append-only, chained by hashes, verified by a command."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from arrears.audit.models import AuditEntry
from arrears.audit.operations import record, record_many, seal_pending, verify_chain

pytestmark = pytest.mark.django_db


class TestHashChain:
    def test_each_entry_carries_the_hash_of_the_one_before(self) -> None:
        first = record(actor="a", action="x.do", object_type="thing", object_id=1, after={"v": 1})
        record_many(actor="b", action="x.bulk", object_type="thing", items=[(2, {"v": 2}), (3, {"v": 3})])
        assert AuditEntry.objects.filter(seq__isnull=True).count() == 3  # writers do not wait for the chain
        assert seal_pending() == 3
        entries = list(AuditEntry.objects.order_by("seq"))
        assert entries[0] == first and entries[0].prev_hash == "0" * 64
        assert [e.seq for e in entries] == [1, 2, 3]
        assert [e.prev_hash for e in entries[1:]] == [e.hash for e in entries[:-1]]
        assert verify_chain() == (3, None)

    def test_verification_finds_an_entry_changed_after_the_fact(self) -> None:
        record(actor="a", action="payment.post", object_type="payment", object_id="P1", after={"amount_fen": 100})
        tampered = record(
            actor="a", action="payment.post", object_type="payment", object_id="P2", after={"amount_fen": 200}
        )
        record(actor="a", action="payment.post", object_type="payment", object_id="P3", after={"amount_fen": 300})
        seal_pending()
        AuditEntry.objects.filter(pk=tampered.pk).update(after={"amount_fen": 1})
        assert verify_chain() == (2, tampered.pk)
        with pytest.raises(CommandError, match=f"broken at entry {tampered.pk}"):
            call_command("audit", "verify")

    def test_the_command_reports_an_intact_chain(self, capsys: pytest.CaptureFixture[str]) -> None:
        record(actor="a", action="x", object_type="t", object_id=1)
        call_command("audit", "verify")
        assert "intact: 1 entries" in capsys.readouterr().out


class TestSealing:
    def test_entries_written_after_a_seal_continue_the_chain(self) -> None:
        record(actor="a", action="x", object_type="t", object_id=1)
        seal_pending()
        later = record(actor="a", action="y", object_type="t", object_id=2)
        assert seal_pending() == 1
        later.refresh_from_db()
        assert later.seq == 2 and later.prev_hash == AuditEntry.objects.get(seq=1).hash
        assert verify_chain() == (2, None)

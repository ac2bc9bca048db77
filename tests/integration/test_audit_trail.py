"""The audit trail: chained and MAC-ed when written, one chain per writer, anchored, refused any change
by the database, and verified against every chain's head and every anchor."""

from __future__ import annotations

import contextlib
import itertools
import multiprocessing
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, connections, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from arrears.audit import immutability
from arrears.audit.models import AuditAnchor, AuditChain, AuditEntry
from arrears.audit.operations import GENESIS, Verdict, record, record_many, seal, verify, writing_as
from arrears.people.models import Role
from tests.builders import PASSWORD, staff

pytestmark = pytest.mark.django_db

AUDIT_TABLES = ("audit_auditentry", "audit_auditchain", "audit_auditanchor")
_ids = itertools.count(1)


def payment(fen: int, writer: str | None = None) -> AuditEntry:
    with writing_as(writer) if writer else contextlib.nullcontext():
        return record(
            actor="teller", action="payment.post", object_type="payment", object_id=next(_ids), after={"fen": fen}
        )


def entries(chain: int | None = None) -> list[AuditEntry]:
    found = AuditEntry.objects.order_by("chain_id", "seq")
    return list(found.filter(chain_id=chain) if chain else found)


@contextlib.contextmanager
def past_the_triggers() -> Iterator[None]:
    """What a database owner can do: switch the triggers off (inside the test's transaction)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for table in AUDIT_TABLES:
                cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        yield
        with connection.cursor() as cursor:
            for table in AUDIT_TABLES:
                cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
    else:
        immutability.LOCKED = False
        try:
            yield
        finally:
            immutability.LOCKED = True


def run_sql(sql: str, params: list[object] | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])


def truncate(table: str) -> None:
    run_sql(f"TRUNCATE {table}" if connection.vendor == "postgresql" else f"DELETE FROM {table}")


def broken(verdict: Verdict) -> list[str]:
    assert not verdict.intact
    return [str(b) for b in verdict.breaks]


class TestChainedWhenWritten:
    def test_each_entry_carries_its_place_and_the_mac_of_the_one_before_with_nothing_to_seal(self) -> None:
        first = payment(100)
        record_many(actor="b", action="x.bulk", object_type="thing", items=[(2, {"v": 2}), (3, {"v": 3})])

        found = entries()
        assert found[0] == first and found[0].prev_hash == GENESIS
        assert [e.seq for e in found] == [1, 2, 3] and len({e.chain_id for e in found}) == 1
        assert [e.prev_hash for e in found[1:]] == [e.hash for e in found[:-1]]
        head = AuditChain.objects.get()
        assert (head.seq, head.hash) == (3, found[-1].hash)
        assert verify() == Verdict(entries=3, chains=1, anchors=0)

    def test_a_bulk_write_is_one_move_of_the_head_and_one_insert(self) -> None:
        payment(1)  # registers this writer's chain
        with CaptureQueriesContext(connection) as queries, transaction.atomic():
            record_many(actor="a", action="x", object_type="t", items=[(n, {"n": n}) for n in range(80)])

        statements = [q["sql"].split()[0] for q in queries.captured_queries]
        assert statements.count("UPDATE") == 1 and statements.count("INSERT") == 1
        assert AuditChain.objects.get().seq == 81

    def test_a_bulk_write_keeps_every_kind_of_content_as_it_was(self) -> None:
        kinds = ["text", "", 5, -1.5, [1, "a", None], None, {"name": "王小明", "nested": {"x": [True, False]}}]
        record_many(actor="a", action="x", object_type="t", items=list(enumerate([*kinds, Decimal("1.50")])))

        assert [e.after for e in entries()] == [*kinds, "1.50"]
        assert verify().intact

    def test_a_write_rolled_back_takes_its_head_back_with_it(self) -> None:
        payment(1)
        with transaction.atomic():
            payment(2)
            payment(3)
            transaction.set_rollback(True)
        payment(4)

        assert [(e.seq, e.after) for e in entries()] == [(1, {"fen": 1}), (2, {"fen": 4})]
        assert verify().intact

    def test_a_chain_registered_in_a_transaction_rolled_back_is_registered_again(self) -> None:
        with transaction.atomic():
            payment(1)
            transaction.set_rollback(True)
        payment(2)

        assert AuditChain.objects.count() == 1 and [e.seq for e in entries()] == [1]
        assert verify().intact

    def test_each_writer_appends_to_a_chain_of_its_own(self) -> None:
        for n in range(3):
            payment(n, writer="worker-1")
            payment(n, writer="worker-2")
        payment(9)

        chains = AuditChain.objects.order_by("id")
        assert [c.seq for c in chains] == [3, 3, 1]
        assert chains[0].writer.endswith(":worker-1")
        assert verify() == Verdict(entries=7, chains=3, anchors=0)

    def test_the_mac_needs_the_key(self, settings: Any) -> None:
        payment(1)
        settings.ARREARS_AUDIT_KEY = "another key"

        assert "was changed (its MAC does not match)" in broken(verify())[-1]

    def test_nothing_is_written_without_a_key_to_mac_it_with(self, settings: Any) -> None:
        settings.SECRET_KEY, settings.ARREARS_AUDIT_KEY = "", ""  # an empty key: a MAC anyone could recompute

        with pytest.raises(ImproperlyConfigured, match="SECRET_KEY"):
            record(actor="a", action="x.one", object_type="thing", object_id=1)

        assert not AuditEntry.objects.exists()


def _write_in_a_forked_child() -> None:
    payment(3)
    connections.close_all()


@pytest.mark.django_db(transaction=True)
def test_a_forked_process_writes_a_chain_of_its_own(db_vendor: str) -> None:
    if db_vendor != "postgresql":
        pytest.skip("a child process cannot see SQLite's in-memory test database")
    payment(1)
    connections.close_all()
    child = multiprocessing.get_context("fork").Process(target=_write_in_a_forked_child)
    child.start()
    child.join()
    payment(2)

    assert child.exitcode == 0
    assert [c.seq for c in AuditChain.objects.order_by("id")] == [2, 1]  # the parent's, the child's
    assert verify() == Verdict(entries=3, chains=2, anchors=0)


class TestAnchors:
    def test_sealing_anchors_every_chains_head_and_chains_the_anchors(self) -> None:
        payment(1, writer="a")
        payment(2, writer="b")
        first = seal()
        payment(3, writer="a")
        second = seal()

        chains = list(AuditChain.objects.order_by("id").values_list("id", flat=True))
        assert first.heads == [[chains[0], 1, entries(chains[0])[0].hash], [chains[1], 1, entries(chains[1])[0].hash]]
        assert (second.seq, second.prev_mac, second.heads[0][1]) == (2, first.mac, 2)
        assert verify() == Verdict(entries=3, chains=2, anchors=2)

    def test_sealing_again_with_nothing_new_writes_no_anchor(self) -> None:
        payment(1)
        assert seal() == seal()
        assert AuditAnchor.objects.count() == 1


class TestTheDatabaseRefuses:
    @pytest.mark.parametrize(
        "sql",
        [
            "UPDATE audit_auditentry SET after = NULL",
            "DELETE FROM audit_auditentry",
            "UPDATE audit_auditanchor SET heads = '[]'",
            "DELETE FROM audit_auditanchor",
            "DELETE FROM audit_auditchain",
            "UPDATE audit_auditchain SET seq = 0",
            "UPDATE audit_auditchain SET token = 'other'",
        ],
    )
    def test_to_change_or_remove_the_trail(self, sql: str) -> None:
        payment(1)
        seal()

        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            run_sql(sql)

        assert verify() == Verdict(entries=1, chains=1, anchors=1)

    def test_the_orm_too(self) -> None:
        entry = payment(1)
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            AuditEntry.objects.filter(pk=entry.pk).delete()
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            AuditEntry.objects.filter(pk=entry.pk).update(actor="someone else")

    @pytest.mark.parametrize(
        "sql",
        [
            "TRUNCATE audit_auditentry",
            "TRUNCATE audit_auditchain",
            "TRUNCATE audit_auditanchor",
            "TRUNCATE ledger_entry CASCADE",  # other tables (disputes) refer to entries
            "TRUNCATE ledger_account CASCADE",
        ],
    )
    def test_truncate_on_postgresql(self, sql: str, db_vendor: str) -> None:
        if db_vendor != "postgresql":
            pytest.skip("SQLite has no TRUNCATE")
        payment(1)

        with pytest.raises(DatabaseError, match=r"TRUNCATE of (audit_audit|ledger_entry)"), transaction.atomic():
            run_sql(sql)

        assert verify().intact

    def test_truncate_only_for_a_session_of_the_test_harness(self, db_vendor: str) -> None:
        if db_vendor != "postgresql":
            pytest.skip("SQLite has no TRUNCATE")
        payment(1)
        with transaction.atomic():
            run_sql(f"SET LOCAL {immutability.HARNESS_TRUNCATE} = 'on'")
            run_sql("TRUNCATE audit_auditentry")
            assert not AuditEntry.objects.exists()
            transaction.set_rollback(True)


SEALED = pytest.mark.parametrize("sealed", [False, True], ids=["unsealed", "sealed"])


def three_writers(sealed: bool) -> list[int]:
    """Three writers, four entries each; the chains' ids."""
    for n in range(4):
        for writer in ("a", "b", "c"):
            payment(n, writer=writer)
    if sealed:
        seal()
    return list(AuditChain.objects.order_by("id").values_list("id", flat=True))


class TestTamperingIsFound:
    @SEALED
    def test_an_entry_edited(self, sealed: bool) -> None:
        chain = three_writers(sealed)[1]
        target = entries(chain)[1]
        with past_the_triggers():
            AuditEntry.objects.filter(pk=target.pk).update(after={"fen": 999})

        assert broken(verify()) == [f"chain {chain}, seq 2, entry {target.pk}: was changed (its MAC does not match)"]

    @SEALED
    def test_an_entry_edited_with_its_hash_recomputed_without_the_key(self, sealed: bool) -> None:
        chain = three_writers(sealed)[0]
        target = entries(chain)[3]
        with past_the_triggers():
            AuditEntry.objects.filter(pk=target.pk).update(actor="nobody", hash="f" * 64)
            AuditChain.objects.filter(pk=chain).update(hash="f" * 64)

        found = broken(verify())
        assert f"chain {chain}, seq 4: the head was changed (its MAC does not match)" in found
        assert f"chain {chain}, seq 4, entry {target.pk}: was changed (its MAC does not match)" in found

    @SEALED
    def test_an_entry_deleted(self, sealed: bool) -> None:
        chain = three_writers(sealed)[2]
        with past_the_triggers():
            AuditEntry.objects.filter(chain_id=chain, seq=2).delete()

        assert f"chain {chain}, seq 2: entry 2 is missing" in broken(verify())

    @SEALED
    def test_the_newest_entries_deleted(self, sealed: bool) -> None:
        chain = three_writers(sealed)[0]
        with past_the_triggers():
            AuditEntry.objects.filter(chain_id=chain, seq__gte=3).delete()

        assert f"chain {chain}: entries 3..4 are missing (up to the head)" in broken(verify())

    @SEALED
    def test_the_newest_entries_deleted_and_the_head_rewound(self, sealed: bool) -> None:
        chain = three_writers(sealed)[0]
        with past_the_triggers():
            AuditEntry.objects.filter(chain_id=chain, seq__gte=3).delete()
            AuditChain.objects.filter(pk=chain).update(seq=2, hash=entries(chain)[-1].hash)

        found = broken(verify())
        assert found[0] == f"chain {chain}, seq 2: the head was changed (its MAC does not match)"
        assert (f"chain {chain}, seq 4: the head is behind anchor 1 (4)" in found) == sealed

    @SEALED
    def test_an_entry_moved_to_another_chain(self, sealed: bool) -> None:
        a, b, _ = three_writers(sealed)
        with past_the_triggers():
            AuditEntry.objects.filter(chain_id=a, seq=4).update(chain_id=b, seq=5)
            AuditChain.objects.filter(pk=b).update(seq=5)

        assert len(broken(verify())) >= 3

    @SEALED
    def test_the_entries_truncated(self, sealed: bool) -> None:
        chains = three_writers(sealed)
        with past_the_triggers():
            truncate("audit_auditentry")

        found = broken(verify())
        assert [f"chain {c}: entries 1..4 are missing (up to the head)" for c in chains] == [
            f for f in found if "up to the head" in f
        ]

    def test_a_whole_chain_removed_after_it_was_anchored(self) -> None:
        chain = three_writers(sealed=True)[1]
        with past_the_triggers():
            AuditEntry.objects.filter(chain_id=chain).delete()
            AuditChain.objects.filter(pk=chain).delete()

        assert broken(verify()) == [f"chain {chain}, seq 4: the chain anchored by anchor 1 is gone"]

    def test_every_table_truncated_but_the_anchors(self) -> None:
        chains = three_writers(sealed=True)
        with past_the_triggers():
            for table in ("audit_auditentry", "audit_auditchain"):
                truncate(table)

        assert broken(verify()) == [f"chain {c}, seq 4: the chain anchored by anchor 1 is gone" for c in chains]

    def test_the_newest_anchor_removed_with_the_chain_it_anchored(self) -> None:
        three_writers(sealed=True)
        payment(5, writer="d")
        newest = seal()
        with past_the_triggers():
            AuditAnchor.objects.filter(pk=newest.pk).delete()
            AuditEntry.objects.filter(chain_id=newest.heads[-1][0]).delete()
            AuditChain.objects.filter(pk=newest.heads[-1][0]).delete()

        assert verify().intact  # nothing inside the database tells: the anchor kept outside does
        assert broken(verify(anchor=newest.mac)) == [f"anchor {newest.mac} is missing"]

    def test_an_anchor_edited(self) -> None:
        three_writers(sealed=True)
        with past_the_triggers():
            AuditAnchor.objects.update(heads=[])

        assert broken(verify()) == ["anchor 1 was changed (its MAC does not match)"]


class TestTheCommand:
    def test_seal_prints_the_anchor_and_verify_finds_the_trail_intact(self, capsys: pytest.CaptureFixture[str]) -> None:
        payment(1, writer="a")
        payment(2, writer="b")
        call_command("audit", "seal")
        mac = AuditAnchor.objects.get().mac
        assert f"audit anchor 1 over 2 chains: {mac}" in capsys.readouterr().out

        call_command("audit", "verify", "--anchor", mac)
        assert "audit trail intact: 2 entries in 2 chains, 1 anchors" in capsys.readouterr().out

    def test_verify_fails_and_names_the_broken_entry(self, capsys: pytest.CaptureFixture[str]) -> None:
        payment(1)
        target = payment(2)
        with past_the_triggers():
            AuditEntry.objects.filter(pk=target.pk).update(after={"fen": 1})

        with pytest.raises(CommandError, match=f"broken in 1 places; first: chain {target.chain_id}, seq 2, entry"):
            call_command("audit", "verify")
        assert f"entry {target.pk}: was changed" in capsys.readouterr().err


PROPERTY = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
WRITES = st.lists(
    st.tuples(
        st.sampled_from(["w1", "w2", "w3"]),
        st.integers(1, 4),  # 1: record, more: record_many
        st.sampled_from(["commit", "commit", "commit", "roll back", "seal"]),
    ),
    min_size=1,
    max_size=14,
)


def write(plan: list[tuple[str, int, str]]) -> None:
    for writer, n, then in plan:
        with transaction.atomic(), writing_as(writer):
            if n == 1:
                record(actor=writer, action="x.one", object_type="t", object_id=next(_ids), before={"n": 0})
            else:
                record_many(actor=writer, action="x.many", object_type="t", items=[(k, {"k": k}) for k in range(n)])
            if then == "roll back":
                transaction.set_rollback(True)
        if then == "seal":
            seal()


@contextlib.contextmanager
def rolled_back() -> Iterator[None]:
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


class TestProperties:
    @PROPERTY
    @given(plan=WRITES)
    def test_any_writes_by_several_writers_verify(self, plan: list[tuple[str, int, str]]) -> None:
        with rolled_back():
            write(plan)
            committed = sum(n for _, n, then in plan if then != "roll back")
            assert verify().entries == committed == AuditEntry.objects.count()
            assert verify().intact

    @PROPERTY
    @given(plan=WRITES, pick=st.integers(0, 10**6), change=st.sampled_from(["edit", "delete"]))
    def test_any_single_edit_or_delete_is_found(self, plan: list[tuple[str, int, str]], pick: int, change: str) -> None:
        with rolled_back():
            write(plan)
            ids = list(AuditEntry.objects.order_by("id").values_list("id", flat=True))
            if not ids:
                return
            target = AuditEntry.objects.filter(pk=ids[pick % len(ids)])
            with past_the_triggers():
                if change == "edit":
                    target.update(object_id="forged")
                else:
                    target.delete()
            assert not verify().intact


class TestTheAuditPage:
    def test_a_compliance_officer_searches_the_trail_and_the_search_itself_is_chained(self) -> None:
        payment(4242, writer="teller")
        officer = staff(Role.COMPLIANCE_OFFICER)
        client = Client()
        assert client.login(username=officer.username, password=PASSWORD)

        response = client.get("/audit/", {"action": "payment"})

        assert response.status_code == 200 and "4242" in response.content.decode()
        assert AuditEntry.objects.filter(action="audit.search", actor=officer.username).count() == 1
        assert verify().intact

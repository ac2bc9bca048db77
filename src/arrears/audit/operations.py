"""Write to the audit trail, anchor it and verify it.

Every entry is chained and MAC-ed as it is written, in the writer's own transaction. A writer (one
process and thread) has a chain of its own, registered on its first write: an `AuditChain` row that
only that writer updates, so writers never wait for one another. An entry carries its chain, its
place in it (`seq`, from 1), the MAC of the entry before (`prev_hash`) and its own MAC (`hash`): an
HMAC-SHA256 over its content, its place and `prev_hash`, keyed by a key derived from
ARREARS_AUDIT_KEY (or SECRET_KEY), so that whoever can write to the database cannot recompute it.
The head row moves in the same transaction as the entries, so a write rolled back rolls its head
back. The writer keeps its head in memory and moves the row only from the state it expects; when
the row is not there (a rollback undid it), it reads the row again or registers a new chain.

`seal` writes an anchor (every chain's head, MAC-ed and chained to the anchor before), so that a
chain that drops out whole is found. `verify` recomputes every MAC, follows every chain to its head
and checks every anchor.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import hmac
import json
import os
import secrets
import socket
import threading
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DEFAULT_DB_ALIAS, connections, transaction

from arrears.audit.models import AuditAnchor, AuditChain, AuditEntry
from arrears.kernel import clock, sql

GENESIS = "0" * 64
MAX_BREAKS = 100  # a report names at most this many broken places


def _key() -> bytes:
    secret = settings.ARREARS_AUDIT_KEY or settings.SECRET_KEY
    return hmac.digest(secret.encode(), b"arrears.audit.mac.v1", "sha256")


def _canonical(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def _instant(at: dt.datetime) -> str:
    return at.astimezone(dt.UTC).isoformat()


def _entry_mac(key: bytes, token: str, seq: int, prev_hash: str, content: list[Any]) -> str:
    return hmac.digest(key, _canonical([token, seq, prev_hash, *content]), "sha256").hex()


def _head_mac(key: bytes, token: str, seq: int, last_hash: str) -> str:
    return hmac.digest(key, _canonical(["head", token, seq, last_hash]), "sha256").hex()


def _anchor_mac(key: bytes, seq: int, at: dt.datetime, prev_mac: str, heads: list[list[Any]]) -> str:
    return hmac.digest(key, _canonical(["anchor", seq, _instant(at), prev_mac, heads]), "sha256").hex()


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder)) if value is not None else None


@dataclasses.dataclass(frozen=True)
class _Head:
    chain_id: int
    token: str
    seq: int
    hash: str


class _Writer(threading.local):
    """This thread's heads, one per database; forgotten in a forked child, which writes its own chain."""

    def __init__(self) -> None:
        self.pid = os.getpid()
        self.name = ""
        self.heads: dict[str, _Head] = {}
        self.played: dict[str, dict[str, _Head]] = {}

    def current(self) -> dict[str, _Head]:
        if self.pid != os.getpid():
            self.pid, self.heads, self.played = os.getpid(), {}, {}
        return self.heads


_writer = _Writer()


@contextlib.contextmanager
def writing_as(name: str) -> Iterator[None]:
    """Write as writer `name`, with a chain of its own, inside the block. For tests that play several
    processes in one thread; production code never needs it."""
    _writer.current()
    saved = _writer.heads, _writer.name
    _writer.heads, _writer.name = _writer.played.setdefault(name, {}), name
    try:
        yield
    finally:
        _writer.heads, _writer.name = saved


def _writer_label() -> str:
    label = f"{socket.gethostname()}:{os.getpid()}:{threading.current_thread().name}"
    return f"{label}:{_writer.name}"[:200] if _writer.name else label[:200]


CONTENT_FIELDS = ("at", "actor", "action", "object_type", "object_id", "before", "after")  # what the MAC covers


def _content(entry: AuditEntry) -> list[Any]:
    return [
        _instant(entry.at),
        entry.actor,
        entry.action,
        entry.object_type,
        entry.object_id,
        entry.before,
        entry.after,
    ]


def _link(key: bytes, head: _Head, entries: list[AuditEntry]) -> _Head:
    """Give each entry its place after `head` and its MAC; the new head."""
    seq, last = head.seq, head.hash
    for entry in entries:
        seq += 1
        entry.seq, entry.prev_hash = seq, last
        entry.hash = last = _entry_mac(key, head.token, seq, last, _content(entry))
    return dataclasses.replace(head, seq=seq, hash=last)


def _moved(using: str, key: bytes, head: _Head, new: _Head) -> bool:
    """Move the head row from `head` to `new`; False when the row is not in the state expected."""
    changed = (
        AuditChain.objects.using(using)
        .filter(pk=head.chain_id, token=head.token, seq=head.seq, hash=head.hash)
        .update(seq=new.seq, hash=new.hash, mac=_head_mac(key, new.token, new.seq, new.hash))
    )
    return changed == 1


def _reread(using: str, head: _Head) -> _Head | None:
    row = AuditChain.objects.using(using).filter(pk=head.chain_id, token=head.token).values_list("seq", "hash").first()
    return dataclasses.replace(head, seq=row[0], hash=row[1]) if row else None


def _append(entries: list[AuditEntry], using: str = DEFAULT_DB_ALIAS) -> None:
    """Chain, MAC and insert `entries` and move this writer's head, in one transaction."""
    key = _key()
    heads = _writer.current()
    with transaction.atomic(using=using, savepoint=False):
        head = heads.get(using)
        new = None
        if head is not None:
            new = _link(key, head, entries)
            if not _moved(using, key, head, new):
                head = _reread(using, head)
                new = _link(key, head, entries) if head is not None else None
                if head is not None and new is not None and not _moved(using, key, head, new):
                    raise RuntimeError("the audit chain's head moved under its only writer")
        if head is None or new is None:
            head = _Head(chain_id=0, token=secrets.token_hex(16), seq=0, hash=GENESIS)
            new = _link(key, head, entries)
            chain = AuditChain.objects.using(using).create(
                writer=_writer_label(),
                token=head.token,
                created_at=clock.now(),
                seq=new.seq,
                hash=new.hash,
                mac=_head_mac(key, new.token, new.seq, new.hash),
            )
            new = dataclasses.replace(new, chain_id=chain.pk)
        for entry in entries:
            entry.chain_id = new.chain_id
        if len(entries) == 1:
            entries[0].save(using=using, force_insert=True)
        else:
            _insert(entries, using)
    heads[using] = new


_COLUMNS = [
    ("at", "timestamptz"),
    ("actor", "text"),
    ("action", "text"),
    ("object_type", "text"),
    ("object_id", "text"),
    ("before", "jsonb"),
    ("after", "jsonb"),
    ("chain_id", "bigint"),
    ("seq", "bigint"),
    ("prev_hash", "text"),
    ("hash", "text"),
]


def _insert(entries: list[AuditEntry], using: str) -> None:
    """Insert in one statement, the rows as one JSON parameter (kernel/sql.py's way; ids not set)."""
    connection = connections[using]
    on_sqlite = connection.vendor == "sqlite"

    def payload(value: Any) -> Any:  # SQLite's json_extract would unwrap a bare JSON string: pass text
        return json.dumps(value) if on_sqlite and value is not None else value

    at = AuditEntry._meta.get_field("at")
    rows = [
        {
            "at": str(at.get_db_prep_save(e.at, connection)),
            "actor": e.actor,
            "action": e.action,
            "object_type": e.object_type,
            "object_id": e.object_id,
            "before": payload(e.before),
            "after": payload(e.after),
            "chain_id": e.chain_id,
            "seq": e.seq,
            "prev_hash": e.prev_hash,
            "hash": e.hash,
        }
        for e in entries
    ]
    names = ", ".join(n for n, _ in _COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {AuditEntry._meta.db_table} ({names}) SELECT {names} FROM {sql.rows_table(_COLUMNS)}",
            [json.dumps(rows, ensure_ascii=False)],
        )


def record(
    *,
    actor: str,
    action: str,
    object_type: str,
    object_id: object,
    before: Any = None,
    after: Any = None,
) -> AuditEntry:
    """Append one entry; call inside the transaction of the change it records."""
    entry = AuditEntry(
        at=clock.now(),
        actor=actor,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        before=_jsonable(before),
        after=_jsonable(after),
    )
    _append([entry])
    return entry


def record_many(*, actor: str, action: str, object_type: str, items: list[tuple[object, Any]]) -> None:
    """Append one entry per (object id, after) pair: one bulk insert and one move of the head."""
    if not items:
        return
    at = clock.now()
    _append(
        [
            AuditEntry(
                at=at,
                actor=actor,
                action=action,
                object_type=object_type,
                object_id=str(object_id),
                after=_jsonable(after),
            )
            for object_id, after in items
        ]
    )


def seal() -> AuditAnchor:
    """Anchor every chain's head (unless none moved since the last anchor): the daily cycle's audit
    step and `arrears audit seal`. Anchors are chained: each carries the MAC of the one before."""
    key = _key()
    with transaction.atomic():
        last = AuditAnchor.objects.select_for_update().order_by("-seq").first()
        heads = [list(h) for h in AuditChain.objects.order_by("id").values_list("id", "seq", "hash")]
        if last is not None and last.heads == heads:
            return last
        seq, prev = (last.seq + 1, last.mac) if last else (1, GENESIS)
        at = clock.now()
        return AuditAnchor.objects.create(
            seq=seq, at=at, heads=heads, prev_mac=prev, mac=_anchor_mac(key, seq, at, prev, heads)
        )


@dataclasses.dataclass(frozen=True)
class Break:
    """One place where the trail is not what was written."""

    what: str
    chain: int | None = None
    seq: int | None = None
    entry: int | None = None

    def __str__(self) -> str:
        where = [
            f"{label} {value}"
            for label, value in (("chain", self.chain), ("seq", self.seq), ("entry", self.entry))
            if value is not None
        ]
        return f"{', '.join(where)}: {self.what}" if where else self.what


@dataclasses.dataclass
class Verdict:
    entries: int = 0
    chains: int = 0
    anchors: int = 0
    breaks: list[Break] = dataclasses.field(default_factory=list)
    more_breaks: int = 0  # found beyond MAX_BREAKS

    @property
    def intact(self) -> bool:
        return not self.breaks

    def add(self, found: Break) -> None:
        if len(self.breaks) < MAX_BREAKS:
            self.breaks.append(found)
        else:
            self.more_breaks += 1


@dataclasses.dataclass
class _Walk:
    next_seq: int = 1
    last_hash: str = GENESIS


def _missing(first: int, last: int) -> str:
    return f"entry {first} is missing" if first == last else f"entries {first}..{last} are missing"


def verify(*, anchor: str | None = None) -> Verdict:
    """Recompute every entry's MAC, follow every chain from its first entry to its head, and check
    every anchor: what was changed, deleted (the newest entries too) or truncated is reported.
    `anchor`: the MAC of an anchor kept outside the database (printed by `seal`), which must be there."""
    key = _key()
    verdict = Verdict()
    connection = connections[DEFAULT_DB_ALIAS]
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:  # one snapshot: writers may commit meanwhile
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        chains = {c[0]: c[1:] for c in AuditChain.objects.values_list("id", "token", "seq", "hash", "mac")}
        verdict.chains = len(chains)
        for chain_id, (token, seq, last_hash, mac) in sorted(chains.items()):
            if not hmac.compare_digest(mac, _head_mac(key, token, seq, last_hash)):
                verdict.add(Break("the head was changed (its MAC does not match)", chain=chain_id, seq=seq))
        anchored = _check_anchors(key, verdict, chains, anchor)
        walks: dict[int, _Walk] = {}
        rows = AuditEntry.objects.order_by("chain_id", "seq").values_list(
            "id", "chain_id", "seq", "prev_hash", "hash", *CONTENT_FIELDS
        )
        for pk, chain_id, seq, prev_hash, entry_hash, *content in rows.iterator(chunk_size=5000):
            verdict.entries += 1
            if chain_id not in chains:
                if chain_id not in walks:
                    verdict.add(Break("entries of a chain whose head is gone", chain=chain_id, entry=pk))
                    walks[chain_id] = _Walk()
                continue
            token = chains[chain_id][0]
            walk = walks.setdefault(chain_id, _Walk())
            if seq != walk.next_seq:
                verdict.add(Break(_missing(walk.next_seq, seq - 1), chain=chain_id, seq=walk.next_seq))
            elif prev_hash != walk.last_hash:
                verdict.add(Break("does not follow the entry before it", chain=chain_id, seq=seq, entry=pk))
            content[0] = _instant(content[0])
            if not hmac.compare_digest(entry_hash, _entry_mac(key, token, seq, prev_hash, content)):
                verdict.add(Break("was changed (its MAC does not match)", chain=chain_id, seq=seq, entry=pk))
            expected = anchored.pop((chain_id, seq), None)
            if expected is not None and expected != entry_hash:
                verdict.add(Break("differs from the anchored entry", chain=chain_id, seq=seq, entry=pk))
            walk.next_seq, walk.last_hash = seq + 1, entry_hash
        for chain_id, (_, seq, last_hash, _) in sorted(chains.items()):
            walk = walks.get(chain_id, _Walk())
            if walk.next_seq <= seq:
                verdict.add(Break(f"{_missing(walk.next_seq, seq)} (up to the head)", chain=chain_id))
            elif walk.next_seq > seq + 1:
                verdict.add(Break(f"entries after the head ({seq}) were added", chain=chain_id, seq=seq + 1))
            elif walk.last_hash != last_hash:
                verdict.add(Break("the newest entry is not the head's", chain=chain_id, seq=seq))
        for chain_id, seq in sorted(anchored):
            if chain_id not in chains:
                continue  # reported with the anchors
            verdict.add(Break("the anchored entry is missing", chain=chain_id, seq=seq))
    return verdict


def _check_anchors(
    key: bytes, verdict: Verdict, chains: dict[int, tuple[str, int, str, str]], kept: str | None
) -> dict[tuple[int, int], str]:
    """Check the anchors' own chain and MACs; the places they anchor, each with its entry's MAC."""
    anchored: dict[tuple[int, int], str] = {}
    expected_seq, prev = 1, GENESIS
    for anchor in AuditAnchor.objects.order_by("seq").iterator(chunk_size=100):
        verdict.anchors += 1
        if anchor.seq != expected_seq:
            verdict.add(Break(f"anchor {_missing(expected_seq, anchor.seq - 1)}"))
        elif anchor.prev_mac != prev:
            verdict.add(Break(f"anchor {anchor.seq} does not follow the anchor before it"))
        if not hmac.compare_digest(anchor.mac, _anchor_mac(key, anchor.seq, anchor.at, anchor.prev_mac, anchor.heads)):
            verdict.add(Break(f"anchor {anchor.seq} was changed (its MAC does not match)"))
        if anchor.mac == kept:
            kept = None
        for chain_id, seq, last_hash in anchor.heads:
            if chain_id not in chains:
                verdict.add(Break(f"the chain anchored by anchor {anchor.seq} is gone", chain=chain_id, seq=seq))
            elif seq > chains[chain_id][1]:
                verdict.add(Break(f"the head is behind anchor {anchor.seq} ({seq})", chain=chain_id, seq=seq))
            elif seq > 0:
                anchored[chain_id, seq] = last_hash
        expected_seq, prev = anchor.seq + 1, anchor.mac
    if kept is not None:
        verdict.add(Break(f"anchor {kept} is missing"))
    return anchored

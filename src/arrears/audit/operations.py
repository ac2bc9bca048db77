"""Write to the audit trail, seal it into a hash chain, and verify the chain.

Writers never wait for one another: `record` and `record_many` only insert. The chain is made by
`seal_pending`, which takes the one lock (the AuditHead row), and gives every committed entry not yet
sealed, in id order, the next place (`seq`), the previous entry's hash and its own. The daily cycle,
`arrears audit seal` and `arrears audit verify` seal; an entry changed after sealing breaks the chain.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction

from arrears.audit.models import AuditEntry, AuditHead
from arrears.kernel import clock

GENESIS = "0" * 64
SEAL_BATCH = 5000


def _digest(prev_hash: str, fields: dict[str, Any]) -> str:
    payload = json.dumps(fields, sort_keys=True, cls=DjangoJSONEncoder, ensure_ascii=False)
    return hashlib.sha256((prev_hash + payload).encode()).hexdigest()


def _fields(entry: AuditEntry) -> dict[str, Any]:
    return {
        "seq": entry.seq,
        "at": entry.at.isoformat(),
        "actor": entry.actor,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "before": entry.before,
        "after": entry.after,
    }


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder)) if value is not None else None


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
    return AuditEntry.objects.create(
        at=clock.now(),
        actor=actor,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        before=_jsonable(before),
        after=_jsonable(after),
    )


def record_many(*, actor: str, action: str, object_type: str, items: list[tuple[object, Any]]) -> None:
    """Append one entry per (object id, after) pair in one bulk insert."""
    if not items:
        return
    at = clock.now()
    AuditEntry.objects.bulk_create(
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
        ],
        batch_size=2000,
    )


def seal_pending() -> int:
    """Chain every committed entry not yet sealed; returns how many were sealed."""
    sealed = 0
    while True:
        with transaction.atomic():
            AuditHead.objects.get_or_create(pk=1, defaults={"hash": GENESIS, "seq": 0})
            head = AuditHead.objects.select_for_update().get(pk=1)
            batch = list(AuditEntry.objects.filter(seq__isnull=True).order_by("id")[:SEAL_BATCH])
            if not batch:
                return sealed
            prev, seq = head.hash, head.seq
            for entry in batch:
                seq += 1
                entry.seq, entry.prev_hash = seq, prev
                entry.hash = prev = _digest(prev, _fields(entry))
            AuditEntry.objects.bulk_update(batch, ["seq", "prev_hash", "hash"], batch_size=2000)
            head.hash, head.seq = prev, seq
            head.save(update_fields=["hash", "seq"])
            sealed += len(batch)


def verify_chain() -> tuple[int, int | None]:
    """Seal what is pending, then check the chain: (entries checked, id of the first broken entry or None)."""
    seal_pending()
    prev = GENESIS
    count = 0
    for entry in AuditEntry.objects.filter(seq__isnull=False).order_by("seq").iterator(chunk_size=5000):
        count += 1
        if entry.prev_hash != prev or entry.hash != _digest(prev, _fields(entry)):
            return count, entry.id
        prev = entry.hash
    return count, None

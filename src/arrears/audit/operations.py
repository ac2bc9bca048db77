"""Write to the audit trail, and verify its hash chain."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction

from arrears import business_days
from arrears.audit.models import AuditEntry, AuditHead

GENESIS = "0" * 64


def _digest(prev_hash: str, fields: dict[str, Any]) -> str:
    payload = json.dumps(fields, sort_keys=True, cls=DjangoJSONEncoder, ensure_ascii=False)
    return hashlib.sha256((prev_hash + payload).encode()).hexdigest()


def _fields(entry: AuditEntry) -> dict[str, Any]:
    return {
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
    with transaction.atomic():
        head = _lock_head()
        entry = AuditEntry(
            at=business_days.now(),
            actor=actor,
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            before=_jsonable(before),
            after=_jsonable(after),
        )
        entry.prev_hash = head.hash
        entry.hash = head.hash = _digest(entry.prev_hash, _fields(entry))
        entry.save()
        head.save(update_fields=["hash"])
        return entry


def _lock_head() -> AuditHead:
    AuditHead.objects.get_or_create(pk=1, defaults={"hash": GENESIS})
    return AuditHead.objects.select_for_update().get(pk=1)


def verify_chain() -> tuple[int, int | None]:
    """(entries checked, id of the first broken entry or None)."""
    prev = GENESIS
    count = 0
    for entry in AuditEntry.objects.order_by("id").iterator(chunk_size=5000):
        count += 1
        if entry.prev_hash != prev or entry.hash != _digest(prev, _fields(entry)):
            return count, entry.id
        prev = entry.hash
    return count, None


def record_many(
    *, actor: str, action: str, object_type: str, items: list[tuple[object, Any]]
) -> None:
    """Append one entry per (object id, after) pair, chained, in one bulk insert."""
    if not items:
        return
    with transaction.atomic():
        head = _lock_head()
        prev = head.hash
        at = business_days.now()
        entries = []
        for object_id, after in items:
            entry = AuditEntry(at=at, actor=actor, action=action, object_type=object_type,
                               object_id=str(object_id), after=_jsonable(after), prev_hash=prev)
            entry.hash = prev = _digest(entry.prev_hash, _fields(entry))
            entries.append(entry)
        AuditEntry.objects.bulk_create(entries, batch_size=2000)
        head.hash = prev
        head.save(update_fields=["hash"])

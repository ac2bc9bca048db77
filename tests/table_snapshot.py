"""Every table of the database as plain data, to compare two states of it.

`by_id` reads each table in id order with every column: two states of one database compare equal
only if no row was added, removed, recreated or changed. `by_content` leaves ids out and names each
referenced row by its own content, so two databases built apart (in another order, by other
processes) compare equal when they hold the same business facts.

Left out as run metadata, and nothing else: the audit trail's own ids and instants (and, by content,
the accounts' random internal references), the chain heads
and anchors that every write and seal move, and the cycle's bookkeeping of its own runs (StepRun's
rows and seconds, the `finished_at` instants, and the audit entry each run of a date appends).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from django.apps import apps
from django.db import models

Table = list[tuple[Any, ...]]

# The audit chains' heads and anchors: they move whenever the cycle's own run entry is written.
SKIPPED = {"audit.AuditChain", "audit.AuditAnchor"}
KEPT_FIELDS = {  # run metadata: only what says which steps and dates are done
    "cycle.StepRun": ("business_date", "step", "partition"),
    "cycle.CycleDay": ("business_date",),
}
DROPPED_FIELDS = {"audit.AuditEntry": {"id", "at"}}
# By content, also what is drawn at random when a row is made: an account's internal reference.
RANDOM_FIELDS = {"ledger.Account": {"ref"}}
RUN_AUDIT_ACTION = "cycle.run"  # appended by every run of a date, as CycleDay is written


def _plain(value: Any) -> Any:
    if isinstance(value, memoryview | bytearray):
        return bytes(value)
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    return value


def _sort_key(row: tuple[Any, ...]) -> str:
    return repr(row)


def _rows(model: type[models.Model]) -> models.QuerySet[Any]:
    rows = model._default_manager.all()
    if model._meta.label == "audit.AuditEntry":
        rows = rows.exclude(action=RUN_AUDIT_ACTION)
    return rows


def _models(only: Iterable[str] | None = None) -> list[type[models.Model]]:
    chosen = set(only) if only is not None else None
    return [
        m
        for m in apps.get_models()
        if m._meta.label not in SKIPPED and (chosen is None or m._meta.label in chosen) and not m._meta.proxy
    ]


def by_id() -> dict[str, Table]:
    """Every table, rows in id order, every column but the run metadata."""
    snapshot = {}
    for model in _models():
        label = model._meta.label
        if label in KEPT_FIELDS:
            fields = KEPT_FIELDS[label]
            snapshot[label] = sorted(_rows(model).values_list(*fields))
            continue
        dropped = DROPPED_FIELDS.get(label, set())
        fields = tuple(f.attname for f in model._meta.concrete_fields if f.name not in dropped)
        pk = model._meta.pk
        assert pk is not None
        snapshot[label] = [
            tuple(_plain(v) for v in row) for row in _rows(model).order_by(pk.attname).values_list(*fields)
        ]
    return snapshot


def _is_instant_stamped_by_django(field: models.Field[Any, Any]) -> bool:
    return bool(getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False))


class _Contents:
    """Each row as the tuple of its columns, ids left out, foreign keys replaced by the content of
    the row they point at (recursively)."""

    def __init__(self, *, dropped: dict[str, set[str]]) -> None:
        self.dropped = dropped
        self.cache: dict[str, dict[Any, tuple[Any, ...]]] = {}

    def fields(self, model: type[models.Model]) -> list[models.Field[Any, Any]]:
        dropped = self.dropped.get(model._meta.label, set())
        return [
            f
            for f in model._meta.concrete_fields
            if not f.primary_key and f.name not in dropped and not _is_instant_stamped_by_django(f)
        ]

    def table(self, model: type[models.Model]) -> dict[Any, tuple[Any, ...]]:
        label = model._meta.label
        if label not in self.cache:
            self.cache[label] = {}  # a row pointing at its own table is resolved lazily below
            pk = model._meta.pk
            assert pk is not None
            fields = self.fields(model)
            raw = list(_rows(model).values_list(pk.attname, *(f.attname for f in fields)))
            self.cache[label] = {row[0]: row[1:] for row in raw}
            resolved = {pk_value: self.row(model, fields, values) for pk_value, *values in raw}
            self.cache[label] = resolved
        return self.cache[label]

    def row(
        self, model: type[models.Model], fields: list[models.Field[Any, Any]], values: list[Any]
    ) -> tuple[Any, ...]:
        out: list[Any] = []
        for field, value in zip(fields, values, strict=True):
            if field.is_relation and value is not None:
                target = field.related_model
                assert isinstance(target, type)
                if target is model:
                    value = ("self", self.row(model, fields, list(self.cache[model._meta.label][value])))
                else:
                    value = (target._meta.label, self.table(target)[value])
            out.append((field.name, _plain(value)))
        return tuple(out)


def by_content(*, dropped: dict[str, set[str]] | None = None, only: Iterable[str] | None = None) -> dict[str, Table]:
    """Every table as a sorted list of row contents: no ids, no instants Django stamps itself."""
    contents = _Contents(dropped={**DROPPED_FIELDS, **RANDOM_FIELDS, **(dropped or {})})
    snapshot = {}
    for model in _models(only):
        label = model._meta.label
        if label in KEPT_FIELDS:
            snapshot[label] = sorted(set(_rows(model).values_list(*KEPT_FIELDS[label])))
            continue
        snapshot[label] = sorted(contents.table(model).values(), key=_sort_key)
    return snapshot


def differences(before: dict[str, Table], after: dict[str, Table], *, limit: int = 5) -> dict[str, dict[str, Any]]:
    """Per differing table: the rows only before and only after (a few of each)."""
    out = {}
    for label in sorted(set(before) | set(after)):
        a, b = before.get(label, []), after.get(label, [])
        if a == b:
            continue
        gone = [r for r in a if r not in b]
        new = [r for r in b if r not in a]
        out[label] = {"rows": (len(a), len(b)), "only_before": gone[:limit], "only_after": new[:limit]}
    return out

"""The benchmarks' one schema-aware bulk builder: INSERT … SELECT over a model, its columns read from Django's _meta.

A benchmark says, for one model, which columns it computes and the SELECT that computes them (usually
over generate_series, PostgreSQL). The builder checks every named column against the model's fields
(a renamed or dropped column fails with the model and the column named, not with a database error
about a table) and fills every other NOT NULL column the way Django would on save: the field's
default, or the build's instant for auto_now/auto_now_add. A column added to a model with a default
therefore never breaks a benchmark's build; one added without a default fails naming it.

    with connection.cursor() as cursor:
        select = "SELECT i, 'c' || i, '138' || i FROM generate_series(1, 10) i"
        insert_select(cursor, Customer, "id, name, mobile", select, now=clock.now())
        reset_sequences(cursor, [Customer])
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection
from django.db.models import Model


class BuildError(RuntimeError):
    """A benchmark's build no longer matches the models."""


def columns_of(model: type[Model]) -> dict[str, Any]:
    """The model's concrete fields by column name."""
    return {field.column: field for field in model._meta.concrete_fields}


def _given(model: type[Model], columns: str | Sequence[str]) -> list[str]:
    names = [c.strip() for c in columns.split(",")] if isinstance(columns, str) else [c.strip() for c in columns]
    known = columns_of(model)
    unknown = [c for c in names if c not in known]
    if unknown:
        raise BuildError(f"{model._meta.label} has no column {', '.join(unknown)} (its columns: {', '.join(known)})")
    return names


def defaults_for(model: type[Model], given: Iterable[str], now: dt.datetime) -> tuple[list[str], list[Any]]:
    """The NOT NULL columns not given, and the values Django would write into them."""
    skip = set(given)
    columns, values = [], []
    for field in model._meta.concrete_fields:
        if field.column in skip or field.primary_key or field.null:
            continue
        if getattr(field, "auto_now_add", False) or getattr(field, "auto_now", False):
            value: Any = now
        elif field.has_default():
            value = field.get_db_prep_save(field.get_default(), connection)
        else:
            raise BuildError(
                f"the build does not know how to fill {model._meta.label}.{field.column} (NOT NULL, no default)"
            )
        columns.append(field.column)
        values.append(value)
    return columns, values


def insert_select(
    cursor: Any,
    model: type[Model],
    columns: str | Sequence[str],
    select: str,
    *,
    now: dt.datetime,
    params: Sequence[Any] | None = None,
) -> int:
    """INSERT the rows of `select` (one row per output row, its values in the order of `columns`) into
    the model's table, every other NOT NULL column filled with its default. Returns the rows inserted.

    With `params`, `select` has `%s` placeholders for them (a literal `%` written `%%`); without, `select`
    is taken as it is written (`%` is the modulo operator)."""
    if params is None:
        select, params = select.replace("%", "%%"), []
    given = _given(model, columns)
    extra, values = defaults_for(model, given, now)
    table = model._meta.db_table
    placeholders = "".join(", %s" for _ in extra)
    cursor.execute(
        f"INSERT INTO {table} ({', '.join([*given, *extra])}) SELECT q.*{placeholders} FROM ({select}) q",
        [*values, *params],  # the outer placeholders come first in the text
    )
    return int(cursor.rowcount)


def reset_sequences(cursor: Any, models: Iterable[type[Model]]) -> None:
    """After rows were inserted with explicit ids: the id sequence continues after the largest."""
    for model in models:
        table, pk = model._meta.db_table, model._meta.pk
        assert pk is not None
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', '{pk.column}'), "
            f"GREATEST(1, (SELECT MAX({pk.column}) FROM {table})))"
        )

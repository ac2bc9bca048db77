"""The few SQL fragments that differ between SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from django.db import connection
from django.db.models import (
    BigIntegerField,
    BooleanField,
    CharField,
    DateField,
    Field,
    ForeignKey,
    IntegerField,
    JSONField,
    Model,
    SmallIntegerField,
)


def days_between(later: str, earlier: str) -> str:
    """SQL for the whole days from `earlier` to `later` (both date expressions)."""
    if connection.vendor == "postgresql":
        return f"(CAST({later} AS date) - CAST({earlier} AS date))"
    return f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)"


def date_param() -> str:
    return "CAST(%s AS date)" if connection.vendor == "postgresql" else "%s"


def rows_table(columns: Sequence[tuple[str, str]]) -> str:
    """SQL for a derived table `v` of rows given as ONE parameter, a JSON array of objects.

    `columns` are (name, PostgreSQL type). One parameter whatever the number of rows: no per-row
    placeholders to build, quote and parse, and no limit on the number of SQL variables.
    """
    if connection.vendor == "postgresql":
        return f"jsonb_to_recordset(CAST(%s AS jsonb)) AS v({', '.join(f'{n} {t}' for n, t in columns)})"
    extract = ", ".join(f"json_extract(value, {_path(n)}) AS {n}" for n, _ in columns)
    return f"(SELECT {extract} FROM json_each(%s)) AS v"


def _path(name: str) -> str:
    return f"'$.{name}'"


def _json_default(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(f"cannot pass {type(value).__name__} in a rows parameter")


def _columns(model: type[Model], names: Sequence[str]) -> list[tuple[Field[Any, Any], str]]:
    fields = [model._meta.get_field(n) for n in names]
    return [(f, f.db_type(connection) or "text") for f in fields if isinstance(f, Field)]


def _column(field: Field[Any, Any]) -> str:
    assert field.column is not None
    return field.column


# Fields whose Python value is what Django writes (dates go out as ISO strings, see _json_default).
_AS_IS = (BigIntegerField, IntegerField, SmallIntegerField, CharField, BooleanField, ForeignKey, JSONField)


def _row(obj: Model, fields: Sequence[tuple[Field[Any, Any], str]], *, add: bool) -> dict[str, Any]:
    """The values Django would write for obj, JSON fields as nested JSON."""
    row: dict[str, Any] = {}
    for field, _ in fields:
        value = field.pre_save(obj, add)
        if value is None or isinstance(field, _AS_IS) or type(field) is DateField:
            row[_column(field)] = value
        else:
            row[_column(field)] = field.get_db_prep_save(value, connection)
    return row


def _insert(objs: Sequence[Model]) -> tuple[str, str]:
    """The INSERT … SELECT of new model instances, with its one parameter (the rows as JSON)."""
    model = type(objs[0])
    names = [f.name for f in model._meta.concrete_fields if not f.primary_key]
    fields = _columns(model, names)
    columns = [(_column(f), t) for f, t in fields]
    sql_names = ", ".join(n for n, _ in columns)
    rows = json.dumps([_row(o, fields, add=True) for o in objs], default=_json_default, ensure_ascii=False)
    sql = f"INSERT INTO {model._meta.db_table} ({sql_names}) SELECT {sql_names} FROM {rows_table(columns)}"
    return sql, rows


def insert_objects(objs: Sequence[Model]) -> int:
    """Insert new model instances in ONE statement (instead of bulk_create's batches of placeholders).

    Like bulk_create: no save() and no signals; auto_now_add fields are filled; ids are not set.
    """
    if not objs:
        return 0
    sql, rows = _insert(objs)
    with connection.cursor() as cursor:
        cursor.execute(sql, [rows])
    return len(objs)


def insert_returning(objs: Sequence[Model], returning: Sequence[str]) -> list[tuple[Any, ...]]:
    """Insert new model instances in ONE statement, as insert_objects does, and return these columns
    of every inserted row (RETURNING: PostgreSQL, and SQLite since 3.35), in no promised order."""
    if not objs:
        return []
    sql, rows = _insert(objs)
    with connection.cursor() as cursor:
        cursor.execute(f"{sql} RETURNING {', '.join(returning)}", [rows])
        return [tuple(row) for row in cursor.fetchall()]


def update_objects(objs: Sequence[Model], names: Sequence[str]) -> int:
    """Write these fields of saved model instances in ONE statement (instead of bulk_update's CASE per row)."""
    if not objs:
        return 0
    model = type(objs[0])
    fields = _columns(model, names)
    columns = [("id", "bigint"), *((_column(f), t) for f, t in fields)]
    rows = json.dumps(
        [{"id": o.pk, **_row(o, fields, add=False)} for o in objs], default=_json_default, ensure_ascii=False
    )
    return update_rows(model._meta.db_table, columns, rows)


def update_rows(table: str, columns: Sequence[tuple[str, str]], rows: str, *, set_sql: str | None = None) -> int:
    """UPDATE the rows of `table` whose id is a row's `id`, in one statement; rows as a JSON array.

    The first column must be ("id", "bigint"); the others are assigned, or `set_sql` (which may
    refer to the table's columns and to v.<column>) is the SET list.
    """
    assert columns[0][0] == "id"
    sets = set_sql or ", ".join(f"{n} = v.{n}" for n, _ in columns[1:])
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET {sets} FROM {rows_table(columns)} WHERE {table}.id = v.id", [rows])
        return max(int(cursor.rowcount), 0)


CHUNK = 5000


def keyset_chunks(queryset: Any, size: int = CHUNK) -> Iterator[list[Any]]:
    """The rows of a queryset in chunks of `size`, by ascending id: one query per chunk."""
    last = None
    while True:
        page = queryset.order_by("id")
        rows = list((page if last is None else page.filter(id__gt=last))[:size])
        if not rows:
            return
        yield rows
        last = rows[-1].id
        if len(rows) < size:
            return


def in_chunks(values: Iterable[Any], size: int = CHUNK) -> Iterator[list[Any]]:
    """The values in lists of at most `size`, for `__in` lookups that stay within SQLite's limit
    on query variables whatever the number of values (a file of 200,000 payments)."""
    values = sorted(set(values))
    for i in range(0, len(values), size):
        yield values[i : i + size]

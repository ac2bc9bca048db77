"""SQL helpers shared by the benchmarks that build their portfolio with INSERT ... SELECT."""

from __future__ import annotations

import re
from typing import Any

INSERT_SELECT = re.compile(r"^\s*INSERT INTO (\w+) \(([^)]*)\)\s*(SELECT\b.*)$", re.DOTALL)


def insert_select(cursor: Any, sql: str, params: list[Any] | None, now: Any) -> None:
    """Run sql; an INSERT ... SELECT also fills the table's other NOT NULL columns with their Django
    defaults (Django sets no database defaults), so that the benchmark follows the models as they grow.

    With params None the sql is run as it is written (a `%` is an operator, not a placeholder)."""
    from django.apps import apps
    from django.db import connection

    match = INSERT_SELECT.match(sql)
    if not match:
        cursor.execute(sql, params)
        return
    table, columns, select = match.groups()
    model = next((m for m in apps.get_models(include_auto_created=True) if m._meta.db_table == table), None)
    if model is None:
        cursor.execute(sql, params)
        return
    given = {c.strip() for c in columns.split(",")}
    extra, values = [], []
    for field in model._meta.concrete_fields:
        if field.column in given or field.primary_key or field.null:
            continue
        if getattr(field, "auto_now_add", False) or getattr(field, "auto_now", False):
            extra.append(field.column)
            values.append(now)
        elif field.has_default():
            extra.append(field.column)
            values.append(field.get_db_prep_save(field.get_default(), connection))
        else:
            raise RuntimeError(f"the benchmark does not know how to fill {table}.{field.column}")
    if not extra:
        cursor.execute(sql, params)
        return
    if params is None:
        select, params = select.replace("%", "%%"), []
    placeholders = "".join(", %s" for _ in extra)
    cursor.execute(
        f"INSERT INTO {table} ({columns}, {', '.join(extra)}) SELECT q.*{placeholders} FROM ({select}) q",
        [*values, *params],  # the outer placeholders come first in the text
    )

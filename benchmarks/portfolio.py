"""INSERT … SELECT by table name, for the benchmarks written before builder.py: the same schema-aware
build (benchmarks/builder.py), the model found from the statement's table."""

from __future__ import annotations

import re
from typing import Any

from builder import insert_select as insert_into_model

INSERT_SELECT = re.compile(r"^\s*INSERT INTO (\w+) \(([^)]*)\)\s*(SELECT\b.*)$", re.DOTALL)


def insert_select(cursor: Any, sql: str, params: list[Any] | None, now: Any) -> None:
    """Run sql; an INSERT ... SELECT also fills the table's other NOT NULL columns with their Django
    defaults (Django sets no database defaults), so that the benchmark follows the models as they grow.

    With params None the sql is run as it is written (a `%` is an operator, not a placeholder)."""
    from django.apps import apps

    match = INSERT_SELECT.match(sql)
    if not match:
        cursor.execute(sql, params)
        return
    table, columns, select = match.groups()
    model = next((m for m in apps.get_models(include_auto_created=True) if m._meta.db_table == table), None)
    if model is None:
        cursor.execute(sql, params)
        return
    insert_into_model(cursor, model, columns, select, now=now, params=params)

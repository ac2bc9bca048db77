"""The database's side of the append-only audit trail.

Triggers (migration 0003) refuse UPDATE and DELETE of entries and anchors, DELETE of chains, and an
UPDATE of a chain that rewinds its head or changes its identity; on PostgreSQL also TRUNCATE of the
three tables. On SQLite the triggers ask `arrears_audit_locked()`, a function every Arrears connection
registers and that answers 1; only the test harness, to empty its throwaway database between tests,
sets LOCKED to False. A connection that lacks the function (the sqlite3 shell) cannot change the
trail either: the trigger fails on the unknown function.

On PostgreSQL the TRUNCATE triggers (these tables and `ledger_entry`) let through a session that has
set `arrears.harness_truncate` to `on`: that is how pytest-django empties the test database after a
test that commits (tests/conftest.py). It is for the test harness and the benchmarks' throwaway
databases only; no Arrears code sets it. A database owner can drop any trigger, which is why the
trail is also chained and MAC-ed: `arrears audit verify` finds what got past them.
"""

from __future__ import annotations

from typing import Any

LOCKED = True
HARNESS_TRUNCATE = "arrears.harness_truncate"


def register(sender: Any, connection: Any, **kwargs: Any) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_function("arrears_audit_locked", 0, lambda: 1 if LOCKED else 0)

"""SQLite's side of the immutable ledger.

The triggers that refuse UPDATE and DELETE on ledger entries ask `arrears_ledger_locked()`, a
function every Arrears connection registers and that answers 1. Only the test harness, to empty
its throwaway database between tests, sets LOCKED to False. A connection that lacks the function
(the sqlite3 shell, say) cannot change entries either: the trigger fails on the unknown function.
PostgreSQL needs none of this: its trigger does not fire on TRUNCATE, which is how tests empty it.
"""

from __future__ import annotations

from typing import Any

LOCKED = True


def register(sender: Any, connection: Any, **kwargs: Any) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_function("arrears_ledger_locked", 0, lambda: 1 if LOCKED else 0)

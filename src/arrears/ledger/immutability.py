"""SQLite's side of the immutable ledger.

The triggers that refuse UPDATE and DELETE on ledger entries ask `arrears_ledger_locked()`, a
function every Arrears connection registers and that answers 1. Only the test harness, to empty
its throwaway database between tests, sets LOCKED to False. A connection that lacks the function
(the sqlite3 shell, say) cannot change entries either: the trigger fails on the unknown function.
On PostgreSQL a TRUNCATE trigger (migration 0004) refuses TRUNCATE too, but for the test harness:
see arrears/audit/immutability.py.
"""

from __future__ import annotations

from typing import Any

LOCKED = True


def register(sender: Any, connection: Any, **kwargs: Any) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_function("arrears_ledger_locked", 0, lambda: 1 if LOCKED else 0)

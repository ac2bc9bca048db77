"""Killing `arrears cycle --workers N` kills its worker processes too: none is left running, holding
its connection and its locks, after the parent is gone (PostgreSQL: the cycle's worker processes are
PostgreSQL's way, SQLite has one writer at a time).

The workers are held still on a lock this test takes on the accounts' table, so that they are certainly
alive and busy when the parent is killed; without the parent-death signal they would wait there forever.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection, transaction

from arrears.ledger.models import Account
from tests.integration.test_cycle_range_in_workers import FIRST, LAST, arrange_portfolio


def state(pid: int) -> str | None:
    """The process's state letter (R, S, D, Z ...) or None when it no longer exists."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    return stat.rsplit(")", 1)[1].split()[0]


def alive(pid: int) -> bool:
    return state(pid) not in (None, "Z")  # a zombie has exited; only its parent's reaping is left


def children_of(parent: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except (FileNotFoundError, ProcessLookupError):
                continue
            if int(fields[1]) == parent and fields[0] != "Z":
                found.append(int(entry.name))
    return found


def waiting_on_locks() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_locks WHERE NOT granted")
        (n,) = cursor.fetchone()
    return int(n)


def within(seconds: float, condition: Callable[[], bool]) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


def url_of_this_database() -> str:
    s = connection.settings_dict
    return f"postgres://{quote(s['USER'])}:{quote(s['PASSWORD'] or '')}@{s['HOST']}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.mark.django_db(transaction=True)
def test_killing_the_cycle_kills_its_worker_processes(settings: object, tmp_path: Path) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the cycle runs in worker processes on PostgreSQL")
    arrange_portfolio()
    assert Account.objects.count() > 8  # several partitions of four
    env = {**os.environ, "DATABASE_URL": url_of_this_database(), "ARREARS_PARTITION_SIZE": "4"}
    command = ["cycle", "--from", FIRST.isoformat(), "--through", LAST.isoformat(), "--workers", "2"]
    workers: list[int] = []
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {Account._meta.db_table} IN EXCLUSIVE MODE")  # reads only
        with (tmp_path / "cycle.log").open("w") as log:
            cycle = subprocess.Popen(
                [sys.executable, "-m", "arrears.cli", *command], env=env, stdout=log, stderr=log, cwd=tmp_path
            )
        try:
            assert within(60, lambda: len(children_of(cycle.pid)) >= 2 and waiting_on_locks() >= 1), (
                tmp_path / "cycle.log"
            ).read_text()
            workers = children_of(cycle.pid)
            assert all(alive(pid) for pid in workers)

            os.kill(cycle.pid, signal.SIGKILL)
            cycle.wait(timeout=10)

            assert within(5, lambda: not any(alive(pid) for pid in workers)), [(p, state(p)) for p in workers]
        finally:
            for pid in workers:
                if alive(pid):
                    os.kill(pid, signal.SIGKILL)  # the workers this test started, left behind by a failure
            if cycle.poll() is None:
                cycle.kill()
                cycle.wait()
    # The killed processes' server sessions were waiting on the lock just released: each ends when it next
    # writes to its gone client. Wait for that, so that dropping the test database never finds them.
    if not within(10, lambda: other_sessions() == 0):
        end_other_sessions()


def other_sessions() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        (n,) = cursor.fetchone()
    return int(n)


def end_other_sessions() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )

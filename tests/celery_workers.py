"""Real `celery worker` processes and a broker of the test's own, for the Celery tests and benchmarks.

Every run gets its own queue name on a Redis database of its own (or RabbitMQ's default vhost), so that
parallel test workers and other runs never take one another's tasks. When the broker cannot be reached
the test is skipped, except where one must be there (CI=true or ARREARS_REQUIRE_BROKER=1): it fails.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import quote, urlsplit

import psycopg
import pytest
from django.db import connection, connections

from tests.conftest import FROZEN_NOW

REDIS = os.environ.get("ARREARS_TEST_REDIS", "redis://127.0.0.1:6379/13")
RABBITMQ = os.environ.get("ARREARS_TEST_RABBITMQ", "amqp://guest:guest@127.0.0.1:5672//")
REPOSITORY = Path(__file__).resolve().parents[1]


def reachable(url: str) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 6379), timeout=2):
            return True
    except OSError:
        return False


def require_broker(url: str) -> None:
    if reachable(url):
        return
    why = f"no broker at {urlsplit(url).netloc}"
    if os.environ.get("CI") == "true" or os.environ.get("ARREARS_REQUIRE_BROKER") == "1":
        pytest.fail(f"{why}, and this run requires one (CI=true or ARREARS_REQUIRE_BROKER=1)")
    pytest.skip(why)


def url_of(name: str) -> str:
    s = connection.settings_dict
    login = f"{quote(s['USER'])}:{quote(s['PASSWORD'] or '')}"
    return f"postgres://{login}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{name}"


def _server() -> psycopg.Connection[tuple[object, ...]]:
    return psycopg.connect(url_of("postgres"), autocommit=True)


@contextlib.contextmanager
def copy_of_this_database() -> Iterator[str]:
    """A copy of the test database as it is now (CREATE DATABASE ... TEMPLATE), dropped afterwards."""
    name = f"{connection.settings_dict['NAME']}_copy_{uuid.uuid4().hex[:8]}"
    connections.close_all()  # a template must have no other session
    with _server() as server:
        server.execute(f'CREATE DATABASE "{name}" TEMPLATE "{connection.settings_dict["NAME"]}"')
    try:
        yield name
    finally:
        connections.close_all()
        with _server() as server:
            server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextlib.contextmanager
def connected_to(name: str) -> Iterator[None]:
    """Django's default connection on another database of the same server for the duration."""
    own = connection.settings_dict["NAME"]
    connection.close()
    connection.settings_dict["NAME"] = name
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict["NAME"] = own


def environment(*, database: str, broker: str, **more: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": url_of(database),
        "ARREARS_TASKS": "celery",
        "PYTHONUNBUFFERED": "1",
        "ARREARS_TEST_FROZEN_NOW": FROZEN_NOW.isoformat(),
        "CELERY_BROKER_URL": broker,
        "CELERY_RESULT_BACKEND": REDIS,
        "ARREARS_CELERY_QUEUE": f"test-{uuid.uuid4().hex}",
        **more,
    }


def start_worker(env: dict[str, str], name: str, log: Path, *, frozen: bool = True) -> subprocess.Popen[bytes]:
    """One `celery worker`: one process (-P solo), so that killing it kills the one running task."""
    entry = ["-m", "tests.frozen_clock_main", "celery"] if frozen else ["-m", "celery"]
    command = [sys.executable, *entry, "-A", "arrears.tasks.app", "worker", "-P", "solo", "-n", f"{name}@%h"]
    command += ["--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "info"]
    with log.open("w") as out:
        return subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=REPOSITORY)


def stop(processes: list[subprocess.Popen[bytes]]) -> None:
    for process in processes:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=30)


def within(seconds: float, condition: Callable[[], bool]) -> bool:
    """Wait for a condition (a file written, a process gone): never a timing that decides a result."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()

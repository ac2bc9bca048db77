"""Shared fixtures. The database tests run on whichever database DATABASE_URL names; `make test`
runs the whole suite once on SQLite and once on PostgreSQL."""

from __future__ import annotations

import datetime as dt
import decimal
import os
import time
from typing import Any

import pytest
from django.db import DatabaseError, connection
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

# The properties check results, not speed: a busy machine (two test workers on two cores) must not
# fail them for slow data generation or a slow example.
hypothesis_settings.register_profile("arrears", deadline=None, suppress_health_check=[HealthCheck.too_slow])
hypothesis_settings.load_profile("arrears")

# The tests' clock: a Sunday morning in Beijing, inside every contact-hours window. Instants come only
# from arrears.kernel.clock, so freezing it there makes every test independent of when it runs. A test
# that needs another instant patches clock.now itself; business dates are stored (open_date).
FROZEN_NOW = dt.datetime(2026, 5, 3, 2, 0, tzinfo=dt.UTC)  # 10:00 Asia/Shanghai


@pytest.fixture(autouse=True)
def _frozen_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    from arrears.kernel import clock

    monkeypatch.setattr(clock, "now", lambda: FROZEN_NOW)


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings: Any) -> None:
    """Staff passwords hashed with PBKDF2 cost most of a fixture's time (about 0.3 s per user and per
    login on this machine). The tests check who may do what, not the strength of the hash; the
    production hashers are Django's defaults, untouched (`arrears check --deploy` runs without this)."""
    # PBKDF2 stays second so that users made outside a test's settings (module fixtures) still log in.
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]


@pytest.fixture(autouse=True)
def _float_trap() -> None:
    decimal.getcontext().traps[decimal.FloatOperation] = True


def pytest_sessionstart(session: pytest.Session) -> None:
    expected = os.environ.get("ARREARS_EXPECT_DB")
    if expected and connection.vendor != expected:
        raise pytest.UsageError(f"ARREARS_EXPECT_DB={expected} but DATABASE_URL points at {connection.vendor}")


@pytest.fixture
def db_vendor(db: None) -> str:
    return connection.vendor


@pytest.fixture(autouse=True)
def _ledger_flushable_after_transactional_tests(request: pytest.FixtureRequest) -> Any:
    """Tests that commit are emptied afterwards: on SQLite by deleting every row, which the ledger's
    and the audit trail's triggers must allow; on PostgreSQL by TRUNCATE, which their TRUNCATE
    triggers let through only for a session that set the harness-only `arrears.harness_truncate`
    (arrears/audit/immutability.py). Django closes the connection after the flush, and the setting
    with it."""
    from arrears.audit import immutability as audit_immutability
    from arrears.ledger import immutability

    immutability.LOCKED = audit_immutability.LOCKED = True
    marker = request.node.get_closest_marker("django_db")
    if marker and marker.kwargs.get("transaction"):
        request.getfixturevalue("transactional_db")
        yield
        immutability.LOCKED = audit_immutability.LOCKED = False
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"SET {audit_immutability.HARNESS_TRUNCATE} = 'on'")
    else:
        yield


@pytest.fixture(scope="session", autouse=True)
def _test_database_drops_cleanly(django_db_setup: None, django_db_blocker: Any) -> Any:
    """On PostgreSQL, end the server sessions a test left behind (a killed process's, a thread's) before the
    test database is dropped: the drop refuses while any other session is connected to it. Set up after
    the database, so torn down before it."""
    yield
    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock():
        for _ in range(50):  # a session that a thread or a dying process opens late is ended on a later turn
            try:
                with connection.cursor() as cursor:
                    # With a timeout, pg_terminate_backend waits until the session has gone, not just signals it.
                    cursor.execute(
                        "SELECT count(pg_terminate_backend(pid, 5000)) FROM pg_stat_activity"
                        " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                    )
                    if cursor.fetchone()[0] == 0:
                        return
            except DatabaseError:  # this session's own connection was lost (a forked child closed it): reopen
                connection.close()
            time.sleep(0.1)

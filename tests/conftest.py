"""Shared fixtures. The database tests run on whichever database DATABASE_URL names; `make test`
runs the whole suite once on SQLite and once on PostgreSQL."""

from __future__ import annotations

import decimal
import os

import pytest
from django.db import connection


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

"""The few SQL fragments that differ between SQLite and PostgreSQL."""

from __future__ import annotations

from django.db import connection


def days_between(later: str, earlier: str) -> str:
    """SQL for the whole days from `earlier` to `later` (both date expressions)."""
    if connection.vendor == "postgresql":
        return f"(CAST({later} AS date) - CAST({earlier} AS date))"
    return f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)"


def date_param() -> str:
    return "CAST(%s AS date)" if connection.vendor == "postgresql" else "%s"

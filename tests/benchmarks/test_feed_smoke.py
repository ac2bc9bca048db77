"""The feed benchmark at its smoke size: a snapshot of 1,000 accounts and a delta of 100 rows imported
on PostgreSQL, the ledger checked; its figures sane, never a timing."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.benchmarks.test_benchmark_smoke import POSTGRESQL_ONLY, _assert_only_its_section_changed, _smoke

pytestmark = [pytest.mark.bench_smoke, POSTGRESQL_ONLY]


def test_the_feed_benchmark_imports_its_smoke_snapshot_and_delta(tmp_path: Path) -> None:
    out, copy = _smoke("feed", tmp_path)

    assert "snapshot: 1,000 accounts (3,100 records)" in out
    assert "delta: 100 rows" in out and "ledger check: cache = sum of entries" in out and "load average" in out
    _assert_only_its_section_changed("feed", copy)

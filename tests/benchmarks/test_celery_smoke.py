"""The Celery benchmark at its smoke size: the same day in process and on 1 and 2 real Celery workers,
over the real broker, ends with the same figures (PostgreSQL only; skipped without a broker unless CI=true
or ARREARS_REQUIRE_BROKER=1, where it fails).

Run as test_benchmark_smoke.py runs the others, with a longer limit: it starts three worker processes,
one after another, and a worker's start is slow on a busy machine."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.benchmarks.test_benchmark_smoke import POSTGRESQL_ONLY, _assert_only_its_section_changed, _smoke
from tests.celery_workers import require_broker

pytestmark = pytest.mark.bench_smoke
BROKER = "redis://127.0.0.1:6379/0"


@POSTGRESQL_ONLY
def test_the_celery_benchmark_runs_one_day_in_process_and_on_one_and_two_workers(tmp_path: Path) -> None:
    require_broker(BROKER)
    out, copy = _smoke("celery_cycle", tmp_path, timeout=900, env_extra={"CELERY_BROKER_URL": BROKER})
    assert "load average" in out
    assert "| in process |" in out and "| Celery, 1 worker |" in out and "| Celery, 2 workers |" in out
    assert "The three runs end with the same figures: yes" in out
    _assert_only_its_section_changed("celery_cycle", copy)

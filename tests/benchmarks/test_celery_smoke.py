"""The Celery benchmark at its smoke size: the same day in process and on 1 and 2 real Celery workers,
over the real broker, ends with the same figures (PostgreSQL only; skipped without a broker unless CI=true
or ARREARS_REQUIRE_BROKER=1, where it fails).

Run as test_benchmark_smoke.py runs the others, with a longer limit: it starts three worker processes,
one after another, and a worker's start is slow on a busy machine."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.benchmarks.test_benchmark_smoke import (
    BENCHMARKS,
    POSTGRESQL_ONLY,
    README,
    _assert_only_its_section_changed,
    _pg_server,
)
from tests.celery_workers import require_broker

pytestmark = pytest.mark.bench_smoke
BROKER = "redis://127.0.0.1:6379/0"


@POSTGRESQL_ONLY
def test_the_celery_benchmark_runs_one_day_in_process_and_on_one_and_two_workers(tmp_path: Path) -> None:
    require_broker(BROKER)
    copy = tmp_path / "README.md"
    copy.write_bytes(README.read_bytes())
    before = hashlib.sha256(README.read_bytes()).hexdigest()
    env = {k: v for k, v in os.environ.items() if k not in ("ARREARS_DEMO", "ARREARS_SECRET_KEY")}
    env.update(BENCH_PG_SERVER=_pg_server(), CELERY_BROKER_URL=BROKER)

    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / "celery_cycle.py"), "--smoke", "--readme", str(copy)],
        capture_output=True,
        text=True,
        timeout=900,
        env=env,
        cwd=BENCHMARKS.parent,
    )

    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert hashlib.sha256(README.read_bytes()).hexdigest() == before, "a smoke run wrote benchmarks/README.md"
    out = done.stdout
    assert "load average" in out
    assert "| in process |" in out and "| Celery, 1 worker |" in out and "| Celery, 2 workers |" in out
    assert "The three runs end with the same figures: yes" in out
    _assert_only_its_section_changed("celery_cycle", copy)

"""The cycle on Celery workers, one of them killed in the middle of a partition, ends exactly as the same
dates run in process.

One portfolio (tests/integration/test_cycle_range_in_workers.py's stories, partitions of four accounts),
run in process up to the day before the dates under test, then copied (CREATE DATABASE ... TEMPLATE).
The dates run in process on the test database, and through `arrears cycle` with ARREARS_TASKS=celery on
the copy, by two real `celery worker` processes over the real broker. The first worker to reach the
`delinquency` step stops inside that step's transaction (its writes made, not committed; the hold of
arrears.tasks.cycle, set only here) and writes its pid: the test kills that process with SIGKILL. The
broker hands the unacknowledged task out again (acks_late; Redis: after the visibility timeout, 3 s here),
the other worker redoes what was not committed, and the chord goes on. Every table is compared by content.

PostgreSQL only: workers on other machines need a database server, not SQLite's one writer.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection

from arrears.audit.operations import verify
from arrears.cycle.models import CycleDay, StepRun
from arrears.cycle.runner import run_through
from tests import celery_workers as cw
from tests import table_snapshot
from tests.integration.test_cycle_range_in_workers import FIRST, arrange_portfolio, contents

DATES = [dt.date(2026, 3, 20), dt.date(2026, 3, 21), dt.date(2026, 3, 22)]
HELD_STEP = "delinquency"
CYCLE = ["arrears", "cycle", "--from", DATES[0].isoformat(), "--through", DATES[-1].isoformat()]


def logs(tmp_path: Path) -> str:
    return "\n".join(f"--- {p.name}\n{p.read_text()[-3000:]}" for p in sorted(tmp_path.glob("*.log")))


def arrange(settings: Any) -> None:
    settings.ARREARS_PARTITION_SIZE = 4
    arrange_portfolio()
    run_through(DATES[0] - dt.timedelta(days=1), start=FIRST)


def in_process() -> dict[str, Any]:
    assert run_through(DATES[-1], start=DATES[0]) == DATES
    return contents()


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_partition_leaves_the_dates_as_an_uninterrupted_in_process_run(
    settings: Any, tmp_path: Path
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("Celery workers share a PostgreSQL database: SQLite has one writer at a time")
    cw.require_broker(cw.REDIS)
    arrange(settings)
    with cw.copy_of_this_database() as copy:
        held = tmp_path / "held.pid"
        env = cw.environment(
            database=copy,
            broker=cw.REDIS,
            ARREARS_PARTITION_SIZE="4",
            ARREARS_CELERY_VISIBILITY_TIMEOUT="3",
            ARREARS_CELERY_RESTORE_SECONDS="1",
            ARREARS_CYCLE_TEST_HOLD=f"{HELD_STEP}:{held}",
        )
        # Started first: they take a while to start, and the in-process run here needs none of them.
        workers = [cw.start_worker(env, f"chaos{n}", tmp_path / f"worker{n}.log") for n in (1, 2)]
        with (tmp_path / "cycle.log").open("w") as log:
            cycle = subprocess.Popen(
                [sys.executable, "-m", "tests.frozen_clock_main", *CYCLE],
                env=env,
                cwd=cw.REPOSITORY,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        try:
            expected = in_process()
            partitions_of_the_held_step = StepRun.objects.filter(business_date=DATES[0], step=HELD_STEP).count()
            assert cw.within(240, lambda: held.exists() and held.read_text() != ""), logs(tmp_path)
            victim = int(held.read_text())
            assert victim in [w.pid for w in workers]
            os.kill(victim, signal.SIGKILL)
            assert cycle.wait(timeout=240) == 0, logs(tmp_path)
        finally:
            cw.stop([*workers, cycle])
        killed = next(w for w in workers if w.pid == victim)
        assert killed.returncode == -signal.SIGKILL
        with cw.connected_to(copy):
            found = contents()
            closed = sorted(CycleDay.objects.values_list("business_date", flat=True))[-len(DATES) :]
            held_step_done = StepRun.objects.filter(business_date=DATES[0], step=HELD_STEP).count()
            trail = verify()

    assert closed == DATES
    assert held_step_done == partitions_of_the_held_step >= 3  # the killed worker's partition too
    assert table_snapshot.differences(expected, found) == {}
    assert trail.intact and trail.anchors >= 1, trail.breaks
    # The dates did work: statements closed on the first one, and the killed step's rows were redone.
    assert any(dict(row)["statement_date"] == DATES[0] for row in expected["statements.Statement"])


@pytest.mark.django_db(transaction=True)
def test_a_date_and_a_job_through_rabbitmq_equal_the_in_process_ones(settings: Any, tmp_path: Path) -> None:
    """The same with RabbitMQ as the broker (results in Redis: RabbitMQ's rpc:// cannot join a chord),
    smaller: one worker, one date, nobody killed; then `arrears kpi` sent to that worker as a job."""
    if connection.vendor != "postgresql":
        pytest.skip("Celery workers share a PostgreSQL database: SQLite has one writer at a time")
    cw.require_broker(cw.RABBITMQ)
    cw.require_broker(cw.REDIS)
    arrange(settings)
    kpi = ["kpi", "--from", FIRST.isoformat(), "--to", DATES[0].isoformat()]
    with cw.copy_of_this_database() as copy:
        env = cw.environment(database=copy, broker=cw.RABBITMQ, ARREARS_PARTITION_SIZE="4")
        workers = [cw.start_worker(env, "rabbit", tmp_path / "worker.log")]
        on_celery = [sys.executable, "-m", "tests.frozen_clock_main", "arrears"]
        try:
            assert run_through(DATES[0], start=DATES[0]) == [DATES[0]]
            expected = contents()
            here = io.StringIO()
            call_command(*kpi, stdout=here)
            date = subprocess.run([*on_celery, *CYCLE[1:4], "--through", DATES[0].isoformat()], **_quiet(env))
            assert date.returncode == 0, date.stdout + date.stderr + logs(tmp_path)
            assert "(on Celery workers)" in date.stdout
            job = subprocess.run([*on_celery, *kpi], **_quiet(env))
            assert job.returncode == 0, job.stdout + job.stderr + logs(tmp_path)
            assert "arrears.jobs.kpi_report" in (tmp_path / "worker.log").read_text()
        finally:
            cw.stop(workers)
        with cw.connected_to(copy):
            found = contents()

    assert table_snapshot.differences(expected, found) == {}
    assert json.loads(job.stdout) == json.loads(here.getvalue())


def _quiet(env: dict[str, str]) -> dict[str, Any]:
    return {"env": env, "cwd": cw.REPOSITORY, "capture_output": True, "text": True, "timeout": 240}

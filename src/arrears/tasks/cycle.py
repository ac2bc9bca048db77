"""The daily cycle on Celery workers: one business date is one chain of chords.

    accounts' partitions (a group) -> barrier -> customers' partitions (a group) -> barrier -> once -> close

Each partition task is one (date, phase, partition): the runner's `run_partition`, one transaction per
step with its StepRun, so a task run again (its worker died and the broker handed it out again: acks_late,
reject_on_worker_lost, the Redis visibility timeout) redoes only the steps not done. The chord orders the
phases; the barrier between them is the database: `finish_phase` finds (one query) and runs any
partition of the phase still not done, so even a chord counted wrong by a task delivered twice cannot
start a phase early. Two runs of one partition at once wait for each other (`run_partition_once`).
"""

from __future__ import annotations

import datetime as dt
import os
import time

from celery import Signature, chain, group
from django.db import IntegrityError
from django.db.models import Sum

from arrears.cycle import runner
from arrears.cycle.models import StepRun
from arrears.cycle.registry import PHASES
from arrears.tasks.app import app

# The chaos test's hold (tests/integration/test_celery_chaos.py): "STEP:PATH" makes the first worker to
# reach STEP stop inside the step's transaction, after writing its pid to PATH, until it is killed.
HOLD = "ARREARS_CYCLE_TEST_HOLD"


def _hold_for_chaos_test(step: str) -> None:
    wanted, _, path = os.environ.get(HOLD, "").partition(":")
    if step != wanted or not path:
        return
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    except FileExistsError:  # held once already: the partition's second run goes through
        return
    os.write(fd, str(os.getpid()).encode())
    os.close(fd)
    time.sleep(600)


def partition(day: str, number: int, over: str) -> int:
    """One partition of a phase on a date."""
    return runner.run_partition_once(dt.date.fromisoformat(day), number, over, inside=_hold_for_chaos_test)


def barrier(day: str, over: str) -> int:
    """Between two phases: whatever of the phase is not done yet (nothing, but after a miscount)."""
    return runner.finish_phase(dt.date.fromisoformat(day), over)


def close(day: str, actor: str) -> bool:
    """Every phase done (the barriers again), then the date closed once."""
    business_date = dt.date.fromisoformat(day)
    for over in PHASES:
        runner.finish_phase(business_date, over)
    rows = StepRun.objects.filter(business_date=business_date).aggregate(n=Sum("rows"))["n"] or 0
    try:
        return runner.close_date(business_date, rows=rows, actor=actor)
    except IntegrityError:  # closed at the same moment by this task's other delivery
        return False


run_partition = app.task(name="arrears.cycle.partition")(partition)
finish_phase = app.task(name="arrears.cycle.finish_phase")(barrier)
close_date = app.task(name="arrears.cycle.close")(close)


def run_date(business_date: dt.date, *, actor: str = "cycle") -> bool:
    """Run one business date as a chain of chords on the workers and wait for it; False when it had
    already completed."""
    if runner.is_completed(business_date):
        return False
    day = business_date.isoformat()
    flow: list[Signature] = []
    for over in PHASES:
        parts = runner.partitions(over)
        if parts:
            flow += [group([run_partition.si(day, p, over) for p in parts]), finish_phase.si(day, over)]
    flow.append(close_date.si(day, actor))
    chain(*flow).apply_async().get(propagate=True)
    return True

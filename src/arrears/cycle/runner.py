"""Run the daily cycle: dates in order; for each, the phases of the registry (accounts, customers,
once), each phase's partitions in parallel worker processes when asked, the steps in order.

Each (date, step, partition) runs in one transaction that also records its StepRun, so a run that
crashes anywhere restarts where it stopped and a date run twice changes nothing the second time.
The same functions serve the Celery path (arrears.tasks.cycle): `run_partition` is a task's work,
`unfinished` and `finish_phase` its barrier, `close_date` its last task.
"""

from __future__ import annotations

import contextlib
import ctypes
import datetime as dt
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor

from django.conf import settings
from django.db import IntegrityError, connections, transaction
from django.db.models import Count, Max, Min

from arrears.audit.operations import record
from arrears.business_days import date_range
from arrears.cycle.business_date import open_date
from arrears.cycle.models import CycleDay, StepRun
from arrears.cycle.registry import ACCOUNTS, CUSTOMERS, ONCE, PHASES, steps
from arrears.ledger.models import Account, Customer
from arrears.products.models import versions_in_force

Progress = Callable[[dt.date], None]
ONCE_PARTITION = -1
_OWNER: dict[str, type[Account] | type[Customer]] = {ACCOUNTS: Account, CUSTOMERS: Customer}


def partitions(over: str = ACCOUNTS) -> list[int]:
    """The partitions of accounts (or customers) by id: ARREARS_PARTITION_SIZE ids each."""
    if over == ONCE:
        return [ONCE_PARTITION]
    size = settings.ARREARS_PARTITION_SIZE
    bounds = _OWNER[over].objects.aggregate(lo=Min("id"), hi=Max("id"))
    if bounds["lo"] is None:
        return []
    return list(range(bounds["lo"] // size, bounds["hi"] // size + 1))


def run_partition(
    business_date: dt.date, partition: int, over: str = ACCOUNTS, *, inside: Callable[[str], None] | None = None
) -> int:
    """Every step of one phase for one partition, skipping the steps already done; each step in one
    transaction with its StepRun, so a crash anywhere restarts at the first step not done. `inside` is
    called with the step's name within the step's transaction, after its work (the chaos test's hold)."""
    size = settings.ARREARS_PARTITION_SIZE
    lo, hi = partition * size, (partition + 1) * size
    params = versions_in_force(business_date)
    done = set(StepRun.objects.filter(business_date=business_date, partition=partition).values_list("step", flat=True))
    rows = 0
    for step in steps(over):
        if step.name in done:
            continue
        started = time.perf_counter()
        with transaction.atomic():
            n = step.run(business_date, lo, hi, params)
            if inside is not None:
                inside(step.name)
            StepRun.objects.create(
                business_date=business_date,
                step=step.name,
                partition=partition,
                rows=n,
                seconds=time.perf_counter() - started,
            )
        rows += n
    return rows


def _forget_inherited_connections() -> None:
    """A forked worker starts with copies of the parent's connections: drop them without closing, so
    that the worker never talks on (nor, exiting, hangs up) a socket the parent still uses."""
    for conn in connections.all(initialized_only=True):
        conn.connection = None


PR_SET_PDEATHSIG = 1  # linux/prctl.h


def _die_with(parent: int) -> None:
    """A worker does not outlive the cycle that started it (killed, it cannot shut its pool down): on
    Linux the kernel kills the worker when its parent dies (PR_SET_PDEATHSIG); elsewhere a thread
    watches the parent. A partition's work is one transaction per step, so a killed worker loses
    nothing that the next run does not redo."""
    if sys.platform == "linux":
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")
    else:
        threading.Thread(target=_watch_parent, args=(parent,), daemon=True, name="parent-watch").start()
    if os.getppid() != parent:  # it died before the request above took effect
        os._exit(1)


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(1)
    os._exit(1)


def _start_worker(parent: int) -> None:
    _die_with(parent)
    _forget_inherited_connections()


def _run_partition_in_worker(business_date: dt.date, partition: int, over: str) -> int:
    try:
        return run_partition(business_date, partition, over)
    finally:
        connections.close_all()


def _run_phase(business_date: dt.date, over: str, workers: int) -> int:
    parts = partitions(over)
    if workers > 1 and len(parts) > 1:
        connections.close_all()
        # Forked, as _forget_inherited_connections expects (Python 3.14 makes forkserver the default).
        with ProcessPoolExecutor(
            max_workers=workers,
            mp_context=multiprocessing.get_context("fork"),
            initializer=_start_worker,
            initargs=(os.getpid(),),
        ) as pool:
            n = len(parts)
            return sum(pool.map(_run_partition_in_worker, [business_date] * n, parts, [over] * n))
    return sum(run_partition(business_date, p, over) for p in parts)


def unfinished(business_date: dt.date, over: str) -> list[int]:
    """The partitions of a phase with a step not yet done on the date (one query)."""
    names = [s.name for s in steps(over)]
    done = (
        StepRun.objects.filter(business_date=business_date, step__in=names)
        .values("partition")
        .annotate(n=Count("id"))
        .filter(n=len(names))
        .values_list("partition", flat=True)
    )
    finished = set(done)
    return [p for p in partitions(over) if p not in finished]


@contextlib.contextmanager
def _partition_held(business_date: dt.date, partition: int, over: str) -> Iterator[None]:
    """On PostgreSQL, one process at a time on a (date, phase, partition): a session-level advisory lock,
    released when done or when the process dies (its session ends). Elsewhere nothing: SQLite has one
    writer at a time."""
    connection = connections["default"]
    if connection.vendor != "postgresql":
        yield
        return
    keys = (business_date.toordinal(), partition * len(PHASES) + PHASES.index(over))
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s, %s)", keys)
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", keys)


def run_partition_once(
    business_date: dt.date, partition: int, over: str, *, inside: Callable[[str], None] | None = None
) -> int:
    """`run_partition` where another process may run the same partition at the same moment (a task
    handed out twice, a barrier finishing a phase): it waits for the other one and then finds its steps
    done. Without the lock, the loser's step ends as a conflict on its StepRun, its transaction rolled
    back whole, and on the next turn the step is found done."""
    with _partition_held(business_date, partition, over):
        for attempt in range(len(steps(over)) + 1):
            try:
                return run_partition(business_date, partition, over, inside=inside)
            except IntegrityError:
                if attempt == len(steps(over)):
                    raise
    return 0  # not reached


def finish_phase(business_date: dt.date, over: str) -> int:
    """Run whatever of a phase is not done yet: the barrier before the next phase."""
    return sum(run_partition_once(business_date, p, over) for p in unfinished(business_date, over))


def is_completed(business_date: dt.date) -> bool:
    return CycleDay.objects.filter(business_date=business_date).exists()


def run_date(business_date: dt.date, *, workers: int = 1, actor: str = "cycle") -> bool:
    """Run one business date; False when it had already completed."""
    if is_completed(business_date):
        return False
    rows = sum(_run_phase(business_date, over, workers) for over in PHASES)
    close_date(business_date, rows=rows, actor=actor)
    return True


def close_date(business_date: dt.date, *, rows: int, actor: str = "cycle") -> bool:
    """Record the date as completed and open it, once: False when it already was."""
    with transaction.atomic():
        if is_completed(business_date):
            return False
        CycleDay.objects.create(business_date=business_date)
        open_date(business_date)
        record(
            actor=actor,
            action="cycle.run",
            object_type="cycle_day",
            object_id=business_date.isoformat(),
            after={"partitions": len(partitions(ACCOUNTS)), "rows": rows},
        )
    return True


def last_completed() -> dt.date | None:
    last: dt.date | None = CycleDay.objects.aggregate(d=Max("business_date"))["d"]
    return last


def run_through(
    through: dt.date,
    *,
    start: dt.date | None = None,
    workers: int = 1,
    progress: Progress | None = None,
    run: Callable[[dt.date], bool] | None = None,
) -> list[dt.date]:
    """Every date from the day after the last completed one (or `start`) through `through`; each by
    `run` when given (the Celery chord, arrears.tasks.cycle.run_date), else here by `run_date`."""
    last = last_completed()
    first = start or (last + dt.timedelta(days=1) if last else None)
    if first is None:
        opened = Account.objects.aggregate(d=Min("opened_on"))["d"]
        if opened is None:
            return []
        first = opened
    ran = []
    for day in date_range(first, through + dt.timedelta(days=1)):
        if run(day) if run is not None else run_date(day, workers=workers):
            ran.append(day)
        if progress:
            progress(day)
    return ran

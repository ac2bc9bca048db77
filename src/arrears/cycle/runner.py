"""Run the daily cycle: dates in order; for each, the phases of the registry (accounts, customers,
once), each phase's partitions in parallel worker processes when asked, the steps in order.

Each (date, step, partition) runs in one transaction that also records its StepRun, so a run that
crashes anywhere restarts where it stopped and a date run twice changes nothing the second time.
"""

from __future__ import annotations

import ctypes
import datetime as dt
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor

from django.conf import settings
from django.db import connections, transaction
from django.db.models import Max, Min

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


def run_partition(business_date: dt.date, partition: int, over: str = ACCOUNTS) -> int:
    """Every step of one phase for one partition, skipping the steps already done; each step in one
    transaction with its StepRun, so a crash anywhere restarts at the first step not done."""
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


def run_date(business_date: dt.date, *, workers: int = 1, actor: str = "cycle") -> bool:
    """Run one business date; False when it had already completed."""
    if CycleDay.objects.filter(business_date=business_date).exists():
        return False
    rows = sum(_run_phase(business_date, over, workers) for over in PHASES)
    with transaction.atomic():
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
    through: dt.date, *, start: dt.date | None = None, workers: int = 1, progress: Progress | None = None
) -> list[dt.date]:
    """Every date from the day after the last completed one (or `start`) through `through`."""
    last = last_completed()
    first = start or (last + dt.timedelta(days=1) if last else None)
    if first is None:
        opened = Account.objects.aggregate(d=Min("opened_on"))["d"]
        if opened is None:
            return []
        first = opened
    ran = []
    for day in date_range(first, through + dt.timedelta(days=1)):
        if run_date(day, workers=workers):
            ran.append(day)
        if progress:
            progress(day)
    return ran

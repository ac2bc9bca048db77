"""Run the daily cycle: dates in order, partitions of accounts (in parallel when asked), steps in order.

Each (date, step, partition) runs in one transaction that also records its StepRun, so a run that
crashes anywhere restarts where it stopped and a date run twice changes nothing the second time.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor

from django.conf import settings
from django.db import connections, transaction
from django.db.models import Max, Min

from arrears.audit.operations import record, seal_pending
from arrears.business_days import date_range
from arrears.cases.cycle import CUSTOMER_STEPS
from arrears.cycle.business_date import open_date
from arrears.cycle.models import CycleDay, StepRun
from arrears.cycle.steps import STEPS
from arrears.ledger.models import Account
from arrears.outreach.operations import send_due_reminders
from arrears.products.models import versions_in_force

Progress = Callable[[dt.date], None]


def partitions() -> list[int]:
    size = settings.ARREARS_PARTITION_SIZE
    bounds = Account.objects.aggregate(lo=Min("id"), hi=Max("id"))
    if bounds["lo"] is None:
        return []
    return list(range(bounds["lo"] // size, bounds["hi"] // size + 1))


def run_partition(business_date: dt.date, partition: int) -> int:
    """Every step of one date for one partition, skipping the steps already done."""
    size = settings.ARREARS_PARTITION_SIZE
    lo, hi = partition * size, (partition + 1) * size
    params = versions_in_force(business_date)
    done = set(StepRun.objects.filter(business_date=business_date, partition=partition).values_list("step", flat=True))
    rows = 0
    for name, step in STEPS:
        if name in done:
            continue
        started = time.perf_counter()
        with transaction.atomic():
            n = step(business_date, lo, hi, params)
            StepRun.objects.create(
                business_date=business_date,
                step=name,
                partition=partition,
                rows=n,
                seconds=time.perf_counter() - started,
            )
        rows += n
    return rows


CUSTOMER_PARTITION = -1


def run_customer_steps(business_date: dt.date) -> int:
    """The steps over customers and their cases, once all account partitions are done."""
    done = set(
        StepRun.objects.filter(business_date=business_date, partition=CUSTOMER_PARTITION).values_list("step", flat=True)
    )
    rows = 0
    steps = [*CUSTOMER_STEPS, ("due_reminders", send_due_reminders), ("seal_audit", lambda d: seal_pending())]
    for name, step in steps:
        if name in done:
            continue
        started = time.perf_counter()
        with transaction.atomic():
            n = step(business_date)
            StepRun.objects.create(
                business_date=business_date,
                step=name,
                partition=CUSTOMER_PARTITION,
                rows=n,
                seconds=time.perf_counter() - started,
            )
        rows += n
    return rows


def _run_partition_in_worker(business_date: dt.date, partition: int) -> int:
    try:
        return run_partition(business_date, partition)
    finally:
        connections.close_all()


def run_date(business_date: dt.date, *, workers: int = 1, actor: str = "cycle") -> bool:
    """Run one business date; False when it had already completed."""
    if CycleDay.objects.filter(business_date=business_date).exists():
        return False
    parts = partitions()
    if workers > 1 and len(parts) > 1:
        connections.close_all()
        with ProcessPoolExecutor(max_workers=workers) as pool:
            rows = sum(pool.map(_run_partition_in_worker, [business_date] * len(parts), parts))
    else:
        rows = sum(run_partition(business_date, p) for p in parts)
    rows += run_customer_steps(business_date)
    with transaction.atomic():
        CycleDay.objects.create(business_date=business_date)
        open_date(business_date)
        record(
            actor=actor,
            action="cycle.run",
            object_type="cycle_day",
            object_id=business_date.isoformat(),
            after={"partitions": len(parts), "rows": rows},
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

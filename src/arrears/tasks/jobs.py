"""The heavy work besides the cycle, each as a job: a plain function of plain values (strings, numbers)
that wraps the existing use case unchanged, so that it can run on a Celery worker or here.

`run(name, **values)` is the one door: with ARREARS_TASKS=celery it sends the job to a worker and waits
for its result; otherwise it calls the function in this process. Files a job writes (the dialer's and the
bureau's exports) are written where the worker runs: on several machines, a path on shared storage.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model

from arrears.application import dialer, outreach
from arrears.bureau import export as bureau_export_file
from arrears.errors import NotFound
from arrears.insight.facts import load
from arrears.insight.kpis import report
from arrears.scoring import operations as scoring

Job = Callable[..., Any]
JOBS: dict[str, Job] = {}
EVERY_ID = 2**62  # above every account id: a job over the whole portfolio


def job(fn: Job) -> Job:
    JOBS[fn.__name__] = fn
    return fn


def task_name(name: str) -> str:
    return f"arrears.jobs.{name}"


def run(name: str, **values: Any) -> Any:
    """Run a job on a Celery worker (ARREARS_TASKS=celery) and wait for its result, or here."""
    if settings.ARREARS_TASKS != "celery":
        return JOBS[name](**values)
    from arrears.tasks.app import app

    return app.send_task(task_name(name), kwargs=values).get(propagate=True)


@job
def send_due_reminders(*, day: str) -> int:
    """The due-date reminders of a date over every account (the cycle's step, run on its own)."""
    return outreach.send_due_reminders(dt.date.fromisoformat(day), 0, EVERY_ID)


@job
def dialer_export(*, at: str, user: str, team_id: int | None, queue_id: int | None, out: str | None) -> dict[str, Any]:
    """The dialer's call list as the user may see it: written to `out`, or returned as text."""
    who = get_user_model().objects.filter(username=user, is_active=True).first()
    if who is None:
        raise NotFound(f"no active user {user!r}", field="user")
    within = dialer.export_scope(who, team_id=team_id, queue_id=queue_id)

    def write(out_file: Any) -> int:
        return dialer.export_csv(
            out_file,
            at=dt.datetime.fromisoformat(at),
            team_id=team_id,
            queue_id=queue_id,
            within=within,
            actor=who.get_username(),
        )

    if out:
        with Path(out).open("w", newline="", encoding="utf-8") as f:
            return {"numbers": write(f), "text": ""}
    buffer = io.StringIO()
    n = write(buffer)
    return {"numbers": n, "text": buffer.getvalue()}


@job
def bureau_export(*, month: str, fmt: str, out: str, actor: str) -> dict[str, Any]:
    """A month's bureau file written to `out`, or nothing written and its problems returned."""
    export = bureau_export_file.build(dt.date.fromisoformat(month), fmt)
    if not export.problems:
        bureau_export_file.write(export, Path(out), actor=actor)
    return {
        "format": export.format,
        "records": export.records,
        "held": export.held,
        "removed": export.removed,
        "problems": [str(p) for p in export.problems],
    }


@job
def kpi_report(*, start: str, end: str, by: str | None) -> dict[str, Any]:
    """The KPIs of the period (start, end] for the whole portfolio or by a dimension."""
    return report(load(start=dt.date.fromisoformat(start), end=dt.date.fromisoformat(end)), by)


@job
def score_accounts(*, model: str, day: str, actor: str) -> int:
    """Every account scored as of `day` by the model name@version ("" = the champion)."""
    chosen = scoring.find(model or None)
    return scoring.score_accounts(model=chosen, day=dt.date.fromisoformat(day), actor=actor)

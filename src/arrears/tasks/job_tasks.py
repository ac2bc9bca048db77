"""Every job of arrears.tasks.jobs as a Celery task (imported by the workers only)."""

from __future__ import annotations

from arrears.tasks.app import app
from arrears.tasks.jobs import JOBS, task_name

TASKS = {name: app.task(name=task_name(name))(fn) for name, fn in JOBS.items()}

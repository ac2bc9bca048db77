"""The Celery application, configured from Django's settings (the CELERY_* names in arrears.settings).

Start a worker from the repository (or any machine with the package and the same environment):

    DATABASE_URL=postgres://... CELERY_BROKER_URL=redis://... celery -A arrears.tasks.app worker -c 2

Celery's Django fix-up sets Django up in the worker before the task modules are imported, and closes
each task's database connection after it.
"""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "arrears.settings")

app = Celery("arrears")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.imports = ("arrears.tasks.cycle", "arrears.tasks.job_tasks")

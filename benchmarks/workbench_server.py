"""gunicorn's configuration for benchmarks/workbench.py (`gunicorn --config benchmarks/workbench_server.py`).

Each worker, once forked, keeps its database connections open between requests (CONN_MAX_AGE, as a
deployment does) and, when ARREARS_BENCH_CLOCK_OFFSET is set (seconds), reads arrears.kernel.clock
shifted by it: the benchmark's server answers at 10:00 bank time, inside calling hours, whenever it runs.
"""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

worker_class = "gthread"
keepalive = 30
accesslog = None
errorlog = "-"
loglevel = "warning"


def post_fork(server: Any, worker: Any) -> None:
    from django.conf import settings

    settings.DATABASES["default"]["CONN_MAX_AGE"] = 600
    offset = os.environ.get("ARREARS_BENCH_CLOCK_OFFSET")
    if offset:
        from arrears.kernel import clock

        shift = dt.timedelta(seconds=float(offset))
        clock.now = lambda: dt.datetime.now(dt.UTC) + shift  # type: ignore[assignment]

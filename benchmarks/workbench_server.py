"""gunicorn's configuration for benchmarks/workbench.py (`gunicorn --config benchmarks/workbench_server.py`).

The application is loaded once in the master, and its URL conf (the API's routers, every page's
module), the case page's templates and the compliance pack with it, so that workers start warm, as a
deployment's are after its first minutes.
Each worker, once forked, keeps its database connections open between requests (CONN_MAX_AGE, as a
deployment does) and, when ARREARS_BENCH_CLOCK_OFFSET is set (seconds), reads arrears.kernel.clock
shifted by it: the benchmark's server answers at 10:00 bank time, inside calling hours, whenever it runs.
"""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

worker_class = "gthread"
preload_app = True
keepalive = 30
accesslog = None
errorlog = "-"
loglevel = "warning"


def when_ready(server: Any) -> None:
    from django.db import connections
    from django.template.loader import get_template
    from django.urls import get_resolver

    from arrears.application.contact_gate import pack_on
    from arrears.kernel import clock

    get_resolver().url_patterns  # noqa: B018 (imports the URL conf)
    for name in ("arrears/case.html", "arrears/case/_call.html"):
        get_template(name)
    pack_on(clock.bank_today())  # the compliance pack's YAML, parsed once
    connections.close_all()  # none shared with the workers


def post_fork(server: Any, worker: Any) -> None:
    from django.conf import settings

    settings.DATABASES["default"]["CONN_MAX_AGE"] = 600
    offset = os.environ.get("ARREARS_BENCH_CLOCK_OFFSET")
    if offset:
        from arrears.kernel import clock

        shift = dt.timedelta(seconds=float(offset))
        clock.now = lambda: dt.datetime.now(dt.UTC) + shift  # type: ignore[assignment]

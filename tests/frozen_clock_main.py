"""`python -m tests.frozen_clock_main celery|arrears ARGS...`: a Celery worker or an `arrears` command
with the tests' frozen clock (the instant in ARREARS_TEST_FROZEN_NOW: tests/conftest.py's FROZEN_NOW), so
that rows a subprocess stamps with the instant compare equal to the same rows written in the test's own
process. Nothing else is changed: the worker is the real `celery worker`, the command the real `arrears`
command."""

from __future__ import annotations

import datetime as dt
import os
import sys

from arrears.kernel import clock

FROZEN = "ARREARS_TEST_FROZEN_NOW"


def main() -> None:
    frozen = dt.datetime.fromisoformat(os.environ[FROZEN])
    clock.now = lambda: frozen
    program, args = sys.argv[1], sys.argv[2:]
    sys.argv = [program, *args]
    if program == "celery":
        from celery.__main__ import main as celery_main

        celery_main()
    elif program == "arrears":
        from arrears.cli import main as arrears_main

        arrears_main()
    else:
        sys.exit(f"frozen_clock_main: celery or arrears, not {program!r}")


if __name__ == "__main__":
    main()

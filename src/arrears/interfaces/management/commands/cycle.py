from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation
from django.utils.translation import gettext
from tqdm import tqdm

from arrears.cycle import business_date
from arrears.cycle.runner import last_completed, run_through


class Command(BaseCommand):
    help = (
        "Close the current business date and open the next one: run the daily cycle for the next date. "
        "With --through, run the cycle for every business date up to that date."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--through", help="last business date to run, YYYY-MM-DD (default: the day after the business date)"
        )
        parser.add_argument("--from", dest="start", help="first date (default: the day after the last run)")
        parser.add_argument(
            "--workers",
            type=int,
            default=1,
            help="processes running partitions in parallel (in process; with ARREARS_TASKS=celery the Celery "
            "workers run them)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            through = dt.date.fromisoformat(options["through"]) if options["through"] else None
            start = dt.date.fromisoformat(options["start"]) if options["start"] else None
        except ValueError as exc:
            raise CommandError(f"--through/--from: {exc}; use YYYY-MM-DD") from None
        if through is None:
            through = business_date.current() + dt.timedelta(days=1)
        last = last_completed()
        first = start or (last + dt.timedelta(days=1) if last else None)
        total = (through - first).days + 1 if first else None
        with tqdm(total=total, unit="day", desc="cycle", disable=None) as bar:

            def advance(day: dt.date) -> None:
                bar.set_postfix_str(str(day))
                bar.update(1)

            ran = run_through(through, start=start, workers=options["workers"], progress=advance, run=_on_celery())
        where = "on Celery workers" if settings.ARREARS_TASKS == "celery" else "in process"
        self.stdout.write(f"ran {len(ran)} business date(s) through {through} ({where})")
        self.stdout.write(_in_both_languages(business_date.current()))


def _on_celery() -> Callable[[dt.date], bool] | None:
    """Each date as a chord on the Celery workers when ARREARS_TASKS=celery (Celery imported only then)."""
    if settings.ARREARS_TASKS != "celery":
        return None
    from arrears.tasks.cycle import run_date

    return run_date


def _in_both_languages(day: dt.date) -> str:
    """营业日 2026-11-28 · Business date 2026-11-28"""
    said = []
    for language in ("zh-hans", "en"):
        with translation.override(language):
            said.append(f"{gettext('Business date')} {day.isoformat()}")
    return " · ".join(said)

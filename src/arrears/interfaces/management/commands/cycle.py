from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from arrears import business_days
from arrears.cycle.runner import last_completed, run_through


class Command(BaseCommand):
    help = "Run the daily cycle for every business date up to --through (default: today)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--through", help="last business date to run, YYYY-MM-DD (default today)")
        parser.add_argument("--from", dest="start", help="first date (default: the day after the last run)")
        parser.add_argument("--workers", type=int, default=1, help="processes running partitions in parallel")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            through = dt.date.fromisoformat(options["through"]) if options["through"] else business_days.today()
            start = dt.date.fromisoformat(options["start"]) if options["start"] else None
        except ValueError as exc:
            raise CommandError(f"--through/--from: {exc}; use YYYY-MM-DD") from None
        last = last_completed()
        first = start or (last + dt.timedelta(days=1) if last else None)
        total = (through - first).days + 1 if first else None
        with tqdm(total=total, unit="day", desc="cycle", disable=None) as bar:

            def advance(day: dt.date) -> None:
                bar.set_postfix_str(str(day))
                bar.update(1)

            ran = run_through(through, start=start, workers=options["workers"], progress=advance)
        self.stdout.write(f"ran {len(ran)} business date(s) through {through}")

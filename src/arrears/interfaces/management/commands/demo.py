from __future__ import annotations

import datetime as dt
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.test.utils import override_settings
from tqdm import tqdm

from arrears import demo
from arrears.cycle import business_date
from arrears.errors import ArrearsError


class Command(BaseCommand):
    help = (
        "Build a deterministic synthetic portfolio (Chinese customers, card products, spending and "
        "payment behaviours) into an empty database and run the daily cycle through today."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--accounts", type=int, default=2000, help="card accounts (default 2000)")
        parser.add_argument(
            "--months", type=int, default=6, help="months of history before today (default 6; charge-offs need 8)"
        )
        parser.add_argument("--seed", type=int, default=42, help="the same seed builds the same data")

    def handle(self, *args: Any, **options: Any) -> None:
        today = business_date.current()
        if demo.holds_demo_portfolio():
            self.stdout.write(
                self.style.WARNING(
                    "the database already holds the demo portfolio: nothing built. To build it again, "
                    "start from an empty database (remove var/arrears.sqlite3, or a new DATABASE_URL)."
                )
            )
            self._report(demo.summary(), today=today)
            return
        try:
            demo.check_empty()
        except ArrearsError as exc:
            raise CommandError(exc.message) from None
        months, accounts = options["months"], options["accounts"]
        first = demo.first_day(months=months, today=today)
        self.stdout.write(f"building {accounts} accounts, cycle {first} .. {today}, seed {options['seed']}")
        started = time.perf_counter()
        # DEBUG's query log formats the SQL of every statement: a tenth of the build, for nothing.
        with (
            override_settings(DEBUG=False),
            tqdm(total=(today - first).days + 1, unit="day", desc="demo", disable=None) as bar,
        ):
            try:
                result = demo.build(
                    accounts=accounts,
                    months=months,
                    seed=options["seed"],
                    today=today,
                    progress=lambda day: _advance(bar, day),
                )
            except ArrearsError as exc:
                raise CommandError(str(exc)) from None
        self.stdout.write(f"built in {time.perf_counter() - started:.0f} s")
        self._report(result, today=business_date.current())

    def _report(self, summary: demo.Summary, *, today: dt.date) -> None:
        for line in summary.lines():
            self.stdout.write(line)
        self.stdout.write("demo logins (demo only, change them anywhere else):")
        for login in summary.logins or demo.ensure_demo_users(business_date=today):
            self.stdout.write(
                f"  {login.username:<10} password {login.password:<14} role {login.role}"
                + ("" if login.created else "  (already there; password unchanged)")
            )


def _advance(bar: tqdm, day: dt.date) -> None:
    bar.set_postfix_str(str(day))
    bar.update(1)

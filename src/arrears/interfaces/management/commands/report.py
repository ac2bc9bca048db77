from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from arrears.cycle import business_date
from arrears.errors import ValidationFailed
from arrears.insight.weekly import parse_week, send_weekly


class Command(BaseCommand):
    help = (
        "Reports. `report weekly`: e-mail the weekly progress report (PDF, in each person's language) to every "
        "collections manager (all teams), team lead (their teams) and collector (their own figures), once per week "
        "and person. The week ends on --week-ending, a Sunday (default: the last Sunday before the business date)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("report", choices=["weekly"], help="the report: weekly")
        parser.add_argument("--week-ending", default="", help="the Sunday the week ends on, YYYY-MM-DD")
        parser.add_argument("--dry-run", action="store_true", help="send and record nothing; list who would get it")
        parser.add_argument("--out", default="", help="also write each PDF into this directory")
        parser.add_argument("--resend", action="store_true", help="send again to those who already had this week's")

    def handle(self, *args: Any, **options: Any) -> None:
        today = business_date.current()
        try:
            week = parse_week(options["week_ending"], today, field="--week-ending")
        except ValidationFailed as exc:
            raise CommandError(f"--week-ending: {exc}") from None
        out = Path(options["out"]) if options["out"] else None
        with tqdm(unit="person", desc=f"weekly {week}", disable=None) as bar:

            def advance(username: str) -> None:
                bar.set_postfix_str(username)
                bar.update(1)

            def start(total: int) -> None:
                bar.reset(total=total)

            try:
                done = send_weekly(
                    actor="arrears report weekly",
                    week_ending=week,
                    business_date=today,
                    dry_run=options["dry_run"],
                    resend=options["resend"],
                    out=out,
                    progress=advance,
                    on_start=start,
                )
            except ValidationFailed as exc:
                raise CommandError(f"--week-ending: {exc}") from None
        verb = "would send" if options["dry_run"] else "sent"
        self.stdout.write(f"week {week - dt.timedelta(days=6)} … {week}: {verb} {len(done.sent)}")
        for username in done.sent:
            self.stdout.write(f"  {verb}: {username}")
        for username in done.already:
            self.stdout.write(f"  already sent: {username}")
        for username in done.skipped:
            self.stdout.write(f"  skipped (no e-mail address): {username}")
        for path in done.written:
            self.stdout.write(f"  written: {path}")
        for username, why in done.failed:
            self.stderr.write(f"  failed: {username}: {why}")
        if done.failed:
            raise CommandError(f"{len(done.failed)} report(s) could not be sent; run again to retry them")

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from arrears.cycle.business_date import current as current_business_date
from arrears.errors import ArrearsError
from arrears.quality.operations import sample

EARLIEST = dt.date(1970, 1, 1)


class Command(BaseCommand):
    help = (
        "Quality review (质检): `quality sample [--date YYYY-MM-DD]` draws the date's contacts for review by the "
        "sampling rules (random share per collector, complaints, gate flags, new collectors' first contacts); "
        "running it again for a date changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        draw = sub.add_parser("sample", help="draw a date's contacts for review")
        draw.add_argument("--date", default="", help="the date (YYYY-MM-DD); the business date when omitted")
        draw.add_argument("--actor", default="cli")

    def handle(self, *args: Any, **options: Any) -> None:
        text = options["date"]
        today = current_business_date()
        try:
            day = dt.date.fromisoformat(text) if text else today
        except ValueError:
            raise CommandError(f"--date: {text!r} is not a date (YYYY-MM-DD)") from None
        if not EARLIEST <= day <= today:  # a day near year 9999 or 1 overflowed (a traceback before)
            raise CommandError(f"--date: {day} is not from {EARLIEST} to the business date {today}")
        try:
            report = sample(day=day, actor=options["actor"])
        except ArrearsError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            json.dumps(
                {
                    "date": report.day.isoformat(),
                    "created": report.created,
                    "updated": report.updated,
                    "by_reason": dict(sorted(report.by_reason.items())),
                }
            )
        )

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from arrears.cycle import business_date
from arrears.errors import ArrearsError
from arrears.strategy.cycle import preview
from arrears.strategy.operations import install_default, missing_templates


def _date(text: str | None, name: str) -> dt.date:
    if not text:
        return business_date.current()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{name}: use YYYY-MM-DD") from None


class Command(BaseCommand):
    help = (
        "Treatment strategies: `strategy preview --date D` counts what the strategy would do on D, per segment, "
        "arm and action, without doing it; `strategy install-default --date D` installs default.yaml, approved "
        "and in force from D, as the live strategy."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        show = sub.add_parser("preview", help="dry run: counts per segment, arm and action on a date; changes nothing")
        show.add_argument("--date", help="the date the cycle would run, YYYY-MM-DD (default: the next one)")
        show.add_argument("--strategy", help="strategy code (default: the live strategy)")
        show.add_argument("--json", action="store_true", help="print JSON")
        install = sub.add_parser("install-default", help="install src/arrears/strategy/default.yaml")
        install.add_argument("--date", help="effective from, YYYY-MM-DD (default: the current business date)")
        install.add_argument("--actor", default="install-default", help="who checks it (audited)")

    def handle(self, *args: Any, **options: Any) -> None:
        day = _date(options["date"], "--date")
        if options["action"] == "preview" and not options["date"]:
            day += dt.timedelta(days=1)  # the next cycle runs the day after the business date
        if options["action"] == "install-default":
            try:
                version = install_default(
                    actor=options["actor"], effective_from=day, business_date=min(day, business_date.current())
                )
            except ArrearsError as exc:
                raise CommandError(str(exc)) from None
            self.stdout.write(f"strategy {version.strategy.code} v{version.version} in force from {day} (live)")
            for missing in missing_templates(version.definition):
                self.stdout.write(f"note: no approved template {missing}: the strategy skips those steps")
            return
        result = preview(day, options["strategy"])
        if result is None:
            raise CommandError(
                f"no approved version of {options['strategy'] or 'the live strategy'} is in force on {day}"
            )
        if options["json"]:
            self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
            return
        self.stdout.write(f"strategy {result.strategy} v{result.version} on {day} (dry run: nothing done)")
        self.stdout.write(f"{'segment':<20} {'arm':<12} {'action':<18} {'accounts':>9}")
        for (segment, arm, action), n in sorted(result.actions.items()):
            self.stdout.write(f"{segment:<20} {arm:<12} {action:<18} {n:>9}")
        self.stdout.write(f"{'total':<52} {sum(result.actions.values()):>9}")
        for segment, n in sorted(result.entering.items()):
            self.stdout.write(f"entering {segment}: {n}")
        for reason, n in sorted(result.exiting.items()):
            self.stdout.write(f"leaving a path ({reason}): {n}")

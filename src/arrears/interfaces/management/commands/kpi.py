from __future__ import annotations

import csv
import datetime as dt
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from arrears.insight.kpis import DIMENSIONS
from arrears.tasks.jobs import run

FORMATS = ("json", "csv")


EARLIEST, LATEST = dt.date(1970, 1, 1), dt.date(9998, 12, 31)  # the period reaches a day before and month ends after


def _date(value: str, option: str) -> dt.date:
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{option}: give a date as YYYY-MM-DD, not {value!r}") from None
    if not EARLIEST <= day <= LATEST:
        raise CommandError(f"{option}: {day} is outside {EARLIEST} ... {LATEST}")
    return day


def flatten(value: Any, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], Any]]:
    """A nested report as (path, value) leaves, in order."""
    if isinstance(value, dict):
        return [leaf for k, v in value.items() for leaf in flatten(v, (*path, str(k)))]
    if isinstance(value, list):
        return [leaf for i, v in enumerate(value) for leaf in flatten(v, (*path, str(i)))]
    return [(path, value)]


class Command(BaseCommand):
    help = (
        "The collection KPIs (docs/kpis.md) for the days --from ... --to (both included), for the whole "
        "portfolio or --by team|collector|segment|product|arm|queue, as JSON (the default) or CSV "
        "(one row per figure: group, kpi, detail, value). Amounts in fen, rates as fractions."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="first", required=True, help="the first day, YYYY-MM-DD")
        parser.add_argument("--to", dest="last", required=True, help="the last day, YYYY-MM-DD")
        parser.add_argument("--by", default="", help=f"one of {', '.join(DIMENSIONS)}")
        parser.add_argument("--format", default="json", help="json or csv")

    def handle(self, *args: Any, **options: Any) -> None:
        first = _date(options["first"], "--from")
        last = _date(options["last"], "--to")
        if last < first:
            raise CommandError(f"--to: {last} is before --from {first}")
        by = options["by"] or None
        if by is not None and by not in DIMENSIONS:
            raise CommandError(f"--by: {by!r} is not one of {', '.join(DIMENSIONS)}")
        fmt = options["format"]
        if fmt not in FORMATS:
            raise CommandError(f"--format: {fmt!r} is not one of {', '.join(FORMATS)}")
        # The days first ... last are the period (first - 1, last]: states at the close of the day before.
        figures = run("kpi_report", start=(first - dt.timedelta(days=1)).isoformat(), end=last.isoformat(), by=by)
        if fmt == "json":
            out = {"from": first.isoformat(), "to": last.isoformat(), "by": by or "all", "groups": figures}
            self.stdout.write(json.dumps(out, indent=2, ensure_ascii=False))
            return
        writer = csv.writer(self.stdout, lineterminator="\n")
        writer.writerow(["group", "kpi", "detail", "value"])
        for name, kpis in figures.items():
            for path, value in flatten(kpis):
                writer.writerow([name, path[0], "/".join(path[1:]), "" if value is None else value])

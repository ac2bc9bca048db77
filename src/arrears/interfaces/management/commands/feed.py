from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from tqdm import tqdm

from arrears.cycle.business_date import current as current_business_date
from arrears.errors import FeedRefused
from arrears.hostfeed.operations import import_feed, write_report
from arrears.ledger import outbound
from arrears.money import format_fen

# The steps an import goes through, for its progress bar: reading each file, the checks, the merges.
IMPORT_STEPS = 14
SHOWN = 50


class Command(BaseCommand):
    help = (
        "Host-feed mode (docs/host-feed.md): `feed import DIR` takes the card host's feed of a business date; "
        "`feed export DIR [--date YYYY-MM-DD]` writes the outbound instruction file (docs/host-instructions.md)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="import the feed in DIR (manifest.json and its CSV files)")
        imp.add_argument("directory")
        imp.add_argument("--report", help="where a refusal's report goes (default DIR/feed-import-report.csv)")
        imp.add_argument("--actor", default="hostfeed")
        exp = sub.add_parser("export", help="write the outbound instruction file into DIR")
        exp.add_argument("directory")
        exp.add_argument("--date", help="the business date (default: the stored business date)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "import":
            self._import(options)
        else:
            self._export(options)

    def _import(self, options: dict[str, Any]) -> None:
        directory = Path(options["directory"])
        with tqdm(total=IMPORT_STEPS, unit="step", desc="feed import", disable=None) as bar:

            def progress(step: str) -> None:
                bar.set_postfix_str(step)
                bar.update(1)

            try:
                result = import_feed(directory, actor=options["actor"], progress=progress)
            except FeedRefused as refused:
                bar.close()
                report = Path(options["report"]) if options.get("report") else directory / "feed-import-report.csv"
                self._refused(refused, report)
                return
        if result.already_imported:
            self.stdout.write(
                _("The feed of %(date)s was imported already: nothing changed.") % {"date": result.business_date}
            )
            return
        self.stdout.write(f"feed import: the {result.kind} of {result.business_date} imported")
        for what, count in result.counts.items():
            self.stdout.write(f"  {what}: {count:,}")

    def _refused(self, refused: FeedRefused, report: Path) -> None:
        for p in refused.problems[:SHOWN]:
            self.stderr.write(
                f"{p.file}:{p.line}: {p.field}: {p.reason}" if p.field else f"{p.file}:{p.line}: {p.reason}"
            )
        if len(refused.problems) > SHOWN:
            self.stderr.write(f"... and {len(refused.problems) - SHOWN:,} more")
        try:
            write_report(refused.problems, report)
            where = _("The report of every problem is in %(path)s.") % {"path": report}
        except OSError as e:
            where = _("The report could not be written to %(path)s: %(error)s") % {"path": report, "error": e}
        raise CommandError(f"{refused.message} {where}")

    def _export(self, options: dict[str, Any]) -> None:
        try:
            business_date = dt.date.fromisoformat(options["date"]) if options.get("date") else current_business_date()
        except ValueError:
            raise CommandError(_("--date: use YYYY-MM-DD")) from None
        directory = Path(options["directory"])
        directory.mkdir(parents=True, exist_ok=True)
        with tqdm(total=None, unit="instruction", desc="feed export", disable=None) as bar:
            done = outbound.export_instructions(directory, business_date=business_date, progress=bar.update)
        self.stdout.write(
            f"feed export: {done.records:,} instruction(s), {format_fen(done.total_fen)} in total, "
            f"in {done.path} (SHA-256 {done.sha256})"
        )

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError, CommandParser

from arrears.application.dialer import export_scope, import_results_csv
from arrears.errors import ArrearsError, NotFound
from arrears.kernel import clock
from arrears.tasks.jobs import run


class Command(BaseCommand):
    help = "Dialer: `dialer export` writes a campaign's call list (CSV); `dialer import FILE` loads call results."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        export = sub.add_parser("export", help="the call list of workable cases with each number's allowed window")
        export.add_argument("--out", help="CSV file to write (default: standard output)")
        export.add_argument("--team", type=int)
        export.add_argument("--queue", type=int)
        export.add_argument("--at", help="ISO instant the list is for (default: now)")
        export.add_argument(
            "--as",
            dest="user",
            required=True,
            help="the staff user exporting: a team lead (their teams) or an administrator; audited under that name",
        )
        imp = sub.add_parser("import", help="call results: case_id,number,at,outcome,duration_seconds,agent")
        imp.add_argument("file")
        imp.add_argument("--actor", default="dialer")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "export":
            try:
                at = dt.datetime.fromisoformat(options["at"]) if options["at"] else clock.now()
            except ValueError:
                raise CommandError("--at: use an ISO instant with offset, e.g. 2026-05-03T09:00:00+08:00") from None
            if at.tzinfo is None:
                raise CommandError("--at: give the UTC offset, e.g. +08:00")
            user = User.objects.filter(username=options["user"], is_active=True).first()
            try:
                if user is None:
                    raise NotFound(f"no active user {options['user']!r}", field="user")
                export_scope(user, team_id=options["team"], queue_id=options["queue"])  # refused here, not on a worker
            except ArrearsError as exc:
                raise CommandError(str(exc)) from None
            done = run(
                "dialer_export",
                at=at.isoformat(),
                user=user.get_username(),
                team_id=options["team"],
                queue_id=options["queue"],
                out=str(Path(options["out"]).resolve()) if options["out"] else None,
            )
            sys.stdout.write(done["text"])
            self.stderr.write(f"{done['numbers']} number(s) exported")
            return
        try:
            text = Path(options["file"]).read_text(encoding="utf-8-sig")
            report = import_results_csv(actor=options["actor"], text=text)
        except OSError as exc:
            raise CommandError(f"file: {exc}") from None
        except ArrearsError as exc:
            raise CommandError(str(exc)) from None
        summary = {
            "imported": report.imported,
            "flagged": report.flagged,
            "errors": [{"row": r, "field": f, "message": m} for r, f, m in report.errors],
        }
        self.stdout.write(json.dumps(summary, ensure_ascii=False, indent=2))
        if report.errors:
            raise CommandError(f"{len(report.errors)} bad row(s): nothing imported")

"""`arrears bureau report|export|dispute|resolve|notice`: credit reporting (征信 and Metro 2)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from arrears.bureau import rules
from arrears.bureau.cycle import report_month
from arrears.bureau.export import FORMATS
from arrears.bureau.models import DisputeTask
from arrears.bureau.operations import open_dispute, record_notice, resolve_dispute
from arrears.cycle import business_date
from arrears.errors import ArrearsError, ValidationFailed
from arrears.ledger.models import Account
from arrears.tasks.jobs import run

ACTOR = "cli:bureau"


def _month(text: str) -> dt.date:
    if not re.fullmatch(r"\d{4}-\d{2}", text or ""):
        raise CommandError(f"month: {text!r} is not a month like 2026-11")
    try:
        return dt.date(int(text[:4]), int(text[5:]), 1)
    except ValueError:
        raise CommandError(f"month: {text!r} is not a month like 2026-11") from None


def _account(ref: str) -> Account:
    account = Account.objects.filter(ref=ref).first()
    if account is None:
        raise CommandError(f"account: no account with the reference {ref!r}")
    return account


class Command(BaseCommand):
    help = (
        "Credit reporting: `bureau report --month 2026-11` writes the month's records; "
        "`bureau export --month 2026-11 --format pboc|metro2 --out FILE` writes the bureau file "
        "(refused whole, with a report, when a record is invalid)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        report = sub.add_parser("report", help="compute and store every account's record of a month")
        report.add_argument("--month", required=True, help="YYYY-MM")
        export = sub.add_parser("export", help="write a month's bureau file")
        export.add_argument("--month", required=True, help="YYYY-MM")
        export.add_argument("--format", required=True, choices=FORMATS)
        export.add_argument("--out", required=True)
        dispute = sub.add_parser("dispute", help="open a credit-data dispute (answer due in 20 days)")
        dispute.add_argument("--account", required=True, help="the account reference")
        dispute.add_argument("--reason", required=True)
        resolve = sub.add_parser("resolve", help="answer a credit-data dispute")
        resolve.add_argument("--task", required=True, type=int)
        resolve.add_argument("--answer", required=True)
        notice = sub.add_parser("notice", help="record the notice sent before negative reporting")
        notice.add_argument("--account", required=True, help="the account reference")
        notice.add_argument("--channel", required=True)
        notice.add_argument("--sent-on", required=True, help="YYYY-MM-DD")
        notice.add_argument("--reference", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, f"_{options['action']}")(options)
        except ArrearsError as exc:
            raise CommandError(str(exc)) from None

    def _report(self, options: dict[str, Any]) -> None:
        month = _month(options["month"])
        close = rules.close_of(month)
        if close > business_date.current():
            raise CommandError(
                f"month: {month:%Y-%m} is not closed yet (the business date is {business_date.current()})"
            )
        n = report_month(month, as_of=close)
        self.stdout.write(f"bureau report {month:%Y-%m}: {n} records (as of the close {close})")

    def _export(self, options: dict[str, Any]) -> None:
        month = _month(options["month"])
        out = Path(options["out"])
        if not out.parent.is_dir():
            raise CommandError(f"out: the directory {out.parent} does not exist")
        if options["format"] not in FORMATS:
            raise CommandError(f"format: one of {', '.join(FORMATS)}")
        export = run(
            "bureau_export", month=month.isoformat(), fmt=options["format"], out=str(out.resolve()), actor=ACTOR
        )
        if export["problems"]:
            for problem in export["problems"][:200]:
                self.stderr.write(problem)
            raise CommandError(
                f"records: {len(export['problems'])} problem(s) in the {export['format']} file of {month:%Y-%m}: "
                f"refused whole, nothing written"
            )
        self.stdout.write(
            f"bureau export {export['format']} {month:%Y-%m}: {export['records']} records to {out} "
            f"({export['held']} held for want of a notice, {export['removed']} past their time)"
        )

    def _dispute(self, options: dict[str, Any]) -> None:
        task = open_dispute(
            actor=ACTOR,
            account=_account(options["account"]),
            reason=options["reason"],
            business_date=business_date.current(),
        )
        self.stdout.write(f"dispute {task.pk} opened, answer due {task.due_on}")

    def _resolve(self, options: dict[str, Any]) -> None:
        task = DisputeTask.objects.filter(pk=options["task"]).first()
        if task is None:
            raise CommandError(f"task: no dispute {options['task']}")
        task = resolve_dispute(actor=ACTOR, task=task, answer=options["answer"], business_date=business_date.current())
        self.stdout.write(f"dispute {task.pk} resolved on {task.resolved_on}")

    def _notice(self, options: dict[str, Any]) -> None:
        try:
            sent_on = dt.date.fromisoformat(options["sent_on"])
        except ValueError:
            raise ValidationFailed(f"{options['sent_on']!r} is not a date like 2026-11-30", field="sent_on") from None
        notice = record_notice(
            actor=ACTOR,
            account=_account(options["account"]),
            channel=options["channel"],
            sent_on=sent_on,
            reference=options["reference"],
            business_date=business_date.current(),
        )
        self.stdout.write(f"notice recorded: {notice.sent_on} by {notice.channel}")

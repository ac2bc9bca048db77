"""`arrears plan quote FILE`: the schedule, totals and APR of a repayment plan, as JSON."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from arrears.cycle import business_date
from arrears.errors import ArrearsError
from arrears.plans.parse import load_json, quote_json


class Command(BaseCommand):
    help = "Repayment plans: `plan quote FILE` prints the schedule of the plan described in FILE."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        quote = sub.add_parser(
            "quote",
            help="quote a plan: FILE is JSON {balance, instalments, first_due_date, method, "
            "annual_rate, fee_rate, down_payment, business_date, pack} ('-' reads stdin)",
        )
        quote.add_argument("file")

    def handle(self, *args: Any, **options: Any) -> None:
        path = options["file"]
        try:
            text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"file: cannot read {path}: {exc}") from None
        try:
            out = quote_json(load_json(text, field="file"), default_business_date=business_date.current)
        except ArrearsError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(json.dumps(out, ensure_ascii=False, indent=2))

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from arrears.cycle.business_date import current as current_business_date
from arrears.errors import ArrearsError
from arrears.money import AmountError, format_fen, parse_amount
from arrears.payments.operations import PaymentIn, import_payments, post_payment


class Command(BaseCommand):
    help = "Post one payment (`payment post`) or a CSV file of payments (`payment import FILE`)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        post = sub.add_parser("post", help="post one payment")
        post.add_argument("--account", required=True)
        post.add_argument("--amount", required=True)
        post.add_argument("--date", help="payment date (default: the business date)")
        post.add_argument("--reference", required=True)
        post.add_argument("--business-date", help="default: the stored business date")
        imp = sub.add_parser("import", help="import a CSV file: account,amount,date,reference")
        imp.add_argument("file")
        imp.add_argument("--post-valid", action="store_true", help="post the valid rows even if some are bad")
        imp.add_argument("--business-date", help="default: the stored business date")
        for p in (post, imp):
            p.add_argument("--actor", default="cli")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            business_date = (
                dt.date.fromisoformat(options["business_date"])
                if options.get("business_date")
                else current_business_date()
            )
        except ValueError:
            raise CommandError("--business-date: use YYYY-MM-DD") from None
        if options["action"] == "post":
            self._post(options, business_date)
        else:
            self._import(options, business_date)

    def _post(self, options: dict[str, Any], business_date: dt.date) -> None:
        try:
            amount: Decimal = parse_amount(options["amount"])
            value_date = dt.date.fromisoformat(options["date"]) if options["date"] else business_date
        except AmountError as exc:
            raise CommandError(str(exc)) from None
        except ValueError:
            raise CommandError("date: use YYYY-MM-DD") from None
        try:
            payment = post_payment(
                actor=options["actor"],
                business_date=business_date,
                payment=PaymentIn(
                    account_number=options["account"],
                    amount=amount,
                    value_date=value_date,
                    reference=options["reference"],
                ),
            )
        except ArrearsError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(json.dumps({"reference": payment.reference, "amount": format_fen(payment.amount_fen)}))

    def _import(self, options: dict[str, Any], business_date: dt.date) -> None:
        path = Path(options["file"])
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"file: cannot read {path}: {exc}") from None
        try:
            report = import_payments(
                actor=options["actor"], text=text, business_date=business_date, post_valid=options["post_valid"]
            )
        except ArrearsError as exc:
            raise CommandError(str(exc)) from None
        out = {
            "posted": report.posted,
            "total": format_fen(report.total_fen),
            "errors": [{"row": e.row, "field": e.field, "code": e.code, "message": e.message} for e in report.refused],
        }
        self.stdout.write(json.dumps(out, ensure_ascii=False, indent=2))
        if report.refused and not options["post_valid"]:
            raise CommandError(f"{len(report.refused)} bad row(s): nothing posted; fix them or use --post-valid")

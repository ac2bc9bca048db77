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
    help = (
        "Post one payment (`payment post`), a CSV file of payments (`payment import FILE`), or the file payment "
        "gateway's confirmations of checkouts (`payment confirm FILE`, JSON lines)."
    )

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
        confirm = sub.add_parser(
            "confirm",
            help="the gateway's confirmations, one JSON object a line: "
            '{"ref": ..., "gateway_reference": ..., "amount_fen": ..., "succeeded": true}',
        )
        confirm.add_argument("file")
        confirm.add_argument("--business-date", help="default: the stored business date")
        confirm.add_argument("--actor", default="gateway:file")

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
        elif options["action"] == "confirm":
            self._confirm(options, business_date)
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

    def _confirm(self, options: dict[str, Any], business_date: dt.date) -> None:
        """Each line confirmed on its own (a line already confirmed changes nothing); refused lines are
        listed with their field and code, and make the exit status non-zero."""
        from arrears.payments.gateway import confirm_checkout

        path = Path(options["file"])
        try:
            lines = path.read_text(encoding="utf-8-sig").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"file: cannot read {path}: {exc}") from None
        done: list[dict[str, Any]] = []
        refused: list[dict[str, Any]] = []
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                if not isinstance(row, dict):
                    raise ValueError("not an object")
                succeeded, amount_fen = row.get("succeeded"), row.get("amount_fen")
                if not isinstance(succeeded, bool) or not isinstance(amount_fen, int) or isinstance(amount_fen, bool):
                    raise ValueError("succeeded must be true or false and amount_fen a whole number")
                checkout = confirm_checkout(
                    ref=str(row.get("ref", "")),
                    gateway_reference=str(row.get("gateway_reference", "")),
                    amount_fen=amount_fen,
                    succeeded=succeeded,
                    business_date=business_date,
                    actor=options["actor"],
                )
            except ValueError as exc:
                refused.append({"line": number, "field": None, "code": "malformed_body", "message": str(exc)})
            except ArrearsError as exc:
                refused.append({"line": number, "field": exc.field, "code": exc.code, "message": exc.message})
            else:
                done.append({"line": number, "status": checkout.status})
        self.stdout.write(json.dumps({"confirmed": done, "refused": refused}, ensure_ascii=False, indent=2))
        if refused:
            raise CommandError(f"{len(refused)} confirmation(s) refused")

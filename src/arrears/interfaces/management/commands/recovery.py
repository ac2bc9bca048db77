from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from arrears.cycle.business_date import current as current_business_date
from arrears.delinquency.chargeoff import recovery_vintages
from arrears.delinquency.sale import export_sale, plan_sale, record_consent, withdraw_consent
from arrears.errors import ArrearsError
from arrears.kernel.pan import mask_pan
from arrears.money import format_fen


class Command(BaseCommand):
    help = (
        "After charge-off: `recovery consent --customer ID --evidence TEXT` (a customer's consent to a debt "
        "sale, CN-PI-PROVIDE; --withdraw to withdraw it), `recovery export-sale --buyer B --out FILE "
        "[--accounts N ...|--vintage YYYY-MM] [--dry-run]` (only consenting customers' accounts leave; the "
        "others are listed with the reason), `recovery vintages [--json]` (recovery rate by month of charge-off)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        consent = sub.add_parser("consent", help="record (or --withdraw) a customer's consent to a debt sale")
        consent.add_argument("--customer", type=int, required=True)
        consent.add_argument("--evidence", default="")
        consent.add_argument("--withdraw", action="store_true")
        sale = sub.add_parser("export-sale", help="the file of charged-off accounts for a buyer")
        sale.add_argument("--buyer", required=True)
        sale.add_argument("--out", required=True)
        which = sale.add_mutually_exclusive_group()
        which.add_argument("--accounts", nargs="+", default=[], help="card numbers or account references")
        which.add_argument("--vintage", default="", help="every account charged off in the month YYYY-MM")
        sale.add_argument("--dry-run", action="store_true", help="list what would leave and what not; write nothing")
        vintages = sub.add_parser("vintages", help="recovery rate by month of charge-off")
        vintages.add_argument("--json", action="store_true")
        for p in (consent, sale):
            p.add_argument("--actor", default="cli")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, "_" + options["action"].replace("-", "_"))(options)
        except ArrearsError as exc:
            raise CommandError(str(exc)) from None

    def _consent(self, options: dict[str, Any]) -> None:
        today = current_business_date()
        if options["withdraw"]:
            n = withdraw_consent(actor=options["actor"], customer_id=options["customer"], on=today)
            self.stdout.write(f"customer {options['customer']}: {n} consent(s) withdrawn on {today}")
            return
        consent = record_consent(
            actor=options["actor"], customer_id=options["customer"], evidence=options["evidence"], given_on=today
        )
        self.stdout.write(f"customer {consent.customer_id}: consent {consent.pk} recorded, given on {consent.given_on}")

    def _export_sale(self, options: dict[str, Any]) -> None:
        today = current_business_date()
        if options["dry_run"]:
            plan = plan_sale(accounts=options["accounts"], vintage=options["vintage"], business_date=today)
        else:
            export, plan = export_sale(
                actor=options["actor"],
                buyer=options["buyer"],
                out=Path(options["out"]),
                business_date=today,
                accounts=options["accounts"],
                vintage=options["vintage"],
            )
        for c in plan.excluded:
            self.stderr.write(f"excluded {c.ref} {mask_pan(c.number)}: {c.reason}")
        summary = {
            "included": len(plan.included),
            "excluded": len(plan.excluded),
            "still_owed": format_fen(plan.total_fen),
        }
        if not options["dry_run"]:
            summary |= {"export": export.pk, "file": options["out"], "sha256": export.sha256}
        self.stdout.write(json.dumps(summary))

    def _vintages(self, options: dict[str, Any]) -> None:
        rows = recovery_vintages(business_date=current_business_date())
        if options["json"]:
            self.stdout.write(json.dumps([v.as_json() for v in rows], indent=2))
            return
        self.stdout.write(f"{'vintage':<8} {'accounts':>8} {'charged off':>14} {'recovered':>14} {'rate':>7}  by month")
        for v in rows:
            curve = " ".join(f"{r * 100:.1f}%" for r in v.rates)
            self.stdout.write(
                f"{v.month:%Y-%m}  {v.accounts:>8} {format_fen(v.charged_off_fen):>14} "
                f"{format_fen(v.recovered_fen):>14} {v.rate * 100:>6.2f}%  {curve}"
            )

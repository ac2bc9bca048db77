from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from arrears.ledger.queries import cache_mismatches


class Command(BaseCommand):
    help = "`ledger check`: prove every account's balance cache equals the sum of its entries."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["check"])

    def handle(self, *args: Any, **options: Any) -> None:
        mismatches = cache_mismatches()
        if mismatches:
            for m in mismatches[:50]:
                self.stderr.write(str(m))
            raise CommandError(f"{len(mismatches)} account(s) whose balance cache differs from the ledger")
        self.stdout.write("ledger check: every balance equals the sum of its entries")

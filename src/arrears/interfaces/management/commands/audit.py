from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from arrears.audit.operations import seal_pending, verify_chain


class Command(BaseCommand):
    help = "`audit seal`: chain the new audit entries; `audit verify`: seal, then check the hash chain."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify", "seal"])

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "seal":
            self.stdout.write(f"sealed {seal_pending()} audit entries into the chain")
            return
        count, broken = verify_chain()
        if broken is not None:
            raise CommandError(f"audit chain broken at entry {broken} (after {count - 1} good entries)")
        self.stdout.write(f"audit chain intact: {count} entries")

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from arrears.audit.operations import verify_chain


class Command(BaseCommand):
    help = "`audit verify`: check the audit trail's hash chain."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify"])

    def handle(self, *args: Any, **options: Any) -> None:
        count, broken = verify_chain()
        if broken is not None:
            raise CommandError(f"audit chain broken at entry {broken} (after {count - 1} good entries)")
        self.stdout.write(f"audit chain intact: {count} entries")

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from arrears.audit.operations import seal, verify


class Command(BaseCommand):
    help = (
        "`audit seal`: anchor every audit chain's head (print the anchor's MAC to keep it outside the "
        "database); `audit verify`: check every entry's MAC, every chain against its head, every anchor."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify", "seal"])
        parser.add_argument("--anchor", help="verify: the MAC of an anchor kept outside the database; it must be there")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "seal":
            anchor = seal()
            self.stdout.write(f"audit anchor {anchor.seq} over {len(anchor.heads)} chains: {anchor.mac}")
            return
        verdict = verify(anchor=options.get("anchor"))
        counts = f"{verdict.entries} entries in {verdict.chains} chains, {verdict.anchors} anchors"
        if not verdict.intact:
            for found in verdict.breaks:
                self.stderr.write(f"audit trail broken: {found}")
            more = f" (and {verdict.more_breaks} more)" if verdict.more_breaks else ""
            raise CommandError(
                f"audit trail broken in {len(verdict.breaks)} places{more}; first: {verdict.breaks[0]} ({counts})"
            )
        self.stdout.write(f"audit trail intact: {counts}")

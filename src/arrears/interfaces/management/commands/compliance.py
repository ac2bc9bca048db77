"""`arrears compliance check FILE`: the compliance gate on a JSON document, the answer as JSON on stdout.

The same parser and the same call as POST /api/v1/compliance/check (arrears.compliance.parse). A
malformed document prints nothing on stdout; the error names the field and the exit code is 1.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from arrears.compliance.parse import check_document
from arrears.errors import ArrearsError


class Command(BaseCommand):
    help = "`compliance check FILE`: may this contact be made? JSON in (FILE, or - for stdin), JSON out."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        check = sub.add_parser("check", help="check one proposed contact")
        check.add_argument("file", help="the JSON document, or - for stdin")
        check.add_argument(
            "--overrides",
            action="append",
            metavar="PACK_FILE",
            help="an overrides pack layered on the base pack (repeatable; default: settings)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        name = options["file"]
        try:
            text = sys.stdin.read() if name == "-" else Path(name).read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"file: cannot read {name}: {exc}") from None
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise CommandError(f"file: not valid JSON ({exc})") from None
        try:
            out = check_document(data, overrides=options["overrides"])
        except ArrearsError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(json.dumps(out, ensure_ascii=False))

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from arrears import scenario
from arrears.errors import ArrearsError


class Command(BaseCommand):
    help = "Scenario runner: `arrears scenario run FILE` runs a YAML scenario on a throwaway database."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["run"])
        parser.add_argument("file")
        parser.add_argument("--in-this-database", action="store_true", help=argparse.SUPPRESS)

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"file: cannot read {path}: {exc.strerror}") from None
        try:
            data = scenario.load(text)
            scenario.parse(data)
        except ArrearsError as exc:
            raise CommandError(str(exc)) from None
        if not options["in_this_database"]:
            self._run_in_throwaway_database(path)
            return
        call_command("migrate", verbosity=0, interactive=False)
        try:
            result = scenario.run(data)
        except ArrearsError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))

    def _run_in_throwaway_database(self, path: Path) -> None:
        with tempfile.TemporaryDirectory(prefix="arrears-scenario-") as tmp:
            env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp}/scenario.sqlite3"}
            done = subprocess.run(
                [sys.executable, "-m", "arrears.cli", "scenario", "run", str(path), "--in-this-database"],
                env=env,
                capture_output=True,
                text=True,
                check=False,
            )
        self.stdout.write(done.stdout, ending="")
        if done.returncode:
            raise CommandError(done.stderr.strip().splitlines()[-1] if done.stderr.strip() else "scenario failed")

"""What the PostgreSQL benchmarks of single operations share: the command line (--accounts, --smoke,
--readme, --no-readme), a database of their own, the measuring run in a child process (a fresh Django on
that database), its figures read back from a `BENCH-RESULT {json}` line, the load average, and the
benchmark's own README section. A smoke run uses `<db>_smoke_<pid>`, drops it, and writes no README
unless given --readme."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from readme import load_average, write_section

PG_SERVER = os.environ.get("BENCH_PG_SERVER", "postgres://postgres@127.0.0.1:5432")
RESULT = "BENCH-RESULT "


def arguments(doc: str | None, *, accounts: int = 100_000, smoke: int) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--accounts", type=int, default=accounts)
    parser.add_argument("--smoke", action="store_true", help=f"{smoke:,} accounts on a database of its own; no README")
    parser.add_argument("--readme", type=Path, help="write the section into this file (default benchmarks/README.md)")
    parser.add_argument("--no-readme", action="store_true")
    parser.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    parser.set_defaults(smoke_size=smoke)
    return parser


def parse(parser: argparse.ArgumentParser) -> argparse.Namespace:
    args = parser.parse_args()
    if args.smoke:
        args.accounts = args.smoke_size
    return args


def report(result: dict[str, Any]) -> None:
    """The measuring run's figures, for the parent to read."""
    print(RESULT + json.dumps(result), flush=True)


def run(
    *,
    script: str,
    section: str,
    database: str,
    args: argparse.Namespace,
    inner: Sequence[str],
    render: Callable[[dict[str, Any], str], str],
    env: dict[str, str] | None = None,
) -> None:
    """Run `script --inner *inner` on a fresh database, print what it printed, and write its section."""
    db = f"{database}_smoke_{os.getpid()}" if args.smoke else database
    psql(f"DROP DATABASE IF EXISTS {db}", f"CREATE DATABASE {db}")
    child_env = {
        **os.environ,
        "DATABASE_URL": f"{PG_SERVER}/{db}",
        "DJANGO_SETTINGS_MODULE": "arrears.settings",
        **(env or {}),
    }
    try:
        child = subprocess.run(
            [sys.executable, script, "--inner", *inner], env=child_env, check=True, stdout=subprocess.PIPE, text=True
        )
    finally:
        if args.smoke:
            psql(f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")
    result: dict[str, Any] = {}
    for line in child.stdout.splitlines():
        if line.startswith(RESULT):
            result = json.loads(line[len(RESULT) :])
        else:
            print(line)
    load = load_average()
    print(load)
    if not result or args.no_readme or (args.smoke and args.readme is None):
        return
    path = write_section(section, render(result, load), **({"path": args.readme} if args.readme else {}))
    print(f"wrote the {section} section of {path}")


def psql(*statements: str) -> None:
    for statement in statements:
        env = {**os.environ, "PGOPTIONS": "--client-min-messages=warning"}
        subprocess.run(["psql", f"{PG_SERVER}/postgres", "-qc", statement], check=True, env=env)

"""Benchmark: a dialer export of 100,000 numbers (target: under 10 s).

    .venv/bin/python benchmarks/dialer.py [--numbers 100000]
    .venv/bin/python benchmarks/dialer.py --smoke         # 500 numbers, for the test; writes no README

On PostgreSQL (database `bench_dialer` on $BENCH_PG_SERVER, postgres://postgres@127.0.0.1:5432 by
default) it builds 100,000 customers with one mobile number each and an open case, a tenth of them
with a hold or an opt-out and a few recent contacts, then times `export_csv` of the whole campaign
at 10:00 Beijing time: every number judged by the compliance gate with its allowed window. A full
run writes the `dialer` section of benchmarks/README.md. A smoke run uses a database of its own
(`bench_dialer_smoke_<pid>`) and drops it at the end.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))  # benchmarks/readme.py
from readme import load_average, write_section

PG_SERVER = os.environ.get("BENCH_PG_SERVER", "postgres://postgres@127.0.0.1:5432")
# A run on this machine signs and seals with demo mode's key (var/secret_key) unless given one.
os.environ.setdefault("ARREARS_DEMO", "1")
DB = "bench_dialer"
RESULT = "BENCH-RESULT "


def build(numbers: int) -> None:
    from django.db import connection

    with connection.cursor() as c:
        # A throwaway database: let its TRUNCATE reach the ledger's entries (arrears/audit/immutability.py).
        c.execute("SET arrears.harness_truncate = 'on'")
        c.execute(
            "TRUNCATE cases_case, ledger_customer, holds_channeloptout, contacts_contact RESTART IDENTITY CASCADE"
        )
        c.execute(
            """INSERT INTO ledger_customer (name, national_id, mobile, home_phone, work_phone, email, address, region,
                   time_zone, language, created_at)
               SELECT '客户' || i, '', '138' || lpad(i::text, 8, '0'), '', '', '', '', '', 'Asia/Shanghai',
                      'zh-hans', now() FROM generate_series(1, %s) i""",
            [numbers],
        )
        c.execute(
            """INSERT INTO cases_case (customer_id, status, opened_on, past_due_fen, balance_fen, worst_bucket, dpd,
                   priority)
               SELECT id, 'open', DATE '2026-04-24', 10000, 100000, 1 + id % 6, 10 + id % 150, id
               FROM ledger_customer"""
        )
        c.execute(
            """INSERT INTO holds_channeloptout (customer_id, channel, at, source)
               SELECT id, 'phone', now(), 'bench' FROM ledger_customer WHERE id % 10 = 0"""
        )
        c.execute(
            """INSERT INTO contacts_contact (case_id, at, channel, direction, address, party, result, disposition,
                   duration_seconds, notes, recording_ref, flagged, source)
               SELECT c.id, TIMESTAMPTZ '2026-05-02 02:00+00' + (k || ' hours')::interval, 'phone', 'outbound',
                      cu.mobile, 'none', 'no_answer', '', 0, '', '', false, 'bench'
               FROM cases_case c JOIN ledger_customer cu ON cu.id = c.customer_id, generate_series(1, 3) k
               WHERE c.id % 7 = 0"""
        )
        c.execute("ANALYZE")


def measure(numbers: int) -> None:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    build(numbers)
    built = time.perf_counter() - started
    from arrears.application.dialer import export_csv

    at = dt.datetime(2026, 5, 3, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    out = io.StringIO()
    started, cpu = time.perf_counter(), time.process_time()
    rows = export_csv(out, at=at)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    allowed = out.getvalue().count(",allowed,")
    print(f"built {numbers:,} customers/cases in {built:.1f} s")
    print(
        f"dialer export: {rows:,} numbers in {seconds:.1f} s ({rows / seconds:,.0f} numbers/s); "
        f"{allowed:,} allowed, {rows - allowed:,} blocked; CPU {cpu:.1f} s in this process; target < 10 s; "
        f"{load_average()}"
    )
    print(RESULT + json.dumps({"rows": rows, "seconds": seconds, "cpu": cpu, "allowed": allowed}), flush=True)


def _section(result: dict[str, Any], load: str) -> str:
    rows, seconds, allowed, cpu = result["rows"], result["seconds"], result["allowed"], result["cpu"]
    return f"""## Dialer export (`benchmarks/dialer.py`)

`.venv/bin/python benchmarks/dialer.py --numbers {rows}` — {rows:,} customers with an open case and a mobile
number on PostgreSQL (a tenth opted out of phone, every seventh with three unanswered calls the day
before), exported at 10:00 Beijing time: each number judged by the compliance gate, with its allowed
window. Measured {dt.date.today().isoformat()} ({load} at the end of the run). CPU s is the exporting
process's own CPU time (the database server's is apart): on a busy machine it stays what it is while
the wall clock grows.

| numbers | seconds | CPU s | numbers/s | allowed | blocked | target |
|---:|---:|---:|---:|---:|---:|---|
| {rows:,} | {seconds:.1f} | {cpu:.1f} | {rows / seconds:,.0f} | {allowed:,} | {rows - allowed:,} | < 10 s |
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--numbers", type=int, default=100_000)
    parser.add_argument("--smoke", action="store_true", help="500 numbers on a database of its own; no README")
    parser.add_argument("--readme", type=Path, help="write the section into this file (default benchmarks/README.md)")
    parser.add_argument("--no-readme", action="store_true")
    parser.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.smoke:
        args.numbers = 500
    if args.inner:
        measure(args.numbers)
        return
    db = f"{DB}_smoke_{os.getpid()}" if args.smoke else DB
    _psql(f"DROP DATABASE IF EXISTS {db}", f"CREATE DATABASE {db}")
    env = {**os.environ, "DATABASE_URL": f"{PG_SERVER}/{db}", "DJANGO_SETTINGS_MODULE": "arrears.settings"}
    try:
        child = subprocess.run(
            [sys.executable, __file__, "--inner", "--numbers", str(args.numbers)],
            env=env,
            check=True,
            stdout=subprocess.PIPE,
            text=True,
        )
    finally:
        if args.smoke:
            _psql(f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")
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
    path = write_section("dialer", _section(result, load), **({"path": args.readme} if args.readme else {}))
    print(f"wrote the dialer section of {path}")


def _psql(*statements: str) -> None:
    for statement in statements:
        env = {**os.environ, "PGOPTIONS": "--client-min-messages=warning"}
        subprocess.run(["psql", f"{PG_SERVER}/postgres", "-qc", statement], check=True, env=env)


if __name__ == "__main__":
    main()

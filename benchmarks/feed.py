"""Benchmark: the card host's feed imported (`arrears feed import`, docs/host-feed.md): a snapshot of N
accounts (default 1,000,000), then a delta of 50,000 rows.

    .venv/bin/python benchmarks/feed.py [--accounts 1000000] [--delta 50000]
    .venv/bin/python benchmarks/feed.py --smoke         # 1,000 accounts, a delta of 100; writes no README

On PostgreSQL (database `bench_feed` on $BENCH_PG_SERVER, postgres://postgres@127.0.0.1:5432 by
default). It writes, untimed, a synthetic snapshot to a temporary directory: N customers with their
contact data, N accounts (balances by component; every tenth past due, with its statement), and its
manifest; then times `import_feed` of it on an empty database (every row parsed and checked, staged by
COPY, merged set-based, 3 HOST_SYNC entries an account through the ledger door). Then a delta of the
next business date, timed the same way: nine tenths account rows (new balances and DPD), one tenth
payments. Goals: snapshot of 1,000,000 accounts under 60 s, delta of 50,000 rows under 5 s. A full run
writes the `feed` section of benchmarks/README.md.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import os
import sys
import tempfile
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))  # benchmarks/readme.py
import harness
from readme import load_average

os.environ.setdefault("ARREARS_DEMO", "1")  # the audit trail's key: demo mode's, unless one is given
DB = "bench_feed"
DAY1, DAY2 = dt.date(2026, 5, 2), dt.date(2026, 5, 3)
PRODUCT = "classic"
COLUMNS = {
    "customers.csv": ("customer_id", "name", "national_id", "language"),
    "contacts.csv": ("customer_id", "mobile", "home_phone", "work_phone", "email", "address"),
    "accounts.csv": (
        "account_id",
        "customer_id",
        "card_number",
        "product_code",
        "opened_on",
        "statement_day",
        "credit_limit",
        "status",
        "dpd",
        "principal",
        "interest",
        "fees",
    ),
    "statements.csv": ("account_id", "statement_date", "due_date", "minimum_due", "minimum_unpaid", "balance"),
    "payments.csv": ("payment_id", "account_id", "amount", "paid_on"),
}


def _yuan(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"


def _account(i: int, *, day: int) -> list[str]:
    dpd = (i % 150) + day if i % 10 == 0 else 0
    principal = 100_000 + (i % 997) * 300 - (day * 1000 if i % 10 == 0 else 0)
    return [
        f"H{i:012d}",
        f"C{i}",
        f"62{i:014d}",
        PRODUCT,
        "2024-01-01",
        str(1 + i % 28),
        "50000.00",
        "open",
        str(dpd),
        _yuan(principal),
        _yuan(2_000 + day * 10),
        _yuan(500),
    ]


def write(directory: Path, kind: str, business_date: dt.date, files: dict[str, Iterable[Sequence[str]]]) -> int:
    """Write the files and the manifest (record counts and SHA-256); the number of records written."""
    directory.mkdir(parents=True)
    listed: dict[str, dict[str, Any]] = {}
    for name, rows in files.items():
        path = directory / name
        count = 0
        with path.open("w", encoding="utf-8", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(COLUMNS[name])
            for row in rows:
                writer.writerow(row)
                count += 1
        listed[name] = {"records": count, "sha256": hashlib.sha256(path.read_bytes()).hexdigest()}
    manifest = {
        "format": "arrears-host-feed",
        "version": 1,
        "kind": kind,
        "business_date": business_date.isoformat(),
        "files": listed,
    }
    (directory / "manifest.json").write_text(json.dumps(manifest, indent=1))
    return sum(entry["records"] for entry in listed.values())


def snapshot(directory: Path, accounts: int) -> int:
    ids = range(1, accounts + 1)
    return write(
        directory,
        "snapshot",
        DAY1,
        {
            "customers.csv": ([f"C{i}", f"客户{i}", "", "zh-hans"] for i in ids),
            "contacts.csv": ([f"C{i}", f"138{i:08d}", "", "", "", ""] for i in ids),
            "accounts.csv": (_account(i, day=0) for i in ids),
            "statements.csv": (
                [f"H{i:012d}", "2026-04-05", "2026-04-23", "120.00", "120.00", "1200.00"] for i in ids if i % 10 == 0
            ),
        },
    )


def delta(directory: Path, accounts: int, rows: int) -> int:
    changed = rows - rows // 10
    step = max(accounts // changed, 1)
    return write(
        directory,
        "delta",
        DAY2,
        {
            "accounts.csv": (_account(1 + k * step, day=1) for k in range(min(changed, accounts))),
            "payments.csv": ([f"P{i}", f"H{i:012d}", "10.00", DAY2.isoformat()] for i in range(1, rows // 10 + 1)),
        },
    )


class Steps:
    """The time each step of an import took (its progress calls), to say where the time goes."""

    def __init__(self) -> None:
        self.marks: list[tuple[str, float]] = [("start", time.perf_counter())]

    def __call__(self, step: str) -> None:
        self.marks.append((step, time.perf_counter()))

    def spent(self) -> str:
        pairs = zip(self.marks, self.marks[1:], strict=False)
        return ", ".join(f"{name} {later - at:.1f} s" for (name, at), (_, later) in pairs if name != "start")


def measure(accounts: int, delta_rows: int) -> None:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from django.db import connection

    from arrears.hostfeed.operations import import_feed
    from arrears.ledger.models import Account, Entry
    from arrears.ledger.queries import cache_mismatches
    from arrears.products.models import Product, ProductVersion

    product = Product.objects.create(code=PRODUCT, name="Classic")
    ProductVersion.objects.create(product=product, effective_from=dt.date(2020, 1, 1), parameters={})
    with tempfile.TemporaryDirectory(prefix="bench-feed-") as tmp:
        started = time.perf_counter()
        records = snapshot(Path(tmp) / "d1", accounts)
        delta_records = delta(Path(tmp) / "d2", accounts, delta_rows)
        print(
            f"wrote the snapshot ({records:,} records) and the delta ({delta_records:,}) in "
            f"{time.perf_counter() - started:.1f} s"
        )
        started = time.perf_counter()
        first_steps = Steps()
        first = import_feed(Path(tmp) / "d1", actor="bench", progress=first_steps)
        first_steps("end")
        snapshot_seconds = time.perf_counter() - started
        with connection.cursor() as c:
            c.execute("ANALYZE")
        started = time.perf_counter()
        second_steps = Steps()
        second = import_feed(Path(tmp) / "d2", actor="bench", progress=second_steps)
        second_steps("end")
        delta_seconds = time.perf_counter() - started
    assert Account.objects.count() == accounts, Account.objects.count()
    entries = Entry.objects.count()
    mismatches = len(cache_mismatches())
    assert mismatches == 0, mismatches
    print(
        f"snapshot: {accounts:,} accounts ({records:,} records) in {snapshot_seconds:.1f} s "
        f"({accounts / snapshot_seconds:,.0f} accounts/s); goal < 60 s at 1,000,000"
    )
    print(f"  snapshot steps: {first_steps.spent()}")
    print(f"  {first.counts}")
    print(
        f"delta: {delta_records:,} rows in {delta_seconds:.2f} s ({delta_records / delta_seconds:,.0f} rows/s); "
        f"goal < 5 s at 50,000"
    )
    print(f"  delta steps: {second_steps.spent()}")
    print(f"  {second.counts}")
    print(f"{entries:,} ledger entries; ledger check: cache = sum of entries; {load_average()}")
    harness.report(
        {
            "accounts": accounts,
            "records": records,
            "snapshot": snapshot_seconds,
            "delta_rows": delta_records,
            "delta": delta_seconds,
            "entries": entries,
        }
    )


def _section(result: dict[str, Any], load: str) -> str:
    n, rows = result["accounts"], result["delta_rows"]
    return f"""## Card host feed import (`benchmarks/feed.py`)

`.venv/bin/python benchmarks/feed.py --accounts {n}` — on PostgreSQL, a snapshot of {n:,} accounts
({result["records"]:,} records: customers, contact data, accounts, a statement for every tenth) into an
empty database, then a delta of {rows:,} rows (nine tenths accounts, one tenth payments): each file
checksummed and counted, every row parsed and checked, staged by COPY, merged set-based, the balances
synced through the ledger door ({result["entries"]:,} HOST_SYNC entries). Measured
{dt.date.today().isoformat()} ({load} at the end of the run):

| feed | rows | seconds | rows/s | goal |
|---|---:|---:|---:|---|
| snapshot | {n:,} accounts | {result["snapshot"]:.1f} | {n / result["snapshot"]:,.0f} | < 60 s at 1,000,000 |
| delta | {rows:,} | {result["delta"]:.2f} | {rows / result["delta"]:,.0f} | < 5 s at 50,000 |
"""


def main() -> None:
    parser = harness.arguments(__doc__, accounts=1_000_000, smoke=1000)
    parser.add_argument("--delta", type=int, default=50_000)
    args = harness.parse(parser)
    if args.smoke:
        args.delta = 100
    if args.inner:
        measure(args.accounts, args.delta)
        return
    harness.run(
        script=__file__,
        section="feed",
        database=DB,
        args=args,
        inner=["--accounts", str(args.accounts), "--delta", str(args.delta)],
        render=_section,
    )


if __name__ == "__main__":
    main()

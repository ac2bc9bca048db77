"""Benchmark: place N delinquent accounts with the agencies, recall them all at expiry, place them again.

    .venv/bin/python benchmarks/agencies.py [--accounts 100000]
    .venv/bin/python benchmarks/agencies.py --smoke         # 1,000 accounts, for the test; writes no README

On PostgreSQL (database `bench_agencies` on $BENCH_PG_SERVER, postgres://postgres@127.0.0.1:5432 by
default) it builds N customers with one delinquent card account each (M1-M6) and an open case, and three
agencies (weights 2, 1, 1) with an entrustment in force; then times:

- `place_many` of every account (the stable weighted hash, set-based, audited);
- the cycle's `recall_placements` over the whole range on the expiry date (every placement recalled);
- `place_many` again: every account goes to another agency than its last.

A full run writes the `agencies` section of benchmarks/README.md. A smoke run uses a database of its
own (`bench_agencies_smoke_<pid>`) and drops it at the end.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))  # benchmarks/readme.py
import harness
from portfolio import insert_select
from readme import load_average

os.environ.setdefault("ARREARS_DEMO", "1")  # the audit trail's key: demo mode's, unless one is given
DB = "bench_agencies"
PLACED_ON = dt.date(2026, 5, 3)
DAYS = 30


def build(accounts: int) -> None:
    from django.db import connection
    from django.utils import timezone

    from arrears.agencies.operations import add_entrustment, create_agency
    from arrears.products.models import Product

    product = Product.objects.create(code="classic", name="Classic")
    now = timezone.now()
    with connection.cursor() as c:
        for sql in (
            f"""INSERT INTO ledger_customer (id, name, national_id, mobile, home_phone, work_phone, email, address,
                    region, time_zone, language, created_at)
                SELECT i, '客户' || i, '', '138' || lpad(i::text, 8, '0'), '', '', '', '', '', 'Asia/Shanghai',
                       'zh-hans', now() FROM generate_series(1, {accounts}) i""",
            f"""INSERT INTO ledger_account (id, ref, number, customer_id, product_id, opened_on, statement_day,
                    credit_limit_fen, status, principal_fen, interest_fen, fees_fen, plan_fen, dpd, bucket,
                    charged_off_fen, recovered_fen)
                SELECT i, 'AC' || lpad(i::text, 12, '0'), '62' || lpad(i::text, 14, '0'), i, {product.pk},
                       DATE '2024-01-01', 1 + i % 28, 5000000, 'open', 100000 + (i % 997) * 300, 2000, 500, 0,
                       1 + (i % 6) * 30, 1 + i % 6, 0, 0
                FROM generate_series(1, {accounts}) i""",
            f"""INSERT INTO cases_case (customer_id, status, opened_on, past_due_fen, balance_fen, worst_bucket, dpd,
                    priority)
                SELECT i, 'open', DATE '2026-04-01', 10000, 100000, 1 + i % 6, 1 + (i % 6) * 30, i
                FROM generate_series(1, {accounts}) i""",
        ):
            insert_select(c, sql, None, now)
        c.execute("ANALYZE")
    for code, weight in (("alpha", 2), ("beta", 1), ("gamma", 1)):
        agency = create_agency(actor="bench", code=code, name=code, weight=weight)
        add_entrustment(
            actor="bench",
            agency=agency,
            purpose="collection",
            data_types=["name", "mobile", "balance"],
            starts_on=dt.date(2026, 1, 1),
            ends_on=dt.date(2026, 12, 31),
            deletion_duty="delete within 30 days of the end",
        )


def measure(accounts: int) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import transaction

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    build(accounts)
    built = time.perf_counter() - started
    from arrears.agencies.models import Placement
    from arrears.agencies.operations import place_many, recall_placements

    ids = list(range(1, accounts + 1))
    started = time.perf_counter()
    with transaction.atomic():
        first = place_many(ids, business_date=PLACED_ON, by="bench", days=DAYS)
    placing = time.perf_counter() - started
    shares = {code: sum(1 for p in first if p.agency == code) for code in ("alpha", "beta", "gamma")}
    expiry = PLACED_ON + dt.timedelta(days=DAYS)
    started = time.perf_counter()
    with transaction.atomic():
        recalled = recall_placements(expiry, 1, accounts + 1)
    recalling = time.perf_counter() - started
    started = time.perf_counter()
    with transaction.atomic():
        again = place_many(ids, business_date=expiry, by="bench", days=DAYS)
    replacing = time.perf_counter() - started
    before = {p.account_id: p.agency for p in first}
    moved = sum(1 for p in again if p.agency != before[p.account_id])
    assert len(first) == recalled == len(again) == accounts, (len(first), recalled, len(again))
    assert moved == accounts and Placement.objects.count() == 2 * accounts
    print(f"built {accounts:,} delinquent accounts with open cases in {built:.1f} s")
    print(
        f"agencies: placed {len(first):,} in {placing:.1f} s, recalled {recalled:,} at expiry in {recalling:.1f} s, "
        f"placed again (all elsewhere) in {replacing:.1f} s; shares {shares}; {load_average()}"
    )
    result = {
        "accounts": accounts,
        "place": placing,
        "recall": recalling,
        "replace": replacing,
        "shares": shares,
    }
    harness.report(result)


def _section(result: dict[str, Any], load: str) -> str:
    n = result["accounts"]
    shares = ", ".join(f"{code} {count:,}" for code, count in result["shares"].items())
    rows = "\n".join(
        f"| {what} | {n:,} | {result[key]:.1f} | {n / result[key]:,.0f} |"
        for what, key in (
            ("place_many (first placement)", "place"),
            ("recall_placements (all at expiry)", "recall"),
            ("place_many (re-placement elsewhere)", "replace"),
        )
    )
    return f"""## Agencies (`benchmarks/agencies.py`)

`.venv/bin/python benchmarks/agencies.py --accounts {n}` — {n:,} delinquent accounts (M1–M6), each
with an open case, on PostgreSQL, placed with three agencies of weights 2, 1, 1 (by the stable
hash: {shares}), all recalled by the cycle's step on their expiry date, and placed again, each with
another agency than its last. Each operation in one transaction, audited (one entry per account).
Measured {dt.date.today().isoformat()} ({load} at the end of the run):

| operation | accounts | seconds | accounts/s |
|---|---:|---:|---:|
{rows}
"""


def main() -> None:
    args = harness.parse(harness.arguments(__doc__, smoke=1000))
    if args.inner:
        measure(args.accounts)
        return
    harness.run(
        script=__file__,
        section="agencies",
        database=DB,
        args=args,
        inner=["--accounts", str(args.accounts)],
        render=_section,
    )


if __name__ == "__main__":
    main()

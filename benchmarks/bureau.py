"""Benchmark: the monthly credit report step and both bureau files over N accounts.

    .venv/bin/python benchmarks/bureau.py [--accounts 100000]
    .venv/bin/python benchmarks/bureau.py --smoke        # 500 accounts, for the test; writes no README

On PostgreSQL (database `bench_bureau` on $BENCH_PG_SERVER, postgres://postgres@127.0.0.1:5432 by
default) it builds N accounts in SQL, each with the statements of 09-05 and 10-05: a quarter with
both minimums unpaid, a quarter with the last one unpaid, a quarter paid, a quarter charged off; every
account with a notice sent. Then it times `report_month` for October (no earlier record) and November
(last month's record carried), and the PBOC and Metro 2 files of November (built and validated, not
written). A full run writes the `bureau` section of benchmarks/README.md. A smoke run uses a database
of its own (`bench_bureau_smoke_<pid>`) and drops it at the end.
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

os.environ.setdefault("ARREARS_DEMO", "1")
DB = "bench_bureau"


def build(accounts: int) -> None:
    from django.db import connection

    from arrears.products.models import Product, ProductVersion

    product = Product.objects.create(code="bench", name="bench")
    ProductVersion.objects.create(product=product, effective_from=dt.date(2020, 1, 1), parameters={})
    with connection.cursor() as c:
        c.execute(
            """INSERT INTO ledger_customer (name, national_id, mobile, home_phone, work_phone, email, address, region,
                   time_zone, language, created_at)
               SELECT 'John Smith' || i, '11010519491231002X', '212' || lpad(i::text, 7, '0'), '', '', '',
                      i || ' Main St', '', 'Asia/Shanghai', 'en', now() FROM generate_series(1, %s) i""",
            [accounts],
        )
        c.execute(
            """INSERT INTO ledger_account (number, ref, customer_id, product_id, opened_on, statement_day,
                   credit_limit_fen, status, principal_fen, interest_fen, fees_fen, plan_fen, dpd, bucket,
                   last_statement_date, charged_off_on, charged_off_fen, recovered_fen)
               SELECT '62' || lpad(id::text, 14, '0'), 'AC' || lpad(id::text, 12, '0'), id, %s, DATE '2026-03-01', 5,
                      5000000, CASE WHEN id %% 4 = 3 THEN 'charged_off' ELSE 'open' END,
                      CASE WHEN id %% 4 = 3 THEN 0 ELSE 100000 END, 0, 0, 0, 0, 0, DATE '2026-10-05',
                      CASE WHEN id %% 4 = 3 THEN DATE '2026-10-20' END,
                      CASE WHEN id %% 4 = 3 THEN 100000 ELSE 0 END, 0
               FROM ledger_customer""",
            [product.pk],
        )
        c.execute(
            """INSERT INTO statements_statement (account_id, statement_date, period_start, due_date, principal_fen,
                   interest_fen, fees_fen, new_balance_fen, interest_charged_fen, fees_charged_fen, payments_fen,
                   past_due_fen, minimum_payment_fen, minimum_due_fen, minimum_unpaid_fen, revolving, explanation)
               SELECT a.id, s.d, s.d - 30, s.d + 18, 100000, 0, 0, 100000, 0, 0, 0, 0, 10000, 10000,
                      CASE WHEN a.id % 4 = 0 OR a.id % 4 = 3 OR (a.id % 4 = 1 AND s.d = DATE '2026-10-05')
                           THEN 10000 ELSE 0 END, false, '{}'
               FROM ledger_account a, (VALUES (DATE '2026-09-05'), (DATE '2026-10-05')) s(d)"""
        )
        c.execute(
            """INSERT INTO bureau_creditnotice (account_id, sent_on, channel, reference, recorded_by)
               SELECT id, DATE '2026-09-01', 'letter', '', 'bench' FROM ledger_account"""
        )
        c.execute("ANALYZE")


def _timed(what: Any) -> tuple[Any, float]:
    started = time.perf_counter()
    out = what()
    return out, time.perf_counter() - started


def measure(accounts: int) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    _, built = _timed(lambda: build(accounts))
    from arrears.bureau.cycle import report_month
    from arrears.bureau.export import build as build_file

    october, t_october = _timed(lambda: report_month(dt.date(2026, 10, 1)))
    november, t_november = _timed(lambda: report_month(dt.date(2026, 11, 1)))
    pboc, t_pboc = _timed(lambda: build_file(dt.date(2026, 11, 1), "pboc"))
    with connection.cursor() as c:
        c.execute("UPDATE ledger_customer SET national_id = lpad(id::text, 9, '0')")
    metro2, t_metro2 = _timed(lambda: build_file(dt.date(2026, 11, 1), "metro2"))
    assert not pboc.problems and not metro2.problems, (pboc.problems[:3], metro2.problems[:3])
    print(f"built {accounts:,} accounts with two statements each in {built:.1f} s")
    print(f"report October: {october:,} records in {t_october:.1f} s; November: {november:,} in {t_november:.1f} s")
    print(f"PBOC file: {pboc.records:,} records, {len(pboc.text):,} characters in {t_pboc:.1f} s")
    print(f"Metro 2 file: {metro2.records:,} records, {len(metro2.text):,} bytes in {t_metro2:.1f} s")
    harness.report(
        {
            "accounts": accounts,
            "october": t_october,
            "november": t_november,
            "pboc": t_pboc,
            "metro2": t_metro2,
            "records": metro2.records,
        }
    )


def _section(r: dict[str, Any], load: str) -> str:
    n = r["accounts"]
    rows = [
        ("report step, first month (no earlier record)", r["october"]),
        ("report step, next month (last month's record carried)", r["november"]),
        ("PBOC file, built and validated", r["pboc"]),
        ("Metro 2 file (426-byte records), built and validated", r["metro2"]),
    ]
    table = "\n".join(f"| {what} | {n:,} | {s:.1f} | {n / s:,.0f} |" for what, s in rows)
    return f"""## Credit reporting (`benchmarks/bureau.py`)

`.venv/bin/python benchmarks/bureau.py --accounts {n}` — {n:,} card accounts on PostgreSQL, each with two
statements (a quarter two minimums unpaid, a quarter one, a quarter paid, a quarter charged off) and a
notice sent. The report step is `bureau.cycle.report_month` over all accounts in one process (one
facts query and one upsert per 5,000 accounts); the files are built from the month's records and
validated, not written. Measured {dt.date.today().isoformat()} ({load} at the end of the run):

| what | accounts | seconds | accounts/s |
|---|---:|---:|---:|
{table}
"""


def main() -> None:
    args = harness.parse(harness.arguments(__doc__, smoke=500))
    if args.inner:
        measure(args.accounts)
        return
    harness.run(
        script=__file__,
        section="bureau",
        database=DB,
        args=args,
        inner=["--accounts", str(args.accounts)],
        render=_section,
    )


if __name__ == "__main__":
    main()

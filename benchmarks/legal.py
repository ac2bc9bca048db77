"""Benchmark: referring 100,000 charged-off accounts to law at once (`refer_many`, set-based).

    .venv/bin/python benchmarks/legal.py [--accounts 100000]
    .venv/bin/python benchmarks/legal.py --smoke         # 300 accounts, for the test; writes no README

On PostgreSQL (database `bench_legal` on $BENCH_PG_SERVER, postgres://postgres@127.0.0.1:5432 by
default) it builds the accounts charged off at DPD 180 on 2026-10-20 (every tenth with a payment in
2022, so its debt is time-barred by the referral date and refused), then times one
`arrears.legal.operations.refer_many` of all of them on 2026-11-02: the cases, their referral stages,
their attorney holds and the audit entries, with the number of SQL statements. It then times the
gate's load of the legal stages reached (`reached_stages`) for every customer. A full run writes the
`legal` section of benchmarks/README.md. A smoke run uses a database of its own
(`bench_legal_smoke_<pid>`) and drops it at the end.
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
from readme import load_average

os.environ.setdefault("ARREARS_DEMO", "1")  # the audit trail's MAC key: demo mode's on this machine
DB = "bench_legal"


def build(accounts: int) -> None:
    from django.db import connection

    from arrears.products.models import Product, ProductVersion

    product = Product.objects.create(code="bench", name="Bench card")
    ProductVersion.objects.create(product=product, effective_from=dt.date(2020, 1, 1), parameters={})
    with connection.cursor() as c:
        c.execute(
            """INSERT INTO ledger_customer (name, national_id, mobile, home_phone, work_phone, email, address, region,
                   time_zone, language, created_at)
               SELECT '客户' || i, '', '138' || lpad(i::text, 8, '0'), '', '', '', '', '', 'Asia/Shanghai',
                      'zh-hans', now() FROM generate_series(1, %s) i""",
            [accounts],
        )
        c.execute(
            """INSERT INTO ledger_account (number, ref, customer_id, product_id, opened_on, statement_day,
                   credit_limit_fen, status, principal_fen, interest_fen, fees_fen, plan_fen, costs_fen, dpd, bucket,
                   charged_off_on, charged_off_fen, recovered_fen)
               SELECT '62' || lpad(id::text, 14, '0'), 'BL' || lpad(id::text, 12, '0'), id, %s, DATE '2020-01-01', 5,
                      1000000, 'charged_off', 0, 0, 0, 0, 0, 180, 7, DATE '2026-10-20', 100000 + id %% 5000, 0
               FROM ledger_customer""",
            [product.pk],
        )
        c.execute(
            """INSERT INTO payments_payment (reference, account_id, amount_fen, value_date, posting_date, source,
                   created_at)
               SELECT 'bench-' || id, id, 100, DATE '2022-01-10', DATE '2022-01-10', 'bench', now()
               FROM ledger_account WHERE id % 10 = 0"""
        )
        # A payment in 2022 and a default later: the old accounts' default is set back so that they are barred.
        c.execute("UPDATE ledger_account SET charged_off_on = DATE '2023-01-01' WHERE id % 10 = 0")
        c.execute("ANALYZE")


def measure(accounts: int) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    build(accounts)
    built = time.perf_counter() - started
    from arrears.ledger.models import Account
    from arrears.legal.operations import reached_stages, refer_many
    from arrears.people.models import Role
    from arrears.people.operations import create_staff

    officer = create_staff(
        actor="bench", username="bench-legal", password="a-long-bench-password-1", role=Role.LEGAL_OFFICER
    )
    ids = list(Account.objects.values_list("id", flat=True))
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        result = refer_many(ids, dt.date(2026, 11, 2), officer)
        seconds = time.perf_counter() - started
    started = time.perf_counter()
    stages = reached_stages(Account.objects.values("customer_id"))
    gate_seconds = time.perf_counter() - started
    referred, refused = len(result.cases), len(result.refused)
    print(f"built {accounts:,} charged-off accounts in {built:.1f} s")
    print(
        f"refer_many: {accounts:,} accounts in {seconds:.1f} s ({accounts / seconds:,.0f} accounts/s), "
        f"{len(queries.captured_queries)} SQL statements; {referred:,} referred, {refused:,} refused as time-barred; "
        f"stages reached for {len(stages):,} customers in {gate_seconds:.2f} s; {load_average()}"
    )
    harness.report(
        {
            "accounts": accounts,
            "seconds": seconds,
            "queries": len(queries.captured_queries),
            "referred": referred,
            "refused": refused,
            "gate_seconds": gate_seconds,
        }
    )


def _section(r: dict[str, Any], load: str) -> str:
    row = " | ".join(
        [
            f"{r['accounts']:,}",
            f"{r['seconds']:.1f}",
            f"{r['accounts'] / r['seconds']:,.0f}",
            f"{r['queries']:,}",
            f"{r['referred']:,}",
            f"{r['refused']:,}",
            f"{r['gate_seconds']:.2f} s",
        ]
    )
    return f"""## Legal referrals (`benchmarks/legal.py`)

`.venv/bin/python benchmarks/legal.py --accounts {r["accounts"]}` — {r["accounts"]:,} charged-off accounts on
PostgreSQL referred to law in one `refer_many` call (cases, referral stages, attorney holds, audit
entries; every tenth account time-barred by an old payment and refused), then the gate's load of the
legal stages reached for every customer. Measured {dt.date.today().isoformat()} ({load} at the end of the run):

| accounts | seconds | accounts/s | SQL statements | referred | refused (time-barred) | stages reached load |
|---:|---:|---:|---:|---:|---:|---:|
| {row} |
"""


def main() -> None:
    args = harness.parse(harness.arguments(__doc__, smoke=300))
    if args.inner:
        measure(args.accounts)
        return
    harness.run(
        script=__file__,
        section="legal",
        database=DB,
        args=args,
        inner=["--accounts", str(args.accounts)],
        render=_section,
    )


if __name__ == "__main__":
    main()

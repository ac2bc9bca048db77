"""Benchmark: after charge-off over N charged-off accounts: the positions, the vintages, a sale export.

    .venv/bin/python benchmarks/recovery.py [--accounts 100000]
    .venv/bin/python benchmarks/recovery.py --smoke         # 500 accounts, for the test; writes no README

On PostgreSQL (database `bench_recovery` on $BENCH_PG_SERVER, postgres://postgres@127.0.0.1:5432 by
default) it builds N customers with one charged-off account each, charged off over twelve months
(principal, interest and fees, one CHARGE_OFF entry each, as the cycle posts them), two recoveries on
two accounts in three, and the consent to a sale for every other customer; then times

- `charged_off_positions` over every charged-off account (one grouped query);
- `recovery_vintages` on the business date (two grouped queries);
- `export_sale` of every charged-off account (half of them consented: the rest excluded with the reason).

A full run writes the `recovery` section of benchmarks/README.md. A smoke run uses a database of its own
(`bench_recovery_smoke_<pid>`) and drops it at the end.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))  # benchmarks/readme.py
import harness
from readme import load_average

os.environ.setdefault("ARREARS_DEMO", "1")
DB = "bench_recovery"
BUSINESS_DATE = dt.date(2026, 12, 31)


def build(accounts: int) -> None:
    from django.db import connection

    from arrears.products.models import Product, ProductVersion

    product = Product.objects.create(code="bench", name="Bench card")
    ProductVersion.objects.create(product=product, effective_from=dt.date(2020, 1, 1), parameters={})
    with connection.cursor() as c:
        c.execute(
            """INSERT INTO ledger_customer (name, national_id, mobile, home_phone, work_phone, email, address, region,
                   time_zone, language, created_at)
               SELECT '客户' || i, '11010119900101' || lpad((i %% 10000)::text, 4, '0'), '138' || lpad(i::text, 8, '0'),
                      '', '', '', '北京市' || i || '号', '', 'Asia/Shanghai', 'zh-hans', now()
               FROM generate_series(1, %s) i""",
            [accounts],
        )
        # Charged off on a day of the twelve months of 2026: principal 1,000-10,000, interest, fees.
        c.execute(
            """INSERT INTO ledger_account (number, ref, customer_id, product_id, opened_on, statement_day,
                   credit_limit_fen, status, principal_fen, interest_fen, fees_fen, plan_fen, dpd, bucket,
                   charged_off_on, charged_off_fen, recovered_fen)
               SELECT '62' || lpad(id::text, 14, '0'), 'AC' || lpad(id::text, 12, '0'), id, %s, DATE '2025-01-01',
                      5, 5000000, 'charged_off', 0, 0, 0, 0, 180, 7,
                      DATE '2026-01-01' + ((id %% 12) * 30 + id %% 28)::int, 0, 0
               FROM ledger_customer""",
            [product.pk],
        )
        c.execute(
            """INSERT INTO ledger_entry (account_id, kind, component, amount_fen, posting_date, value_date, reference,
                   description, created_at)
               SELECT a.id, 'charge_off', x.component, -x.amount, a.charged_off_on, a.charged_off_on,
                      'charge_off:' || a.charged_off_on, 'charge-off', now()
               FROM ledger_account a, LATERAL (VALUES ('principal', 100000 + (a.id * 7919) % 900000),
                                                    ('interest', 2000 + (a.id * 31) % 30000),
                                                    ('fees', 500 + (a.id * 17) % 5000)) x(component, amount)"""
        )
        c.execute(
            """INSERT INTO ledger_entry (account_id, kind, component, amount_fen, posting_date, value_date, reference,
                   description, created_at)
               SELECT a.id, 'recovery', 'recovery', -(2000 + (a.id * k * 13) % 50000),
                      LEAST(a.charged_off_on + k * 40, DATE '2026-12-31'), LEAST(a.charged_off_on + k * 40,
                      DATE '2026-12-31'), 'bench-r' || a.id || '-' || k, '', now()
               FROM ledger_account a, generate_series(1, 2) k WHERE a.id % 3 <> 0"""
        )
        c.execute(
            """UPDATE ledger_account a SET charged_off_fen = s.co, recovered_fen = s.rec FROM (
                   SELECT account_id, -SUM(amount_fen) FILTER (WHERE kind = 'charge_off') AS co,
                          COALESCE(-SUM(amount_fen) FILTER (WHERE component = 'recovery'), 0) AS rec
                   FROM ledger_entry GROUP BY account_id) s WHERE s.account_id = a.id"""
        )
        c.execute(
            """INSERT INTO delinquency_saleconsent (customer_id, given_on, evidence, recorded_by, created_at)
               SELECT id, DATE '2026-06-01', 'signed form', 'bench', now() FROM ledger_customer WHERE id % 2 = 0"""
        )
        c.execute("ANALYZE")


def measure(accounts: int) -> None:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    build(accounts)
    built = time.perf_counter() - started
    from arrears.delinquency.chargeoff import charged_off_positions, recovery_vintages
    from arrears.delinquency.sale import export_sale
    from arrears.ledger.models import Account, AccountStatus

    timings: dict[str, float] = {}
    started = time.perf_counter()
    positions = charged_off_positions(Account.objects.filter(status=AccountStatus.CHARGED_OFF))
    timings["positions"] = time.perf_counter() - started
    started = time.perf_counter()
    vintages = recovery_vintages(business_date=BUSINESS_DATE)
    timings["vintages"] = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        export, _ = export_sale(
            actor="bench", buyer="Bench AMC", out=Path(tmp) / "sale.csv", business_date=BUSINESS_DATE
        )
        timings["sale export"] = time.perf_counter() - started
    charged = sum(p.charged_off_fen for p in positions.values())
    recovered = sum(p.recovered_fen for p in positions.values())
    print(f"built {accounts:,} charged-off accounts in {built:.1f} s")
    for name, seconds in timings.items():
        print(f"{name}: {seconds:.2f} s ({accounts / seconds:,.0f} accounts/s)")
    print(
        f"positions {len(positions):,}; {len(vintages)} vintages; charged off {charged / 100:,.2f}, recovered "
        f"{recovered / 100:,.2f}; sale: {export.included:,} included, {export.excluded:,} excluded; {load_average()}"
    )
    result = {"accounts": accounts, "timings": timings, "included": export.included, "excluded": export.excluded}
    harness.report(result)


def _section(result: dict[str, Any], load: str) -> str:
    n, t = result["accounts"], result["timings"]
    rows = "\n".join(f"| {name} | {n:,} | {seconds:.2f} | {n / seconds:,.0f} |" for name, seconds in t.items())
    return f"""## After charge-off (`benchmarks/recovery.py`)

`.venv/bin/python benchmarks/recovery.py --accounts {n}` — {n:,} charged-off accounts on PostgreSQL, charged
off over twelve months (one CHARGE_OFF entry per component), two recoveries on two accounts in three, the
consent to a sale for every other customer. The positions of every charged-off account, the recovery
rate by vintage, and a sale export of every charged-off account ({result["included"]:,} included,
{result["excluded"]:,} excluded for want of consent). Measured {dt.date.today().isoformat()} ({load} at the end
of the run):

| step | accounts | seconds | accounts/s |
|---|---:|---:|---:|
{rows}
"""


def main() -> None:
    args = harness.parse(harness.arguments(__doc__, smoke=500))
    if args.inner:
        measure(args.accounts)
        return
    harness.run(
        script=__file__,
        section="recovery",
        database=DB,
        args=args,
        inner=["--accounts", str(args.accounts)],
        render=_section,
    )


if __name__ == "__main__":
    main()

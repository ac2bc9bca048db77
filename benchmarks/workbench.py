"""Benchmark of the collector workbench: next account and the customer 360 page under 200 collectors.

    .venv/bin/python benchmarks/workbench.py                  # build if needed, then measure
    .venv/bin/python benchmarks/workbench.py --rebuild --seconds 90 --think 1.0
    .venv/bin/python benchmarks/workbench.py --smoke          # a tiny portfolio, for the test

On PostgreSQL (database `bench_workbench` on $BENCH_PG_SERVER, postgres://postgres@127.0.0.1:5432 by
default) it builds, with one INSERT … SELECT generate_series per table, a portfolio of 1,000,000
card accounts of 800,000 customers with 50,000 open cases: statements (2 per account, 12 for the
accounts of a case), ledger entries, bucket history, and per case 3-10 contacts, 1-3 promises, notes,
financial situations, hand-offs and status history; 200 collectors in 20 teams with a queue each, the
cases allocated to them (5 % left to the team's pool). The build is skipped when the database
already holds it (--rebuild forces it).

Then 200 collectors work at once, each in a loop: POST /api/v1/workbench/next, GET /cases/<id>/
(the 360 page), POST /api/v1/cases/<id>/contacts (the outcome, which ends the lease), at 10:00 bank
time on the latest weekday (arrears.kernel.clock.now is shifted: calling hours), with a think
time between actions (uniform in [0.5, 1.5] × --think seconds). The requests go through Django's
test Client, logged in with a session, in-process. Concurrency model: --processes processes (4 by
default: the machine has 2 cores and Python holds a GIL per process), each with 200/processes
collector threads and a pool of --server-threads request threads (12 by default) that play the app
server's workers, each with its own persistent database connection (CONN_MAX_AGE); a request's
latency is measured from the collector's click, so time waiting for a free worker counts. 200 direct
connections would exceed PostgreSQL's max_connections of 100, as they would in production, where a
fixed pool of app-server workers serves the collectors.

With --saturate the collectors do not think: the latency is then that of a saturated 2-core machine.

A run writes the `workbench` section of benchmarks/README.md (not with --no-readme; with --readme PATH
into that file instead). --smoke builds 2,000 accounts, 100 cases and 4 collectors in 2 teams on a
database of its own (`bench_workbench_smoke_<pid>`), works them for 1 s in 1 process, drops the
database and writes no README unless given --readme PATH.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import datetime as dt
import functools
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))  # benchmarks/readme.py
from portfolio import insert_select
from readme import load_average, write_section

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PG_SERVER = os.environ.get("BENCH_PG_SERVER", "postgres://postgres@127.0.0.1:5432")
PG_NAME = "bench_workbench"
RESULT = "BENCH-RESULT "

ACCOUNTS = 1_000_000
CUSTOMERS = 800_000
CASE_EVERY = 16  # every 16th customer is delinquent: 50,000 cases
TEAMS = 20
PER_TEAM = 10  # collectors a team: 200 in all
PREFIX = "bw_"


def _shift_clock() -> dt.datetime:
    """The run happens at 10:00 bank time on the latest weekday, inside calling hours, whenever it is run."""
    from zoneinfo import ZoneInfo

    bank = ZoneInfo("Asia/Shanghai")
    day = dt.datetime.now(bank).date()
    while day.weekday() >= 5:
        day -= dt.timedelta(days=1)
    return dt.datetime.combine(day, dt.time(10), tzinfo=bank).astimezone(dt.UTC)


def _use_shift_clock() -> None:
    """clock.now() reads the shift's clock, advancing with real time (the only clock the code reads)."""
    from arrears.kernel import clock

    offset = _shift_clock() - dt.datetime.now(dt.UTC)
    clock.now = lambda: dt.datetime.now(dt.UTC) + offset  # type: ignore[assignment]


def _use_smoke_sizes(name: str | None) -> None:
    """A portfolio small enough for a test, on a database of its own."""
    global ACCOUNTS, CUSTOMERS, TEAMS, PER_TEAM, PG_NAME
    ACCOUNTS, CUSTOMERS, TEAMS, PER_TEAM = 2000, 1600, 2, 2
    PG_NAME = name or f"{PG_NAME}_smoke_{os.getpid()}"


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "arrears.settings")
    os.environ["DATABASE_URL"] = f"{PG_SERVER}/{PG_NAME}"
    # Sessions are signed: a run on this machine uses demo mode's key (var/secret_key) unless given one.
    os.environ.setdefault("ARREARS_DEMO", "1")
    sys.path.insert(0, str(ROOT / "src"))
    import django
    from django.conf import settings

    settings.DATABASES["default"]["CONN_MAX_AGE"] = 600  # persistent connections, as a deployment has
    django.setup()
    settings.DEBUG = False  # no query log kept in memory


# --------------------------------------------------------------------------- parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rebuild", action="store_true", help="drop and build the portfolio again")
    parser.add_argument("--collectors", type=int, default=TEAMS * PER_TEAM)
    parser.add_argument("--processes", type=int, default=4)
    parser.add_argument("--server-threads", type=int, default=12, help="request threads per process")
    parser.add_argument("--seconds", type=float, default=60.0, help="measured time")
    parser.add_argument("--think", type=float, default=1.0, help="mean think time between actions, s")
    parser.add_argument("--saturate", action="store_true", help="no think time")
    parser.add_argument("--no-readme", action="store_true")
    parser.add_argument("--readme", type=Path, help="write the section into this file (default benchmarks/README.md)")
    parser.add_argument("--smoke", action="store_true", help="a tiny portfolio on a database of its own; no README")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--name", help=argparse.SUPPRESS)  # the smoke database (children)
    parser.add_argument("--start-at", type=float, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.smoke:
        _use_smoke_sizes(args.name)
        args.rebuild, args.collectors, args.processes, args.server_threads = True, TEAMS * PER_TEAM, 1, 2
        args.seconds, args.think = 1.0, 0.05
    if args.saturate:
        args.think = 0.0
    if args.child is not None:
        _child(args)
        return
    try:
        _run(args)
    finally:
        if args.smoke:
            _close_all()
            _pg_admin(f"DROP DATABASE IF EXISTS {PG_NAME} WITH (FORCE)")


def _run(args: argparse.Namespace) -> None:

    _setup_django()
    from django.db import connection

    started = time.perf_counter()
    if args.rebuild or not _built():
        _build()
    else:  # the schema may have moved on since the build
        from django.core.management import call_command

        call_command("migrate", verbosity=0, interactive=False)
    build_seconds = time.perf_counter() - started
    sizes = _sizes()
    print(f"portfolio: {json.dumps(sizes)} (build {build_seconds:.0f} s)", flush=True)
    _reset_leases()
    with connection.cursor() as cursor:  # the reset rewrote every case: fresh statistics, as autovacuum would
        cursor.execute("VACUUM ANALYZE cases_case")
        cursor.execute("VACUUM ANALYZE contacts_contact")
    _close_all()

    children = [
        subprocess.Popen(
            [
                sys.executable,
                __file__,
                "--child",
                str(k),
                "--processes",
                str(args.processes),
                "--server-threads",
                str(args.server_threads),
                "--seconds",
                str(args.seconds),
                "--think",
                str(args.think),
                "--collectors",
                str(args.collectors),
                *(["--smoke", "--name", PG_NAME] if args.smoke else []),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        for k in range(args.processes)
    ]
    for child in children:  # each has imported Django and logged its collectors in
        assert child.stdout is not None and child.stdin is not None
        line = child.stdout.readline()
        if line.strip() != "READY":
            sys.exit(f"a worker process did not start: {line!r}")
    start_at = time.time() + 1
    for child in children:
        assert child.stdin is not None
        child.stdin.write(f"{start_at}\n")
        child.stdin.close()
    samples: dict[str, list[float]] = {}
    counts: dict[str, int] = {}
    for child in children:
        assert child.stdout is not None
        for line in child.stdout:
            if line.startswith(RESULT):
                part = json.loads(line[len(RESULT) :])
                for key, values in part["latency"].items():
                    samples.setdefault(key, []).extend(values)
                for key, n in part["counts"].items():
                    counts[key] = counts.get(key, 0) + n
            else:
                print(line, end="", flush=True)
        child.wait()
        if child.returncode:
            sys.exit(f"a worker process failed (exit {child.returncode})")
    summary = {key: _percentiles(values) for key, values in samples.items() if values}
    table = _table(summary, args.seconds)
    print()
    print(table)
    print(f"outcomes: {json.dumps(counts)}")
    queries = _queries_of_360()
    print(f"queries of one 360 page: {queries}")
    load = load_average()
    print(load)
    if not args.no_readme and not (args.smoke and args.readme is None):
        _write_readme(table, counts, sizes, args, queries, load)


def _percentiles(values: list[float]) -> dict[str, float]:
    values = sorted(values)
    q = statistics.quantiles(values, n=100, method="inclusive") if len(values) > 1 else values * 99
    return {"n": len(values), "p50": q[49] * 1000, "p90": q[89] * 1000, "p99": q[98] * 1000, "max": values[-1] * 1000}


LABELS = {
    "next": "next account (POST /api/v1/workbench/next)",
    "360": "customer 360 page (GET /cases/<id>/)",
    "contact": "record the outcome (POST /api/v1/cases/<id>/contacts)",
}


def _table(summary: dict[str, dict[str, float]], seconds: float) -> str:
    head = (
        "| request | requests | per second | p50 ms | p90 ms | p99 ms | max ms |\n|---|---:|---:|---:|---:|---:|---:|"
    )
    rows = [
        f"| {LABELS[k]} | {s['n']:,} | {s['n'] / seconds:.0f} | {s['p50']:.0f} | {s['p90']:.0f} | "
        f"{s['p99']:.0f} | {s['max']:.0f} |"
        for k, s in sorted(summary.items(), key=lambda kv: list(LABELS).index(kv[0]))
    ]
    return "\n".join([head, *rows])


def _machine() -> str:
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {kb / 1024 / 1024:.0f} GB RAM"
    except (OSError, ValueError, IndexError):
        memory = ""
    return (
        f"{os.cpu_count()} cores{memory}, {platform.system()} {platform.machine()}, Python {platform.python_version()}"
    )


def _write_readme(
    table: str, counts: dict[str, int], sizes: dict[str, int], args: Any, queries: int, load_avg: str
) -> None:
    """Replace the workbench section of benchmarks/README.md (other sections belong to others)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
    load = "no think time (saturated)" if args.think == 0 else f"think time {args.think:g} s on average between actions"
    section = f"""## Workbench (`benchmarks/workbench.py`)

`.venv/bin/python benchmarks/workbench.py` — measured {dt.date.today().isoformat()} on {_machine()},
PostgreSQL {version}; {load_avg} at the end of the run (other work on the same machine makes the figures
noisy). Portfolio: {sizes["accounts"]:,} accounts of {sizes["customers"]:,} customers,
{sizes["cases"]:,} open cases, {sizes["statements"]:,} statements, {sizes["entries"]:,} ledger entries,
{sizes["bucket_changes"]:,} bucket changes, {sizes["contacts"]:,} contacts, {sizes["promises"]:,} promises;
{sizes["collectors"]} collectors in {sizes["teams"]} teams with a queue each.

{args.collectors} collectors at once for {args.seconds:g} s, each looping next account → 360 page →
record the outcome, {load}, at 10:00 bank time on a weekday (the clock shifted, so that the
compliance gate lets the calls through); through Django's test Client with a session, in {args.processes}
processes × {args.server_threads} request threads (the app server's workers, each with its own
persistent connection); latency from the collector's click, waiting for a free worker included.
Targets: next account p99 < 100 ms, 360 page p99 < 300 ms. One 360 page makes {queries} queries
whatever the customer's history (pinned by tests/functional/test_case_page_queries.py).

{table}

Outcomes: {", ".join(f"{k} {v:,}" for k, v in sorted(counts.items()))}.
"""
    path = write_section("workbench", section, **({"path": args.readme} if args.readme else {}))
    print(f"\nwrote the workbench section of {path}")


# --------------------------------------------------------------------------- portfolio


def _pg_admin(*statements: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement)  # type: ignore[arg-type]


def _close_all() -> None:
    from django.db import connections

    connections.close_all()


def _built() -> bool:
    import psycopg

    try:
        with psycopg.connect(f"{PG_SERVER}/{PG_NAME}") as conn:
            row = conn.execute("SELECT count(*) FROM cases_case").fetchone()
            return bool(row and row[0] >= CUSTOMERS // CASE_EVERY)
    except psycopg.Error:
        return False


def _sizes() -> dict[str, int]:
    from django.db import connection

    tables = {
        "customers": "ledger_customer",
        "accounts": "ledger_account",
        "cases": "cases_case",
        "statements": "statements_statement",
        "entries": "ledger_entry",
        "bucket_changes": "delinquency_bucketchange",
        "contacts": "contacts_contact",
        "promises": "promises_promise",
        "teams": "people_team",
    }
    with connection.cursor() as cursor:
        sizes = {}
        for key, table in tables.items():
            cursor.execute(f"SELECT count(*) FROM {table}")
            sizes[key] = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM auth_user WHERE username LIKE %s", [f"{PREFIX}collector%"])
        sizes["collectors"] = cursor.fetchone()[0]
    return sizes


def _reset_leases() -> None:
    """Each run starts from the same state: no lease, nothing worked in the last hours."""
    from django.db import connection

    with connection.cursor() as cursor:
        clock = _shift_clock()
        cursor.execute(
            "UPDATE cases_case SET lease_holder_id = NULL, lease_until = NULL, "
            "last_contact_at = %s - interval '1 day' * (1 + id %% 5), "
            "next_callback_at = CASE WHEN next_callback_at IS NOT NULL THEN %s - interval '10 minutes' END",
            [clock, clock],
        )
        cursor.execute("UPDATE contacts_callback SET due_at = %s - interval '10 minutes', done_at = NULL", [clock])
        cursor.execute("DELETE FROM contacts_contact WHERE at > %s - interval '1 day'", [clock])
        cursor.execute("DELETE FROM django_session")


def _build() -> None:
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from arrears.people.operations import ensure_roles
    from arrears.products.models import Product, ProductVersion

    _close_all()
    _pg_admin(f"DROP DATABASE IF EXISTS {PG_NAME} WITH (FORCE)", f"CREATE DATABASE {PG_NAME}")
    call_command("migrate", verbosity=0, interactive=False)
    ensure_roles()
    classic = Product.objects.create(code="classic", name="Classic")
    gold = Product.objects.create(code="gold", name="Gold")
    for product in (classic, gold):
        ProductVersion.objects.create(product=product, effective_from=dt.date(2020, 1, 1), parameters={})
    now = timezone.now()
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")  # rows consistent by construction
        cursor.execute("SET LOCAL work_mem = '256MB'")
        cursor.execute("SET LOCAL maintenance_work_mem = '1GB'")
        for name, sql in _statements(classic.pk, gold.pk):
            t = time.perf_counter()
            insert_select(cursor, sql, None, now)
            print(f"  {name}: {cursor.rowcount:,} rows, {time.perf_counter() - t:.1f} s", flush=True)
        for table in (
            "ledger_customer",
            "ledger_account",
            "auth_user",
            "people_team",
            "cases_case",
            "contacts_contact",
            "people_profile",
            "cases_queue",
        ):
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print(f"  built in {time.perf_counter() - started:.0f} s", flush=True)


def _statements(classic: int, gold: int) -> list[tuple[str, str]]:
    """One INSERT … SELECT per table. A delinquent customer c (c % 16 = 0) has case number c / 16."""
    collector = f"""(SELECT id FROM auth_user WHERE username = '{PREFIX}collector' ||
                     lpad((((n % {TEAMS}) * {PER_TEAM}) + (n / {TEAMS}) % {PER_TEAM} + 1)::text, 3, '0'))"""
    # dpd of a delinquent account, from a hash of its id
    dpd = "(1 + ((a.id * 2654435761) % 4294967296) / 65536 % 200)"
    bucket = f"LEAST(7, ({dpd} + 29) / 30)"
    return [
        (
            "users",
            f"""
            INSERT INTO auth_user (id, password, is_superuser, username, first_name, last_name, email, is_staff,
                                   is_active, date_joined)
            SELECT i, '!', false, CASE WHEN i <= {TEAMS * PER_TEAM} THEN '{PREFIX}collector' || lpad(i::text, 3, '0')
                                       ELSE '{PREFIX}lead' || lpad((i - {TEAMS * PER_TEAM})::text, 2, '0') END,
                   '', '', '', false, true, now()
            FROM generate_series(1, {TEAMS * PER_TEAM + TEAMS}) i""",
        ),
        (
            "profiles",
            f"""
            INSERT INTO people_profile (id, user_id, languages, max_cases)
            SELECT i, i, CASE WHEN i % 5 = 0 THEN 'zh-hans,en' ELSE 'zh-hans' END, 400
            FROM generate_series(1, {TEAMS * PER_TEAM + TEAMS}) i""",
        ),
        (
            "roles",
            f"""
            INSERT INTO auth_user_groups (user_id, group_id)
            SELECT i, (SELECT id FROM auth_group WHERE name = CASE WHEN i <= {TEAMS * PER_TEAM}
                                                   THEN 'collector' ELSE 'team_lead' END)
            FROM generate_series(1, {TEAMS * PER_TEAM + TEAMS}) i""",
        ),
        (
            "teams",
            f"""
            INSERT INTO people_team (id, name, lead_id)
            SELECT t, '{PREFIX}team' || lpad(t::text, 2, '0'), {TEAMS * PER_TEAM} + t
            FROM generate_series(1, {TEAMS}) t""",
        ),
        (
            "team members",
            f"""
            INSERT INTO people_team_members (team_id, user_id)
            SELECT 1 + (i - 1) / {PER_TEAM}, i FROM generate_series(1, {TEAMS * PER_TEAM}) i
            UNION ALL SELECT t, {TEAMS * PER_TEAM} + t FROM generate_series(1, {TEAMS}) t""",
        ),
        (
            "queues",
            f"""
            INSERT INTO cases_queue (id, name, team_id, rank, min_bucket, max_bucket, min_balance_fen, language,
                                     region, active)
            SELECT t, '{PREFIX}queue' || lpad(t::text, 2, '0'), t, t, 1, 7, 0, '', 'region' || t, true
            FROM generate_series(1, {TEAMS}) t""",
        ),
        (
            "customers",
            f"""
            INSERT INTO ledger_customer (id, name, national_id, mobile, home_phone, work_phone, email, address,
                                         region, time_zone, language, created_at)
            SELECT i, '客户' || i, '1101051990' || lpad((i % 100000000)::text, 8, '0'),
                   '138' || lpad(i::text, 8, '0'), '', '', 'c' || i || '@example.cn', '北京市朝阳区 ' || i || ' 号',
                   'region' || (1 + i % {TEAMS}), 'Asia/Shanghai', CASE WHEN i % 20 = 0 THEN 'en' ELSE 'zh-hans' END,
                   now()
            FROM generate_series(1, {CUSTOMERS}) i""",
        ),
        (
            "accounts",
            f"""
            INSERT INTO ledger_account (id, ref, number, customer_id, product_id, opened_on, statement_day,
                                        credit_limit_fen, status, principal_fen, interest_fen, fees_fen, dpd,
                                        bucket, last_statement_date, charged_off_fen, recovered_fen, plan_fen)
            SELECT a.id, 'AC' || lpad(a.id::text, 12, '0'), '62' || lpad(a.id::text, 14, '0'),
                   1 + (a.id - 1) % {CUSTOMERS},
                   CASE WHEN a.id % 5 = 0 THEN {gold} ELSE {classic} END, DATE '2022-01-01' + (a.id % 900),
                   1 + a.id % 28, 5000000, 'open',
                   100000 + (a.id % 997) * 300, CASE WHEN d THEN 20000 ELSE 0 END, CASE WHEN d THEN 5000 ELSE 0 END,
                   CASE WHEN d THEN {dpd} ELSE 0 END, CASE WHEN d THEN {bucket} ELSE 0 END,
                   date_trunc('month', current_date)::date + (a.id % 28) - 31, 0, 0, 0
            FROM (SELECT id, ((1 + (id - 1) % {CUSTOMERS}) % {CASE_EVERY} = 0) AS d
                  FROM generate_series(1, {ACCOUNTS}) id) a""",
        ),
        (
            "statements",
            """
            INSERT INTO statements_statement (account_id, statement_date, period_start, due_date, principal_fen,
                interest_fen, fees_fen, new_balance_fen, interest_charged_fen, fees_charged_fen, payments_fen,
                past_due_fen, minimum_payment_fen, minimum_due_fen, minimum_unpaid_fen, revolving, explanation)
            SELECT a.id, s.d, (s.d - interval '1 month')::date, s.d + 18, a.principal_fen, a.interest_fen,
                   a.fees_fen, a.principal_fen + a.interest_fen + a.fees_fen, a.interest_fen / 6, a.fees_fen / 6,
                   CASE WHEN a.dpd = 0 THEN a.principal_fen ELSE 0 END, 0, a.principal_fen / 10,
                   a.principal_fen / 10, CASE WHEN a.dpd > 0 AND s.k <= (a.dpd + 29) / 30 THEN a.principal_fen / 10
                   ELSE 0 END, a.dpd > 0, '{}'::jsonb
            FROM ledger_account a
            CROSS JOIN LATERAL (
                SELECT k, (a.last_statement_date - make_interval(months => k - 1))::date AS d
                FROM generate_series(1, CASE WHEN a.dpd > 0 THEN 12 ELSE 2 END) k) s""",
        ),
        (
            "entries",
            """
            INSERT INTO ledger_entry (account_id, kind, component, amount_fen, posting_date, value_date, reference,
                                      description, created_at)
            SELECT a.id, e.kind, e.component, e.amount, a.last_statement_date - e.back, a.last_statement_date - e.back,
                   '', e.kind, now()
            FROM ledger_account a
            CROSS JOIN LATERAL (
                SELECT CASE WHEN k % 4 = 3 THEN 'payment' WHEN k % 4 = 2 THEN 'interest' ELSE 'purchase' END AS kind,
                       CASE WHEN k % 4 = 2 THEN 'interest' ELSE 'principal' END AS component,
                       CASE WHEN k % 4 = 3 THEN -5000 - k * 100 ELSE 1000 + k * 137 END AS amount,
                       k * 9 AS back
                FROM generate_series(1, CASE WHEN a.dpd > 0 THEN 12 ELSE 2 END) k) e""",
        ),
        (
            "bucket changes",
            """
            INSERT INTO delinquency_bucketchange (account_id, change_date, from_bucket, to_bucket, dpd)
            SELECT a.id, current_date - a.dpd + (b - 1) * 30, b - 1, b, (b - 1) * 30 + 1
            FROM ledger_account a CROSS JOIN LATERAL generate_series(1, a.bucket) b
            WHERE a.dpd > 0 AND current_date - a.dpd + (b - 1) * 30 <= current_date""",
        ),
        (
            "cases",
            f"""
            INSERT INTO cases_case (id, customer_id, status, opened_on, past_due_fen, balance_fen, worst_bucket, dpd,
                                    priority, team_id, queue_id, collector_id, last_contact_at, next_callback_at,
                                    promise_broken_on)
            SELECT n, c.customer_id, CASE WHEN n % 10 = 0 THEN 'promised' ELSE 'open' END,
                   current_date - c.dpd, c.past_due, c.balance, c.bucket, c.dpd,
                   c.bucket::bigint * 1000000000 + LEAST(c.balance / 10000, 999999) * 1000 + LEAST(c.dpd, 999),
                   1 + n % {TEAMS}, 1 + n % {TEAMS}, CASE WHEN n % 20 = 7 THEN NULL ELSE {collector} END,
                   now() - interval '1 day' * (1 + n % 5),
                   CASE WHEN n % 50 = 3 THEN now() - interval '10 minutes' END,
                   CASE WHEN n % 100 = 5 THEN current_date - 1 END
            FROM (SELECT a.customer_id / {CASE_EVERY} AS n, a.customer_id, max(a.dpd) AS dpd, max(a.bucket) AS bucket,
                         sum(a.principal_fen / 10) AS past_due,
                         sum(a.principal_fen + a.interest_fen + a.fees_fen) AS balance
                  FROM ledger_account a WHERE a.dpd > 0 GROUP BY a.customer_id) c""",
        ),
        (
            "case status history",
            f"""
            INSERT INTO cases_casestatuschange (case_id, change_date, from_status, to_status, reason, actor, at)
            SELECT id, opened_on, '', 'open', 'account past due', 'cycle', now() - interval '1 day' * dpd
            FROM cases_case
            UNION ALL
            SELECT id, opened_on + 7, 'open', 'promised', 'promise taken', '{PREFIX}collector001',
                   now() - interval '1 day' * (dpd - 7) FROM cases_case WHERE status = 'promised'""",
        ),
        (
            "contacts",
            """
            INSERT INTO contacts_contact (case_id, collector_id, at, channel, direction, address, party, result,
                                          disposition, duration_seconds, notes, recording_ref)
            SELECT c.id, COALESCE(c.collector_id, t.lead_id),
                   now() - interval '1 day' * (8 + 3 * k) - interval '1 hour' * k,
                   CASE WHEN k % 4 = 0 THEN 'sms' ELSE 'phone' END, 'outbound',
                   '138' || lpad(c.customer_id::text, 8, '0'),
                   CASE WHEN k % 3 = 0 THEN 'cardholder' ELSE 'none' END,
                   CASE WHEN k % 3 = 0 THEN 'right_party_contact' WHEN k % 3 = 1 THEN 'no_answer' ELSE 'busy' END,
                   CASE WHEN k % 6 = 0 THEN 'promise' ELSE '' END, CASE WHEN k % 3 = 0 THEN 180 ELSE 0 END,
                   CASE WHEN k % 3 = 0 THEN '客户表示下周发工资后还款' ELSE '' END, 'rec-' || c.id || '-' || k
            FROM cases_case c JOIN people_team t ON t.id = c.team_id
            CROSS JOIN LATERAL generate_series(1, (3 + c.id % 8)::int) k""",
        ),
        (
            "promises",
            """
            INSERT INTO promises_promise (case_id, amount_fen, promised_date, taken_on, taken_by_id, status, paid_fen,
                                          judged_on)
            SELECT c.id, GREATEST(c.past_due_fen / 2, 100), current_date - 30 * k + 7, current_date - 30 * k,
                   COALESCE(c.collector_id, t.lead_id),
                   CASE WHEN k = 1 AND c.status = 'promised' THEN 'open' WHEN k % 2 = 0 THEN 'kept' ELSE 'broken' END,
                   CASE WHEN k % 2 = 0 THEN GREATEST(c.past_due_fen / 2, 100) ELSE 0 END,
                   CASE WHEN k = 1 AND c.status = 'promised' THEN NULL ELSE current_date - 30 * k + 8 END
            FROM cases_case c JOIN people_team t ON t.id = c.team_id
            CROSS JOIN LATERAL generate_series(1, (1 + c.id % 3)::int) k""",
        ),
        (
            "notes",
            """
            INSERT INTO contacts_note (case_id, author_id, at, text, flagged)
            SELECT c.id, COALESCE(c.collector_id, t.lead_id), now() - interval '1 day' * (5 * k),
                   '客户称本月收入减少，约定下次联系时间', false
            FROM cases_case c JOIN people_team t ON t.id = c.team_id
            CROSS JOIN LATERAL generate_series(1, (1 + c.id % 3)::int) k""",
        ),
        (
            "financial situations",
            """
            INSERT INTO contacts_financialsituation (case_id, taken_by_id, at, monthly_income_fen,
                monthly_expenses_fen, dependants, other_debts_fen, hardship_reason, ability, willingness,
                recommended_path)
            SELECT c.id, COALESCE(c.collector_id, t.lead_id), now() - interval '20 days', 800000, 650000, 2, 50000,
                   '失业', 'unable', 'willing', 'hardship_plan'
            FROM cases_case c JOIN people_team t ON t.id = c.team_id WHERE c.id % 2 = 0""",
        ),
        (
            "hand-offs",
            """
            INSERT INTO contacts_handoff (case_id, from_user_id, to_role, comment, created_at, return_comment)
            SELECT c.id, COALESCE(c.collector_id, t.lead_id), 'customer_service', '客户对年费有异议',
                   now() - interval '15 days', ''
            FROM cases_case c JOIN people_team t ON t.id = c.team_id WHERE c.id % 10 = 0""",
        ),
        (
            "callbacks",
            """
            INSERT INTO contacts_callback (case_id, user_id, due_at, note)
            SELECT c.id, c.collector_id, c.next_callback_at, '客户要求下午回电'
            FROM cases_case c WHERE c.next_callback_at IS NOT NULL AND c.collector_id IS NOT NULL""",
        ),
    ]


# --------------------------------------------------------------------------- load


def _child(args: Any) -> None:
    _setup_django()
    _use_shift_clock()
    from django.contrib.auth.models import User
    from django.test import Client

    from arrears.cases.models import Case
    from arrears.cases.operations import release_lease

    names = [f"{PREFIX}collector{i:03d}" for i in range(1, args.collectors + 1)]
    mine = names[args.child :: args.processes]
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=args.server_threads)
    users = {u.username: u for u in User.objects.filter(username__in=mine)}
    clients: dict[str, Client] = {}

    def login(name: str) -> None:
        client = Client()
        client.force_login(users[name])
        clients[name] = client

    list(pool.map(login, mine))
    Client().get("/login/")  # the URL conf, the API and the templates load before the clock starts
    print("READY", flush=True)
    args.start_at = float(sys.stdin.readline())
    latency: dict[str, list[float]] = {"next": [], "360": [], "contact": []}
    counts: dict[str, int] = {}
    lock = threading.Lock()
    stop_at = args.start_at + args.seconds

    def count(key: str) -> None:
        with lock:
            counts[key] = counts.get(key, 0) + 1

    def timed(key: str, call: Any) -> Any:
        measured = time.time() < stop_at  # clicked within the measured time
        clicked = time.perf_counter()
        response = pool.submit(call).result()
        if measured:
            latency[key].append(time.perf_counter() - clicked)
        return response

    def think(rng: random.Random) -> None:
        if args.think:
            time.sleep(args.think * rng.uniform(0.5, 1.5))

    def collector(name: str) -> None:
        rng = random.Random(name)
        client = clients[name]
        outcome = json.dumps({"channel": "phone", "party": "none", "result": "no_answer"})
        time.sleep(max(0.0, args.start_at - time.time()) + (rng.uniform(0, args.think) if args.think else 0))
        while time.time() < stop_at:
            response = timed("next", functools.partial(client.post, "/api/v1/workbench/next"))
            if response.status_code == 204:
                count("nothing waiting")
                think(rng)
                continue
            assert response.status_code == 200, response.content
            case_id = response.json()["id"]
            think(rng)
            page = timed("360", functools.partial(client.get, f"/cases/{case_id}/"))
            assert page.status_code == 200, page.status_code
            think(rng)
            contacts = f"/api/v1/cases/{case_id}/contacts"
            recorded = timed(
                "contact", functools.partial(client.post, contacts, data=outcome, content_type="application/json")
            )
            if recorded.status_code == 201:
                count("contacts recorded")
            else:  # the compliance gate refused the call (e.g. outside calling hours): let the case go
                count(f"contact refused ({recorded.status_code})")
                pool.submit(release_lease, case=Case(pk=case_id), user=users[name]).result()
            think(rng)

    threads = [threading.Thread(target=collector, args=(name,)) for name in mine]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    pool.shutdown()
    print(RESULT + json.dumps({"latency": latency, "counts": counts}), flush=True)


def _queries_of_360() -> int:
    """The number of queries one 360 page makes, for the README."""
    from django.contrib.auth.models import User
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from arrears.cases.models import Case

    user = User.objects.get(username=f"{PREFIX}collector001")
    case = Case.objects.filter(collector=user).order_by("-id").first()
    client = Client()
    client.force_login(user)
    client.get(f"/cases/{case.pk}/")
    with CaptureQueriesContext(connection) as queries:
        client.get(f"/cases/{case.pk}/")
    return len(queries)


if __name__ == "__main__":
    main()

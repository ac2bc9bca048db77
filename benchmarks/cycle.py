"""Benchmark of one day of the daily cycle, against the floor of one UPDATE of every account.

    .venv/bin/python benchmarks/cycle.py                      # 100k and 1M on SQLite and PostgreSQL
    .venv/bin/python benchmarks/cycle.py --sizes 100000 --databases postgresql --workers 2
    .venv/bin/python benchmarks/cycle.py --smoke --databases sqlite   # 1,000 accounts, for the test
    .venv/bin/python benchmarks/cycle.py --sqlite-sizes 100000        # the goals: PostgreSQL 100k and 1M, SQLite 100k

For each database and size it builds a realistic portfolio on a dedicated database (PostgreSQL
`bench_cycle`, SQLite `benchmarks/.data/bench_cycle.sqlite3`) with a few set-based SQL statements,
then measures in the same run:

- the floor: one `UPDATE ledger_account SET dpd = dpd`, touching every account row once;
- one cycle day (`arrears.cycle.runner.run_date`) in one process, and on PostgreSQL also with
  `--workers N` processes on a copy of the same database;

and prints accounts per second, the ratio day / floor and the growth ratio time(largest) /
time(smallest). The figures go into the `cycle` section of benchmarks/README.md (not with
`--no-readme`; with `--readme PATH` into that file instead). `--smoke` measures 1,000 accounts in
partitions of 300 on databases of its own (`bench_cycle_smoke_<pid>`, a temporary SQLite file),
drops them at the end and writes no README unless given `--readme PATH`.

The parent process runs one child process per database (`--child`), each with its own
DJANGO_SETTINGS_MODULE and DATABASE_URL, so Django's settings are fresh for each database.

The portfolio, as of the measured business date DAY: statement days spread over 1..28, so about
1/28 of the accounts close a statement on DAY and another 1/28 had their due date the day before
(the grace / late-fee decision); every account has a previous statement and a few ledger entries
(purchases, payments, interest); 60 % pay in full, 34 % revolve, 6 % are delinquent for 1 to 7
cycles (some cure by a payment posted the day before, some pay the oldest minimum only, some cross a
bucket edge on DAY and some reach charge_off_dpd on DAY). Product 2 (20 % of accounts) charges an
annual fee on the opening anniversary and uses the unpaid_portion interest convention.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))  # benchmarks/readme.py
from portfolio import insert_select
from readme import load_average, write_section

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DATA = HERE / ".data"
PG_SERVER = os.environ.get("BENCH_PG_SERVER", "postgres://postgres@127.0.0.1:5432")
# A run on this machine signs and seals with demo mode's key (var/secret_key) unless given one.
os.environ.setdefault("ARREARS_DEMO", "1")
PG_NAME = "bench_cycle"
SQLITE_FILE = DATA / "bench_cycle.sqlite3"

DAY = dt.date(2026, 4, 8)  # a date on which every bucket edge and the charge-off DPD are reached
DUE_DAYS = 18
CHARGE_OFF_DPD = 180
EDGES = (30, 60, 90, 120, 150, 180)
MAX_CYCLES = 7  # a delinquent account has missed 1..7 minimum payments
RESULT = "BENCH-RESULT "
SMOKE_SIZE = 1000
SMOKE_PARTITION_SIZE = 300


# --------------------------------------------------------------------------- parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="100000,1000000", help="account counts, comma-separated")
    parser.add_argument("--databases", default="sqlite,postgresql", help="sqlite and/or postgresql")
    parser.add_argument("--sqlite-sizes", help="account counts on SQLite, when not --sizes (e.g. 100000)")
    parser.add_argument("--workers", type=int, default=2, help="also run the day with N processes (PostgreSQL)")
    parser.add_argument("--no-readme", action="store_true", help="do not write benchmarks/README.md")
    parser.add_argument("--readme", type=Path, help="write the section into this file (default benchmarks/README.md)")
    parser.add_argument("--smoke", action="store_true", help="1,000 accounts on databases of its own; no README")
    parser.add_argument("--child", choices=["sqlite", "postgresql"], help=argparse.SUPPRESS)
    parser.add_argument("--name", help=argparse.SUPPRESS)  # the database name (child only)
    parser.add_argument("--profile", help="cProfile the single-process day into this file (child only)")
    args = parser.parse_args()
    if args.smoke:
        args.sizes = str(SMOKE_SIZE)
    sizes = [int(s) for s in args.sizes.split(",") if s]
    if args.child:
        global PG_NAME, SQLITE_FILE
        if args.name:
            PG_NAME, SQLITE_FILE = args.name, Path(args.name)
        _child(args.child, sizes, args.workers, args.profile)
        return
    write = not args.no_readme and not (args.smoke and args.readme is None)
    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="bench_cycle_") as scratch:
        for database in [d.strip() for d in args.databases.split(",") if d.strip()]:
            name = _name(database, smoke=args.smoke, scratch=Path(scratch))
            env = dict(
                os.environ,
                DJANGO_SETTINGS_MODULE="arrears.settings",
                DATABASE_URL=_url(database, name),
                PYTHONPATH=str(ROOT / "src") + os.pathsep + os.environ.get("PYTHONPATH", ""),
            )
            if args.smoke:
                env["ARREARS_PARTITION_SIZE"] = str(SMOKE_PARTITION_SIZE)
            command = [
                *(sys.executable, __file__, "--child", database, "--name", name),
                *("--sizes", _sizes_of(database, args), "--workers", str(args.workers)),
            ]
            if args.profile:
                command += ["--profile", args.profile]
            with subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True, cwd=ROOT) as child:
                assert child.stdout is not None
                for line in child.stdout:
                    if line.startswith(RESULT):
                        results.append(json.loads(line[len(RESULT) :]))
                    else:
                        print(line, end="", flush=True)
            if args.smoke and database == "postgresql":
                _pg_admin(
                    f"DROP DATABASE IF EXISTS {name} WITH (FORCE)", f"DROP DATABASE IF EXISTS {name}_w WITH (FORCE)"
                )
            if child.returncode:
                sys.exit(f"the {database} benchmark failed (exit {child.returncode})")
            if write and results:  # after each database, so that a long run keeps what it measured
                _write_readme(_table(results), results, sizes, args)
    print()
    print(_table(results))
    print(load_average())


def _sizes_of(database: str, args: argparse.Namespace) -> str:
    return args.sqlite_sizes if database == "sqlite" and args.sqlite_sizes and not args.smoke else args.sizes


def _name(database: str, *, smoke: bool, scratch: Path) -> str:
    """The database name (PostgreSQL) or file (SQLite) of a run: the shared one, or a smoke run's own."""
    if database == "postgresql":
        return f"{PG_NAME}_smoke_{os.getpid()}" if smoke else PG_NAME
    if database == "sqlite":
        return str(scratch / "bench_cycle.sqlite3") if smoke else str(SQLITE_FILE)
    raise SystemExit(f"unknown database {database!r}: use sqlite or postgresql")


def _url(database: str, name: str) -> str:
    return f"{PG_SERVER}/{name}" if database == "postgresql" else f"sqlite:///{name}"


def _growth(results: list[dict[str, Any]], r: dict[str, Any]) -> str:
    same = [x for x in results if x["database"] == r["database"] and x["workers"] == r["workers"]]
    smallest = min(same, key=lambda x: x["accounts"])
    if smallest is r:
        return ""
    return f"{r['day_seconds'] / smallest['day_seconds']:.1f} (×{r['accounts'] // smallest['accounts']} accounts)"


def _table(results: list[dict[str, Any]]) -> str:
    head = (
        "| database | accounts | workers | day s | accounts/s | floor s | day / floor | growth time(N)/time(first) |\n"
        "|---|---:|---:|---:|---:|---:|---:|---|"
    )
    rows = [
        f"| {r['database']} | {r['accounts']:,} | {r['workers']} | {r['day_seconds']:.1f} | "
        f"{r['accounts'] / r['day_seconds']:,.0f} | {r['floor_seconds']:.2f} | "
        f"{r['day_seconds'] / r['floor_seconds']:.1f} | {_growth(results, r)} |"
        for r in results
    ]
    return "\n".join([head, *rows])


def _steps_table(results: list[dict[str, Any]]) -> str:
    steps = list(results[0]["steps"])
    head = "| database | accounts | workers | build s | " + " | ".join(steps) + " | work done |"
    rule = "|---|---:|---:|---:|" + "---:|" * len(steps) + "---|"
    rows = []
    for r in results:
        cells = " | ".join(f"{r['steps'].get(s, 0):.1f}" for s in steps)
        done = ", ".join(f"{k} {v:,}" for k, v in r["work"].items())
        rows.append(
            f"| {r['database']} | {r['accounts']:,} | {r['workers']} | {r['build_seconds']:.0f} | {cells} | {done} |"
        )
    return "\n".join([head, rule, *rows])


def _machine() -> str:
    memory = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {kb / 1024 / 1024:.0f} GB RAM"
    except (OSError, ValueError, IndexError):
        pass
    return (
        f"{os.cpu_count()} cores{memory}, {platform.system()} {platform.machine()}, Python {platform.python_version()}"
    )


def _write_readme(table: str, results: list[dict[str, Any]], sizes: list[int], args: argparse.Namespace) -> None:
    command = ".venv/bin/python benchmarks/cycle.py"
    if args.sizes != "100000,1000000" or args.databases != "sqlite,postgresql" or args.workers != 2:
        command += f" --sizes {args.sizes} --databases {args.databases} --workers {args.workers}"
    if args.sqlite_sizes:
        command += f" --sqlite-sizes {args.sqlite_sizes}"
    versions = ", ".join(sorted({r["server"] for r in results}))
    loads = "; ".join(f"{r['database']} {r['accounts']:,} × {r['workers']}: {r['load']}" for r in results)
    text = f"""## Cycle: one day of the daily cycle (`benchmarks/cycle.py`)

`{command}` — measured {dt.date.today().isoformat()} on {_machine()} ({versions}); other work may have
been running on the machine at the same time, so compare the ratios of one run rather than absolute
seconds. Load when each day had run: {loads}.

Each run builds a fresh portfolio (see the docstring of `benchmarks/cycle.py`), then measures in the
same run the **floor** — one `UPDATE ledger_account SET dpd = dpd` touching every account row once —
and **one cycle day** (`arrears.cycle.runner.run_date`, every step, every partition,
ARREARS_PARTITION_SIZE = {results[0]["partition_size"]:,}). With workers > 1 the day runs its partitions in
that many processes (PostgreSQL only: SQLite has one writer at a time), on a copy of the same database.

Targets (issue 14): one day over 1M accounts on PostgreSQL under 30 s, within 3× of the floor measured
in the same run; one day over 100k accounts on SQLite under 15 s. (Issue 2: growth ratio
time(1M)/time(100k) ≤ 11.)

{table}

Seconds per step (summed over partitions) and the work the day did:

{_steps_table(results)}
"""
    path = write_section("cycle", text, **({"path": args.readme} if args.readme else {}))
    print(f"\nwrote the cycle section of {path}")


# --------------------------------------------------------------------------- child


def _child(database: str, sizes: list[int], workers: int, profile: str | None) -> None:
    import django

    django.setup()
    for size in sizes:
        _reset(database)
        started = time.perf_counter()
        _migrate()
        _build(size)
        build_seconds = time.perf_counter() - started
        print(f"[{database} {size:,}] built in {build_seconds:.0f} s", flush=True)
        floor = _floor()
        print(f"[{database} {size:,}] floor (UPDATE every account) {floor:.2f} s", flush=True)
        configs = [1] if database == "sqlite" or workers <= 1 else [1, workers]
        if len(configs) > 1:
            _clone()
        for n in configs:
            if n > 1:
                _use_clone()
            result = _measure_day(database, size, n, profile if n == 1 else None)
            result.update(build_seconds=build_seconds, floor_seconds=floor)
            print(RESULT + json.dumps(result), flush=True)
            print(
                f"[{database} {size:,}] day with {n} worker(s): {result['day_seconds']:.1f} s, "
                f"{size / result['day_seconds']:,.0f} accounts/s, {result['day_seconds'] / floor:.1f}× floor; "
                f"{result['load']}; steps {result['steps']}",
                flush=True,
            )
        _drop_clone()


def _reset(database: str) -> None:
    from django.db import connections

    connections.close_all()
    if database == "postgresql":
        _pg_admin(f"DROP DATABASE IF EXISTS {PG_NAME} WITH (FORCE)", f"CREATE DATABASE {PG_NAME}")
    else:
        SQLITE_FILE.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{SQLITE_FILE}{suffix}").unlink(missing_ok=True)


def _pg_admin(*statements: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement)  # type: ignore[arg-type]


def _clone() -> None:
    """A copy of the built database for the run with workers (a day can only run once)."""
    from django.db import connection, connections

    if connection.vendor != "postgresql":
        return
    connections.close_all()
    _pg_admin(f"DROP DATABASE IF EXISTS {PG_NAME}_w WITH (FORCE)", f"CREATE DATABASE {PG_NAME}_w TEMPLATE {PG_NAME}")


def _use_clone() -> None:
    from django.db import connections

    connections.close_all()
    connections["default"].settings_dict["NAME"] = f"{PG_NAME}_w"


def _drop_clone() -> None:
    from django.db import connection, connections

    if connection.vendor != "postgresql":
        return
    connections.close_all()
    connections["default"].settings_dict["NAME"] = PG_NAME
    _pg_admin(f"DROP DATABASE IF EXISTS {PG_NAME}_w WITH (FORCE)")


def _migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def _floor() -> float:
    from django.db import connection, transaction

    _analyze()
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE ledger_account SET dpd = dpd")
    seconds = time.perf_counter() - started
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # give the day the compact table the floor had
            cursor.execute("VACUUM FULL ledger_account")
    _analyze()
    return seconds


def _analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("VACUUM ANALYZE")
        else:
            cursor.execute("ANALYZE")
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def _measure_day(database: str, size: int, workers: int, profile: str | None) -> dict[str, Any]:
    from django.conf import settings
    from django.db import connection
    from django.db.models import Count, Sum

    from arrears.cycle.models import StepRun
    from arrears.cycle.runner import run_date
    from arrears.delinquency.models import BucketChange
    from arrears.ledger.models import Account, Entry
    from arrears.statements.models import Statement

    started = time.perf_counter()
    if profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
        ran = run_date(DAY, workers=workers)
        profiler.disable()
        profiler.dump_stats(f"{profile}.{database}.{size}")
    else:
        ran = run_date(DAY, workers=workers)
    seconds = time.perf_counter() - started
    assert ran, "the day had already run"
    steps = {
        row["step"]: row["s"]
        for row in StepRun.objects.filter(business_date=DAY).values("step").annotate(s=Sum("seconds")).order_by()
    }
    order = [name for name in _step_names() if name in steps] + sorted(set(steps) - set(_step_names()))
    entries = dict(Entry.objects.filter(posting_date=DAY).values_list("kind").annotate(n=Count("id")).order_by())
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()" if connection.vendor == "postgresql" else "SELECT sqlite_version()")
        version = cursor.fetchone()[0]
    server = " ".join(version.split()[:2]) if connection.vendor == "postgresql" else f"SQLite {version}"
    return {
        "database": database,
        "accounts": size,
        "workers": workers,
        "day_seconds": seconds,
        "load": load_average(),
        "partition_size": settings.ARREARS_PARTITION_SIZE,
        "server": server,
        "steps": {name: steps[name] for name in order},
        "work": {
            "statements": Statement.objects.filter(statement_date=DAY).count(),
            "grace decided": Statement.objects.filter(
                due_date=DAY - dt.timedelta(days=1), grace_kept__isnull=False
            ).count(),
            "late fees": entries.get("late_fee", 0),
            "annual fees": entries.get("annual_fee", 0),
            "bucket changes": BucketChange.objects.filter(change_date=DAY).count(),
            "cured": BucketChange.objects.filter(change_date=DAY, to_bucket=0).count(),
            "charged off": Account.objects.filter(charged_off_on=DAY).count(),
        },
    }


def _step_names() -> list[str]:
    from arrears.cycle.registry import STEPS

    return [step.name for step in STEPS]


# --------------------------------------------------------------------------- portfolio


def _add_months(date: dt.date, months: int, day: int) -> dt.date:
    index = date.year * 12 + date.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, day)


def _last_statement(day: int) -> dt.date:
    """The account's latest statement date before DAY (statement days are 1..28 here)."""
    this_month = DAY.replace(day=day)
    return this_month if this_month < DAY else _add_months(this_month, -1, day)


def _bucket(dpd: int) -> int:
    if dpd <= 0:
        return 0
    return next((i for i, edge in enumerate(EDGES, 1) if dpd <= edge), len(EDGES) + 1)


def _calendar() -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """Small tables of dates, computed here so that the big statements need no date arithmetic.

    bench_cal (s, j): the j-th statement before DAY of an account with statement day s, with its
    period start, due date, purchase, payment, interest and late-fee posting dates (NULL when not
    before DAY), the DPD on DAY if it is the oldest unpaid statement, and yesterday's DPD and bucket.
    bench_open (n): opening dates.
    """
    yesterday = DAY - dt.timedelta(days=1)

    def before(date: dt.date) -> dt.date | None:
        return date if date < DAY else None

    cal = []
    for s in range(1, 29):
        last = _last_statement(s)
        for j in range(MAX_CYCLES + 2):
            stmt = _add_months(last, -j, s)
            start = _add_months(last, -j - 1, s)
            due = stmt + dt.timedelta(days=DUE_DAYS)
            dpd = (DAY - due).days
            old_dpd = max(dpd - 1, 0)
            cal.append(
                (
                    s,
                    j,
                    stmt,
                    start,
                    due,
                    before(stmt + dt.timedelta(days=3)),
                    before(stmt + dt.timedelta(days=11)),
                    before(stmt + dt.timedelta(days=8)),
                    stmt - dt.timedelta(days=1),
                    due + dt.timedelta(days=1) if due < yesterday else None,
                    dpd,
                    old_dpd,
                    _bucket(old_dpd),
                    due < yesterday,
                )
            )
    opened = [(n, DAY - dt.timedelta(days=400 + n)) for n in range(1500)]
    return cal, opened


def _build(size: int) -> None:
    from django.db import connection, transaction
    from django.utils import timezone

    from arrears.products.models import Product, ProductVersion

    pg = connection.vendor == "postgresql"
    cal, opened = _calendar()
    if not pg:
        cal = [tuple(v.isoformat() if isinstance(v, dt.date) else v for v in row) for row in cal]
        opened = [(n, d.isoformat()) for n, d in opened]
    date_type = "date" if pg else "text"
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    series = (
        "generate_series(1, %s) AS g(i)"
        if pg
        else "(WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM r WHERE i < %s) SELECT i FROM r) AS g"
    )
    json_empty = "CAST('{}' AS jsonb)" if pg else "'{}'"

    with transaction.atomic():
        classic = Product.objects.create(code="classic", name="Classic")
        gold = Product.objects.create(code="gold", name="Gold")
        ProductVersion.objects.create(product=classic, effective_from=dt.date(2020, 1, 1), parameters={})
        ProductVersion.objects.create(
            product=gold,
            effective_from=dt.date(2020, 1, 1),
            parameters={"annual_fee": "200.00", "interest_on_partial_payment": "unpaid_portion"},
        )

    setup = [
        f"""CREATE TABLE bench_cal (s integer, j integer, stmt {date_type}, pstart {date_type}, due {date_type},
            p1 {date_type}, p2 {date_type}, pay {date_type}, intd {date_type}, feed {date_type},
            dpd integer, old_dpd integer, old_bucket integer, decided boolean, PRIMARY KEY (s, j))""",
        f"CREATE TABLE bench_open (n integer PRIMARY KEY, day {date_type})",
    ]
    # For each statement day s and drawn number of missed cycles m0, the cycles m actually missed:
    # the largest m <= m0 whose oldest unpaid due date is at most charge_off_dpd days before DAY.
    cap = f"""
        CREATE TABLE bench_cap AS
        SELECT a.s, a.j + 1 AS m0, MAX(b.j) + 1 AS m FROM bench_cal a JOIN bench_cal b
            ON b.s = a.s AND b.j <= a.j AND b.dpd <= {CHARGE_OFF_DPD}
        WHERE a.j < {MAX_CYCLES} GROUP BY a.s, a.j
    """
    # One row per account, from a pseudo-random hash of its id: statement day s, class (0 pays in
    # full 60 %, 1 revolves 34 %, 2 delinquent 6 %), product, opening date, amount unit, missed
    # cycles m, variant (delinquent only: 1 cures by a payment yesterday, 2 paid the oldest minimum).
    plan = f"""
        CREATE TABLE bench_plan AS
        SELECT h.i AS id, h.s, h.cls, h.product, h.opened, h.unit,
               CASE WHEN h.cls = 2 THEN p.m ELSE 1 END AS m,
               CASE WHEN h.cls <> 2 THEN 0
                    WHEN h.v < 10 AND c.dpd >= 2 THEN 1
                    WHEN h.v < 16 AND p.m >= 2 AND c.dpd >= 2 THEN 2 ELSE 0 END AS variant
        FROM (
            SELECT g.i, 1 + (g.r / 65536) %% 28 AS s,
                   CASE WHEN (g.q / 65536) %% 100 < 60 THEN 0 WHEN (g.q / 65536) %% 100 < 94 THEN 1 ELSE 2 END AS cls,
                   CASE WHEN (g.r / 2048) %% 5 = 0 THEN {gold.pk} ELSE {classic.pk} END AS product,
                   (g.r / 8) %% 1500 AS opened,
                   50000 + ((g.q / 4096) %% 1000) * 300 AS unit,
                   1 + (g.r / 1024) %% {MAX_CYCLES} AS m0,
                   (g.q / 1024) %% 64 AS v
            FROM (SELECT i, (i * 2654435761) %% 4294967296 AS r, (i * 2246822519) %% 4294967296 AS q
                  FROM {series}) g
        ) h
        JOIN bench_cap p ON p.s = h.s AND p.m0 = h.m0
        JOIN bench_cal c ON c.s = h.s AND c.j = p.m - 1
    """
    if not pg:
        # SQLite checks deferred foreign keys row by row: once one entry's account is not there yet,
        # every later insert into a referenced table scans its children for that key, and with the
        # secondary indexes dropped each scan reads the whole table: the 100k build stalled (quadratic).
        # The generated rows are consistent by construction; they are checked once, at the end.
        connection.disable_constraint_checking()
    with transaction.atomic(), connection.cursor() as cursor:
        if pg:
            # The generated rows are consistent by construction: skip the deferred foreign-key
            # triggers while loading, as pg_restore --disable-triggers does; memory for sorts.
            cursor.execute("SET LOCAL session_replication_role = replica", [])
            cursor.execute("SET LOCAL work_mem = '256MB'", [])
            cursor.execute("SET LOCAL maintenance_work_mem = '1GB'", [])
        indexes = _drop_indexes(cursor, ["ledger_entry", "statements_statement", "ledger_account"])
        for statement in setup:
            cursor.execute(statement, [])
        cursor.executemany("INSERT INTO bench_cal VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)", cal)
        cursor.executemany("INSERT INTO bench_open VALUES (%s, %s)", opened)
        cursor.execute(cap, [])
        cursor.execute(plan, [size])
        cursor.execute("CREATE UNIQUE INDEX bench_plan_id ON bench_plan (id)", [])
        yesterday = DAY - dt.timedelta(days=1)
        _fill(cursor, now=now, yesterday=yesterday if pg else yesterday.isoformat(), json_empty=json_empty)
        if pg:
            for table in ("ledger_customer", "ledger_account"):
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))", []
                )
        for table in ("bench_plan", "bench_cap", "bench_cal", "bench_open"):
            cursor.execute(f"DROP TABLE {table}", [])
        for sql in indexes:  # building an index once is much faster than growing it row by row
            cursor.execute(sql, [])
    if not pg:
        connection.enable_constraint_checking()
        connection.check_constraints()  # PRAGMA foreign_key_check: every key the build wrote has its row
    _analyze()


def _drop_indexes(cursor: Any, tables: list[str]) -> list[str]:
    """Drop the secondary indexes (not those behind constraints) of tables; return their definitions."""
    from django.db import connection

    names = ", ".join(f"'{t}'" for t in tables)
    if connection.vendor == "postgresql":
        cursor.execute(
            f"""SELECT indexname, indexdef FROM pg_indexes WHERE tablename IN ({names})
                           AND indexname NOT IN (SELECT conname FROM pg_constraint)""",
            [],
        )
    else:
        cursor.execute(
            f"""SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name IN ({names})
                           AND sql IS NOT NULL""",
            [],
        )
    found = cursor.fetchall()
    for name, _ in found:
        cursor.execute(f'DROP INDEX "{name}"', [])
    return [sql for _, sql in found]


def _fill(cursor: Any, *, now: Any, yesterday: Any, json_empty: str) -> None:
    """Customers, entries, statements and accounts from the plan, each set in one INSERT ... SELECT.

    Amounts in fen, per account: o the opening principal (before the oldest statement j = m), m1 the
    oldest statement's minimum (paid twice over, or in full by class 0); a1, a2 purchases of the
    last closed cycle and c1, c2 of the open one (paying classes); delinquent: p0 principal, i
    interest and f late fee per missed cycle, own the minimum of each unpaid statement.
    """

    def execute(sql: str, params: list[Any]) -> None:
        insert_select(cursor, sql, params, now)

    execute(
        """
        CREATE TABLE bench_amt AS
        SELECT x.*, x.o / 10 AS m1, x.o - 2 * (x.o / 10) AS p0, (x.o - 2 * (x.o / 10)) * 15 / 1000 AS i,
               (x.o - 2 * (x.o / 10)) / 10 + (x.o - 2 * (x.o / 10)) * 15 / 1000 AS own,
               ((x.o - 2 * (x.o / 10)) / 10 + (x.o - 2 * (x.o / 10)) * 15 / 1000) * 5 / 100 AS f,
               x.o * 12 / 1000 AS ri
        FROM (SELECT p.*, p.unit * (CASE p.cls WHEN 0 THEN 1 WHEN 1 THEN 4 ELSE 3 END) AS o,
                     p.unit / 3 AS a1, p.unit / 4 AS a2, p.unit / 5 AS c1, p.unit / 6 AS c2
              FROM bench_plan p) x
    """,
        [],
    )
    execute("CREATE UNIQUE INDEX bench_amt_id ON bench_amt (id)", [])
    # The last closed statement of a paying account (j = 0): principal, interest, minimum.
    execute(
        """
        CREATE TABLE bench_last AS
        SELECT a.id,
               CASE a.cls WHEN 0 THEN a.a1 + a.a2 ELSE a.o - 2 * a.m1 + a.a1 + a.a2 END AS pr,
               CASE a.cls WHEN 0 THEN 0 ELSE a.ri END AS it,
               CASE a.cls WHEN 0 THEN (a.a1 + a.a2) / 10 ELSE (a.o - 2 * a.m1 + a.a1 + a.a2) / 10 + a.ri END AS mn
        FROM bench_amt a WHERE a.cls < 2
    """,
        [],
    )
    execute("CREATE UNIQUE INDEX bench_last_id ON bench_last (id)", [])
    execute(
        """
        INSERT INTO ledger_customer (id, name, national_id, mobile, home_phone, work_phone, email, address,
                                     region, time_zone, language, created_at)
        SELECT id, 'Customer ' || CAST(id AS TEXT), '', '1380000' || CAST(id AS TEXT), '', '', '', '', '',
               'Asia/Shanghai', 'zh-hans', %s
        FROM bench_plan
    """,
        [now],
    )
    ref = "'pay-' || CAST(a.id AS TEXT) || '-' || CAST(c.stmt AS TEXT)"
    entries = [
        # opening purchase, in the cycle of the oldest statement (j = m)
        """SELECT a.id, 'purchase', 'principal', a.o, c.p1, c.p1, '', 'opening balance'
           FROM bench_amt a JOIN bench_cal c ON c.s = a.s AND c.j = a.m + 1""",
        # payment of the oldest statement: in full (class 0) or twice its minimum
        f"""SELECT a.id, 'payment', 'principal', -(CASE a.cls WHEN 0 THEN a.o ELSE 2 * a.m1 END), c.pay, c.pay,
                  {ref}, 'payment'
           FROM bench_amt a JOIN bench_cal c ON c.s = a.s AND c.j = a.m""",
        # paying accounts: two purchases in the last closed cycle and two in the open one (if before DAY)
        """SELECT a.id, 'purchase', 'principal', a.a1, c.p1, c.p1, '', 'purchase'
           FROM bench_amt a JOIN bench_cal c ON c.s = a.s AND c.j = 1 WHERE a.cls < 2""",
        """SELECT a.id, 'purchase', 'principal', a.a2, c.p2, c.p2, '', 'purchase'
           FROM bench_amt a JOIN bench_cal c ON c.s = a.s AND c.j = 1 WHERE a.cls < 2""",
        """SELECT a.id, 'purchase', 'principal', a.c1, c.p1, c.p1, '', 'purchase'
           FROM bench_amt a JOIN bench_cal c ON c.s = a.s AND c.j = 0 WHERE a.cls < 2 AND c.p1 IS NOT NULL""",
        """SELECT a.id, 'purchase', 'principal', a.c2, c.p2, c.p2, '', 'purchase'
           FROM bench_amt a JOIN bench_cal c ON c.s = a.s AND c.j = 0 WHERE a.cls < 2 AND c.p2 IS NOT NULL""",
        # revolvers: interest charged on the last statement
        """SELECT a.id, 'interest', 'interest', a.ri, c.intd, c.intd, 'interest:' || CAST(c.stmt AS TEXT), 'interest'
           FROM bench_amt a JOIN bench_cal c ON c.s = a.s AND c.j = 0 WHERE a.cls = 1""",
        # payers pay the last statement once its payment date has come: in full, or twice the minimum
        # (interest first, then principal)
        f"""SELECT a.id, 'payment', 'principal', -(CASE a.cls WHEN 0 THEN l.pr ELSE 2 * l.mn - l.it END),
                  c.pay, c.pay, {ref}, 'payment'
           FROM bench_amt a JOIN bench_last l ON l.id = a.id JOIN bench_cal c ON c.s = a.s AND c.j = 0
           WHERE c.pay IS NOT NULL""",
        f"""SELECT a.id, 'payment', 'interest', -l.it, c.pay, c.pay, {ref}, 'payment'
           FROM bench_amt a JOIN bench_last l ON l.id = a.id JOIN bench_cal c ON c.s = a.s AND c.j = 0
           WHERE c.pay IS NOT NULL AND l.it > 0""",
        # delinquent: interest on every unpaid statement, a late fee the day after every missed due date
        """SELECT a.id, 'interest', 'interest', a.i, c.intd, c.intd, 'interest:' || CAST(c.stmt AS TEXT), 'interest'
           FROM bench_amt a JOIN bench_cal c ON c.s = a.s AND c.j < a.m WHERE a.cls = 2""",
        """SELECT a.id, 'late_fee', 'fees', a.f, c.feed, c.feed, 'late_fee:' || CAST(c.due AS TEXT), 'late fee'
           FROM bench_amt a JOIN bench_cal c ON c.s = a.s AND c.j < a.m WHERE a.cls = 2 AND c.feed IS NOT NULL""",
    ]
    columns = "account_id, kind, component, amount_fen, posting_date, value_date, reference, description"
    for select in entries:
        execute(f"INSERT INTO ledger_entry ({columns}) {select}", [])
    # delinquent accounts that paid yesterday: every past-due minimum (cure) or the oldest one only
    execute(
        f"""
        INSERT INTO ledger_entry ({columns})
        SELECT a.id, 'payment', 'principal', -(CASE a.variant WHEN 1 THEN a.m * a.own ELSE a.own END), %s, %s,
               'pay-' || CAST(a.id AS TEXT) || '-yesterday', 'payment'
        FROM bench_amt a WHERE a.variant > 0
    """,
        [yesterday, yesterday],
    )

    columns = (
        "account_id, statement_date, period_start, due_date, principal_fen, interest_fen, fees_fen, "
        "new_balance_fen, interest_charged_fen, fees_charged_fen, payments_fen, past_due_fen, "
        "minimum_payment_fen, minimum_due_fen, minimum_unpaid_fen, revolving, grace_kept, "
        "paid_by_due_fen, explanation"
    )
    # The oldest statement (j = m), paid: in full by class 0, twice its minimum by the others.
    execute(
        f"""
        INSERT INTO statements_statement ({columns})
        SELECT a.id, c.stmt, c.pstart, c.due, a.o, 0, 0, a.o, 0, 0, 0, 0, a.m1, a.m1, 0, FALSE,
               CASE WHEN a.cls = 0 THEN TRUE ELSE FALSE END, CASE WHEN a.cls = 0 THEN a.o ELSE 2 * a.m1 END,
               {json_empty}
        FROM bench_amt a JOIN bench_cal c ON c.s = a.s AND c.j = a.m
    """,
        [],
    )
    # The paying accounts' last closed statement (j = 0).
    execute(
        f"""
        INSERT INTO statements_statement ({columns})
        SELECT a.id, c.stmt, c.pstart, c.due, l.pr, l.it, 0, l.pr + l.it, l.it, 0,
               CASE a.cls WHEN 0 THEN a.o ELSE 2 * a.m1 END, 0, l.mn, l.mn,
               CASE WHEN c.pay IS NULL THEN l.mn ELSE 0 END,
               CASE WHEN a.cls = 1 THEN TRUE ELSE FALSE END,
               CASE WHEN NOT c.decided THEN NULL WHEN a.cls = 0 THEN TRUE ELSE FALSE END,
               CASE WHEN NOT c.decided THEN NULL WHEN a.cls = 0 THEN l.pr ELSE 2 * l.mn END,
               {json_empty}
        FROM bench_last l JOIN bench_amt a ON a.id = l.id JOIN bench_cal c ON c.s = a.s AND c.j = 0
    """,
        [],
    )
    # The delinquent accounts' unpaid statements (j < m); variant 2 paid the oldest, variant 1 all.
    execute(
        f"""
        INSERT INTO statements_statement ({columns})
        SELECT a.id, c.stmt, c.pstart, c.due, a.p0, a.i * (a.m - c.j), a.f * (a.m - 1 - c.j),
               a.p0 + a.i * (a.m - c.j) + a.f * (a.m - 1 - c.j), a.i,
               CASE WHEN c.j < a.m - 1 THEN a.f ELSE 0 END,
               CASE WHEN c.j = a.m - 1 THEN 2 * a.m1 ELSE 0 END, a.own * (a.m - 1 - c.j),
               a.own * (a.m - c.j), a.own,
               CASE WHEN a.variant = 1 OR (a.variant = 2 AND c.j = a.m - 1) THEN 0 ELSE a.own END,
               TRUE, CASE WHEN c.decided THEN FALSE ELSE NULL END, CASE WHEN c.decided THEN 0 ELSE NULL END,
               {json_empty}
        FROM bench_amt a JOIN bench_cal c ON c.s = a.s AND c.j < a.m WHERE a.cls = 2
    """,
        [],
    )
    # Accounts: the balance cache is the sum of their entries; DPD and bucket are yesterday's.
    execute(
        """
        INSERT INTO ledger_account (id, ref, number, customer_id, product_id, opened_on, statement_day,
                                    credit_limit_fen, status, principal_fen, interest_fen, fees_fen, dpd, bucket,
                                    last_statement_date, charged_off_fen, recovered_fen)
        SELECT a.id, 'AC' || CAST(1000000000000 + a.id AS TEXT), '62' || CAST(1000000000 + a.id AS TEXT), a.id,
               a.product, o.day, a.s, a.unit * 20, 'open',
               t.pr, t.it, t.fe, CASE WHEN a.cls = 2 THEN old.old_dpd ELSE 0 END,
               CASE WHEN a.cls = 2 THEN old.old_bucket ELSE 0 END, last.stmt, 0, 0
        FROM bench_amt a JOIN bench_open o ON o.n = a.opened
        JOIN bench_cal last ON last.s = a.s AND last.j = 0
        JOIN bench_cal old ON old.s = a.s AND old.j = a.m - 1
        JOIN (SELECT account_id,
                     SUM(CASE WHEN component = 'principal' THEN amount_fen ELSE 0 END) AS pr,
                     SUM(CASE WHEN component = 'interest' THEN amount_fen ELSE 0 END) AS it,
                     SUM(CASE WHEN component = 'fees' THEN amount_fen ELSE 0 END) AS fe
              FROM ledger_entry GROUP BY account_id) t ON t.account_id = a.id
        ORDER BY a.id
    """,
        [],
    )
    # Collection cases: one open case per customer whose account was past due yesterday.
    execute(
        """
        INSERT INTO cases_case (customer_id, status, opened_on, past_due_fen, balance_fen, worst_bucket, dpd, priority)
        SELECT a.id, 'open', o.due, 0, 0, o.old_bucket, o.old_dpd, 0
        FROM bench_amt a JOIN bench_cal o ON o.s = a.s AND o.j = a.m - 1
        WHERE a.cls = 2 AND o.old_dpd > 0
    """,
        [],
    )
    execute(
        """
        INSERT INTO cases_casestatuschange (case_id, change_date, from_status, to_status, reason, actor, at)
        SELECT id, opened_on, '', 'open', 'account past due', 'cycle', %s FROM cases_case
    """,
        [now],
    )
    execute("DROP TABLE bench_last", [])
    execute("DROP TABLE bench_amt", [])


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "arrears.settings")
    main()

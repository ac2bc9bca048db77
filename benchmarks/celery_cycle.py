"""Benchmark: the same cycle day in process (one process) and on Celery workers (1, then 2).

    .venv/bin/python benchmarks/celery_cycle.py                  # 100,000 accounts, partitions of 12,500
    .venv/bin/python benchmarks/celery_cycle.py --accounts 1000000 --partition-size 125000
    .venv/bin/python benchmarks/celery_cycle.py --smoke          # 1,000 accounts, for the test

PostgreSQL only (workers on other machines share one database server). The portfolio is the cycle
benchmark's (benchmarks/cycle.py: its build, imported), built once on `bench_celery`, then copied
(CREATE DATABASE ... TEMPLATE) once per run, so that each run starts from the same state:

- in process: `arrears.cycle.runner.run_date` in this process, one process;
- Celery, 1 worker and 2 workers: real `celery -A arrears.tasks.app worker -P solo` processes on this
  machine over the broker (CELERY_BROKER_URL, Redis by default; a queue of the run's own), the day sent
  by `arrears.tasks.cycle.run_date` and waited for. The workers are started and ready before the clock
  starts: a worker's start is not part of a day.

Every run uses the same partition size (default: an eighth of the accounts, so that two workers have
several partitions each). It prints the seconds, the ratios to the in-process run and the load
average, checks that the three databases end with the same figures (entries, balances, statements,
cases of the day), and writes the `celery_cycle` section of benchmarks/README.md (not with --no-readme nor
--smoke unless --readme PATH is given).
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
import cycle as cycle_benchmark  # noqa: E402  the portfolio's build
from readme import load_average, write_section  # noqa: E402

PG_SERVER = os.environ.get("BENCH_PG_SERVER", "postgres://postgres@127.0.0.1:5432")
BROKER = os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/0")
SECTION = "celery_cycle"  # named as the script, as tests/benchmarks/test_benchmark_readme.py wants
SMOKE_SIZE = 1000
SMOKE_PARTITION_SIZE = 300
WORKER = [sys.executable, "-m", "celery", "-A", "arrears.tasks.app", "worker", "-P", "solo", "--without-gossip"]
WORKER += ["--without-mingle", "-l", "warning"]
RUNS = (("in process", 0), ("Celery, 1 worker", 1), ("Celery, 2 workers", 2))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--partition-size", type=int, help="ids per partition (default: accounts / 8)")
    parser.add_argument("--smoke", action="store_true", help=f"{SMOKE_SIZE:,} accounts on databases of its own")
    parser.add_argument("--readme", type=Path, help="write the section into this file (default benchmarks/README.md)")
    parser.add_argument("--no-readme", action="store_true")
    args = parser.parse_args()
    size = SMOKE_SIZE if args.smoke else args.accounts
    partition = SMOKE_PARTITION_SIZE if args.smoke else (args.partition_size or max(1, size // 8))
    base = f"bench_celery_smoke_{os.getpid()}" if args.smoke else "bench_celery"
    queue = f"bench-{uuid.uuid4().hex[:12]}"
    os.environ.update(
        DJANGO_SETTINGS_MODULE="arrears.settings",
        DATABASE_URL=f"{PG_SERVER}/{base}",
        ARREARS_PARTITION_SIZE=str(partition),
        ARREARS_CELERY_QUEUE=queue,
        CELERY_BROKER_URL=BROKER,
    )
    os.environ.setdefault("ARREARS_DEMO", "1")  # demo mode's key signs and seals unless given one
    import django

    django.setup()
    copies = [f"{base}_{n}" for n in range(len(RUNS))]
    try:
        results = _measure(base, copies, size, partition)
    finally:
        _drop(base, *copies)
    _print_and_write(results, size, partition, args)


def _admin(*statements: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement)  # type: ignore[arg-type]


def _drop(*names: str) -> None:
    from django.db import connections

    connections.close_all()
    _admin(*(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)" for name in names))


def _use(name: str) -> None:
    from django.db import connections

    connections.close_all()
    connections["default"].settings_dict["NAME"] = name


def _measure(base: str, copies: list[str], size: int, partition: int) -> dict[str, Any]:
    _drop(base, *copies)
    _admin(f"CREATE DATABASE {base}")
    _use(base)
    started = time.perf_counter()
    cycle_benchmark._migrate()
    cycle_benchmark._build(size)
    cycle_benchmark._analyze()
    print(f"[{size:,}] built in {time.perf_counter() - started:.0f} s", flush=True)
    _drop(*copies)
    _admin(*(f"CREATE DATABASE {copy} TEMPLATE {base}" for copy in copies))
    runs = []
    for (label, workers), copy in zip(RUNS, copies, strict=True):
        _use(copy)
        seconds = _in_process() if workers == 0 else _on_celery(copy, workers)
        runs.append({"run": label, "workers": workers, "seconds": seconds, "load": load_average()})
        print(f"[{size:,}] {label}: {seconds:.2f} s; {runs[-1]['load']}", flush=True)
    figures = {}
    for (label, _), copy, run in zip(RUNS, copies, runs, strict=True):
        _use(copy)
        figures[label] = _figures()
        run["step_seconds"] = _step_seconds()
    _use(base)
    return {"accounts": size, "partition_size": partition, "runs": runs, "figures": figures}


def _in_process() -> float:
    from arrears.cycle.runner import run_date

    started = time.perf_counter()
    assert run_date(cycle_benchmark.DAY), "the day had already run"
    return time.perf_counter() - started


def _on_celery(database: str, workers: int) -> float:
    from arrears.tasks.cycle import run_date

    env = {**os.environ, "DATABASE_URL": f"{PG_SERVER}/{database}", "ARREARS_TASKS": "celery"}
    logs = [Path(os.environ.get("TMPDIR", "/tmp")) / f"bench_celery_{os.getpid()}_{n}.log" for n in range(workers)]
    names = [f"bench{n}-{os.getpid()}@{socket.gethostname()}" for n in range(workers)]
    processes = []
    for name, log in zip(names, logs, strict=True):
        with log.open("w") as out:
            processes.append(
                subprocess.Popen(
                    [*WORKER, "-n", name],
                    env={**env, "PYTHONUNBUFFERED": "1"},
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    cwd=ROOT,
                )
            )
    try:
        _wait_ready(names, processes, logs)
        started = time.perf_counter()
        assert run_date(cycle_benchmark.DAY), "the day had already run"
        return time.perf_counter() - started
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        for log in logs:
            log.unlink(missing_ok=True)


def _wait_ready(names: list[str], processes: list[subprocess.Popen[bytes]], logs: list[Path]) -> None:
    """Until every worker answers a ping (a worker's start is not part of the day)."""
    from arrears.tasks.app import app

    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        for process, log in zip(processes, logs, strict=True):
            if process.poll() is not None:
                raise SystemExit(f"a worker exited ({process.returncode}):\n{log.read_text()[-3000:]}")
        replies = app.control.ping(destination=names, timeout=1.0)
        if {name for reply in replies for name in reply} >= set(names):
            return
    raise SystemExit("the workers did not answer within 300 s")


def _step_seconds() -> float:
    """The time spent inside the steps' transactions (their StepRun seconds, summed over partitions): the
    rest of a run's time is the dispatching, the barriers and the waits between tasks."""
    from django.db.models import Sum

    from arrears.cycle.models import StepRun

    return float(StepRun.objects.filter(business_date=cycle_benchmark.DAY).aggregate(s=Sum("seconds"))["s"] or 0)


def _figures() -> dict[str, int]:
    """What the day did, to check that the three runs agree."""
    from django.db.models import Count, F, Sum

    from arrears.cases.models import Case
    from arrears.cycle.models import CycleDay
    from arrears.ledger.models import Account, Entry
    from arrears.statements.models import Statement

    day = cycle_benchmark.DAY
    entries = Entry.objects.filter(posting_date=day).aggregate(n=Count("id"), fen=Sum("amount_fen"))
    return {
        "closed": CycleDay.objects.filter(business_date=day).count(),
        "entries": entries["n"],
        "entries_fen": int(entries["fen"] or 0),
        "owed_fen": int(
            Account.objects.aggregate(s=Sum(F("principal_fen") + F("interest_fen") + F("fees_fen") + F("plan_fen")))[
                "s"
            ]
            or 0
        ),
        "dpd": int(Account.objects.aggregate(s=Sum("dpd"))["s"] or 0),
        "statements": Statement.objects.filter(statement_date=day).count(),
        "cases": Case.objects.count(),
    }


def _print_and_write(result: dict[str, Any], size: int, partition: int, args: argparse.Namespace) -> None:
    runs = result["runs"]
    base = runs[0]["seconds"]
    figures = result["figures"]
    agree = len({json.dumps(f, sort_keys=True) for f in figures.values()}) == 1
    load = load_average()
    lines = [
        f"One cycle day (`{cycle_benchmark.DAY}`) over {size:,} accounts on PostgreSQL, partitions of "
        f"{partition:,} account ids, the same starting database (copied) for each run; "
        "Celery workers `-P solo` on this machine, broker Redis. "
        f"The three runs end with the same figures: {'yes' if agree else 'NO'} ({figures[runs[0]['run']]}).",
        "",
        "| run | seconds | / in process | seconds inside the steps (all partitions) |",
        "|---|---:|---:|---:|",
        *(f"| {r['run']} | {r['seconds']:.2f} | {r['seconds'] / base:.2f} | {r['step_seconds']:.2f} |" for r in runs),
        "",
        f"Measured with {load}. Goal (issue 14): no slower than in process; faster with 2 workers.",
    ]
    table = "\n".join(lines)
    print(table)
    if not agree:
        raise SystemExit(f"the runs disagree: {json.dumps(figures, indent=1)}")
    if args.no_readme or (args.smoke and args.readme is None):
        return
    path = write_section(SECTION, table, **({"path": args.readme} if args.readme else {}))
    print(f"wrote the {SECTION} section of {path}")


if __name__ == "__main__":
    main()

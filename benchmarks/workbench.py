"""Benchmark of the collector workbench: next account and the case page through a real application server, open loop.

    .venv/bin/python benchmarks/workbench.py                  # build 1M accounts if missing, measure, write README
    .venv/bin/python benchmarks/workbench.py --rebuild --seconds 120 --workers 3 --threads 4
    .venv/bin/python benchmarks/workbench.py --rate 5.6 --steps ""   # the rate run only
    .venv/bin/python benchmarks/workbench.py --smoke          # a tiny portfolio, for the test

The portfolio (PostgreSQL database `bench_workbench` on $BENCH_PG_SERVER, postgres://postgres@127.0.0.1:5432
by default): 1,000,000 card accounts of 800,000 customers with 50,000 open cases, statements (2 per account,
12 for the accounts of a case), ledger entries, bucket history, and per case 3-10 contacts, 1-3 promises,
notes, financial situations, hand-offs and status history; 1,000 collectors in 50 teams of 20 with a
queue each, the cases allocated to them (5 % left to the team's pool). It is built with one INSERT …
SELECT generate_series per model through benchmarks/builder.py, which reads each model's columns from
Django's _meta and fills every column the statement does not compute with the field's default, so a
column added since never breaks the build. The build is skipped when the database already holds it
(--rebuild forces it); migrations are applied either way.

The server: gunicorn serving arrears.wsgi:application on 127.0.0.1 (--workers processes × --threads
threads, the gthread worker; benchmarks/workbench_server.py is its configuration: the application
preloaded in the master with its URL conf, templates and compliance pack, so that no measured request
pays for an import), each thread with a persistent database connection (CONN_MAX_AGE). The compliance
gate lets calls through only in calling hours (08:00-22:00 bank time): the configuration's post_fork
hook shifts arrears.kernel.clock.now in each worker by an offset the benchmark passes in
ARREARS_BENCH_CLOCK_OFFSET, so that the server's clock reads 10:00 bank time on the latest weekday,
advancing with real time. Nothing else in the product is changed.

The load, open loop, from this process (asyncio, raw HTTP/1.1 over keep-alive connections, no Django in
the request path): cases arrive as a Poisson process at --rate cases/s (5.6 by default: 1,000 collectors
each taking a case every 3 minutes). Each arrival is one idle collector's case, on a connection of its
own: POST /api/v1/workbench/next, then GET /cases/<id>/ (the case page), then, after a think time
(uniform in [0.5, 1.5] × --think s), POST /api/v1/cases/<id>/contacts (the outcome, which ends the
lease). The collectors are signed in as the product signs them in (django.contrib.auth.login: a session
in the database, its cookie, and the CSRF cookie and header an unsafe API call needs). Latency is
measured from the instant a request was due (the arrival's scheduled time for next account, the previous
answer for the case page, the end of the think time for the outcome), never from when the client got
round to sending it: a server that falls behind makes every later request wait, and that wait counts
(no coordinated omission). A request not answered within 30 s is given up and counted with the 30 s
it waited. Arrivals in the first --warmup seconds are not measured.

The CPU time the gunicorn workers and their PostgreSQL backends spent (read from /proc before and
after) is divided by the cases served: CPU per case, and the rate at which it would fill every core.
Other work on the machine inflates it less than it inflates latency (cache and scheduler effects still
count), so it tells what a quiet machine can do where a loaded one's latencies cannot.

Then the capacity: the rate is stepped up (--steps, --step-seconds each) until next account's p99
crosses 300 ms; the capacity is where it crosses, interpolated between the last step under and the
first over.

A run prints p50/p90/p99/max per request kind and the load average, and writes the `workbench` section
of benchmarks/README.md (not with --no-readme; with --readme PATH into that file). --smoke builds 2,000
accounts, 100 cases and 4 collectors on a database of its own (`bench_workbench_smoke_<pid>`), serves
them with one gunicorn worker on a free port, loads it for a few seconds at a low rate, checks that
requests were answered, none with a 5xx, and that the percentiles are ordered, drops the database and
writes no README unless given --readme PATH.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import math
import os
import platform
import random
import signal
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))  # benchmarks/readme.py, builder.py
from builder import insert_select, reset_sequences
from readme import load_average, write_section

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PG_SERVER = os.environ.get("BENCH_PG_SERVER", "postgres://postgres@127.0.0.1:5432")
PG_NAME = "bench_workbench"

ACCOUNTS = 1_000_000
CUSTOMERS = 800_000
CASE_EVERY = 16  # every 16th customer is delinquent: 50,000 cases
TEAMS = 50
PER_TEAM = 20  # collectors a team: 1,000 in all
PREFIX = "bw_"
CROSSING_MS = 300.0  # capacity: the rate at which next account's p99 crosses this
REQUEST_TIMEOUT = 30.0


def _shift_clock() -> dt.datetime:
    """The run happens at 10:00 bank time on the latest weekday, inside calling hours, whenever it is run."""
    from zoneinfo import ZoneInfo

    bank = ZoneInfo("Asia/Shanghai")
    day = dt.datetime.now(bank).date()
    while day.weekday() >= 5:
        day -= dt.timedelta(days=1)
    return dt.datetime.combine(day, dt.time(10), tzinfo=bank).astimezone(dt.UTC)


def _clock_offset() -> float:
    return (_shift_clock() - dt.datetime.now(dt.UTC)).total_seconds()


def _use_shift_clock(offset: float) -> None:
    """clock.now() reads the shift's clock, advancing with real time (the only clock the code reads)."""
    from arrears.kernel import clock

    clock.now = lambda: dt.datetime.now(dt.UTC) + dt.timedelta(seconds=offset)  # type: ignore[assignment]


def _use_smoke_sizes() -> None:
    """A portfolio small enough for a test, on a database of its own."""
    global ACCOUNTS, CUSTOMERS, TEAMS, PER_TEAM, PG_NAME
    ACCOUNTS, CUSTOMERS, TEAMS, PER_TEAM = 2000, 1600, 2, 2
    PG_NAME = f"{PG_NAME}_smoke_{os.getpid()}"


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "arrears.settings")
    os.environ["DATABASE_URL"] = f"{PG_SERVER}/{PG_NAME}"
    # Sessions are signed: a run on this machine uses demo mode's key (var/secret_key) unless given one.
    os.environ.setdefault("ARREARS_DEMO", "1")
    sys.path.insert(0, str(ROOT / "src"))
    import django
    from django.conf import settings

    django.setup()
    settings.DEBUG = False  # no query log kept in memory


# --------------------------------------------------------------------------- parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rebuild", action="store_true", help="drop and build the portfolio again")
    parser.add_argument("--rate", type=float, default=5.6, help="cases arriving per second (Poisson)")
    parser.add_argument("--seconds", type=float, default=120.0, help="measured time at --rate")
    parser.add_argument("--warmup", type=float, default=5.0, help="seconds of arrivals not measured")
    parser.add_argument("--think", type=float, default=2.0, help="mean think time before the outcome, s")
    parser.add_argument("--steps", default="5.6,10,15,20,25,30,40,50,60", help="capacity: rates to step through")
    parser.add_argument("--step-seconds", type=float, default=30.0)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    parser.add_argument("--port", type=int, default=0, help="0: a free port")
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--no-readme", action="store_true")
    parser.add_argument("--readme", type=Path, help="write the section into this file (default benchmarks/README.md)")
    parser.add_argument("--smoke", action="store_true", help="a tiny portfolio on a database of its own; no README")
    args = parser.parse_args()
    if args.smoke:
        _use_smoke_sizes()
        args.rebuild, args.workers, args.threads = True, 1, 2
        args.rate, args.seconds, args.warmup, args.think, args.steps, args.step_seconds = 3.0, 3.0, 1.0, 0.2, "6", 2.0
    try:
        _run(args)
    finally:
        if args.smoke:
            _close_all()
            _pg_admin(f"DROP DATABASE IF EXISTS {PG_NAME} WITH (FORCE)")


def _run(args: argparse.Namespace) -> None:
    _setup_django()
    from django.db import connection

    offset = _clock_offset()
    _use_shift_clock(offset)
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
    collectors = _sign_in(sizes["collectors"])
    queries = _queries_of_case_page()
    _close_all()

    port = args.port or _free_port()
    server = _start_server(args, port, offset)
    try:
        _wait_until_serving(port, server)
        rng = random.Random(args.seed)
        rate_run = _measured(server, _load(port, collectors, args.rate, args.seconds, args.warmup, args.think, rng))
        print(f"\nat {args.rate:g} cases/s for {args.seconds:g} s ({args.workers} workers × {args.threads} threads):")
        print(_table(rate_run))
        print(f"outcomes: {json.dumps(rate_run.outcomes, sort_keys=True)}")
        print(rate_run.cpu_per_case(), flush=True)
        steps: list[tuple[float, Run]] = []
        for rate in [float(r) for r in args.steps.split(",") if r.strip()]:
            run = _measured(server, _load(port, collectors, rate, args.step_seconds, 0.0, args.think, rng))
            steps.append((rate, run))
            p99 = run.summary("next").get("p99", math.inf)
            print(f"step {rate:g} cases/s: next account p99 {p99:.0f} ms, {json.dumps(run.outcomes)}", flush=True)
            if p99 > CROSSING_MS:
                break
    finally:
        _stop_server(server)
    capacity = _capacity(steps)
    print(f"\ncapacity: {capacity}")
    print(f"queries of one case page: {queries}")
    load = load_average()
    print(load, flush=True)
    _check_sane(rate_run, steps)
    if not args.no_readme and not (args.smoke and args.readme is None):
        _setup_django()
        _write_readme(args, sizes, rate_run, steps, capacity, queries, load)


def _check_sane(rate_run: Run, steps: list[tuple[float, Run]]) -> None:
    """Completion and sane figures (never a timing): answers came, no 5xx and no broken connection,
    percentiles ordered. A request the server did not answer in REQUEST_TIMEOUT is a figure, not a fault."""
    problems = []
    for label, run in [("the rate run", rate_run), *((f"step {r:g}", s) for r, s in steps)]:
        if not run.latency.get("next"):
            problems.append(f"{label}: no next account answered")
        errors = {k: n for k, n in run.outcomes.items() if k.split(" ")[-1].startswith("5") or " error" in k}
        if errors:
            problems.append(f"{label}: {errors}")
        for kind in run.latency:
            s = run.summary(kind)
            if not s["p50"] <= s["p90"] <= s["p99"] <= s["max"]:
                problems.append(f"{label}: {kind} percentiles out of order {s}")
    if problems:
        sys.exit("the benchmark's figures are not sane:\n" + "\n".join(problems))
    print("checked: answers, no 5xx, percentiles ordered")


def _capacity(steps: list[tuple[float, Run]]) -> str:
    """The case rate at which next account's p99 crosses CROSSING_MS, interpolated between two steps."""
    previous: tuple[float, float] | None = None
    for rate, run in steps:
        p99 = run.summary("next").get("p99", math.inf)
        if p99 > CROSSING_MS:
            if previous is None:
                return f"next account p99 is over {CROSSING_MS:.0f} ms already at {rate:g} cases/s ({p99:.0f} ms)"
            lo_rate, lo_p99 = previous
            at = lo_rate + (rate - lo_rate) * (CROSSING_MS - lo_p99) / (p99 - lo_p99)
            return (
                f"about {at:.0f} cases/s (next account p99 {lo_p99:.0f} ms at {lo_rate:g} cases/s, "
                f"{p99:.0f} ms at {rate:g} cases/s)"
            )
        previous = (rate, p99)
    if not steps:
        return "not measured (no steps)"
    top = steps[-1][0]
    return f"next account p99 stayed under {CROSSING_MS:.0f} ms up to {top:g} cases/s (the highest step)"


# --------------------------------------------------------------------------- the server


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start_server(args: argparse.Namespace, port: int, offset: float) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DATABASE_URL": f"{PG_SERVER}/{PG_NAME}",
        "DJANGO_SETTINGS_MODULE": "arrears.settings",
        "ARREARS_BENCH_CLOCK_OFFSET": repr(offset),
        "PYTHONPATH": str(ROOT / "src"),
    }
    command = [
        str(Path(sys.executable).with_name("gunicorn")),
        "--config",
        str(HERE / "workbench_server.py"),
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(args.workers),
        "--threads",
        str(args.threads),
        "arrears.wsgi:application",
    ]
    print(f"server: gunicorn, {args.workers} workers × {args.threads} threads on 127.0.0.1:{port}", flush=True)
    return subprocess.Popen(command, env=env, cwd=ROOT, start_new_session=True)


def _wait_until_serving(port: int, server: subprocess.Popen[bytes]) -> None:
    """Until the login page answers; then every worker has imported the application (a few requests each)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"gunicorn exited ({server.returncode})")
        try:
            status, _ = asyncio.run(_one("GET", port, "/login/"))
            if status == 200:
                break
        except OSError:
            pass
        time.sleep(0.2)
    else:
        sys.exit("gunicorn did not answer within 60 s")

    async def warm() -> None:
        await asyncio.gather(*(_one("GET", port, "/login/") for _ in range(40)))

    asyncio.run(warm())


def _stop_server(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _measured(server: subprocess.Popen[bytes], load: Any) -> Run:
    """Run the load, and count the CPU time the server's processes and their PostgreSQL backends spent."""
    before = _cpu_times(server.pid)
    run: Run = asyncio.run(load)
    after = _cpu_times(server.pid)
    for kind in ("app", "db"):
        spent = sum(t - before[kind].get(pid, 0.0) for pid, t in after[kind].items())
        setattr(run, f"cpu_{kind}", spent)
    return run


def _cpu_times(master: int) -> dict[str, dict[int, float]]:
    """CPU seconds so far of gunicorn's workers and of the PostgreSQL backends connected to the benchmark's
    database, by process (from /proc: the server and PostgreSQL run on this machine)."""
    import psycopg

    try:
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
            rows = conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", [PG_NAME]
            ).fetchall()
    except (OSError, psycopg.Error):
        return {"app": {}, "db": {}}
    return {"app": _cpu_of([int(c) for c in children]), "db": _cpu_of([r[0] for r in rows])}


def _cpu_of(pids: list[int]) -> dict[int, float]:
    tick = os.sysconf("SC_CLK_TCK")
    times = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        times[pid] = (int(fields[11]) + int(fields[12])) / tick  # utime, stime
    return times


# --------------------------------------------------------------------------- HTTP/1.1 client


class Connection:
    """One keep-alive HTTP/1.1 connection to the server (a collector's browser)."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    @classmethod
    async def open(cls, port: int) -> Connection:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        return cls(reader, writer)

    async def request(
        self, method: str, path: str, headers: dict[str, str] | None = None, body: bytes = b""
    ) -> tuple[int, bytes]:
        lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", f"Content-Length: {len(body)}"]
        lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
        await self.writer.drain()
        status_line = await self.reader.readline()
        if not status_line:
            raise ConnectionError("the server closed the connection")
        status = int(status_line.split()[1])
        length, chunked = None, False
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b"\n", b""):
                break
            name, _, value = line.decode("latin-1").partition(":")
            name = name.strip().lower()
            if name == "content-length":
                length = int(value)
            elif name == "transfer-encoding" and "chunked" in value.lower():
                chunked = True
        if chunked:
            parts = []
            while True:
                size = int((await self.reader.readline()).split(b";")[0], 16)
                if size == 0:
                    await self.reader.readline()
                    break
                parts.append(await self.reader.readexactly(size))
                await self.reader.readexactly(2)
            return status, b"".join(parts)
        if length is not None:
            return status, await self.reader.readexactly(length)
        return status, await self.reader.read()

    async def close(self) -> None:
        self.writer.close()
        with contextlib.suppress(OSError):
            await self.writer.wait_closed()


async def _one(method: str, port: int, path: str) -> tuple[int, bytes]:
    connection = await Connection.open(port)
    try:
        return await connection.request(method, path)
    finally:
        await connection.close()


# --------------------------------------------------------------------------- the load


@dataclass
class Run:
    """The latencies (s, from when each request was due) and the outcomes of one stretch of load."""

    latency: dict[str, list[float]] = field(default_factory=lambda: {"next": [], "page": [], "contact": []})
    outcomes: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    cpu_app: float = 0.0  # CPU seconds of the gunicorn workers over the whole stretch, warm-up included
    cpu_db: float = 0.0  # and of the PostgreSQL backends serving them

    def cpu_per_case(self) -> str:
        cases = self.outcomes.get("next 200", 0)
        if not cases or not self.cpu_app:
            return "server CPU per case: not measured"
        app, db = self.cpu_app / cases * 1000, self.cpu_db / cases * 1000
        cores = os.cpu_count() or 1
        return (
            f"server CPU per case (next account, case page, outcome): {app:.0f} ms in gunicorn + {db:.0f} ms in "
            f"PostgreSQL over {cases:,} cases; {cores} cores do at most about {cores * 1000 / (app + db):.0f} cases/s"
        )

    def count(self, key: str) -> None:
        self.outcomes[key] = self.outcomes.get(key, 0) + 1

    def summary(self, kind: str) -> dict[str, float]:
        values = sorted(self.latency.get(kind, []))
        if not values:
            return {}
        q = statistics.quantiles(values, n=100, method="inclusive") if len(values) > 1 else values * 99
        return {
            "n": len(values),
            "p50": q[49] * 1000,
            "p90": q[89] * 1000,
            "p99": q[98] * 1000,
            "max": values[-1] * 1000,
        }


async def _load(
    port: int,
    collectors: list[dict[str, str]],
    rate: float,
    seconds: float,
    warmup: float,
    think: float,
    rng: random.Random,
) -> Run:
    """Cases arrive as a Poisson process at `rate` for warmup + seconds; each is one idle collector's case."""
    loop = asyncio.get_running_loop()
    run = Run(seconds=seconds)
    idle = list(range(len(collectors)))
    rng.shuffle(idle)
    start = loop.time() + 0.2
    measured_from = start + warmup
    end = measured_from + seconds
    tasks = []
    due = start
    while True:
        due += rng.expovariate(rate)
        if due >= end:
            break
        delay = think * rng.uniform(0.5, 1.5)
        who = idle.pop() if idle else rng.randrange(len(collectors))
        tasks.append(asyncio.ensure_future(_case(port, collectors[who], due, delay, due >= measured_from, run)))
        tasks[-1].add_done_callback(lambda _, who=who: idle.insert(0, who))
        await asyncio.sleep(max(0.0, due - loop.time()))  # the next arrival is drawn when this one is due
    await asyncio.gather(*tasks)
    return run


async def _case(port: int, collector: dict[str, str], due: float, think: float, measured: bool, run: Run) -> None:
    loop = asyncio.get_running_loop()
    await asyncio.sleep(max(0.0, due - loop.time()))
    cookies = f"sessionid={collector['session']}; csrftoken={collector['csrf']}"
    api = {"Cookie": cookies, "X-CSRFToken": collector["csrf"], "Accept": "application/json"}

    def took(kind: str, since: float, status: int | str) -> None:
        if measured:
            run.latency[kind].append(loop.time() - since)
        run.count(f"{kind} {status}")

    kind, since, connection = "next", due, None
    try:
        connection = await asyncio.wait_for(Connection.open(port), REQUEST_TIMEOUT)
        status, body = await asyncio.wait_for(
            connection.request("POST", "/api/v1/workbench/next", api), REQUEST_TIMEOUT
        )
        took(kind, since, status)
        if status != 200:
            return
        case_id = json.loads(body)["id"]
        kind, since = "page", loop.time()
        status, _ = await asyncio.wait_for(
            connection.request("GET", f"/cases/{case_id}/", {"Cookie": cookies}), REQUEST_TIMEOUT
        )
        took(kind, since, status)
        kind, since = "contact", loop.time() + think
        await asyncio.sleep(think)
        outcome = json.dumps({"channel": "phone", "party": "none", "result": "no_answer"}).encode()
        headers = {**api, "Content-Type": "application/json"}
        status, _ = await asyncio.wait_for(
            connection.request("POST", f"/api/v1/cases/{case_id}/contacts", headers, outcome), REQUEST_TIMEOUT
        )
        took(kind, since, status)
    except TimeoutError:  # no answer within REQUEST_TIMEOUT: the wait so far counts in the percentiles
        took(kind, since, "timeout")
    except (OSError, ConnectionError, asyncio.IncompleteReadError, ValueError) as error:
        run.count(f"{kind} error: {type(error).__name__}")
    finally:
        if connection is not None:
            await connection.close()


def _sign_in(count: int) -> list[dict[str, str]]:
    """Each collector signed in as the product signs a user in (django.contrib.auth.login: a session in the
    database), with the CSRF secret its browser would hold in the csrftoken cookie."""
    from django.conf import settings
    from django.contrib.auth import login
    from django.contrib.auth.models import User
    from django.http import HttpRequest
    from django.middleware.csrf import _get_new_csrf_string  # type: ignore[attr-defined]
    from django.utils.module_loading import import_string

    store = import_string(f"{settings.SESSION_ENGINE}.SessionStore")
    signed_in = []
    for user in User.objects.filter(username__startswith=f"{PREFIX}collector").order_by("id")[:count]:
        request = HttpRequest()
        request.session = store()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        request.session.save()
        signed_in.append(
            {"user": user.username, "session": request.session.session_key, "csrf": _get_new_csrf_string()}
        )
    print(f"signed in: {len(signed_in)} collectors", flush=True)
    return signed_in


# --------------------------------------------------------------------------- report

LABELS = {
    "next": "next account (POST /api/v1/workbench/next)",
    "page": "case page (GET /cases/<id>/)",
    "contact": "record the outcome (POST /api/v1/cases/<id>/contacts)",
}


def _table(run: Run) -> str:
    head = "| request | requests | p50 ms | p90 ms | p99 ms | max ms |\n|---|---:|---:|---:|---:|---:|"
    rows = []
    for kind, label in LABELS.items():
        s = run.summary(kind)
        if s:
            rows.append(
                f"| {label} | {s['n']:,.0f} | {s['p50']:.0f} | {s['p90']:.0f} | {s['p99']:.0f} | {s['max']:.0f} |"
            )
    return "\n".join([head, *rows])


def _steps_table(steps: list[tuple[float, Run]]) -> str:
    head = "| cases/s | next p50 ms | next p99 ms | case page p99 ms | outcome p99 ms |\n|---:|---:|---:|---:|---:|"
    rows = []
    for rate, run in steps:
        nxt, page, contact = run.summary("next"), run.summary("page"), run.summary("contact")
        rows.append(
            f"| {rate:g} | {nxt.get('p50', math.nan):.0f} | {nxt.get('p99', math.nan):.0f} | "
            f"{page.get('p99', math.nan):.0f} | {contact.get('p99', math.nan):.0f} |"
        )
    return "\n".join([head, *rows])


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


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
    args: argparse.Namespace,
    sizes: dict[str, int],
    rate_run: Run,
    steps: list[tuple[float, Run]],
    capacity: str,
    queries: int,
    load_avg: str,
) -> None:
    """Replace the workbench section of benchmarks/README.md (other sections belong to others)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
    outcomes = ", ".join(f"{k} {v:,}" for k, v in sorted(rate_run.outcomes.items()))
    section = f"""## Workbench (`benchmarks/workbench.py`)

`.venv/bin/python benchmarks/workbench.py` — measured {dt.date.today().isoformat()} on {_machine()},
PostgreSQL {version}; {load_avg} at the end of the run. Portfolio: {sizes["accounts"]:,} accounts of
{sizes["customers"]:,} customers, {sizes["cases"]:,} open cases, {sizes["statements"]:,} statements,
{sizes["entries"]:,} ledger entries, {sizes["bucket_changes"]:,} bucket changes, {sizes["contacts"]:,}
contacts, {sizes["promises"]:,} promises; {sizes["collectors"]:,} collectors in {sizes["teams"]} teams with a
queue each.

Through gunicorn ({args.workers} workers × {args.threads} threads, persistent database connections) on
127.0.0.1, open loop: cases arrive as a Poisson process at {args.rate:g} cases/s (5.6 cases/s is 1,000
collectors each taking a case every 3 minutes), each one collector's next account → case page → the outcome after a
think time of {args.think:g} s on average, over raw HTTP/1.1 keep-alive connections from a separate
process, signed in with a session. Latency from the instant each request was due, so time queued in
the server counts. The server's clock reads 10:00 bank time on a weekday (shifted in gunicorn's
post_fork, so that the compliance gate lets the calls through). Goals: next account p99 < 50 ms,
case page p99 < 150 ms. One case page makes {queries} queries whatever the customer's history
(pinned by tests/functional/test_case_page_queries.py).

At {args.rate:g} cases/s for {args.seconds:g} s:

{_table(rate_run)}

Outcomes (request and HTTP status): {outcomes}. {_sentence(rate_run.cpu_per_case())} (CPU time: less
distorted by other work on the machine than the latencies).

Capacity, the rate stepped up for {args.step_seconds:g} s a step until next account's p99 crosses
{CROSSING_MS:.0f} ms: {capacity}.

{_steps_table(steps)}
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
            users = conn.execute(
                "SELECT count(*) FROM auth_user WHERE username LIKE %s", [f"{PREFIX}collector%"]
            ).fetchone()
            return bool(row and row[0] >= CUSTOMERS // CASE_EVERY and users and users[0] == TEAMS * PER_TEAM)
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
    """Each run starts from the same state: no lease, nothing worked in the last hours, no session."""
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

    from arrears.cases.models import Case, Queue
    from arrears.ledger.models import Account, Customer
    from arrears.people.models import Profile, Team
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
    from django.contrib.auth.models import User

    now = timezone.now()
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")  # rows consistent by construction
        cursor.execute("SET LOCAL work_mem = '256MB'")
        cursor.execute("SET LOCAL maintenance_work_mem = '1GB'")
        for name, model, columns, select in _statements(classic.pk, gold.pk):
            t = time.perf_counter()
            rows = insert_select(cursor, model, columns, select, now=now)
            print(f"  {name}: {rows:,} rows, {time.perf_counter() - t:.1f} s", flush=True)
        reset_sequences(cursor, [Customer, Account, User, Team, Case, Profile, Queue])
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print(f"  built in {time.perf_counter() - started:.0f} s", flush=True)


def _statements(classic: int, gold: int) -> list[tuple[str, Any, str, str]]:
    """One INSERT … SELECT per model. A delinquent customer c (c % 16 = 0) has case number c / 16."""
    from django.contrib.auth.models import User

    from arrears.cases.models import Case, CaseStatusChange, Queue
    from arrears.contacts.models import Callback, Contact, FinancialSituation, Handoff, Note
    from arrears.delinquency.models import BucketChange
    from arrears.ledger.models import Account, Customer, Entry
    from arrears.people.models import Profile, Team
    from arrears.promises.models import Promise
    from arrears.statements.models import Statement

    collector = f"""(SELECT id FROM auth_user WHERE username = '{PREFIX}collector' ||
                     lpad((((n % {TEAMS}) * {PER_TEAM}) + (n / {TEAMS}) % {PER_TEAM} + 1)::text, 4, '0'))"""
    # dpd of a delinquent account, from a hash of its id
    dpd = "(1 + ((a.id * 2654435761) % 4294967296) / 65536 % 200)"
    bucket = f"LEAST(7, ({dpd} + 29) / 30)"
    return [
        (
            "users",
            User,
            "id, password, is_superuser, username, first_name, last_name, email, is_staff, is_active, date_joined",
            f"""
            SELECT i, '!', false, CASE WHEN i <= {TEAMS * PER_TEAM} THEN '{PREFIX}collector' || lpad(i::text, 4, '0')
                                       ELSE '{PREFIX}lead' || lpad((i - {TEAMS * PER_TEAM})::text, 2, '0') END,
                   '', '', '', false, true, now()
            FROM generate_series(1, {TEAMS * PER_TEAM + TEAMS}) i""",
        ),
        (
            "profiles",
            Profile,
            "id, user_id, languages, max_cases",
            f"""
            SELECT i, i, CASE WHEN i % 5 = 0 THEN 'zh-hans,en' ELSE 'zh-hans' END, 400
            FROM generate_series(1, {TEAMS * PER_TEAM + TEAMS}) i""",
        ),
        (
            "roles",
            User.groups.through,
            "user_id, group_id",
            f"""
            SELECT i, (SELECT id FROM auth_group WHERE name = CASE WHEN i <= {TEAMS * PER_TEAM}
                                                   THEN 'collector' ELSE 'team_lead' END)
            FROM generate_series(1, {TEAMS * PER_TEAM + TEAMS}) i""",
        ),
        (
            "teams",
            Team,
            "id, name, lead_id",
            f"""
            SELECT t, '{PREFIX}team' || lpad(t::text, 2, '0'), {TEAMS * PER_TEAM} + t
            FROM generate_series(1, {TEAMS}) t""",
        ),
        (
            "team members",
            Team.members.through,
            "team_id, user_id",
            f"""
            SELECT 1 + (i - 1) / {PER_TEAM}, i FROM generate_series(1, {TEAMS * PER_TEAM}) i
            UNION ALL SELECT t, {TEAMS * PER_TEAM} + t FROM generate_series(1, {TEAMS}) t""",
        ),
        (
            "queues",
            Queue,
            "id, name, team_id, rank, min_bucket, max_bucket, min_balance_fen, language, region, active",
            f"""
            SELECT t, '{PREFIX}queue' || lpad(t::text, 2, '0'), t, t, 1, 7, 0, '', 'region' || t, true
            FROM generate_series(1, {TEAMS}) t""",
        ),
        (
            "customers",
            Customer,
            "id, name, national_id, mobile, home_phone, work_phone, "
            "email, address, region, time_zone, language, created_at",
            f"""
            SELECT i, '客户' || i, '1101051990' || lpad((i % 100000000)::text, 8, '0'),
                   '138' || lpad(i::text, 8, '0'), '', '', 'c' || i || '@example.cn', '北京市朝阳区 ' || i || ' 号',
                   'region' || (1 + i % {TEAMS}), 'Asia/Shanghai', CASE WHEN i % 20 = 0 THEN 'en' ELSE 'zh-hans' END,
                   now()
            FROM generate_series(1, {CUSTOMERS}) i""",
        ),
        (
            "accounts",
            Account,
            "id, ref, number, customer_id, product_id, opened_on, statement_day, credit_limit_fen, status, "
            "principal_fen, interest_fen, fees_fen, dpd, bucket, last_statement_date, "
            "charged_off_fen, recovered_fen, plan_fen",
            f"""
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
            Statement,
            "account_id, statement_date, period_start, due_date, principal_fen, interest_fen, fees_fen, "
            "new_balance_fen, "
            "interest_charged_fen, fees_charged_fen, payments_fen, past_due_fen, minimum_payment_fen, "
            "minimum_due_fen, minimum_unpaid_fen, revolving, explanation",
            """
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
            Entry,
            "account_id, kind, component, amount_fen, posting_date, value_date, reference, description, created_at",
            """
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
            BucketChange,
            "account_id, change_date, from_bucket, to_bucket, dpd",
            """
            SELECT a.id, current_date - a.dpd + (b - 1) * 30, b - 1, b, (b - 1) * 30 + 1
            FROM ledger_account a CROSS JOIN LATERAL generate_series(1, a.bucket) b
            WHERE a.dpd > 0 AND current_date - a.dpd + (b - 1) * 30 <= current_date""",
        ),
        (
            "cases",
            Case,
            "id, customer_id, status, opened_on, past_due_fen, balance_fen, worst_bucket, "
            "dpd, priority, team_id, queue_id, collector_id, last_contact_at, next_callback_at, promise_broken_on",
            f"""
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
            CaseStatusChange,
            "case_id, change_date, from_status, to_status, reason, actor, at",
            f"""
            SELECT id, opened_on, '', 'open', 'account past due', 'cycle', now() - interval '1 day' * dpd
            FROM cases_case
            UNION ALL
            SELECT id, opened_on + 7, 'open', 'promised', 'promise taken', '{PREFIX}collector0001',
                   now() - interval '1 day' * (dpd - 7) FROM cases_case WHERE status = 'promised'""",
        ),
        (
            "contacts",
            Contact,
            "case_id, collector_id, at, channel, direction, address, "
            "party, result, disposition, duration_seconds, notes, recording_ref",
            """
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
            Promise,
            "case_id, amount_fen, promised_date, taken_on, taken_by_id, status, paid_fen, judged_on",
            """
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
            Note,
            "case_id, author_id, at, text, flagged",
            """
            SELECT c.id, COALESCE(c.collector_id, t.lead_id), now() - interval '1 day' * (5 * k),
                   '客户称本月收入减少，约定下次联系时间', false
            FROM cases_case c JOIN people_team t ON t.id = c.team_id
            CROSS JOIN LATERAL generate_series(1, (1 + c.id % 3)::int) k""",
        ),
        (
            "financial situations",
            FinancialSituation,
            "case_id, taken_by_id, at, monthly_income_fen, monthly_expenses_fen, "
            "dependants, other_debts_fen, hardship_reason, ability, willingness, recommended_path",
            """
            SELECT c.id, COALESCE(c.collector_id, t.lead_id), now() - interval '20 days', 800000, 650000, 2, 50000,
                   '失业', 'unable', 'willing', 'hardship_plan'
            FROM cases_case c JOIN people_team t ON t.id = c.team_id WHERE c.id % 2 = 0""",
        ),
        (
            "hand-offs",
            Handoff,
            "case_id, from_user_id, to_role, comment, created_at, return_comment",
            """
            SELECT c.id, COALESCE(c.collector_id, t.lead_id), 'customer_service', '客户对年费有异议',
                   now() - interval '15 days', ''
            FROM cases_case c JOIN people_team t ON t.id = c.team_id WHERE c.id % 10 = 0""",
        ),
        (
            "callbacks",
            Callback,
            "case_id, user_id, due_at, note",
            """
            SELECT c.id, c.collector_id, c.next_callback_at, '客户要求下午回电'
            FROM cases_case c WHERE c.next_callback_at IS NOT NULL AND c.collector_id IS NOT NULL""",
        ),
    ]


def _queries_of_case_page() -> int:
    """The number of queries one case page makes, for the README."""
    from django.contrib.auth.models import User
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from arrears.cases.models import Case

    user = User.objects.get(username=f"{PREFIX}collector0001")
    case = Case.objects.filter(collector=user).order_by("-id").first()
    assert case is not None
    client = Client()
    client.force_login(user)
    client.get(f"/cases/{case.pk}/")
    with CaptureQueriesContext(connection) as queries:
        client.get(f"/cases/{case.pk}/")
    return len(queries)


if __name__ == "__main__":
    main()

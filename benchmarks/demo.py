"""Benchmark: `make demo` on a fresh clone, from start to serving; and the demo at 100,000 accounts on SQLite.

    .venv/bin/python benchmarks/demo.py            # make demo (2,000 accounts, 8 months) + 100k x 8 months
    .venv/bin/python benchmarks/demo.py --skip-large   # make demo only
    .venv/bin/python benchmarks/demo.py --smoke    # 30 accounts, 1 month; 40 accounts for the large run

Targets (issue 14): `make demo` on a fresh clone under 60 s from start to the first HTTP 200;
`arrears demo --accounts 100000 --months 8` on SQLite under 10 minutes.

1. `git clone` of this repository's HEAD (committed work only) into a scratch directory, then
   `make demo DEMO_ADDR=127.0.0.1:<free port>` there, as a person would run it: uv sync (with uv's
   cache warm), migrate, the demo build (which trains the scoring model), the server. The clock runs
   from `make` starting to the first HTTP 200 of the sign-in page; each phase is timed from the
   command line make prints before it runs the command. The server is stopped after its first 200.
2. In the same clone, on a fresh SQLite file: `arrears migrate` (timed apart), then
   `arrears demo --accounts 100000 --months 8` alone.

The figures go into the `demo` section of benchmarks/README.md (not with --no-readme; a smoke run
writes no README unless given --readme PATH), with the load average after each part.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import queue
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))  # benchmarks/readme.py
from readme import load_average, write_section

ROOT = Path(__file__).resolve().parent.parent
# The commands `make demo` prints before it runs them, in order: each starts a phase.
PHASES = (("arrears migrate", "migrate"), ("arrears demo", "demo build"), ("arrears runserver", "server start"))
MAKE_TIMEOUT = 1800  # seconds: a broken build must not hang a benchmark run
SERVE_PATH = "/login/"
FULL = {"accounts": 2000, "months": 8, "large_accounts": 100_000, "large_months": 8}
SMOKE = {"accounts": 30, "months": 1, "large_accounts": 40, "large_months": 1}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--smoke", action="store_true", help="a tiny demo, for the test; no README")
    parser.add_argument("--skip-large", action="store_true", help="only make demo, not the 100k demo on SQLite")
    parser.add_argument(
        "--large-accounts", type=int, help="accounts of the large SQLite demo (default 100,000), to measure a slice"
    )
    parser.add_argument("--readme", type=Path, help="write the section into this file (default benchmarks/README.md)")
    parser.add_argument("--no-readme", action="store_true")
    args = parser.parse_args()
    size = dict(SMOKE if args.smoke else FULL)
    if args.large_accounts:
        size["large_accounts"] = args.large_accounts
    scratch = Path(tempfile.mkdtemp(prefix="bench_demo_"))
    try:
        clone = scratch / "arrears"
        commit = _git("rev-parse", "--short", "HEAD")
        subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
        make = _make_demo(clone, accounts=size["accounts"], months=size["months"])
        make["load"] = load_average()
        print(_make_line(make), flush=True)
        large: dict[str, Any] | None = None
        if not args.skip_large:
            large = _large_demo(clone, accounts=size["large_accounts"], months=size["large_months"])
            large["load"] = load_average()
            print(_large_line(large), flush=True)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    print(load_average())
    if args.no_readme or (args.smoke and args.readme is None):
        return
    section = _section(commit, size, make, large)
    path = write_section("demo", section, **({"path": args.readme} if args.readme else {}))
    print(f"wrote the demo section of {path}")


def _environment() -> dict[str, str]:
    """As a person runs `make demo` in a fresh clone: no database URL, key or settings of the caller's."""
    keep = {
        k: v for k, v in os.environ.items() if not k.startswith(("ARREARS_", "DATABASE_", "DJANGO_", "VIRTUAL_ENV"))
    }
    return {**keep, "PYTHONUNBUFFERED": "1"}


def _make_demo(clone: Path, *, accounts: int, months: int) -> dict[str, Any]:
    port = _free_port()
    command = ["make", "demo", f"DEMO_ADDR=127.0.0.1:{port}", f"DEMO_ACCOUNTS={accounts}", f"DEMO_MONTHS={months}"]
    started = time.perf_counter()
    marks: dict[str, float] = {"env": 0.0}
    built = ""
    with subprocess.Popen(
        command,
        cwd=clone,
        env=_environment(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # the server and make in one process group, stopped together
    ) as make:
        try:
            assert make.stdout is not None
            lines: queue.Queue[str] = queue.Queue()
            threading.Thread(target=_pump, args=(make.stdout, lines), daemon=True).start()
            serving = None
            output: list[str] = []
            while serving is None:
                if time.perf_counter() - started > MAKE_TIMEOUT:
                    raise SystemExit(f"make demo did not serve within {MAKE_TIMEOUT} s")
                while not lines.empty():
                    line = lines.get()
                    output.append(line)
                    for needle, phase in PHASES:
                        if needle in line and phase not in marks:
                            marks[phase] = time.perf_counter() - started
                    if line.startswith("built in") or "accounts scored in" in line:
                        built += line.strip() + "; "
                if make.poll() is not None:
                    raise SystemExit("make demo stopped before serving:\n" + "".join(output[-40:]))
                if "server start" in marks and _serves(port):
                    serving = time.perf_counter() - started
                time.sleep(0.1)
        finally:
            _stop(make)
    phases = ("env", "migrate", "demo build", "server start")
    ends = [marks.get(p, serving) for p in phases[1:]] + [serving]
    seconds = {p: round(end - marks.get(p, 0.0), 1) for p, end in zip(phases, ends, strict=True)}
    return {"accounts": accounts, "months": months, "seconds": round(serving, 1), "phases": seconds, "built": built}


def _large_demo(clone: Path, *, accounts: int, months: int) -> dict[str, Any]:
    database = clone / "var" / "large.sqlite3"
    env = {**_environment(), "DATABASE_URL": f"sqlite:///{database}", "ARREARS_DEMO": "1"}
    arrears = [str(clone / ".venv" / "bin" / "arrears")]
    started = time.perf_counter()
    subprocess.run([*arrears, "migrate", "--verbosity", "0", "--skip-checks"], cwd=clone, env=env, check=True)
    migrate = time.perf_counter() - started
    started = time.perf_counter()
    done = subprocess.run(
        [*arrears, "demo", "--skip-checks", "--accounts", str(accounts), "--months", str(months)],
        cwd=clone,
        env={**env, "TQDM_DISABLE": "1"},
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    )
    seconds = time.perf_counter() - started
    summary = [line for line in done.stdout.splitlines() if line.startswith(("portfolio:", "statements "))]
    return {
        "accounts": accounts,
        "months": months,
        "migrate": round(migrate, 1),
        "seconds": round(seconds, 1),
        "size_mb": round(database.stat().st_size / 1e6),
        "summary": summary,
    }


def _pump(stream: Any, lines: queue.Queue[str]) -> None:
    for line in stream:
        lines.put(line)


def _serves(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{SERVE_PATH}", timeout=5) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def _stop(process: subprocess.Popen[str]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=ROOT, check=True, capture_output=True, text=True).stdout.strip()


def _make_line(m: dict[str, Any]) -> str:
    phases = ", ".join(f"{p} {s:.1f} s" for p, s in m["phases"].items())
    return (
        f"make demo ({m['accounts']:,} accounts, {m['months']} months) on a fresh clone: serving after "
        f"{m['seconds']:.1f} s ({phases}); target < 60 s; {m['load']}"
    )


def _large_line(r: dict[str, Any]) -> str:
    return (
        f"arrears demo --accounts {r['accounts']} --months {r['months']} on SQLite: {r['seconds']:.1f} s "
        f"(migrate {r['migrate']:.1f} s apart; database {r['size_mb']} MB); target < 600 s at 100,000; {r['load']}"
    )


def _section(commit: str, size: dict[str, int], make: dict[str, Any], large: dict[str, Any] | None) -> str:
    phases = " | ".join(f"{s:.1f}" for s in make["phases"].values())
    text = f"""## Demo (`benchmarks/demo.py`)

`.venv/bin/python benchmarks/demo.py` — commit {commit}, measured {dt.date.today().isoformat()}.

`make demo` on a fresh `git clone` ({size["accounts"]:,} accounts, {size["months"]} months), from `make`
starting to the first HTTP 200 of the sign-in page; each phase from the command line make prints
before it ({make["load"]} when it served). {make["built"].strip("; ")}.

| total s | uv sync s | migrate s | demo build s | server start s | target |
|---:|---:|---:|---:|---:|---|
| {make["seconds"]:.1f} | {phases} | < 60 s |
"""
    if large is not None:
        text += f"""
`arrears demo --accounts {large["accounts"]:,} --months {large["months"]}` on a fresh SQLite file in the same clone
(migrate apart: {large["migrate"]:.1f} s; {large["load"]} at the end): {"; ".join(large["summary"])}.

| accounts | months | seconds | database MB | target |
|---:|---:|---:|---:|---|
| {large["accounts"]:,} | {large["months"]} | {large["seconds"]:.1f} | {large["size_mb"]} | < 600 s at 100,000 |
"""
    return text


if __name__ == "__main__":
    main()

"""Every benchmark at its goal size, one after the other, for the quiet run (`make bench`).

    .venv/bin/python benchmarks/all.py                 # refuses to start above a 1-minute load of 1.5
    .venv/bin/python benchmarks/all.py --only dialer,compliance
    .venv/bin/python benchmarks/all.py --skip workbench --max-load 2
    .venv/bin/python benchmarks/all.py --dry-run       # the plan, nothing run

A figure measured while other work runs is not evidence, so the run refuses to start when the
1-minute load average is above --max-load (--force starts anyway, and says so loudly). Before each
benchmark it waits, up to --settle seconds, for the load the previous one left to fall under the
limit, and warns loudly when it does not. Each benchmark runs at its goal size (its defaults, or the
arguments below), prints its own figures with the load average, and writes its own section of
benchmarks/README.md. Benchmarks whose file does not exist are skipped with a note. At the end: a
table of each benchmark's exit status, duration and the load before and after it.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # benchmarks/readme.py
from readme import load_average

HERE = Path(__file__).resolve().parent
# (benchmark, arguments for its goal size): the heaviest database work first, the demo's clone last.
PLAN: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("cycle", ("--sizes", "100000,1000000", "--sqlite-sizes", "100000")),
    ("celery_cycle", ("--accounts", "1000000")),
    ("feed", ()),
    ("workbench", ()),
    ("dialer", ()),
    ("compliance", ()),
    ("scoring", ()),
    ("strategy", ()),
    ("agencies", ()),
    ("bureau", ()),
    ("legal", ()),
    ("recovery", ()),
    ("demo", ("--large-accounts", "5000")),
)
POLL_SECONDS = 10


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", help="comma-separated benchmark names (default: all)")
    parser.add_argument("--skip", default="", help="comma-separated benchmark names to leave out")
    parser.add_argument("--max-load", type=float, default=1.5, help="the highest 1-minute load to start at")
    parser.add_argument("--settle", type=float, default=300, help="seconds to wait for the load to fall")
    parser.add_argument("--force", action="store_true", help="start even when the machine is busy")
    parser.add_argument("--dry-run", action="store_true", help="print the plan and run nothing")
    args = parser.parse_args()
    plan = _plan(args.only, args.skip)
    for name, extra, present in plan:
        print(
            f"{'run' if present else 'skip'} {name}.py {' '.join(extra)}".rstrip() + ("" if present else " (no file)")
        )
    if args.dry_run:
        return
    print(load_average(), flush=True)
    if _load() > args.max_load:
        if not args.force:
            sys.exit(
                f"the machine is busy ({load_average()}): above --max-load {args.max_load}. Stop the other work, "
                "or pass --force and do not publish the figures as a quiet run."
            )
        _warn(f"STARTING ON A BUSY MACHINE (--force): {load_average()}; these figures are not a quiet run")
    results = []
    for name, extra, present in plan:
        if not present:
            continue
        before = _settle(args.max_load, args.settle)
        print(f"\n=== {name}: {' '.join(extra) or 'goal size'}; {before}", flush=True)
        started = time.perf_counter()
        done = subprocess.run([sys.executable, str(HERE / f"{name}.py"), *extra], cwd=HERE.parent, check=False)
        seconds = time.perf_counter() - started
        after = load_average()
        print(f"=== {name}: exit {done.returncode} after {seconds:.0f} s; {after}", flush=True)
        results.append((name, done.returncode, seconds, before, after))
    print("\n| benchmark | exit | seconds | load before | load after |\n|---|---:|---:|---|---|")
    for name, code, seconds, before, after in results:
        print(f"| {name} | {code} | {seconds:.0f} | {_short(before)} | {_short(after)} |")
    if any(code for _, code, *_ in results):
        sys.exit("some benchmarks failed: see their output above")


def _plan(only: str | None, skip: str) -> list[tuple[str, tuple[str, ...], bool]]:
    names = [n for n, _ in PLAN]
    chosen = [n.strip() for n in only.split(",") if n.strip()] if only else names
    left_out = {n.strip() for n in skip.split(",") if n.strip()}
    unknown = (set(chosen) | left_out) - set(names)
    if unknown:
        sys.exit(f"unknown benchmarks: {', '.join(sorted(unknown))}; known: {', '.join(names)}")
    extra = dict(PLAN)
    return [(n, extra[n], (HERE / f"{n}.py").exists()) for n in names if n in chosen and n not in left_out]


def _settle(limit: float, patience: float) -> str:
    """Wait until the 1-minute load is under the limit (or patience runs out, with a loud warning)."""
    deadline = time.monotonic() + patience
    while _load() > limit and time.monotonic() < deadline:
        time.sleep(POLL_SECONDS)
    if _load() > limit:
        _warn(f"the load did not fall under {limit} within {patience:.0f} s: {load_average()}")
    return load_average()


def _load() -> float:
    return os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0


def _short(load: str) -> str:
    return load.removeprefix("load average ").split(" (")[0]


def _warn(text: str) -> None:
    print(f"\n!!! WARNING: {text} !!!\n", file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()

"""`make bench` (benchmarks/all.py): its plan names every benchmark of this repository, and it refuses
an unknown name. A dry run only; the benchmarks themselves run at their smoke sizes in the other tests."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
NOT_BENCHMARKS = {"all", "readme", "harness", "portfolio", "builder", "workbench_server"}  # runner, helpers, config


def _all(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(BENCHMARKS / "all.py"), *args], capture_output=True, text=True, timeout=60, check=False
    )


def test_the_plan_runs_every_benchmark_file_there_is() -> None:
    done = _all("--dry-run")

    assert done.returncode == 0, done.stderr
    planned = {line.split()[1].removesuffix(".py") for line in done.stdout.splitlines() if line.startswith("run ")}
    files = {p.stem for p in BENCHMARKS.glob("*.py")} - NOT_BENCHMARKS
    assert files <= planned, f"benchmarks missing from benchmarks/all.py PLAN: {sorted(files - planned)}"
    assert "run cycle.py --sizes 100000,1000000 --sqlite-sizes 100000" in done.stdout


def test_an_unknown_benchmark_is_refused_by_name() -> None:
    done = _all("--dry-run", "--only", "cycle,nonesuch")

    assert done.returncode != 0
    assert "unknown benchmarks: nonesuch" in done.stderr

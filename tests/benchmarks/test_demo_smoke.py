"""The demo benchmark at its smoke size: `make demo` on a fresh clone until it serves, then a small
`arrears demo` on a SQLite file of its own. SQLite only (the demo's database): it runs in the SQLite pass."""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from tests.benchmarks.test_benchmark_smoke import BENCHMARKS, README, _assert_only_its_section_changed

pytestmark = [
    pytest.mark.bench_smoke,
    pytest.mark.skipif(connection.vendor != "sqlite", reason="the demo runs on SQLite: it runs in the SQLite pass"),
]
# Two migrations of a fresh database and two small demo builds: a guard against a hang, not a timing.
HANG_GUARD_SECONDS = 900


def test_the_demo_benchmark_serves_a_fresh_clone_and_builds_a_small_demo(tmp_path: Path) -> None:
    copy = tmp_path / "README.md"
    copy.write_bytes(README.read_bytes())
    before = hashlib.sha256(README.read_bytes()).hexdigest()

    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / "demo.py"), "--smoke", "--readme", str(copy)],
        capture_output=True,
        text=True,
        timeout=HANG_GUARD_SECONDS,
        env=dict(os.environ),
        cwd=BENCHMARKS.parent,
    )

    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert hashlib.sha256(README.read_bytes()).hexdigest() == before, "a smoke run wrote benchmarks/README.md"
    served = re.search(r"make demo \(30 accounts, 1 months\) on a fresh clone: serving after ([\d.]+) s", done.stdout)
    assert served and float(served.group(1)) > 0, done.stdout
    assert "arrears demo --accounts 40 --months 1 on SQLite" in done.stdout
    assert "load average" in done.stdout
    _assert_only_its_section_changed("demo", copy)

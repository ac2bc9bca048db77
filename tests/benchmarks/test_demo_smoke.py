"""The demo benchmark at its smoke size: `make demo` on a fresh clone until it serves, then a small
`arrears demo` on a SQLite file of its own. SQLite only (the demo's database): it runs in the SQLite pass."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.db import connection

from tests.benchmarks.test_benchmark_smoke import _assert_only_its_section_changed, _smoke

pytestmark = [
    pytest.mark.bench_smoke,
    pytest.mark.skipif(connection.vendor != "sqlite", reason="the demo runs on SQLite: it runs in the SQLite pass"),
]


def test_the_demo_benchmark_serves_a_fresh_clone_and_builds_a_small_demo(tmp_path: Path) -> None:
    out, copy = _smoke("demo", tmp_path)

    served = re.search(r"make demo \(30 accounts, 1 months\) on a fresh clone: serving after ([\d.]+) s", out)
    assert served and float(served.group(1)) > 0, out
    assert "arrears demo --accounts 40 --months 1 on SQLite" in out
    assert "load average" in out
    _assert_only_its_section_changed("demo", copy)

"""Every benchmark runs at its --smoke size on each test run; a smoke run never writes the README.

Each run is given a copy of benchmarks/README.md through --readme: the benchmark must rewrite its own
section of the copy (with the load average) and leave every other section, and the real README, alone.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))
from readme import README, SECTIONS, read_section  # noqa: E402

pytestmark = pytest.mark.bench_smoke
POSTGRESQL_ONLY = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="a PostgreSQL-only benchmark: it runs in the PostgreSQL pass"
)


def _pg_server() -> str:
    """The PostgreSQL server of this test run, without a database name (the benchmark makes its own)."""
    db = connection.settings_dict
    login = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{login}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"


def _smoke(
    name: str, tmp_path: Path, *args: str, timeout: int = 240, env_extra: dict[str, str] | None = None
) -> tuple[str, Path]:
    copy = tmp_path / "README.md"
    copy.write_bytes(README.read_bytes())
    # As a person runs it: without the secret key and demo mode that the tests' environment sets.
    env = {k: v for k, v in os.environ.items() if k not in ("ARREARS_DEMO", "ARREARS_SECRET_KEY")}
    if connection.vendor == "postgresql":
        env["BENCH_PG_SERVER"] = _pg_server()
    env.update(env_extra or {})
    before = hashlib.sha256(README.read_bytes()).hexdigest()

    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / f"{name}.py"), "--smoke", "--readme", str(copy), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        cwd=BENCHMARKS.parent,
    )

    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert hashlib.sha256(README.read_bytes()).hexdigest() == before, "a smoke run wrote benchmarks/README.md"
    return done.stdout, copy


def _assert_only_its_section_changed(name: str, copy: Path) -> None:
    for other in SECTIONS:
        if other != name:
            assert read_section(other, path=copy) == read_section(other, path=README), other
    mine = read_section(name, path=copy)
    assert mine is not None and mine != read_section(name, path=README)
    assert "load average" in mine


def test_the_compliance_benchmark_runs_at_its_smoke_size(tmp_path: Path) -> None:
    out, copy = _smoke("compliance", tmp_path)

    assert "load average" in out and "CN SMS with wording check" in out
    _assert_only_its_section_changed("compliance", copy)


def test_the_cycle_benchmark_runs_one_day_at_its_smoke_size_on_this_database(tmp_path: Path) -> None:
    out, copy = _smoke("cycle", tmp_path, "--databases", connection.vendor)

    assert "load average" in out
    assert f"| {connection.vendor} | 1,000 | 1 |" in out
    _assert_only_its_section_changed("cycle", copy)


@POSTGRESQL_ONLY
def test_the_dialer_benchmark_exports_its_smoke_campaign(tmp_path: Path) -> None:
    out, copy = _smoke("dialer", tmp_path)

    assert "dialer export: 500 numbers" in out and "load average" in out
    _assert_only_its_section_changed("dialer", copy)


@POSTGRESQL_ONLY
def test_the_workbench_benchmark_works_its_smoke_portfolio(tmp_path: Path) -> None:
    """Through a real gunicorn on a free port, open loop: answers came, none a 5xx, percentiles ordered."""
    out, copy = _smoke("workbench", tmp_path)

    assert "server: gunicorn, 1 workers × 2 threads" in out
    assert '"contact 201"' in out and "checked: answers, no 5xx, percentiles ordered" in out
    assert "load average" in out
    _assert_only_its_section_changed("workbench", copy)


@POSTGRESQL_ONLY
def test_the_recovery_benchmark_runs_at_its_smoke_size(tmp_path: Path) -> None:
    out, copy = _smoke("recovery", tmp_path)

    assert "positions 500" in out and "250 included, 250 excluded" in out and "load average" in out
    _assert_only_its_section_changed("recovery", copy)


@POSTGRESQL_ONLY
def test_the_bureau_benchmark_reports_and_exports_its_smoke_portfolio(tmp_path: Path) -> None:
    out, copy = _smoke("bureau", tmp_path)

    assert "report October: 500 records" in out and "Metro 2 file: 500 records" in out and "load average" in out
    _assert_only_its_section_changed("bureau", copy)


@POSTGRESQL_ONLY
def test_the_legal_benchmark_refers_its_smoke_portfolio(tmp_path: Path) -> None:
    out, copy = _smoke("legal", tmp_path)

    assert "refer_many: 300 accounts" in out and "270 referred, 30 refused" in out and "load average" in out
    _assert_only_its_section_changed("legal", copy)


@POSTGRESQL_ONLY
def test_the_strategy_benchmark_applies_the_default_strategy_at_its_smoke_size(tmp_path: Path) -> None:
    out, copy = _smoke("strategy", tmp_path)

    assert "strategy: 1,000 accounts" in out and "(0 new)" in out and "load average" in out
    _assert_only_its_section_changed("strategy", copy)


@POSTGRESQL_ONLY
def test_the_agencies_benchmark_places_and_recalls_its_smoke_portfolio(tmp_path: Path) -> None:
    out, copy = _smoke("agencies", tmp_path)

    assert "agencies: placed 1,000" in out and "recalled 1,000" in out and "load average" in out
    _assert_only_its_section_changed("agencies", copy)


@POSTGRESQL_ONLY
def test_the_scoring_benchmark_trains_and_scores_at_its_smoke_size(tmp_path: Path) -> None:
    out, copy = _smoke("scoring", tmp_path)

    assert "trained on 5,000 rows" in out and "scored 20,000 rows" in out and "score accounts 1,000" in out
    assert "load average" in out
    _assert_only_its_section_changed("scoring", copy)

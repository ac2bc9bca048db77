"""The benchmarks' smoke runs: every benchmark at its --smoke size, so that none rots."""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "bench_smoke: runs a benchmark at its --smoke size (under 30 s each)")

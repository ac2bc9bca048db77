"""Only arrears.kernel.clock reads the wall clock; everything else takes dates as arguments or asks it.

Read from the source with ast, so that a call hidden behind an alias (`from datetime import datetime`,
`import time as t`) is found too. Durations of steps may use time.perf_counter and time.monotonic.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "arrears"
THE_CLOCK = SRC / "kernel" / "clock.py"

# module -> names in it that read the wall clock
CLOCK_READERS = {
    "datetime.datetime": {"now", "utcnow", "today"},
    "datetime.date": {"today"},
    "django.utils.timezone": {"now", "localdate", "localtime"},
    "time": {"time", "time_ns", "localtime", "gmtime", "ctime", "asctime"},
}


def clock_reads(source: str) -> list[str]:
    """`line: dotted.name` for every reference to a wall-clock reader in the source."""
    tree = ast.parse(source)
    aliases: dict[str, str] = {}  # local name -> the dotted path it stands for
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                aliases[a.asname or a.name.split(".")[0]] = a.name if a.asname else a.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom) and node.module:
            for a in node.names:
                full = f"{node.module}.{a.name}"
                aliases[a.asname or a.name] = full
                if _is_reader(full):
                    found.append(f"{node.lineno}: {full}")
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            dotted = _dotted(node, aliases)
            if dotted and _is_reader(dotted):
                found.append(f"{node.lineno}: {dotted}")
    return found


def _dotted(node: ast.expr, aliases: dict[str, str]) -> str | None:
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    return ".".join([aliases.get(node.id, node.id), *reversed(parts)])


def _is_reader(dotted: str) -> bool:
    module, _, name = dotted.rpartition(".")
    return name in CLOCK_READERS.get(module, set())


@pytest.mark.parametrize(
    "source",
    [
        "import datetime as dt\ndt.datetime.now(dt.UTC)",
        "import datetime\ndatetime.date.today()",
        "from datetime import datetime\ndatetime.utcnow()",
        "from datetime import date as D\nD.today()",
        "from django.utils import timezone\ntimezone.now()",
        "from django.utils.timezone import now",
        "from django.utils import timezone\nx = models.DateTimeField(default=timezone.now)",
        "import time\ntime.time()",
        "import time as t\nt.time_ns()",
    ],
)
def test_the_checker_finds_a_wall_clock_read_however_it_is_spelled(source: str) -> None:
    assert clock_reads(source)


def test_the_checker_leaves_durations_and_date_arithmetic_alone() -> None:
    source = (
        "import datetime as dt\nimport time\n"
        "started = time.perf_counter()\ntime.monotonic()\n"
        "dt.date(2026, 5, 3) + dt.timedelta(days=1)\ndt.datetime.fromisoformat('2026-05-03T00:00')\n"
        "at.astimezone(zone).date()\n"
    )
    assert clock_reads(source) == []


def test_no_module_but_the_clock_reads_the_wall_clock() -> None:
    modules = sorted(p for p in SRC.rglob("*.py") if p != THE_CLOCK)
    assert len(modules) > 100  # the walk found the package

    offenders = {
        str(p.relative_to(SRC)): reads for p in modules if (reads := clock_reads(p.read_text(encoding="utf-8")))
    }

    assert offenders == {}
    assert clock_reads(THE_CLOCK.read_text(encoding="utf-8"))  # and the clock itself does

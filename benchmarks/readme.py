"""Each benchmark owns one section of benchmarks/README.md, between its own markers.

    <!-- bench:cycle:start -->
    ... written by benchmarks/cycle.py ...
    <!-- bench:cycle:end -->

`write_section(name, markdown)` replaces only the text between the markers of `name` (or appends the
section when the README has none yet), so one benchmark never erases another one's figures.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

README = Path(__file__).resolve().parent / "README.md"
SECTIONS = (
    "cycle",
    "workbench",
    "compliance",
    "dialer",
    "recovery",
    "bureau",
    "legal",
    "strategy",
    "agencies",
    "scoring",
    "feed",
    "celery_cycle",
    "demo",
)
_NAME = re.compile(r"^[a-z][a-z0-9_-]*$")


def markers(name: str) -> tuple[str, str]:
    if not _NAME.match(name):
        raise ValueError(f"a section name is lower-case letters, digits, - and _: {name!r}")
    return f"<!-- bench:{name}:start -->", f"<!-- bench:{name}:end -->"


def read_section(name: str, *, path: Path = README) -> str | None:
    """The markdown between the markers of `name`, or None when the README has no such section."""
    text = path.read_text() if path.exists() else ""
    found = _find(text, name)
    return None if found is None else text[found[0] : found[1]].strip("\n")


def write_section(name: str, markdown: str, *, path: Path = README) -> Path:
    """Replace the section `name` of the README at `path` with `markdown`; leave every other byte alone."""
    start, end = markers(name)
    if start in markdown or end in markdown:
        raise ValueError("the markdown of a section must not contain its own markers")
    text = path.read_text() if path.exists() else "# Benchmarks\n"
    body = "\n" + markdown.strip("\n") + "\n"
    found = _find(text, name)
    if found is None:
        text = text.rstrip("\n") + "\n\n" + start + body + end + "\n"
    else:
        text = text[: found[0]] + body + text[found[1] :]
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(text)
    temporary.replace(path)  # a reader never sees half a README
    return path


def load_average() -> str:
    """The machine's load averages over 1, 5 and 15 minutes, to print and record with every figure."""
    if not hasattr(os, "getloadavg"):
        return "load average unknown"
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f}, {five:.2f}, {fifteen:.2f} (1, 5, 15 min) on {os.cpu_count()} CPUs"


def _find(text: str, name: str) -> tuple[int, int] | None:
    """(offset just after the start marker, offset of the end marker) of the section, or None."""
    start, end = markers(name)
    at = text.find(start)
    if at < 0:
        return None
    if text.find(start, at + 1) >= 0:
        raise ValueError(f"the README holds the start marker of {name!r} twice")
    stop = text.find(end, at)
    if stop < 0:
        raise ValueError(f"the README opens the section {name!r} but never closes it")
    return at + len(start), stop

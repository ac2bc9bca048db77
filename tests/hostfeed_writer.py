"""A small writer of card host feeds for the tests (docs/host-feed.md): CSV files with their header and a
manifest with each file's record count and SHA-256."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from arrears.hostfeed.rules import FILES


def write_feed(
    directory: Path,
    *,
    kind: str,
    business_date: dt.date,
    files: Mapping[str, Sequence[Sequence[str]]],
    manifest: Mapping[str, Any] | None = None,
) -> Path:
    """Write `files` ({"accounts.csv": [row, ...]}, rows in the format's column order) and the manifest;
    `manifest` overrides any of the manifest's entries (to write a wrong one)."""
    directory.mkdir(parents=True, exist_ok=True)
    listed: dict[str, dict[str, Any]] = {}
    for name, rows in files.items():
        path = directory / name
        with path.open("w", encoding="utf-8", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(FILES[name].columns)
            writer.writerows(rows)
        listed[name] = {"records": len(rows), "sha256": hashlib.sha256(path.read_bytes()).hexdigest()}
    body = {
        "format": "arrears-host-feed",
        "version": 1,
        "kind": kind,
        "business_date": business_date.isoformat(),
        "files": listed,
        **(manifest or {}),
    }
    (directory / "manifest.json").write_text(json.dumps(body, indent=1))
    return directory

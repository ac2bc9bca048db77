"""`import_feed`: the card host's feed of one business date in, all or nothing (docs/host-feed.md).

In one transaction: the manifest and the business date checked, every file read, counted, checksummed,
parsed row by row into staging tables, and checked across rows set-based; on any problem the feed is
refused whole (FeedRefused carries every problem found) and the transaction rolls back. Otherwise the
set-based merges (arrears.hostfeed.merge), the feed recorded and audited.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.db import connection, transaction
from django.utils.translation import gettext as _

from arrears.audit.operations import record
from arrears.errors import FeedRefused
from arrears.hostfeed import merge, rules, staging
from arrears.hostfeed.models import FeedImport, FeedKind
from arrears.hostfeed.rules import Problem
from arrears.kernel import clock


def refused(problems: list[Problem]) -> FeedRefused:
    """The error that refuses a feed whole, with every problem found."""
    return FeedRefused(
        _("The feed is refused: %(count)s problem(s); nothing was imported.") % {"count": len(problems)},
        problems=problems,
        params={"count": len(problems)},
    )


@dataclasses.dataclass(frozen=True)
class FeedResult:
    business_date: dt.date
    kind: str
    already_imported: bool  # the same feed again: nothing done
    counts: dict[str, int]


def _manifest(directory: Path) -> tuple[dict[str, Any], dict[str, tuple[int, str]]]:
    path = directory / rules.MANIFEST
    if not path.is_file():
        raise refused([Problem(rules.MANIFEST, 0, "", f"no {rules.MANIFEST} in {directory}")])
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as e:
        raise refused([Problem(rules.MANIFEST, 0, "", f"not JSON: {e}")]) from None
    problems, files = rules.manifest_problems(manifest)
    if problems:
        raise refused(problems)
    return manifest, files


def _listed(files: dict[str, tuple[int, str]]) -> dict[str, dict[str, Any]]:
    return {name: {"records": records, "sha256": digest} for name, (records, digest) in sorted(files.items())}


def _order_problems(business_date: dt.date, kind: str, files: dict[str, tuple[int, str]]) -> list[Problem] | None:
    """None when this very feed was imported already; else what is wrong with its date (maybe nothing)."""
    same = FeedImport.objects.filter(business_date=business_date).first()
    if same is not None:
        if same.kind == kind and same.files == _listed(files):
            return None
        return [Problem(rules.MANIFEST, 0, "business_date", f"another feed of {business_date} was imported already")]
    last = FeedImport.objects.order_by("-business_date").first()
    if last is not None and business_date < last.business_date:
        return [
            Problem(rules.MANIFEST, 0, "business_date", f"before the last imported feed's date {last.business_date}")
        ]
    if (
        kind == rules.DELTA
        and not FeedImport.objects.filter(kind=FeedKind.SNAPSHOT, business_date__lt=business_date).exists()
    ):
        return [Problem(rules.MANIFEST, 0, "kind", "a delta needs a snapshot imported before it")]
    return []


def import_feed(directory: Path, *, actor: str, progress: Callable[[str], None] | None = None) -> FeedResult:
    """Import the feed in `directory`, or refuse it whole (FeedRefused) with nothing changed."""
    manifest, files = _manifest(directory)
    business_date = dt.date.fromisoformat(manifest["business_date"])
    kind = str(manifest["kind"])
    with transaction.atomic():
        order = _order_problems(business_date, kind, files)
        if order is None:
            return FeedResult(business_date, kind, True, {})
        if order:
            raise refused(order)
        problems: list[Problem] = []
        staging.create()
        staged = staging.load(directory, files, business_date, problems, progress)
        if progress:
            progress("check across rows")
        if connection.vendor == "postgresql":
            staging.analyze()
        problems += staging.cross_problems(staged, business_date)
        if problems:
            raise refused(sorted(problems, key=lambda p: (p.file, p.line)))
        counts = {f"{name.removesuffix('.csv')} rows": n for name, n in staged.items()}
        counts.update(merge.merge(staged, business_date=business_date, progress=progress))
        if progress:
            progress("record and commit")
        staging.drop()
        FeedImport.objects.create(
            business_date=business_date,
            kind=kind,
            files=_listed(files),
            counts=counts,
            imported_at=clock.now(),
            imported_by=actor,
        )
        record(
            actor=actor,
            action="hostfeed.import",
            object_type="host_feed",
            object_id=business_date.isoformat(),
            after={"kind": kind, "files": _listed(files), "counts": counts},
        )
    return FeedResult(business_date, kind, False, counts)


def write_report(problems: list[Problem], path: Path) -> Path:
    """The refusal's report: one CSV row per problem (file, line, field, reason)."""
    import csv

    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["file", "line", "field", "reason"])
        for p in problems:
            writer.writerow([p.file, p.line, p.field, p.reason])
    return path

"""Host-feed mode: the money moves Arrears decides, sent to the card host as outbound instructions.

When the card host keeps the ledger of record (settings.ARREARS_LEDGER_MODE == "host_feed"), every
entry the ledger door posts, except the feed's own host_sync entries, is also an instruction to the
host: a payment taken by the portal or an agency, a waiver, a plan activation, a settlement. Its life:

    pending       written by the door (`instruct`) with its entry, in the same transaction
    exported      written to the day's instruction file (`export_instructions`, `arrears feed export`)
    acknowledged  the host's next feed says it applied it (`acknowledge`, called by the feed import)
    rejected      the host refused it: it stops counting as outstanding, so the next feed's balance
                  sync brings the account back to what the host holds

The file format and the lifecycle are described in docs/host-instructions.md.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import hashlib
import io
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import IO, Any

from django.db import connection, transaction
from django.db.models import Max

from arrears.audit.operations import record, record_many
from arrears.errors import ValidationFailed
from arrears.kernel.sql import in_chunks, insert_objects, insert_returning, update_rows
from arrears.ledger.models import Entry, EntryKind, InstructionStatus, OutboundInstruction
from arrears.money import from_fen

FORMAT = "arrears-host-instructions"
VERSION = 1
INSTRUCTIONS = "instructions.csv"
MANIFEST = "manifest.json"
COLUMNS = (
    "instruction_id",
    "account_ref",
    "kind",
    "component",
    "amount",
    "business_date",
    "reference",
    "description",
)
ANSWERS = (InstructionStatus.ACKNOWLEDGED, InstructionStatus.REJECTED)
CHUNK = 5000
# Problems listed in the message of a refused acknowledgement file; the rest are counted.
SHOWN_PROBLEMS = 20


# --- written by the ledger door --------------------------------------------------------------------


RETURNED = ("id", "account_id", "kind", "component", "amount_fen", "posting_date")


def instruct(entries: Sequence[Entry]) -> int:
    """Insert the entries (one statement, returning their ids) and one pending instruction for each
    entry that is not the feed's own host_sync (one more statement). Called by `posting.post` only,
    inside its transaction, once per chunk."""
    inserted = _insert_entries(entries)
    instructions = [
        OutboundInstruction(
            entry_id=entry_id,
            account_id=account_id,
            kind=kind,
            component=component,
            amount_fen=amount_fen,
            business_date=posted if isinstance(posted, dt.date) else dt.date.fromisoformat(posted),
        )
        for entry_id, account_id, kind, component, amount_fen, posted in sorted(inserted)
        if kind != EntryKind.HOST_SYNC
    ]
    return insert_objects(instructions)


def _insert_entries(entries: Sequence[Entry]) -> list[tuple[Any, ...]]:
    if connection.features.can_return_columns_from_insert:
        return insert_returning(entries, RETURNED)
    # SQLite before 3.35 has no RETURNING. It has one writer at a time, and this transaction is it:
    # the entries above the highest id before the insert are these ones (two more statements).
    highest = Entry.objects.aggregate(highest=Max("id"))["highest"] or 0
    insert_objects(entries)
    return list(Entry.objects.filter(id__gt=highest).values_list(*RETURNED))


# --- the outbound file -----------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class ExportResult:
    """One day's instruction file: `path` is the day's directory (instructions.csv and manifest.json)."""

    path: Path
    records: int
    sha256: str
    total_fen: int
    rewritten: bool  # the date had been exported before: the same rows written again


def file_name(business_date: dt.date) -> str:
    """The name an exported instruction keeps of its file, relative to the export directory."""
    return f"{business_date.isoformat()}/{INSTRUCTIONS}"


def amount_text(fen: int) -> str:
    """Signed decimal yuan with two places, as the host reads it: -1234 -> "-12.34"."""
    return f"{from_fen(fen):.2f}"


def export_instructions(
    directory: Path,
    *,
    business_date: dt.date,
    progress: Callable[[int], None] | None = None,
    actor: str = "arrears feed export",
) -> ExportResult:
    """Write DIR/<business_date>/instructions.csv and manifest.json for every pending instruction of
    that date or before, mark them exported, audit the file.

    Once a date is exported its file is fixed: exporting it again writes the same rows again, the same
    bytes (instructions posted meanwhile wait for the next date's file). The day's directory appears
    whole or not at all: written in a temporary directory beside it, then renamed.
    """
    name = file_name(business_date)
    with transaction.atomic():
        rewritten = OutboundInstruction.objects.filter(exported_on=business_date).exists()
        if not rewritten:
            OutboundInstruction.objects.filter(
                status=InstructionStatus.PENDING, business_date__lte=business_date
            ).update(status=InstructionStatus.EXPORTED, exported_on=business_date, file_name=name)
        directory.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{business_date.isoformat()}.", dir=directory))
        try:
            with (staging / INSTRUCTIONS).open("wb") as out:
                records, total_fen, digest = _write_rows(out, business_date, progress)
                out.flush()
                os.fsync(out.fileno())
            manifest = {
                "format": FORMAT,
                "version": VERSION,
                "business_date": business_date.isoformat(),
                "files": {INSTRUCTIONS: {"records": records, "sha256": digest, "total_amount": amount_text(total_fen)}},
            }
            (staging / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
            record(
                actor=actor,
                action="outbound.export",
                object_type="outbound_file",
                object_id=name,
                after={"records": records, "sha256": digest, "total_fen": total_fen, "rewritten": rewritten},
            )
            target = _put_in_place(staging, directory / business_date.isoformat())
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
    return ExportResult(path=target, records=records, sha256=digest, total_fen=total_fen, rewritten=rewritten)


def _write_rows(out: IO[bytes], business_date: dt.date, progress: Callable[[int], None] | None) -> tuple[int, int, str]:
    """The day's exported instructions as CSV, by id, in chunks; (records, total fen, SHA-256)."""
    digest = hashlib.sha256()
    records = total_fen = 0

    def emit(rows: list[Sequence[Any]]) -> None:
        text = io.StringIO()
        writer = csv.writer(text, lineterminator="\n")
        writer.writerows(rows)
        data = text.getvalue().encode("utf-8")
        digest.update(data)
        out.write(data)

    emit([COLUMNS])
    exported = OutboundInstruction.objects.filter(exported_on=business_date).order_by("id")
    last = 0
    while True:
        chunk = list(
            exported.filter(id__gt=last).values_list(
                "id",
                "account__ref",
                "kind",
                "component",
                "amount_fen",
                "business_date",
                "entry__reference",
                "entry__description",
            )[:CHUNK]
        )
        if not chunk:
            break
        emit(
            [
                (i, account_ref, kind, comp, amount_text(fen), day.isoformat(), ref, desc)
                for i, account_ref, kind, comp, fen, day, ref, desc in chunk
            ]
        )
        records += len(chunk)
        total_fen += sum(row[4] for row in chunk)
        last = chunk[-1][0]
        if progress is not None:
            progress(len(chunk))
    return records, total_fen, digest.hexdigest()


def _put_in_place(staging: Path, target: Path) -> Path:
    """Rename the written directory to its place; a directory already there (the date exported
    before) is moved aside first and removed after, so the place never holds a half-written file."""
    if target.exists():
        aside = Path(tempfile.mkdtemp(prefix=f".{target.name}.old.", dir=target.parent))
        os.rename(target, aside / target.name)
        os.rename(staging, target)
        shutil.rmtree(aside, ignore_errors=True)
    else:
        os.rename(staging, target)
    return target


# --- the host's answers ----------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, slots=True)
class _Answer:
    row: int
    status: str
    host_reference: str
    reason: str

    def same(self, status: str, host_reference: str, reason: str) -> bool:
        return (self.status, self.host_reference, self.reason) == (status, host_reference, reason)


@dataclasses.dataclass(frozen=True, slots=True)
class _Problem:
    row: int
    field: str
    code: str
    message: str

    def __str__(self) -> str:
        return f"row {self.row}, {self.field}: {self.message}"


def acknowledge(
    *,
    rows: Sequence[Mapping[str, str]],
    business_date: dt.date,
    actor: str = "arrears feed import",
) -> int:
    """Apply the host's answers (acknowledgements.csv: instruction_id, status acknowledged|rejected,
    host_reference, reason) as of the feed's business date; return how many instructions changed.

    Every row is checked first; one bad row refuses them all and nothing changes. Row 1 is the first
    row after the header. The same answer again changes nothing (a feed imported twice).
    """
    answers, problems = _read_answers(rows)
    stored = _stored(answers)
    fresh: dict[int, _Answer] = {}
    for pk, answer in answers.items():
        found = stored.get(pk)
        if found is None:
            problems.append(_Problem(answer.row, "instruction_id", "instruction_unknown", f"no instruction {pk}"))
        elif found[0] == InstructionStatus.PENDING:
            problems.append(
                _Problem(
                    answer.row,
                    "instruction_id",
                    "instruction_not_exported",
                    f"instruction {pk} has not been sent to the card host yet",
                )
            )
        elif found[0] in ANSWERS and not answer.same(*found):
            problems.append(
                _Problem(
                    answer.row,
                    "status",
                    "instruction_answered",
                    f"instruction {pk} was answered {found[0]} before, and cannot be answered otherwise",
                )
            )
        elif found[0] == InstructionStatus.EXPORTED:
            fresh[pk] = answer
    if problems:
        _refuse(problems)
    with transaction.atomic():
        for chunk in in_chunks(fresh, CHUNK):
            update_rows(
                OutboundInstruction._meta.db_table,
                [
                    ("id", "bigint"),
                    ("status", "varchar(16)"),
                    ("host_reference", "varchar(80)"),
                    ("reason", "varchar(200)"),
                    ("answered_on", "date"),
                ],
                json.dumps(
                    [
                        {
                            "id": pk,
                            "status": fresh[pk].status,
                            "host_reference": fresh[pk].host_reference,
                            "reason": fresh[pk].reason,
                            "answered_on": business_date.isoformat(),
                        }
                        for pk in chunk
                    ],
                    ensure_ascii=False,
                ),
            )
        for status in ANSWERS:
            record_many(
                actor=actor,
                action=f"outbound.{status}",
                object_type="outbound_instruction",
                items=[
                    (pk, {"host_reference": a.host_reference, "reason": a.reason, "answered_on": business_date})
                    for pk, a in sorted(fresh.items())
                    if a.status == status
                ],
            )
    return len(fresh)


def _read_answers(rows: Sequence[Mapping[str, str]]) -> tuple[dict[int, _Answer], list[_Problem]]:
    answers: dict[int, _Answer] = {}
    problems: list[_Problem] = []
    for n, row in enumerate(rows, start=1):
        raw_id = (row.get("instruction_id") or "").strip()
        status = (row.get("status") or "").strip()
        host_reference = (row.get("host_reference") or "").strip()
        reason = (row.get("reason") or "").strip()
        bad = len(problems)
        if not raw_id.isascii() or not raw_id.isdigit():
            problems.append(_Problem(n, "instruction_id", "not_a_whole_number", f"not an instruction id: {raw_id!r}"))
        if status not in ANSWERS:
            problems.append(_Problem(n, "status", "not_a_choice", f"must be acknowledged or rejected, not {status!r}"))
        for field, text, limit in (("host_reference", host_reference, 80), ("reason", reason, 200)):
            if len(text) > limit:
                problems.append(_Problem(n, field, "too_long", f"at most {limit} characters, not {len(text)}"))
        if len(problems) > bad:
            continue
        answer = _Answer(n, status, host_reference, reason)
        earlier = answers.get(int(raw_id))
        if earlier is None:
            answers[int(raw_id)] = answer
        elif not earlier.same(status, host_reference, reason):
            problems.append(
                _Problem(
                    n,
                    "status",
                    "instruction_answered",
                    f"instruction {raw_id} is answered otherwise on row {earlier.row}",
                )
            )
    return answers, problems


def _stored(answers: Mapping[int, _Answer]) -> dict[int, tuple[str, str, str]]:
    """The status, host reference and reason recorded for these instructions, by id."""
    found: dict[int, tuple[str, str, str]] = {}
    for chunk in in_chunks(answers, CHUNK):
        for pk, status, host_reference, reason in OutboundInstruction.objects.filter(id__in=chunk).values_list(
            "id", "status", "host_reference", "reason"
        ):
            found[pk] = (status, host_reference, reason)
    return found


def _refuse(problems: list[_Problem]) -> None:
    problems.sort(key=lambda p: (p.row, p.field))
    first = problems[0]
    shown = "; ".join(str(p) for p in problems[:SHOWN_PROBLEMS])
    more = len(problems) - SHOWN_PROBLEMS
    message = f"the acknowledgements are refused, nothing was applied: {shown}" + (
        f"; and {more} more" if more > 0 else ""
    )
    raise ValidationFailed(
        message,
        field=first.field,
        code=first.code,
        params={"row": first.row, "problems": [dataclasses.asdict(p) for p in problems]},
    )

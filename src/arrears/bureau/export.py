"""The monthly bureau files from the month's records: validated whole, written whole or not at all."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from pathlib import Path
from typing import Any

from django.db import transaction

from arrears.audit.operations import record
from arrears.bureau import files, rules
from arrears.bureau.models import BureauRecord
from arrears.errors import ValidationFailed
from arrears.kernel import clock
from arrears.ledger.models import AccountStatus

FORMATS = ("pboc", "metro2")


@dataclasses.dataclass(frozen=True)
class Export:
    format: str
    month: dt.date
    text: str
    records: int
    held: int  # negative and no notice yet (CN-CR-PRE, US-PASSIVE): not furnished
    removed: int  # past the 5-year (CN-CR-5Y) or 7-year (US-FCRA7) rule: left the file
    problems: list[files.Problem]


def build(month: dt.date, fmt: str) -> Export:
    """The file of a month in one format. Reads the month's records in one query."""
    if fmt not in FORMATS:
        raise ValidationFailed(f"must be one of {', '.join(FORMATS)}", field="format", code="not_a_choice")
    month = rules.month_of(month)
    held_field, removed_field = ("held_pboc", "removed_pboc") if fmt == "pboc" else ("held_metro2", "removed_metro2")
    rows = list(
        BureauRecord.objects.filter(month=month)
        .order_by("account_id")
        .values_list(
            *_LINE_FIELDS,
            held_field,
            removed_field,
        )
    )
    if not rows:
        raise ValidationFailed(
            f"no records for {month:%Y-%m}: run `arrears bureau report --month {month:%Y-%m}` first", field="month"
        )
    held = sum(1 for r in rows if r[-2] and not r[-1])
    removed = sum(1 for r in rows if r[-1])
    lines = [_line(r[:-2], month) for r in rows if not r[-2] and not r[-1]]
    stamp = clock.now().astimezone(clock.bank_zone())
    activity = rules.month_end(month)
    if fmt == "metro2":
        text, problems = files.metro2_file(lines, activity=activity, stamp=stamp, reporter=files.Reporter())
    else:
        text, problems = files.pboc_file(lines, month=month, stamp=stamp, reporter=files.Reporter())
    return Export(fmt, month, text, len(lines), held, removed, problems)


_LINE_FIELDS = (
    "account__ref",
    "account__customer__name",
    "account__customer__national_id",
    "account__customer__mobile",
    "account__customer__address",
    "account__opened_on",
    "credit_limit_fen",
    "pboc_status",
    "pboc_history",
    "metro2_status",
    "payment_history",
    "special_comment",
    "compliance_code",
    "balance_fen",
    "past_due_fen",
    "charged_off_fen",
    "dofd",
    "dpd",
    "ended_on",
    "account__status",
)
_ENDED = (AccountStatus.CLOSED, AccountStatus.SETTLED)


_NAMES = tuple(f.name for f in dataclasses.fields(files.Line))  # in _LINE_FIELDS's order, then closed_on


def _line(r: tuple[Any, ...], month: dt.date) -> files.Line:
    *fields, ended_on, status = r
    ended = status in _ENDED or fields[9] == rules.PAID_CHARGE_OFF
    closed_on = ended_on or (rules.month_end(month) if ended else None)
    return files.Line(**dict(zip(_NAMES, (*fields, closed_on), strict=True)))


def write(export: Export, out: Path, *, actor: str) -> None:
    """Write a valid file (to a temporary name, then renamed) and audit what left: never a refused one."""
    if export.problems:
        raise ValidationFailed(f"{len(export.problems)} invalid records: the file is refused whole", field="records")
    tmp = out.with_name(out.name + ".part")
    try:
        tmp.write_text(export.text, encoding="utf-8")
        with transaction.atomic():
            record(
                actor=actor,
                action="bureau.export",
                object_type="bureau_file",
                object_id=f"{export.format}:{export.month:%Y-%m}",
                after={"records": export.records, "held": export.held, "removed": export.removed, "file": out.name},
            )
            os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)  # a failure leaves no half-written file behind

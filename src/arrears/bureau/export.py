"""The monthly bureau files from the month's records: validated whole, written whole or not at all."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from pathlib import Path

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
        .select_related("account__customer")
        .only(
            *(f.name for f in BureauRecord._meta.concrete_fields),
            "account__ref",
            "account__opened_on",
            "account__status",
            "account__customer__name",
            "account__customer__national_id",
            "account__customer__mobile",
            "account__customer__address",
        )
        .order_by("account_id")
    )
    if not rows:
        raise ValidationFailed(
            f"no records for {month:%Y-%m}: run `arrears bureau report --month {month:%Y-%m}` first", field="month"
        )
    held = sum(1 for r in rows if getattr(r, held_field) and not getattr(r, removed_field))
    removed = sum(1 for r in rows if getattr(r, removed_field))
    kept = [r for r in rows if not getattr(r, held_field) and not getattr(r, removed_field)]
    lines = [_line(r) for r in kept]
    stamp = clock.now().astimezone(clock.bank_zone())
    activity = rules.month_end(month)
    if fmt == "metro2":
        text, problems = files.metro2_file(lines, activity=activity, stamp=stamp, reporter=files.Reporter())
    else:
        text, problems = files.pboc_file(lines, month=month, stamp=stamp, reporter=files.Reporter())
    return Export(fmt, month, text, len(lines), held, removed, problems)


def _line(r: BureauRecord) -> files.Line:
    a = r.account
    c = a.customer
    ended = a.status in (AccountStatus.CLOSED, AccountStatus.SETTLED) or r.metro2_status == rules.PAID_CHARGE_OFF
    return files.Line(
        ref=a.ref,
        name=c.name,
        national_id=c.national_id,
        phone=c.mobile,
        address=c.address,
        opened_on=a.opened_on,
        credit_limit_fen=r.credit_limit_fen,
        pboc_status=r.pboc_status,
        pboc_history=r.pboc_history,
        metro2_status=r.metro2_status,
        payment_history=r.payment_history,
        special_comment=r.special_comment,
        compliance_code=r.compliance_code,
        balance_fen=r.balance_fen,
        past_due_fen=r.past_due_fen,
        charged_off_fen=r.charged_off_fen,
        dofd=r.dofd,
        dpd=r.dpd,
        closed_on=r.ended_on or (rules.month_end(r.month) if ended else None),
    )


def write(export: Export, out: Path, *, actor: str) -> None:
    """Write a valid file (to a temporary name, then renamed) and audit what left: never a refused one."""
    if export.problems:
        raise ValidationFailed(f"{len(export.problems)} invalid records: the file is refused whole", field="records")
    tmp = out.with_name(out.name + ".part")
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

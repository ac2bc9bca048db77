"""Selling charged-off debt (CN-PI-PROVIDE): the customer's separate consent, and the export file.

Giving a customer's data to a debt buyer (an independent processor) needs the customer's separate
consent (PIPL art. 23). `record_consent` keeps it with its evidence; `export_sale` writes the file of
the accounts asked for (by card number or account reference, by vintage of charge-off, or every
charged-off account) whose customers consented, and holds back the others with the reason:

- ``no_consent``: no consent of the customer in force on the business date;
- ``not_charged_off``: the account is not charged off now (open, settled, closed);
- ``nothing_owed``: recoveries already cover the charge-off;
- ``already_sold``: an earlier export gave it to a buyer.

What left is recorded in the same transaction as the file is written: the export (who, when, buyer,
the fields, the file's SHA-256) and one row per account asked for, included or excluded, and the
audit trail. Nothing is written, and no file, when no account may be sold.

Set-based: a fixed number of queries per chunk of 5,000 accounts.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import hashlib
import io
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet

from arrears.audit.operations import record
from arrears.delinquency.chargeoff import charged_off_positions
from arrears.delinquency.models import SaleConsent, SaleExport, SaleExportRow
from arrears.delinquency.rules import RECOVERY_ORDER
from arrears.errors import NotFound, ValidationFailed
from arrears.kernel.pan import is_account_ref, mask_pan
from arrears.kernel.sql import CHUNK, in_chunks
from arrears.ledger.models import Account, AccountStatus, Customer
from arrears.money import format_fen

# The columns of the file, in order: the debt and who owes it; the card number masked.
FIELDS = (
    "account_ref",
    "card_number_masked",
    "customer_name",
    "national_id",
    "mobile",
    "address",
    "charged_off_on",
    *(f"{c}_charged_off" for c in RECOVERY_ORDER),
    "charged_off",
    "recovered",
    "still_owed",
)
NO_CONSENT = "no_consent"
NOT_CHARGED_OFF = "not_charged_off"
NOTHING_OWED = "nothing_owed"
ALREADY_SOLD = "already_sold"
REASONS = (NO_CONSENT, NOT_CHARGED_OFF, NOTHING_OWED, ALREADY_SOLD)


def record_consent(*, actor: str, customer_id: int, evidence: str, given_on: dt.date) -> SaleConsent:
    """Record a customer's consent to the sale of their charged-off debt, with its evidence (audited)."""
    if not evidence.strip():
        raise ValidationFailed(
            "describe the evidence of the consent (a signed form, a recorded call)", field="evidence"
        )
    if len(evidence) > 500:
        raise ValidationFailed("at most 500 characters", field="evidence")
    if not Customer.objects.filter(pk=customer_id).exists():
        raise NotFound(f"no customer {customer_id}", field="customer")
    with transaction.atomic():
        consent = SaleConsent.objects.create(
            customer_id=customer_id, given_on=given_on, evidence=evidence.strip(), recorded_by=actor
        )
        record(
            actor=actor,
            action="sale.consent",
            object_type="sale_consent",
            object_id=consent.pk,
            after={"customer": customer_id, "given_on": given_on, "evidence": consent.evidence},
        )
    return consent


def withdraw_consent(*, actor: str, customer_id: int, on: dt.date) -> int:
    """The customer withdraws every consent in force: no later export includes their accounts."""
    with transaction.atomic():
        n = SaleConsent.objects.filter(customer_id=customer_id, withdrawn_on__isnull=True).update(withdrawn_on=on)
        if not n:
            raise NotFound(f"customer {customer_id} has no consent in force", field="customer")
        record(
            actor=actor,
            action="sale.consent_withdrawn",
            object_type="customer",
            object_id=customer_id,
            after={"withdrawn_on": on},
        )
    return int(n)


@dataclasses.dataclass(frozen=True)
class Candidate:
    account_id: int
    ref: str
    number: str
    customer_id: int
    reason: str  # "" when it may be sold
    still_owed_fen: int
    row: dict[str, str] | None  # the file's row, when included


@dataclasses.dataclass(frozen=True)
class SalePlan:
    included: tuple[Candidate, ...]
    excluded: tuple[Candidate, ...]

    @property
    def total_fen(self) -> int:
        return sum(c.still_owed_fen for c in self.included)


def _month(vintage: str) -> tuple[dt.date, dt.date]:
    try:
        start = dt.date.fromisoformat(f"{vintage}-01")
    except ValueError:
        raise ValidationFailed(f"{vintage!r} is not a month like 2026-05", field="vintage") from None
    end = dt.date(start.year + (start.month == 12), start.month % 12 + 1, 1)
    return start, end


def _selected(accounts: Sequence[str], vintage: str) -> list[QuerySet[Account]]:
    """The accounts asked for, as querysets of at most CHUNK accounts each: by id for accounts named,
    by id range for a vintage or the whole book (no long parameter lists)."""
    if accounts and vintage:
        raise ValidationFailed("give accounts or a vintage, not both", field="accounts")
    if accounts:
        wanted = list(dict.fromkeys(a.strip() for a in accounts if a.strip()))
        chunks: list[QuerySet[Account]] = []
        found: set[str] = set()
        for chunk in in_chunks(wanted):
            rows = list(
                Account.objects.filter(Q(number__in=chunk) | Q(ref__in=chunk)).values_list("id", "number", "ref")
            )
            found.update(n for _, n, _ in rows)
            found.update(r for _, _, r in rows)
            chunks.append(Account.objects.filter(pk__in=sorted({pk for pk, _, _ in rows})))
        missing = [a for a in wanted if a not in found]
        if missing:
            raise NotFound(f"no account {mask_pan(missing[0])}", field="accounts")
        return chunks
    query = Account.objects.filter(charged_off_on__isnull=False)
    if vintage:
        start, end = _month(vintage)
        query = query.filter(charged_off_on__gte=start, charged_off_on__lt=end)
    else:
        query = query.filter(status=AccountStatus.CHARGED_OFF)
    ids = list(query.order_by("id").values_list("id", flat=True))
    return [query.filter(id__gte=ids[i], id__lte=ids[min(i + CHUNK, len(ids)) - 1]) for i in range(0, len(ids), CHUNK)]


def plan_sale(*, accounts: Sequence[str] = (), vintage: str = "", business_date: dt.date) -> SalePlan:
    """Which of the accounts asked for may be sold, with the file's rows, and which may not, and why."""
    included: list[Candidate] = []
    excluded: list[Candidate] = []
    for chunk in _selected(accounts, vintage):
        for c in _judge(chunk, business_date):
            (excluded if c.reason else included).append(c)
    return SalePlan(tuple(included), tuple(excluded))


def _judge(chunk: QuerySet[Account], on: dt.date) -> Iterable[Candidate]:
    """Four queries per chunk: the accounts with their customers, the consents in force, the accounts
    already sold, the charged-off positions."""
    rows = list(
        chunk.order_by("id").values_list(
            "id",
            "ref",
            "number",
            "status",
            "charged_off_on",
            "customer_id",
            "customer__name",
            "customer__national_id",
            "customer__mobile",
            "customer__address",
        )
    )
    consenting = set(
        SaleConsent.objects.filter(
            customer_id__in=chunk.values("customer_id"), given_on__lte=on, withdrawn_on__isnull=True
        ).values_list("customer_id", flat=True)
    )
    sold = set(
        SaleExportRow.objects.filter(account_id__in=chunk.values("id"), included=True).values_list(
            "account_id", flat=True
        )
    )
    positions = charged_off_positions(chunk)
    for pk, ref, number, status, charged_off_on, customer_id, name, national_id, mobile, address in rows:
        position = positions.get(pk)
        owed = position.still_owed_fen if position else 0
        if status != AccountStatus.CHARGED_OFF or position is None:
            reason = NOT_CHARGED_OFF
        elif pk in sold:
            reason = ALREADY_SOLD
        elif owed <= 0:
            reason = NOTHING_OWED
        elif customer_id not in consenting:
            reason = NO_CONSENT
        else:
            reason = ""
        row = None
        if not reason and position is not None:
            row = {
                "account_ref": ref,
                "card_number_masked": mask_pan(number),
                "customer_name": name,
                "national_id": national_id,
                "mobile": mobile,
                "address": address,
                "charged_off_on": charged_off_on.isoformat() if charged_off_on else "",
                **{f"{k}_charged_off": format_fen(p.charged_off_fen) for k, p in position.components.items()},
                "charged_off": format_fen(position.charged_off_fen),
                "recovered": format_fen(position.recovered_fen),
                "still_owed": format_fen(owed),
            }
        yield Candidate(pk, ref, number, customer_id, reason, owed, row)


def _content(plan: SalePlan) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=FIELDS, lineterminator="\n")
    writer.writeheader()
    for c in plan.included:
        assert c.row is not None
        writer.writerow(c.row)
    return out.getvalue().encode("utf-8")


def export_sale(
    *,
    actor: str,
    buyer: str,
    out: Path,
    business_date: dt.date,
    accounts: Sequence[str] = (),
    vintage: str = "",
) -> tuple[SaleExport, SalePlan]:
    """Write the sale file of the accounts that may be sold and record what left; the others are
    recorded as excluded with their reasons. Refused, nothing written, when none may be sold."""
    buyer = buyer.strip()
    if not buyer:
        raise ValidationFailed("name the buyer", field="buyer")
    if len(buyer) > 200:
        raise ValidationFailed("at most 200 characters", field="buyer")
    if not out.parent.is_dir():
        raise ValidationFailed(f"no directory {out.parent}", field="out")
    with transaction.atomic():
        plan = plan_sale(accounts=accounts, vintage=vintage, business_date=business_date)
        if not plan.included:
            reasons = sorted({c.reason for c in plan.excluded})
            raise ValidationFailed(
                f"no account may be sold ({len(plan.excluded)} excluded: {', '.join(reasons) or 'none asked for'})",
                field="accounts",
            )
        content = _content(plan)
        export = SaleExport.objects.create(
            buyer=buyer,
            exported_by=actor,
            exported_on=business_date,
            fields=list(FIELDS),
            selection=_selection(accounts, vintage),
            file_name=out.name,
            sha256=hashlib.sha256(content).hexdigest(),
            included=len(plan.included),
            excluded=len(plan.excluded),
            total_fen=plan.total_fen,
        )
        SaleExportRow.objects.bulk_create(
            [
                SaleExportRow(
                    export=export,
                    account_id=c.account_id,
                    included=not c.reason,
                    reason=c.reason,
                    still_owed_fen=c.still_owed_fen,
                )
                for c in (*plan.included, *plan.excluded)
            ],
            batch_size=2000,
        )
        record(
            actor=actor,
            action="sale.export",
            object_type="sale_export",
            object_id=export.pk,
            after=_audit(export, plan),
        )
        _write(out, content)
    return export, plan


def _selection(accounts: Sequence[str], vintage: str) -> dict[str, Any]:
    """What was asked for, as recorded: account references as given, card numbers masked."""
    if accounts:
        return {"accounts": [a if is_account_ref(a) else mask_pan(a) for a in accounts]}
    return {"vintage": vintage} if vintage else {"all": True}


def _audit(export: SaleExport, plan: SalePlan) -> dict[str, Any]:
    excluded: dict[str, int] = {}
    for c in plan.excluded:
        excluded[c.reason] = excluded.get(c.reason, 0) + 1
    return {
        "buyer": export.buyer,
        "file": export.file_name,
        "sha256": export.sha256,
        "fields": export.fields,
        "included": export.included,
        "excluded": excluded,
        "total_fen": export.total_fen,
    }


def _write(out: Path, content: bytes) -> None:
    """Write the file whole or not at all (a temporary file renamed into place)."""
    tmp = out.with_name(f".{out.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(content)
    tmp.replace(out)

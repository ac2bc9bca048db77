"""Posting payments: one at a time or a whole file, through the same bulk path."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, connection, transaction

from arrears.audit.operations import record_many
from arrears.errors import CODES, ArrearsError, Duplicate, NotFound, ValidationFailed
from arrears.kernel import clock
from arrears.kernel.pan import mask_pan
from arrears.kernel.sql import in_chunks
from arrears.ledger import posting
from arrears.ledger.models import Account, AccountStatus, Component, EntryKind
from arrears.money import AmountError, parse_amount, to_fen
from arrears.payments.models import Payment
from arrears.payments.rules import Refusal, allocate, date_refusal, product_refusal
from arrears.plans import life as plan_life
from arrears.plans.queries import active_plans
from arrears.products.models import versions_in_force
from arrears.products.rules import ProductParams
from arrears.statements.models import Statement
from arrears.statements.rules import apply_to_minimums

REFERENCE = re.compile(r"^[A-Za-z0-9._:/-]{1,64}$")


@dataclasses.dataclass(frozen=True, kw_only=True)
class PaymentIn:
    account_number: str
    amount: Decimal
    value_date: dt.date
    reference: str


@dataclasses.dataclass(frozen=True)
class RowError:
    row: int  # 1-based data row (the header is row 0)
    field: str
    message: str
    code: str = ValidationFailed.code
    params: dict[str, str] = dataclasses.field(default_factory=dict)

    @classmethod
    def of(cls, row: int, refusal: Refusal) -> RowError:
        return cls(row, refusal.field, refusal.message, refusal.code, refusal.params)


@dataclasses.dataclass(frozen=True)
class ImportReport:
    posted: int
    refused: list[RowError]
    total_fen: int


def post_payment(*, actor: str, payment: PaymentIn, business_date: dt.date, source: str = "manual") -> Payment:
    """Post one payment; every problem is raised as an error naming the field, nothing written."""
    return post_payments(actor=actor, payments=[payment], business_date=business_date, source=source)[0]


def post_payments(
    *, actor: str, payments: Sequence[PaymentIn], business_date: dt.date, source: str = "manual"
) -> list[Payment]:
    """Post many payments in bulk, all or none: the first problem is raised, naming its field."""
    errors = _validate(payments, business_date)
    if errors:
        error = errors[0]
        where = f" (payment {error.row})" if len(payments) > 1 else ""
        kinds: dict[str, type[ArrearsError]] = {
            Duplicate.code: Duplicate,
            NotFound.code: NotFound,
            AmountError.code: AmountError,
        }
        cls = kinds.get(CODES.get(error.code, error.code), ValidationFailed)
        raise cls(error.message + where, field=error.field, code=error.code, params=error.params)
    return _post_many(payments, business_date=business_date, actor=actor, source=source)


def import_payments(
    *, actor: str, text: str, business_date: dt.date, post_valid: bool = False, source: str = "file"
) -> ImportReport:
    """A CSV file (account, amount, date, reference). Bad rows refuse the whole file, unless
    post_valid is set, in which case the valid rows post and the bad ones are reported."""
    rows, errors = _parse_csv(text)
    errors += _validate([p for _, p in rows], business_date, row_numbers=[r for r, _ in rows])
    bad_rows = {e.row for e in errors}
    valid = [p for r, p in rows if r not in bad_rows]
    if errors and not post_valid:
        return ImportReport(0, sorted(errors, key=lambda e: e.row), 0)
    payments = _post_many(valid, business_date=business_date, actor=actor, source=source) if valid else []
    return ImportReport(len(payments), sorted(errors, key=lambda e: e.row), sum(p.amount_fen for p in payments))


def _parse_csv(text: str) -> tuple[list[tuple[int, PaymentIn]], list[RowError]]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    needed = ["account", "amount", "date", "reference"]
    missing = [c for c in needed if c not in (reader.fieldnames or [])]
    if missing:
        raise ValidationFailed(
            f"the header must name the columns {', '.join(needed)}; missing {', '.join(missing)}", field="header"
        )
    rows: list[tuple[int, PaymentIn]] = []
    errors: list[RowError] = []
    for number, raw in enumerate(reader, start=1):
        try:
            amount = parse_amount(raw["amount"] or "")
        except AmountError as exc:
            errors.append(RowError(number, "amount", exc.message, exc.code, {k: str(v) for k, v in exc.params.items()}))
            continue
        try:
            value_date = dt.date.fromisoformat((raw["date"] or "").strip())
        except ValueError:
            errors.append(RowError(number, "date", f"{raw['date']!r} is not a date like 2026-04-20", "not_a_date"))
            continue
        rows.append(
            (
                number,
                PaymentIn(
                    account_number=(raw["account"] or "").strip(),
                    amount=amount,
                    value_date=value_date,
                    reference=(raw["reference"] or "").strip(),
                ),
            )
        )
    return rows, errors


def _validate(
    items: Sequence[PaymentIn], business_date: dt.date, row_numbers: Sequence[int] | None = None
) -> list[RowError]:
    numbers = list(row_numbers) if row_numbers is not None else list(range(1, len(items) + 1))
    errors: list[RowError] = []
    accounts = {
        number: (status, product_id)
        for chunk in in_chunks(p.account_number for p in items)
        for number, status, product_id in Account.objects.filter(number__in=chunk).values_list(
            "number", "status", "product_id"
        )
    }
    products = versions_in_force(business_date) if accounts else {}
    taken = {
        reference
        for chunk in in_chunks(p.reference for p in items)
        for reference in Payment.objects.filter(reference__in=chunk).values_list("reference", flat=True)
    }
    seen: set[str] = set()
    for n, p in zip(numbers, items, strict=True):
        account = accounts.get(p.account_number)
        if p.amount <= 0:
            errors.append(RowError(n, "amount", "must be greater than zero", "must_be_positive"))
        elif p.amount != p.amount.quantize(Decimal("0.01")):
            errors.append(RowError(n, "amount", "has more than two decimals", "too_many_decimals"))
        elif refused := date_refusal(value_date=p.value_date, business_date=business_date):
            errors.append(RowError.of(n, refused))
        elif account is None:
            errors.append(RowError(n, "account", f"no account numbered {p.account_number!r}", NotFound.code))
        elif account[0] == AccountStatus.CLOSED:
            errors.append(RowError(n, "account", f"account {p.account_number} is closed"))
        elif account[0] == AccountStatus.SETTLED:
            errors.append(
                RowError(
                    n,
                    "account",
                    f"account {mask_pan(p.account_number)} was settled after charge-off: nothing more is owed",
                    "account_settled",
                )
            )
        elif refused := product_refusal(
            amount=p.amount,
            value_date=p.value_date,
            business_date=business_date,
            params=products.get(account[1]) or ProductParams(),
        ):
            errors.append(RowError.of(n, refused))
        elif not REFERENCE.match(p.reference):
            errors.append(RowError(n, "reference", "must be 1-64 letters, digits or . _ : / -"))
        elif p.reference in taken or p.reference in seen:
            errors.append(
                RowError(n, "reference", f"duplicate reference {p.reference!r}: already posted", Duplicate.code)
            )
        seen.add(p.reference)
    return errors


def _post_many(payments: Iterable[PaymentIn], *, business_date: dt.date, actor: str, source: str) -> list[Payment]:
    """Allocate and post validated payments in bulk: a fixed number of queries for any count."""
    payments = sorted(payments, key=lambda p: p.value_date)
    try:
        return _allocate_and_post(payments, business_date=business_date, actor=actor, source=source)
    except IntegrityError:
        # The references were free when validated, but a payment posted meanwhile (another request, a
        # file) took one: the unique index refused it and the transaction rolled back, nothing written.
        taken = sorted(
            reference
            for chunk in in_chunks(p.reference for p in payments)
            for reference in Payment.objects.filter(reference__in=chunk).values_list("reference", flat=True)
        )
        if not taken:
            raise
        raise Duplicate(f"duplicate reference {taken[0]!r}: already posted", field="reference") from None


def _allocate_and_post(
    payments: Sequence[PaymentIn], *, business_date: dt.date, actor: str, source: str
) -> list[Payment]:
    with transaction.atomic():
        ids = {
            number: pk
            for chunk in in_chunks(p.account_number for p in payments)
            for number, pk in Account.objects.filter(number__in=chunk).values_list("number", "id")
        }
        locked = posting.lock(ids.values())
        # What each account owes now, moved by each payment as it is allocated.
        owed: dict[int, dict[str, int]] = {pk: {c: b.of(c) for c in posting.OWED} for pk, b in locked.items()}
        params = versions_in_force(business_date)
        unpaid: dict[int, list[Statement]] = defaultdict(list)
        for chunk in in_chunks(locked):
            for s in Statement.objects.filter(account_id__in=chunk, minimum_unpaid_fen__gt=0).order_by(
                "account_id", "due_date"
            ):
                unpaid[s.account_id].append(s)
        plans = active_plans(locked)
        created: list[Payment] = []
        lines: list[posting.Line] = []
        touched_statements: list[Statement] = []
        for p in payments:
            account = locked[ids[p.account_number]]
            balances = owed[account.id]
            fen = to_fen(p.amount)
            created.append(
                Payment(
                    reference=p.reference,
                    account_id=account.id,
                    amount_fen=fen,
                    value_date=p.value_date,
                    posting_date=business_date,
                    source=source,
                )
            )

            if account.status == AccountStatus.CHARGED_OFF:
                lines.append(_line(account.id, p, business_date, Component.RECOVERY, fen, kind=EntryKind.RECOVERY))
                continue
            plan = plans.get(account.id)
            if plan is not None and balances[Component.PLAN] > 0:
                # An active plan takes its amount due first (arrears.plans.life.split_payment).
                paid = plan_life.paid_into_plan(
                    moved_fen=plan.moved_fen, charged_fen=plan.charged_fen, plan_fen=balances[Component.PLAN]
                )
                split = plan_life.split_payment(
                    amount_fen=fen,
                    plan_due_fen=plan_life.amount_due(schedule=plan.schedule, paid_fen=paid, on=p.value_date),
                    plan_fen=balances[Component.PLAN],
                    card_owed_fen=sum(max(balances[c], 0) for c in posting.CARD),
                )
                if split.to_plan_fen:
                    lines.append(
                        _line(account.id, p, business_date, Component.PLAN, split.to_plan_fen, {"plan": plan.plan_id})
                    )
                    balances[Component.PLAN] -= split.to_plan_fen
                fen = split.to_card_fen
                if not fen:
                    continue
            order = params[account.product_id].waterfall_for(account.dpd)
            card: dict[str, int] = {c: balances[c] for c in posting.CARD}
            for component, part in allocate(fen, card, order).items():
                if part:
                    explanation = {"waterfall": list(order), "dpd": account.dpd}
                    lines.append(_line(account.id, p, business_date, component, part, explanation))
                    balances[component] -= part
            statements = unpaid[account.id]
            for s, left in zip(
                statements, apply_to_minimums([s.minimum_unpaid_fen for s in statements], fen), strict=True
            ):
                if left != s.minimum_unpaid_fen:
                    s.minimum_unpaid_fen = left
                    touched_statements.append(s)
        Payment.objects.bulk_create(created, batch_size=2000)
        posting.post(lines)
        if touched_statements:
            Statement.objects.bulk_update(
                list({s.pk: s for s in touched_statements}.values()), ["minimum_unpaid_fen"], batch_size=2000
            )
        numbers = {pk: mask_pan(number) for number, pk in ids.items()}
        record_many(
            actor=actor,
            action="payment.post",
            object_type="payment",
            items=[
                (
                    c.reference,
                    {
                        "account": mask_pan(numbers[c.account_id]),
                        "amount_fen": c.amount_fen,
                        "value_date": c.value_date,
                    },
                )
                for c in created
            ],
        )
    return created


def _line(
    account_id: int,
    payment: PaymentIn,
    business_date: dt.date,
    component: str,
    amount_fen: int,
    explanation: dict[str, Any] | None = None,
    *,
    kind: str = EntryKind.PAYMENT,
) -> posting.Line:
    """The part of a payment that lowers one component."""
    return posting.Line(
        account_id=account_id,
        kind=kind,
        component=component,
        amount_fen=-amount_fen,
        posting_date=business_date,
        value_date=payment.value_date,
        reference=payment.reference,
        explanation=explanation,
    )


def record_host_payments(select_sql: str, params: Sequence[Any], *, business_date: dt.date) -> int:
    """Host-feed mode: record the payments the card host took (`select_sql` returns the columns
    reference, account_id, amount_fen and value_date) as Payment rows for promises, pages and KPIs, in one statement; a
    reference recorded before is left alone. Nothing is posted: the host's balances, synced by the feed,
    already carry the money (docs/host-feed.md)."""
    table = Payment._meta.db_table
    day = "CAST(%s AS date)" if connection.vendor == "postgresql" else "%s"
    with connection.cursor() as cursor:
        cursor.execute(
            f"""INSERT INTO {table} (reference, account_id, amount_fen, value_date, posting_date, source, created_at)
            SELECT p.reference, p.account_id, p.amount_fen, p.value_date, {day}, 'host_feed', %s
            FROM ({select_sql}) p
            WHERE NOT EXISTS (SELECT 1 FROM {table} q WHERE q.reference = p.reference)""",
            [business_date.isoformat(), connection.ops.adapt_datetimefield_value(clock.now()), *params],
        )
        return max(int(cursor.rowcount), 0)

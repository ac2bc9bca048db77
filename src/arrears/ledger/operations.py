"""The only code that writes customers, accounts and ledger entries (besides the daily cycle)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.db import transaction

from arrears.audit.operations import record, record_many
from arrears.errors import Duplicate, NotFound, ValidationFailed
from arrears.kernel.pan import new_account_ref
from arrears.ledger import posting
from arrears.ledger.models import Account, AccountStatus, Component, Customer, Entry, EntryKind
from arrears.money import AmountError, to_fen
from arrears.products.models import Product, ProductVersion, versions_in_force
from arrears.products.rules import ProductParams, cash_advance_fee


def _positive_fen(amount: Decimal, field: str = "amount") -> int:
    try:
        fen = to_fen(amount)
    except AmountError as exc:
        raise ValidationFailed(str(exc), field=field) from None
    if fen <= 0:
        raise ValidationFailed("must be greater than zero", field=field)
    return fen


@dataclasses.dataclass(frozen=True, kw_only=True)
class CustomerIn:
    name: str
    national_id: str = ""
    mobile: str = ""
    home_phone: str = ""
    work_phone: str = ""
    email: str = ""
    address: str = ""
    region: str = ""
    time_zone: str = "Asia/Shanghai"
    language: str = "zh-hans"


@dataclasses.dataclass(frozen=True, kw_only=True)
class AccountIn:
    customer: Customer
    product: Product
    number: str
    opened_on: dt.date
    credit_limit: Decimal
    statement_day: int | None = None  # the product's statement day when not given


def create_customer(*, actor: str, name: str, **contact: str) -> Customer:
    return create_customers(actor=actor, customers=[CustomerIn(name=name, **contact)])[0]


def create_customers(*, actor: str, customers: Sequence[CustomerIn]) -> list[Customer]:
    """Create many customers in bulk, all or none; the first problem is raised, naming its field."""
    for n, c in enumerate(customers, start=1):
        if not c.name.strip():
            where = f" (customer {n})" if len(customers) > 1 else ""
            raise ValidationFailed("must not be empty" + where, field="name")
    rows = [Customer(**{**dataclasses.asdict(c), "name": c.name.strip()}) for c in customers]
    with transaction.atomic():
        created = Customer.objects.bulk_create(rows, batch_size=2000)
        record_many(
            actor=actor,
            action="customer.create",
            object_type="customer",
            items=[(c.pk, {"name": c.name}) for c in created],
        )
    return created


def open_account(
    *,
    actor: str,
    customer: Customer,
    product: Product,
    number: str,
    opened_on: dt.date,
    credit_limit: Decimal,
    statement_day: int | None = None,
) -> Account:
    account = AccountIn(
        customer=customer,
        product=product,
        number=number,
        opened_on=opened_on,
        credit_limit=credit_limit,
        statement_day=statement_day,
    )
    return open_accounts(actor=actor, accounts=[account])[0]


def open_accounts(*, actor: str, accounts: Sequence[AccountIn]) -> list[Account]:
    """Open many accounts in bulk, all or none; the first problem is raised, naming its field."""
    versions: dict[int, list[tuple[dt.date, ProductParams]]] = defaultdict(list)
    for v in ProductVersion.objects.filter(product__in={a.product.pk for a in accounts}).order_by("-effective_from"):
        versions[v.product_id].append((v.effective_from, v.params))
    existing = set(Account.objects.filter(number__in={a.number for a in accounts}).values_list("number", flat=True))
    seen: set[str] = set()
    rows = []
    for n, a in enumerate(accounts, start=1):
        where = f" (account {n})" if len(accounts) > 1 else ""
        params = next((p for since, p in versions[a.product.pk] if since <= a.opened_on), None)
        if params is None:
            raise ValidationFailed(
                f"product {a.product.pk} has no version in force on {a.opened_on}" + where, field="product"
            )
        day = a.statement_day if a.statement_day is not None else params.statement_day
        if not 1 <= day <= 31:
            raise ValidationFailed("must be a day of the month, 1 to 31" + where, field="statement_day")
        limit_fen = to_fen(a.credit_limit) if a.credit_limit >= 0 else -1
        if limit_fen < 0:
            raise ValidationFailed("must not be negative" + where, field="credit_limit")
        if not a.number.strip():
            raise ValidationFailed("must not be empty" + where, field="number")
        if a.number in existing or a.number in seen:
            raise ValidationFailed(f"account {a.number} already exists" + where, field="number")
        seen.add(a.number)
        rows.append(
            Account(
                number=a.number,
                ref=new_account_ref(),
                customer=a.customer,
                product=a.product,
                opened_on=a.opened_on,
                statement_day=day,
                credit_limit_fen=limit_fen,
            )
        )
    with transaction.atomic():
        created = Account.objects.bulk_create(rows, batch_size=2000)
        record_many(
            actor=actor,
            action="account.open",
            object_type="account",
            items=[
                (
                    a.ref,
                    {
                        "number": a.masked_number,
                        "product": a.product.code,
                        "credit_limit_fen": a.credit_limit_fen,
                        "statement_day": a.statement_day,
                    },
                )
                for a in created
            ],
        )
    return created


def get_account(number: str) -> Account:
    try:
        return Account.objects.get(number=number)
    except Account.DoesNotExist:
        raise NotFound(f"no account numbered {number!r}", field="account") from None


CHARGE_KINDS = (EntryKind.PURCHASE, EntryKind.CASH_ADVANCE, EntryKind.ANNUAL_FEE)


@dataclasses.dataclass(frozen=True, kw_only=True)
class ChargeIn:
    """A purchase, cash advance or annual fee to post; a cash advance brings its fee."""

    account_number: str
    kind: str
    amount: Decimal
    value_date: dt.date | None = None  # the business date when not given
    description: str = ""
    reference: str = ""  # optional idempotency key, unique per account


def post_charge(
    *,
    actor: str,
    account: Account,
    kind: str,
    amount: Decimal,
    business_date: dt.date,
    value_date: dt.date | None = None,
    description: str = "",
    reference: str = "",
) -> list[posting.Line]:
    """A purchase, cash advance or annual fee (with the cash-advance fee a cash advance carries)."""
    charge = ChargeIn(
        account_number=account.number,
        kind=kind,
        amount=amount,
        value_date=value_date,
        description=description,
        reference=reference,
    )
    return post_charges(actor=actor, charges=[charge], business_date=business_date)


def post_charges(*, actor: str, charges: Sequence[ChargeIn], business_date: dt.date) -> list[posting.Line]:
    """Post many charges in bulk, all or none: the first problem is raised, naming its field, and
    nothing is written. A fixed number of queries for any count: the ledger door's statements per
    chunk of accounts, one audit insert per kind."""
    if not charges:
        return []
    accounts = {
        a.number: a
        for a in Account.objects.filter(number__in={c.account_number for c in charges}).only(
            "id", "number", "ref", "product_id", "status"
        )
    }
    cash = any(c.kind == EntryKind.CASH_ADVANCE for c in charges)
    params = versions_in_force(business_date) if cash else {}
    fens = _validate_charges(charges, accounts, params, business_date)
    entries: list[posting.Line] = []
    audit: dict[str, list[tuple[object, Any]]] = defaultdict(list)
    for charge, fen in zip(charges, fens, strict=True):
        account = accounts[charge.account_number]
        value_date = charge.value_date or business_date
        component = Component.FEES if charge.kind == EntryKind.ANNUAL_FEE else Component.PRINCIPAL
        posted = [
            posting.Line(
                account_id=account.pk,
                kind=charge.kind,
                component=component,
                amount_fen=fen,
                posting_date=business_date,
                value_date=value_date,
                description=charge.description,
                reference=charge.reference,
            )
        ]
        if charge.kind == EntryKind.CASH_ADVANCE:
            p = params[account.product_id]
            fee = cash_advance_fee(params=p, amount_fen=fen)
            if fee:
                posted.append(
                    posting.Line(
                        account_id=account.pk,
                        kind=EntryKind.CASH_ADVANCE_FEE,
                        component=Component.FEES,
                        amount_fen=fee,
                        posting_date=business_date,
                        value_date=value_date,
                        reference=f"{charge.reference}:fee" if charge.reference else "",
                        explanation={
                            "rule": "cash_advance_fee",
                            "rate": str(p.cash_advance_fee_rate),
                            "minimum": str(p.cash_advance_fee_min),
                        },
                    )
                )
        entries.extend(posted)
        audit[charge.kind].append(
            (account.ref, [{"kind": e.kind, "component": e.component, "amount_fen": e.amount_fen} for e in posted])
        )
    with transaction.atomic():
        posting.post(entries)
        for kind, items in audit.items():
            record_many(actor=actor, action=f"entry.{kind}", object_type="account", items=items)
    return entries


def _validate_charges(
    charges: Sequence[ChargeIn],
    accounts: dict[str, Account],
    params: dict[int, ProductParams],
    business_date: dt.date,
) -> list[int]:
    """Every charge checked before anything is written; returns the amounts in fen."""

    def where(n: int) -> str:
        return f" (charge {n})" if len(charges) > 1 else ""

    references = {(c.account_number, c.reference) for c in charges if c.reference}
    taken: set[tuple[str, str]] = set()
    if references:
        ids = {a.pk: a.number for a in accounts.values()}
        taken = {
            (ids[account_id], ref)
            for account_id, ref in Entry.objects.filter(
                account_id__in=ids, reference__in={r for _, r in references}
            ).values_list("account_id", "reference")
        }
    seen: set[tuple[str, str]] = set()
    fens = []
    for n, c in enumerate(charges, start=1):
        if c.kind not in CHARGE_KINDS:
            raise ValidationFailed("must be purchase, cash_advance or annual_fee" + where(n), field="kind")
        try:
            fens.append(_positive_fen(c.amount))
        except ValidationFailed as exc:
            raise ValidationFailed(exc.message + where(n), field="amount") from None
        if c.value_date is not None and c.value_date > business_date:
            raise ValidationFailed(
                f"{c.value_date} is after the business date {business_date}" + where(n), field="value_date"
            )
        account = accounts.get(c.account_number)
        if account is None:
            raise NotFound(f"no account numbered {c.account_number!r}" + where(n), field="account")
        if account.status != AccountStatus.OPEN:
            raise ValidationFailed(f"the account is {account.status}" + where(n), field="account")
        if c.kind == EntryKind.CASH_ADVANCE and account.product_id not in params:
            raise ValidationFailed(
                f"its product has no version in force on {business_date}" + where(n), field="account"
            )
        if c.reference:
            if len(c.reference) > 76:
                raise ValidationFailed("must be at most 76 characters" + where(n), field="reference")
            key = (c.account_number, c.reference)
            if key in taken or key in seen:
                raise Duplicate(f"duplicate reference {c.reference!r}: already posted" + where(n), field="reference")
            seen.add(key)
    return fens


def reverse_entry(*, actor: str, entry: Entry, business_date: dt.date, reason: str) -> Entry:
    """Cancel an entry by posting its opposite; the original stays as it was."""
    if not reason.strip():
        raise ValidationFailed("give the reason for the reversal", field="reason")
    if entry.kind in (EntryKind.REVERSAL, EntryKind.PLAN_RETURN):
        raise ValidationFailed("a reversal cannot itself be reversed; post a new entry", field="entry")
    if entry.kind in (EntryKind.CHARGE_OFF, EntryKind.PLAN_TRANSFER):
        raise ValidationFailed(
            f"a {entry.kind} is undone by its own operation, not by reversing one of its entries", field="entry"
        )
    with transaction.atomic():
        posting.lock([entry.account_id])
        if Entry.objects.filter(reverses=entry).exists():
            raise ValidationFailed("this entry has already been reversed", field="entry")
        posting.post(
            [
                posting.Line(
                    account_id=entry.account_id,
                    kind=EntryKind.REVERSAL,
                    component=entry.component,
                    amount_fen=-entry.amount_fen,
                    posting_date=business_date,
                    reverses_id=entry.pk,
                    description=reason,
                )
            ]
        )
        record(
            actor=actor,
            action="entry.reverse",
            object_type="entry",
            object_id=entry.pk,
            before={"kind": entry.kind, "amount_fen": entry.amount_fen},
            after={"reason": reason},
        )
    return Entry.objects.get(reverses=entry)

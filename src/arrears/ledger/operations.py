"""The only code that writes customers, accounts and ledger entries (besides the daily cycle)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.db.models import F

from arrears.audit.operations import record
from arrears.errors import NotFound, ValidationFailed
from arrears.ledger.models import Account, AccountStatus, Component, Customer, Entry, EntryKind
from arrears.money import AmountError, to_fen
from arrears.products.models import Product, params_in_force
from arrears.statements.rules import cash_advance_fee

CACHE_FIELD = {Component.PRINCIPAL: "principal_fen", Component.INTEREST: "interest_fen", Component.FEES: "fees_fen"}


def _positive_fen(amount: Decimal, field: str = "amount") -> int:
    try:
        fen = to_fen(amount)
    except AmountError as exc:
        raise ValidationFailed(str(exc), field=field) from None
    if fen <= 0:
        raise ValidationFailed("must be greater than zero", field=field)
    return fen


def create_customer(*, actor: str, name: str, **contact: str) -> Customer:
    if not name.strip():
        raise ValidationFailed("must not be empty", field="name")
    with transaction.atomic():
        customer = Customer.objects.create(name=name.strip(), **contact)
        record(actor=actor, action="customer.create", object_type="customer", object_id=customer.pk,
               after={"name": customer.name})
    return customer


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
    params = params_in_force(product.pk, opened_on)
    day = statement_day if statement_day is not None else params.statement_day
    if not 1 <= day <= 31:
        raise ValidationFailed("must be a day of the month, 1 to 31", field="statement_day")
    limit_fen = to_fen(credit_limit) if credit_limit >= 0 else -1
    if limit_fen < 0:
        raise ValidationFailed("must not be negative", field="credit_limit")
    if not number.strip():
        raise ValidationFailed("must not be empty", field="number")
    if Account.objects.filter(number=number).exists():
        raise ValidationFailed(f"account {number} already exists", field="number")
    with transaction.atomic():
        account = Account.objects.create(
            number=number, customer=customer, product=product, opened_on=opened_on,
            statement_day=day, credit_limit_fen=limit_fen,
        )
        record(actor=actor, action="account.open", object_type="account", object_id=account.number,
               after={"product": product.code, "credit_limit_fen": limit_fen, "statement_day": day})
    return account


def get_account(number: str) -> Account:
    try:
        return Account.objects.get(number=number)
    except Account.DoesNotExist:
        raise NotFound(f"no account numbered {number!r}", field="account") from None


def _post(account: Account, entries: list[Entry]) -> None:
    """Insert entries and move the balance cache by the same amounts, in the caller's transaction."""
    Entry.objects.bulk_create(entries)
    moves: dict[str, F | int] = {}
    for component, field in CACHE_FIELD.items():
        delta = sum(e.amount_fen for e in entries if e.component == component)
        if delta:
            moves[field] = F(field) + delta
    if moves:
        Account.objects.filter(pk=account.pk).update(**moves)


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
) -> list[Entry]:
    """A purchase, cash advance or annual fee (with the cash-advance fee a cash advance carries)."""
    if kind not in (EntryKind.PURCHASE, EntryKind.CASH_ADVANCE, EntryKind.ANNUAL_FEE):
        raise ValidationFailed("must be purchase, cash_advance or annual_fee", field="type")
    fen = _positive_fen(amount)
    value_date = value_date or business_date
    if value_date > business_date:
        raise ValidationFailed("must not be after the business date", field="date")
    if account.status != AccountStatus.OPEN:
        raise ValidationFailed(f"the account is {account.status}", field="account")
    component = Component.FEES if kind == EntryKind.ANNUAL_FEE else Component.PRINCIPAL
    entries = [Entry(account=account, kind=kind, component=component, amount_fen=fen,
                     posting_date=business_date, value_date=value_date, description=description,
                     reference=reference)]
    if kind == EntryKind.CASH_ADVANCE:
        params = params_in_force(account.product_id, business_date)
        fee = cash_advance_fee(params=params, amount_fen=fen)
        if fee:
            entries.append(Entry(account=account, kind=EntryKind.CASH_ADVANCE_FEE, component=Component.FEES,
                                 amount_fen=fee, posting_date=business_date, value_date=value_date,
                                 reference=f"{reference}:fee" if reference else "",
                                 explanation={"rule": "cash_advance_fee", "rate": str(params.cash_advance_fee_rate),
                                              "minimum": str(params.cash_advance_fee_min)}))
    with transaction.atomic():
        _post(account, entries)
        record(actor=actor, action=f"entry.{kind}", object_type="account", object_id=account.number,
               after=[{"kind": e.kind, "component": e.component, "amount_fen": e.amount_fen} for e in entries])
    return entries


def reverse_entry(*, actor: str, entry: Entry, business_date: dt.date, reason: str) -> Entry:
    """Cancel an entry by posting its opposite; the original stays as it was."""
    if not reason.strip():
        raise ValidationFailed("give the reason for the reversal", field="reason")
    if Entry.objects.filter(reverses=entry).exists():
        raise ValidationFailed("this entry has already been reversed", field="entry")
    if entry.kind == EntryKind.REVERSAL:
        raise ValidationFailed("a reversal cannot itself be reversed; post a new entry", field="entry")
    reversal = Entry(account_id=entry.account_id, kind=EntryKind.REVERSAL, component=entry.component,
                     amount_fen=-entry.amount_fen, posting_date=business_date, value_date=business_date,
                     reverses=entry, description=reason[:200])
    with transaction.atomic():
        _post(entry.account, [reversal])
        record(actor=actor, action="entry.reverse", object_type="entry", object_id=entry.pk,
               before={"kind": entry.kind, "amount_fen": entry.amount_fen}, after={"reason": reason})
    return reversal

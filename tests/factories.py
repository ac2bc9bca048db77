"""Valid states built through the operations, as the application builds them."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

from arrears.cycle.runner import run_date
from arrears.ledger.models import Account
from arrears.ledger.operations import create_customer, open_account, post_charge
from arrears.payments.operations import PaymentIn, post_payment
from arrears.products.models import Product, ProductVersion

_numbers = itertools.count(1)
ACTOR = "test"


def make_product(effective_from: dt.date = dt.date(2020, 1, 1), **parameters: Any) -> Product:
    n = next(_numbers)
    product = Product.objects.create(code=f"p{n}", name=f"Product {n}")
    ProductVersion.objects.create(product=product, effective_from=effective_from, parameters=parameters)
    return product


def make_account(
    *,
    product: Product | None = None,
    opened_on: dt.date = dt.date(2026, 3, 1),
    credit_limit: str = "10000.00",
    statement_day: int | None = None,
    name: str = "张三",
) -> Account:
    customer = create_customer(actor=ACTOR, name=name)
    return open_account(
        actor=ACTOR,
        customer=customer,
        product=product or make_product(),
        number=f"62{next(_numbers):010d}",
        opened_on=opened_on,
        credit_limit=Decimal(credit_limit),
        statement_day=statement_day,
    )


def purchase(account: Account, on: dt.date, amount: str, kind: str = "purchase") -> None:
    account.refresh_from_db()
    post_charge(actor=ACTOR, account=account, kind=kind, amount=Decimal(amount), business_date=on)


def pay(account: Account, on: dt.date, amount: str, reference: str | None = None) -> None:
    post_payment(
        actor=ACTOR,
        business_date=on,
        payment=PaymentIn(
            account_number=account.number,
            amount=Decimal(amount),
            value_date=on,
            reference=reference or f"pay-{next(_numbers)}",
        ),
    )


def run_days(first: dt.date, last: dt.date) -> None:
    """Run the cycle for every date from first through last. To reach a state, tests.builders.advance
    runs only the dates that matter and leaves the same state in a fraction of the time."""
    day = first
    while day <= last:
        run_date(day)
        day += dt.timedelta(days=1)

"""States for the disputes tests, built through the operations (tests.builders)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from arrears.ledger.models import Account, Entry, EntryKind
from arrears.ledger.operations import post_charge
from tests.builders import ACTOR, advance, buy, open_card_accounts, pay

FEE_DAY = dt.date(2026, 3, 12)


def fee_left_unpaid(*, through: dt.date = dt.date(2026, 5, 6), contact: dict[str, str] | None = None) -> Account:
    """Bought 1,000.00 on 03-10, charged an annual fee of 200.00 on 03-12; the statement of 04-05 bills
    1,200.00 (minimum 300.00, due 04-23). The customer pays 1,000.00 on 04-20, everything but the fee:
    the minimum is paid (no late fee) but the grace is lost, and the statement of 05-05 charges 22.00 of
    interest (posted 05-04)."""
    [account] = open_card_accounts(names=["王芳"], contact=contact or {"mobile": "13800138000"})
    buy(accounts=[account], amounts=["1000.00"])
    post_charge(
        actor=ACTOR, account=account, kind=EntryKind.ANNUAL_FEE, amount=Decimal("200.00"), business_date=FEE_DAY
    )
    advance(through=dt.date(2026, 4, 20))
    pay(accounts=[account], amounts=["1000.00"], on=dt.date(2026, 4, 20))
    advance(through=through)
    account.refresh_from_db()
    return account


def fee_entry(account: Account) -> Entry:
    return Entry.objects.get(account=account, kind=EntryKind.ANNUAL_FEE)

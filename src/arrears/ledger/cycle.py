"""The ledger's step of the daily cycle: annual fees on the account's anniversary."""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef

from arrears.kernel.sql import keyset_chunks
from arrears.ledger import posting
from arrears.ledger.models import ACTIVE, Account, Component, Entry, EntryKind
from arrears.money import to_fen
from arrears.products.rules import ProductParams


def annual_fees(d: dt.date, lo: int, hi: int, params: dict[int, ProductParams]) -> int:
    products = [pid for pid, p in params.items() if p.annual_fee > 0]
    if not products:
        return 0
    accounts = Account.objects.filter(
        id__gte=lo,
        id__lt=hi,
        status__in=ACTIVE,
        product_id__in=products,
        opened_on__month=d.month,
        opened_on__day=d.day,
        opened_on__lt=d,
    ).exclude(Exists(Entry.objects.filter(account_id=OuterRef("id"), reference=f"annual_fee:{d}")))
    accounts = accounts.only("id", "product_id")
    count = 0
    for chunk in keyset_chunks(accounts):
        posting.post(
            [
                posting.Line(
                    account_id=a.id,
                    kind=EntryKind.ANNUAL_FEE,
                    component=Component.FEES,
                    amount_fen=to_fen(params[a.product_id].annual_fee),
                    posting_date=d,
                    reference=f"annual_fee:{d}",
                    description="annual fee",
                )
                for a in chunk
            ]
        )
        count += len(chunk)
    return count

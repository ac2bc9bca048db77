"""States for the disputes tests, built through the operations (tests.builders)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from arrears.disputes.models import Dispute
from arrears.disputes.operations import decide, open_dispute, propose_resolution
from arrears.ledger.models import Account, Entry, EntryKind
from arrears.ledger.operations import post_charge
from arrears.people.models import Role
from tests.builders import ACTOR, advance, buy, open_card_accounts, pay, staff

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


def answered_dispute(side: Any) -> Dispute:
    """A dispute of a side's purchase (tests.functional.two_teams), rejected with its letter: made once,
    then found again (the id sweep and the translation scan substitute its id into the dispute routes)."""
    found = Dispute.objects.filter(account=side.account).order_by("id").first()
    if found is not None:
        return found
    day = dt.date(2026, 5, 3)
    purchase = Entry.objects.filter(account=side.account, kind=EntryKind.PURCHASE).order_by("id").first()
    dispute = open_dispute(
        actor=side.lead.username,
        account=side.account,
        kind="statement_line",
        entry=purchase,
        amount=Decimal("10.00"),
        reason="不认可这笔交易",
        channel="phone",
        business_date=day,
    )
    propose_resolution(
        user=side.lead, dispute=dispute, outcome="rejected", reasons="交易凭证核实无误", business_date=day
    )
    return decide(user=staff(Role.COMPLIANCE_OFFICER), dispute=dispute, approve=True, business_date=day)

"""A portfolio arranged so that every step of the daily cycle has work on one business date."""

from __future__ import annotations

import datetime as dt

from arrears.cycle.runner import run_date
from arrears.ledger.models import Account
from tests.factories import make_account, make_product, purchase

BUSY_DATE = dt.date(2026, 4, 24)
OPENED = dt.date(2025, 4, 24)  # every account's anniversary is BUSY_DATE: the annual fee


def arrange_busy_date(per_group: int) -> list[Account]:
    """3 x per_group accounts (one product, due 18 days after the statement, charge-off at 30 DPD),
    all 1000.00 in debt and nothing ever paid. On BUSY_DATE (2026-04-24):
      - every account is charged its annual fee (opened 2025-04-24);
      - group "late": statement day 5, so the 04-05 minimum was due 04-23: late fee, DPD 1;
      - group "closing": statement day 24, its statement closes;
      - group "charge_off": statement day 7, the 03-07 minimum was due 03-25: DPD 30, charged off.
    Only the dates 03-07 and 04-05 are run before, to close the earlier statements.
    """
    product = make_product(
        effective_from=dt.date(2025, 1, 1), annual_fee="50.00", charge_off_dpd=30, due_days_after_statement=18
    )
    accounts = []
    for statement_day in (5, 24, 7):
        for _ in range(per_group):
            account = make_account(product=product, opened_on=OPENED, statement_day=statement_day)
            purchase(account, dt.date(2026, 3, 1), "1000.00")
            accounts.append(account)
    run_date(dt.date(2026, 3, 7))
    run_date(dt.date(2026, 4, 5))
    return accounts

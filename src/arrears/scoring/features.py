"""The canonical features (scoring.rules.FEATURES) from Arrears' own data, for many accounts at once:
six queries whatever the number of accounts (accounts, statements, contacts, promises kept, promises
broken, plans).

Statement months are the account's *decided* statements as of the date (issued on or before it, whose
due date has passed and whose payments by the due date are recorded), newest first: m1 is the most
recent. Amounts are in yuan (fen / 100) as the model's inputs, the unit a legacy file's columns are
mapped in; money itself stays integer fen everywhere else.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
from django.db.models import Count, F, QuerySet, Window
from django.db.models.functions import RowNumber
from numpy.typing import NDArray

from arrears.contacts.models import Contact, Result
from arrears.kernel import clock
from arrears.ledger.models import Account
from arrears.plans.models import Plan, PlanStatus
from arrears.promises.models import Promise, PromiseStatus
from arrears.scoring.rules import FEATURES, MONTHS, NOTHING_DUE, PAID_IN_FULL, PAID_MINIMUM
from arrears.statements.models import Statement

WINDOW_DAYS = 90
# Months behind count back through at most this many consecutive decided statements.
LOOKBACK = 12
COLUMN = {name: j for j, name in enumerate(FEATURES)}


@dataclasses.dataclass(frozen=True)
class Matrix:
    ids: NDArray[np.int64]  # account ids, ascending
    x: NDArray[np.float64]  # rows x FEATURES, NaN = missing
    columns: tuple[str, ...] = FEATURES

    def row(self, account_id: int) -> dict[str, float]:
        i = int(np.searchsorted(self.ids, account_id))
        return dict(zip(self.columns, self.x[i].tolist(), strict=True))


def _accounts(lo: int | None, hi: int | None, ids: list[int] | None) -> QuerySet[Account]:
    qs = Account.objects.all()
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    if lo is not None:
        qs = qs.filter(pk__gte=lo)
    if hi is not None:
        qs = qs.filter(pk__lte=hi)
    return qs


def build(as_of: dt.date, *, lo: int | None = None, hi: int | None = None, ids: list[int] | None = None) -> Matrix:
    """The feature matrix of the accounts with lo <= id <= hi (and in `ids` when given) as of `as_of`."""
    accounts = _accounts(lo, hi, ids)
    rows = list(accounts.order_by("pk").values_list("pk", "customer_id", "credit_limit_fen"))
    n = len(rows)
    x = np.full((n, len(FEATURES)), np.nan)
    account_ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=n)
    if not n:
        return Matrix(account_ids, x)
    customers = np.fromiter((r[1] for r in rows), dtype=np.int64, count=n)
    x[:, COLUMN["limit"]] = np.fromiter((r[2] for r in rows), dtype=np.float64, count=n) / 100
    _statements(x, account_ids, accounts, as_of)
    since = dt.datetime.combine(as_of - dt.timedelta(days=WINDOW_DAYS - 1), dt.time.min, tzinfo=clock.bank_zone())
    until = dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time.min, tzinfo=clock.bank_zone())
    customer_ids = accounts.values("customer_id")
    rpc = dict(
        Contact.objects.filter(
            case__customer_id__in=customer_ids, result=Result.RIGHT_PARTY, at__gte=since, at__lt=until
        )
        .values_list("case__customer_id")
        .annotate(n=Count("pk"))
        .values_list("case__customer_id", "n")
    )
    promises = Promise.objects.filter(
        case__customer_id__in=customer_ids,
        judged_on__gt=as_of - dt.timedelta(days=WINDOW_DAYS),
        judged_on__lte=as_of,
    )
    kept = dict(
        promises.filter(status=PromiseStatus.KEPT)
        .values_list("case__customer_id")
        .annotate(n=Count("pk"))
        .values_list("case__customer_id", "n")
    )
    broken = dict(
        promises.filter(status__in=[PromiseStatus.BROKEN, PromiseStatus.PARTLY_KEPT])
        .values_list("case__customer_id")
        .annotate(n=Count("pk"))
        .values_list("case__customer_id", "n")
    )
    for name, counts in (("contacts_rpc_90d", rpc), ("promises_kept_90d", kept), ("promises_broken_90d", broken)):
        x[:, COLUMN[name]] = np.fromiter((counts.get(int(c), 0) for c in customers), dtype=np.float64, count=n)
    in_plan = set(
        Plan.objects.filter(account__in=accounts, status=PlanStatus.ACTIVE).values_list("account_id", flat=True)
    )
    x[:, COLUMN["plan_active"]] = np.fromiter((a in in_plan for a in account_ids.tolist()), dtype=np.float64, count=n)
    return Matrix(account_ids, x)


def _statements(
    x: NDArray[np.float64], account_ids: NDArray[np.int64], accounts: QuerySet[Account], as_of: dt.date
) -> None:
    """status_m*, balance_m*, payment_m* from the last LOOKBACK decided statements (one query)."""
    recent = (
        Statement.objects.filter(
            account__in=accounts, statement_date__lte=as_of, due_date__lt=as_of, paid_by_due_fen__isnull=False
        )
        .annotate(rn=Window(RowNumber(), partition_by=[F("account_id")], order_by=F("statement_date").desc()))
        .filter(rn__lte=LOOKBACK)
        .values_list("account_id", "rn", "new_balance_fen", "minimum_payment_fen", "paid_by_due_fen", "payments_fen")
    )
    data = np.asarray(list(recent), dtype=np.int64).reshape(-1, 6)
    if not len(data):
        return
    row = np.searchsorted(account_ids, data[:, 0])
    month = data[:, 1] - 1  # 0 = m1
    # grid[row, month]: NaN where the account has no such statement
    balance = np.full((len(account_ids), LOOKBACK), np.nan)
    minimum = np.full_like(balance, np.nan)
    paid = np.full_like(balance, np.nan)
    payments = np.full_like(balance, np.nan)
    balance[row, month], minimum[row, month] = data[:, 2], data[:, 3]
    paid[row, month], payments[row, month] = data[:, 4], data[:, 5]
    # rules.repayment_status, vectorised; the chain of months behind runs from the oldest month up.
    status = np.full_like(balance, np.nan)
    behind_before = np.zeros(len(account_ids))
    for m in range(LOOKBACK - 1, -1, -1):
        present = ~np.isnan(balance[:, m])
        s = np.where(
            balance[:, m] <= 0,
            NOTHING_DUE,
            np.where(
                paid[:, m] >= balance[:, m],
                PAID_IN_FULL,
                np.where(paid[:, m] >= minimum[:, m], PAID_MINIMUM, 1 + behind_before),
            ),
        )
        status[:, m] = np.where(present, s, np.nan)
        behind_before = np.where(present & (s >= 1), s, 0)
    for k in range(MONTHS):
        x[:, COLUMN[f"status_m{k + 1}"]] = status[:, k]
        x[:, COLUMN[f"balance_m{k + 1}"]] = balance[:, k] / 100
        x[:, COLUMN[f"payment_m{k + 1}"]] = payments[:, k] / 100

"""Delinquency's steps of the daily cycle: days past due and bucket for every account, then charge-off."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db import connection

from arrears.kernel.sql import date_param, days_between, keyset_chunks
from arrears.ledger import posting
from arrears.ledger.models import ACTIVE, Account, AccountStatus, EntryKind
from arrears.products.rules import ProductParams
from arrears.statements.models import Statement


def bucket_case(params: dict[int, ProductParams], *, dpd: str, product: str) -> str:
    """SQL for the bucket of the DPD expression `dpd` by the edges of the product `product` names: one
    CASE whatever the number of products (products with the same edges share a branch)."""
    by_edges: dict[tuple[int, ...], list[int]] = defaultdict(list)
    for product_id, p in params.items():
        by_edges[p.bucket_edges].append(product_id)
    buckets = []
    for edges, products in by_edges.items():
        cases = " ".join(f"WHEN {dpd} <= {edge} THEN {i}" for i, edge in enumerate(edges, 1))
        buckets.append(
            f"WHEN {product} IN ({', '.join(map(str, products))}) "
            f"THEN CASE WHEN {dpd} <= 0 THEN 0 {cases} ELSE {len(edges) + 1} END"
        )
    return f"CASE {' '.join(buckets)} END"


def age_accounts(d: dt.date, lo: int, hi: int, params: dict[int, ProductParams]) -> int:
    """Days past due and bucket for every account that is or was past due; history of bucket moves.

    A statement's effective due date is its extended_due_date when a due-date extension set one.

    Two statements per partition whatever the number of products (the bucket edges are a CASE on
    the product): insert the bucket changes, then update DPD and bucket. A bucket change is judged
    against the bucket of the history before d, not the account's current one, and a date has at
    most one: running a date again, even after later dates, adds nothing.
    """
    if not params:
        return 0
    account = Account._meta.db_table
    statement = Statement._meta.db_table
    change = "delinquency_bucketchange"
    dp = date_param()
    bucket_sql = bucket_case(params, dpd="new_dpd", product="product_id")
    base = f"""
        WITH late AS (
            SELECT account_id, MIN(COALESCE(extended_due_date, due_date)) AS due FROM {statement}
            WHERE minimum_unpaid_fen > 0 AND COALESCE(extended_due_date, due_date) < {dp}
              AND account_id >= %s AND account_id < %s
            GROUP BY account_id),
        cand AS (
            SELECT id FROM {account} WHERE dpd > 0 AND id >= %s AND id < %s
            UNION SELECT account_id FROM late),
        nxt AS (
            SELECT a.id, a.dpd AS old_dpd, a.bucket AS old_bucket, new_dpd, {bucket_sql} AS new_bucket
            FROM (SELECT a.id, a.dpd, a.bucket, a.product_id,
                         COALESCE({days_between(dp, "late.due")}, 0) AS new_dpd
                  FROM cand JOIN {account} a ON a.id = cand.id
                  LEFT JOIN late ON late.account_id = a.id
                  WHERE a.id >= %s AND a.id < %s AND a.status IN ('open', 'blocked')
                  AND a.product_id IN ({", ".join(map(str, params))})) a)
    """
    day = d.isoformat()
    args: list[str | int] = [day, lo, hi, lo, hi, day, lo, hi]
    with connection.cursor() as cursor:
        cursor.execute(
            base
            + f"""INSERT INTO {change} (account_id, change_date, from_bucket, to_bucket, dpd)
            SELECT id, {dp}, was, new_bucket, new_dpd FROM (
                SELECT nxt.*, COALESCE((
                    SELECT c.to_bucket FROM {change} c WHERE c.account_id = nxt.id AND c.change_date < {dp}
                    ORDER BY c.change_date DESC LIMIT 1), 0) AS was FROM nxt) moved
            WHERE new_bucket <> was
            ON CONFLICT (account_id, change_date) DO NOTHING""",
            [*args, day, day],
        )
        cursor.execute(
            base
            + f"""UPDATE {account} SET dpd = nxt.new_dpd, bucket = nxt.new_bucket
            FROM nxt WHERE {account}.id = nxt.id AND {account}.dpd <> nxt.new_dpd""",
            args,
        )
        return max(int(cursor.rowcount), 0)


def charge_off(d: dt.date, lo: int, hi: int, params: dict[int, ProductParams]) -> int:
    """Write off every account whose DPD has reached its product's charge_off_dpd: each card component
    and the plan owed go to zero through the ledger door, which records the total in charged_off_fen."""
    count = 0
    for product_id, p in params.items():
        due = Account.objects.filter(
            id__gte=lo, id__lt=hi, product_id=product_id, status__in=ACTIVE, dpd__gte=p.charge_off_dpd
        ).only("id")
        for chunk in keyset_chunks(due):
            owed = posting.lock(a.id for a in chunk)
            posting.post(
                [
                    posting.Line(
                        account_id=a.id,
                        kind=EntryKind.CHARGE_OFF,
                        component=component,
                        amount_fen=-owed[a.id].of(component),
                        posting_date=d,
                        reference=f"charge_off:{d}",
                        description="charge-off",
                    )
                    for a in chunk
                    for component in posting.OWED
                    if owed[a.id].of(component)
                ]
            )
            Account.objects.filter(id__in=[a.id for a in chunk]).update(
                status=AccountStatus.CHARGED_OFF, charged_off_on=d
            )
            count += len(chunk)
    return count

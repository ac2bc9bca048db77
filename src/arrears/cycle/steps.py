"""The steps of the daily cycle, each set-based over one partition of accounts.

A step reads what it needs for a chunk of accounts in a few queries, computes with the pure rules
and writes with bulk inserts and single UPDATE statements: the number of queries depends on the
number of chunks and products, never on the number of accounts in a chunk.

The cycle of business date d runs before the day's business: it sees what was posted before d.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Callable, Iterator
from typing import Any

from django.db import connection
from django.db.models import F, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from arrears.business_days import statement_days_on
from arrears.cycle.sql import date_param, days_between, insert_objects, update_objects, update_rows
from arrears.ledger.models import Account, AccountStatus, Component, Entry, EntryKind
from arrears.products.rules import ProductParams, due_date_for
from arrears.statements.models import Statement
from arrears.statements.rules import (
    Posting,
    PreviousStatement,
    compute_interest,
    compute_late_fee,
    compute_minimum,
)

CHUNK = 5000
ACTIVE = (AccountStatus.OPEN, AccountStatus.BLOCKED)
CACHE_FIELD = {Component.PRINCIPAL: "principal_fen", Component.INTEREST: "interest_fen", Component.FEES: "fees_fen"}

Step = Callable[[dt.date, int, int, dict[int, ProductParams]], int]


def _chunks(queryset: Any) -> Iterator[list[Any]]:
    """Keyset pagination by id: CHUNK rows per query."""
    last = 0
    while True:
        rows = list(queryset.filter(id__gt=last).order_by("id")[:CHUNK])
        if not rows:
            return
        yield rows
        last = rows[-1].id
        if len(rows) < CHUNK:
            return


def _move_cache_by_entries(entries: list[Entry]) -> None:
    """One UPDATE: add the entries just posted to the balance cache of their accounts."""
    totals: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(CACHE_FIELD.values(), 0))
    for e in entries:
        totals[e.account_id][CACHE_FIELD[Component(e.component)]] += e.amount_fen
    if not totals:
        return
    columns = [("id", "bigint"), *((field, "bigint") for field in CACHE_FIELD.values())]
    table = Account._meta.db_table
    update_rows(
        table,
        columns,
        json.dumps([{"id": i, **t} for i, t in totals.items()]),
        set_sql=", ".join(f"{field} = {table}.{field} + v.{field}" for field in CACHE_FIELD.values()),
    )


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
    ).only("id", "product_id")
    count = 0
    for chunk in _chunks(accounts):
        fees = [
            Entry(
                account_id=a.id,
                kind=EntryKind.ANNUAL_FEE,
                component=Component.FEES,
                amount_fen=int(params[a.product_id].annual_fee * 100),
                posting_date=d,
                value_date=d,
                reference=f"annual_fee:{d}",
                description="annual fee",
            )
            for a in chunk
        ]
        insert_objects(fees)
        _move_cache_by_entries(fees)
        count += len(chunk)
    return count


def late_fees(d: dt.date, lo: int, hi: int, params: dict[int, ProductParams]) -> int:
    """The day after a due date: decide whether the statement was paid in full, charge the late fee."""
    due = d - dt.timedelta(days=1)
    paid = (
        Entry.objects.filter(
            account_id=OuterRef("account_id"),
            kind=EntryKind.PAYMENT,
            posting_date__gte=OuterRef("statement_date"),
            posting_date__lte=due,
        )
        .values("account_id")
        .annotate(s=Sum("amount_fen"))
        .values("s")
    )
    unpaid_min = (
        Statement.objects.filter(account_id=OuterRef("account_id"), due_date__lte=due, minimum_unpaid_fen__gt=0)
        .values("account_id")
        .annotate(s=Sum("minimum_unpaid_fen"))
        .values("s")
    )
    due_today = (
        Statement.objects.filter(due_date=due, account_id__gte=lo, account_id__lt=hi, account__status__in=ACTIVE)
        .annotate(
            paid_fen=Coalesce(-Subquery(paid), Value(0)),
            unpaid_min_fen=Coalesce(Subquery(unpaid_min), Value(0)),
            product_id=F("account__product_id"),
        )
        .only("id", "account_id", "new_balance_fen", "grace_kept", "paid_by_due_fen")
    )
    count = 0
    for chunk in _chunks(due_today):
        fees = []
        for s in chunk:
            s.paid_by_due_fen = s.paid_fen
            s.grace_kept = s.new_balance_fen <= 0 or s.paid_fen >= s.new_balance_fen
            fee = compute_late_fee(params=params[s.product_id], unpaid_minimum_fen=s.unpaid_min_fen, due_date=due)
            if fee.amount_fen:
                fees.append(
                    Entry(
                        account_id=s.account_id,
                        kind=EntryKind.LATE_FEE,
                        component=Component.FEES,
                        amount_fen=fee.amount_fen,
                        posting_date=d,
                        value_date=d,
                        reference=f"late_fee:{due}",
                        explanation=fee.explanation,
                        description="late fee",
                    )
                )
        update_objects(chunk, ["grace_kept", "paid_by_due_fen"])
        insert_objects(fees)
        _move_cache_by_entries(fees)
        count += len(fees)
    return count


def statements(d: dt.date, lo: int, hi: int, params: dict[int, ProductParams]) -> int:
    """Close the cycle [last statement, d) of every account whose statement falls on d."""
    closing = (
        Account.objects.filter(
            id__gte=lo,
            id__lt=hi,
            status__in=ACTIVE,
            statement_day__in=statement_days_on(d),
            opened_on__lt=d,
        )
        .filter(Q(last_statement_date__isnull=True) | Q(last_statement_date__lt=d))
        .only("id", "product_id", "opened_on", "credit_limit_fen", *CACHE_FIELD.values(), "last_statement_date")
    )
    interest_day = d - dt.timedelta(days=1)
    count = 0
    for chunk in _chunks(closing):
        ids = [a.id for a in chunk]
        previous = {
            s.account_id: s
            for s in Statement.objects.filter(account_id__in=ids)
            .filter(
                statement_date=Subquery(Account.objects.filter(pk=OuterRef("account_id")).values("last_statement_date"))
            )
            .defer("explanation")
        }
        starts = {a.id: (previous[a.id].period_start if a.id in previous else a.opened_on) for a in chunk}
        postings: dict[int, list[Posting]] = defaultdict(list)
        # Entries posted on or after d (a late-running cycle) are not part of this statement: the
        # balances at close are the cache less those.
        later: dict[tuple[int, str], int] = defaultdict(int)
        for row in Entry.objects.filter(account_id__in=ids, posting_date__gte=min(starts.values())).values_list(
            "account_id", "kind", "component", "amount_fen", "posting_date", "value_date"
        ):
            if row[4] >= d:
                later[row[0], row[2]] += row[3]
            elif row[4] >= starts[row[0]]:
                postings[row[0]].append(
                    Posting(kind=row[1], component=row[2], amount_fen=row[3], posting_date=row[4], value_date=row[5])
                )
        past_due = dict(
            Statement.objects.filter(account_id__in=ids, due_date__lt=d, minimum_unpaid_fen__gt=0)
            .values("account_id")
            .annotate(s=Sum("minimum_unpaid_fen"))
            .values_list("account_id", "s")
        )
        new_entries, new_statements = [], []
        for a in chunk:
            p = params[a.product_id]
            prev = previous.get(a.id)
            period_start = prev.statement_date if prev else a.opened_on
            interest = compute_interest(
                params=p,
                statement_date=d,
                period_start=period_start,
                previous=_previous(prev) if prev else None,
                postings=postings[a.id],
            )
            if interest.amount_fen:
                new_entries.append(
                    Entry(
                        account_id=a.id,
                        kind=EntryKind.INTEREST,
                        component=Component.INTEREST,
                        amount_fen=interest.amount_fen,
                        posting_date=interest_day,
                        value_date=interest_day,
                        reference=f"interest:{d}",
                        explanation=interest.explanation,
                        description="interest",
                    )
                )
                a.interest_fen += interest.amount_fen
            in_cycle = [x for x in postings[a.id] if x.posting_date >= period_start]
            charges = interest.amount_fen + sum(
                x.amount_fen
                for x in in_cycle
                if x.component in (Component.INTEREST, Component.FEES) and x.amount_fen > 0
            )
            payments = -sum(x.amount_fen for x in in_cycle if x.kind == EntryKind.PAYMENT)
            principal, interest_owed, fees = (
                a.principal_fen - later[a.id, Component.PRINCIPAL],
                a.interest_fen - later[a.id, Component.INTEREST],
                a.fees_fen - later[a.id, Component.FEES],
            )
            minimum = compute_minimum(
                params=p,
                principal_fen=principal,
                interest_fen=interest_owed,
                fees_fen=fees,
                cycle_interest_and_fees_fen=charges,
                past_due_fen=past_due.get(a.id, 0),
                credit_limit_fen=a.credit_limit_fen,
            )
            new_statements.append(
                Statement(
                    account_id=a.id,
                    statement_date=d,
                    period_start=period_start,
                    due_date=due_date_for(p, d),
                    principal_fen=principal,
                    interest_fen=interest_owed,
                    fees_fen=fees,
                    new_balance_fen=principal + interest_owed + fees,
                    interest_charged_fen=interest.amount_fen,
                    fees_charged_fen=charges - interest.amount_fen,
                    payments_fen=payments,
                    past_due_fen=past_due.get(a.id, 0),
                    minimum_payment_fen=minimum.total_fen,
                    minimum_due_fen=minimum.own_fen,
                    minimum_unpaid_fen=minimum.own_fen,
                    revolving=prev is not None and prev.grace_kept is False and prev.new_balance_fen > 0,
                    explanation={"interest": interest.explanation, "minimum": minimum.explanation},
                )
            )
            a.last_statement_date = d
        insert_objects(new_entries)
        insert_objects(new_statements)
        update_objects(chunk, ["interest_fen", "last_statement_date"])
        count += len(chunk)
    return count


def _previous(s: Statement) -> PreviousStatement:
    return PreviousStatement(
        statement_date=s.statement_date,
        period_start=s.period_start,
        new_balance_fen=s.new_balance_fen,
        principal_fen=s.principal_fen,
        interest_fen=s.interest_fen,
        revolving=s.revolving,
        grace_kept=s.grace_kept,
        paid_by_due_fen=s.paid_by_due_fen,
    )


def delinquency(d: dt.date, lo: int, hi: int, params: dict[int, ProductParams]) -> int:
    """Days past due and bucket for every account that is or was past due; history of bucket moves.

    A statement's effective due date is its extended_due_date when a due-date extension set one.

    Two statements per partition whatever the number of products (the bucket edges are a CASE on
    the product): insert the bucket changes, then update DPD and bucket.
    """
    if not params:
        return 0
    account = Account._meta.db_table
    statement = Statement._meta.db_table
    change = "delinquency_bucketchange"
    dp = date_param()
    by_edges: dict[tuple[int, ...], list[int]] = defaultdict(list)
    for product_id, p in params.items():
        by_edges[p.bucket_edges].append(product_id)
    buckets = []
    for edges, products in by_edges.items():
        cases = " ".join(f"WHEN new_dpd <= {edge} THEN {i}" for i, edge in enumerate(edges, 1))
        buckets.append(
            f"WHEN product_id IN ({', '.join(map(str, products))}) "
            f"THEN CASE WHEN new_dpd <= 0 THEN 0 {cases} ELSE {len(edges) + 1} END"
        )
    bucket_sql = f"CASE {' '.join(buckets)} END"
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
    args = [day, lo, hi, lo, hi, day, lo, hi]
    with connection.cursor() as cursor:
        cursor.execute(
            base
            + f"""INSERT INTO {change} (account_id, change_date, from_bucket, to_bucket, dpd)
            SELECT id, {dp}, old_bucket, new_bucket, new_dpd FROM nxt WHERE new_bucket <> old_bucket""",
            [*args, day],
        )
        cursor.execute(
            base
            + f"""UPDATE {account} SET dpd = nxt.new_dpd, bucket = nxt.new_bucket
            FROM nxt WHERE {account}.id = nxt.id AND {account}.dpd <> nxt.new_dpd""",
            args,
        )
        return max(cursor.rowcount, 0)


def charge_off(d: dt.date, lo: int, hi: int, params: dict[int, ProductParams]) -> int:
    """Write off every account whose DPD has reached its product's charge_off_dpd."""
    count = 0
    for product_id, p in params.items():
        due = Account.objects.filter(
            id__gte=lo, id__lt=hi, product_id=product_id, status__in=ACTIVE, dpd__gte=p.charge_off_dpd
        )
        for chunk in _chunks(due.only("id", *CACHE_FIELD.values())):
            entries = [
                Entry(
                    account_id=a.id,
                    kind=EntryKind.CHARGE_OFF,
                    component=component,
                    amount_fen=-getattr(a, field),
                    posting_date=d,
                    value_date=d,
                    reference=f"charge_off:{d}",
                    description="charge-off",
                )
                for a in chunk
                for component, field in CACHE_FIELD.items()
                if getattr(a, field)
            ]
            insert_objects(entries)
            Account.objects.filter(id__in=[a.id for a in chunk]).update(
                status=AccountStatus.CHARGED_OFF,
                charged_off_on=d,
                charged_off_fen=F("principal_fen") + F("interest_fen") + F("fees_fen"),
                principal_fen=0,
                interest_fen=0,
                fees_fen=0,
            )
            count += len(chunk)
    return count


STEPS: list[tuple[str, Step]] = [
    ("annual_fees", annual_fees),
    ("late_fees", late_fees),
    ("statements", statements),
    ("delinquency", delinquency),
    ("charge_off", charge_off),
]

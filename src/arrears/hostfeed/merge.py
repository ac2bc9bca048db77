"""The staged feed merged into Arrears, set-based: a fixed number of statements whatever the number of
rows (INSERT … SELECT, UPDATE … FROM), in the import's transaction, in this order:

1. customers (new ones get ids, the host's id kept in HostCustomer) and their contact data;
2. accounts (the host's account id is the account's ref), new ones with nothing on the ledger yet;
3. acknowledgements, handed to the outbound instructions (arrears.ledger.outbound) before the sync,
   since an acknowledged instruction is in the host's balances;
4. balances: per account and component one HOST_SYNC entry of host balance + outstanding instructions
   − ledger balance, through the ledger door (posting.post_select);
5. DPD and bucket as the host counted them, with the bucket history own mode keeps;
6. statements (upserted by account and statement date) and payments (recorded, not posted: the
   sync carries their money, see docs/host-feed.md).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db import connection

from arrears.delinquency.cycle import bucket_case
from arrears.errors import ArrearsError
from arrears.hostfeed.rules import COMPONENTS, Problem
from arrears.hostfeed.staging import table
from arrears.kernel import clock
from arrears.ledger import outbound, posting
from arrears.ledger.models import OUTSTANDING, EntryKind
from arrears.payments.operations import record_host_payments
from arrears.products.models import versions_in_force

ACTIVE_SQL = "('open', 'blocked')"


def _execute(sql: str, params: list[Any] | None = None) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])
        return max(int(cursor.rowcount), 0)


def _new_ids(staging: str, target: str) -> None:
    """Mark the staged rows without an id new, and give them the next ids of `target`'s sequence."""
    if connection.vendor == "postgresql":
        _execute(
            f"UPDATE {staging} SET id = nextval(pg_get_serial_sequence('{target}', 'id')), is_new = 1 WHERE id IS NULL"
        )
        return
    _execute(
        f"""UPDATE {staging} SET id = (SELECT COALESCE(MAX(id), 0) FROM {target}) + r.n, is_new = 1
        FROM (SELECT line, ROW_NUMBER() OVER (ORDER BY line) AS n FROM {staging} WHERE id IS NULL) r
        WHERE {staging}.line = r.line"""
    )


def customers(staged: dict[str, int]) -> dict[str, int]:
    """Contact data of the customers known before first (through HostCustomer, which has no row for the
    new ones yet), then the new customers inserted with theirs: no anti-join over a million rows."""
    counts = {"customers added": 0, "customers updated": 0, "contacts updated": 0}
    now = connection.ops.adapt_datetimefield_value(clock.now())
    s, c = table("customers.csv"), table("contacts.csv")
    if "contacts.csv" in staged:
        counts["contacts updated"] = _execute(
            f"""UPDATE ledger_customer SET mobile = c.mobile, home_phone = c.home_phone, work_phone = c.work_phone,
                email = c.email, address = c.address
            FROM {c} c JOIN hostfeed_hostcustomer h ON h.host_id = c.customer_id
            WHERE ledger_customer.id = h.customer_id"""
        )
    if "customers.csv" in staged:
        _execute(
            f"UPDATE {s} SET id = h.customer_id, is_new = 0 "
            f"FROM hostfeed_hostcustomer h WHERE h.host_id = {s}.customer_id"
        )
        _new_ids(s, "ledger_customer")
        counts["customers added"] = _execute(
            f"""INSERT INTO ledger_customer (id, name, national_id, mobile, home_phone, work_phone, email, address,
                region, time_zone, language, created_at)
            SELECT s.id, s.name, s.national_id, COALESCE(c.mobile, ''), COALESCE(c.home_phone, ''),
                COALESCE(c.work_phone, ''), COALESCE(c.email, ''), COALESCE(c.address, ''), '', 'Asia/Shanghai',
                s.language, %s
            FROM {s} s LEFT JOIN {c} c ON c.customer_id = s.customer_id WHERE s.is_new = 1""",
            [now],
        )
        _execute(
            f"INSERT INTO hostfeed_hostcustomer (host_id, customer_id) SELECT customer_id, id FROM {s} WHERE is_new = 1"
        )
        counts["customers updated"] = _execute(
            f"""UPDATE ledger_customer SET name = s.name, national_id = s.national_id, language = s.language
            FROM {s} s WHERE ledger_customer.id = s.id AND s.is_new = 0
              AND (ledger_customer.name <> s.name OR ledger_customer.national_id <> s.national_id
                   OR ledger_customer.language <> s.language)"""
        )
    return counts


def accounts(business_date: dt.date) -> dict[str, int]:
    s = table("accounts.csv")
    day = business_date.isoformat()
    _execute(f"UPDATE {s} SET id = a.id, is_new = 0 FROM ledger_account a WHERE a.ref = {s}.account_id")
    _execute(
        f"""UPDATE {s} SET customer_pk = h.customer_id, product_pk = p.id
        FROM hostfeed_hostcustomer h, products_product p
        WHERE h.host_id = {s}.customer_id AND p.code = {s}.product_code"""
    )
    _new_ids(s, "ledger_account")
    charged_off_on = f"CASE WHEN status = 'charged_off' THEN {_date()} END"
    added = _execute(
        f"""INSERT INTO ledger_account (id, number, ref, customer_id, product_id, opened_on, statement_day,
            credit_limit_fen, status, principal_fen, interest_fen, fees_fen, plan_fen, costs_fen, dpd, bucket,
            last_statement_date, charged_off_on, charged_off_fen, recovered_fen)
        SELECT id, card_number, account_id, customer_pk, product_pk, opened_on, statement_day, credit_limit, status,
            0, 0, 0, 0, 0, 0, 0, NULL, {charged_off_on}, 0, 0
        FROM {s} WHERE is_new = 1""",
        [day],
    )
    updated = _execute(
        f"""UPDATE ledger_account SET number = s.card_number, customer_id = s.customer_pk, product_id = s.product_pk,
            opened_on = s.opened_on, statement_day = s.statement_day, credit_limit_fen = s.credit_limit,
            status = s.status,
            charged_off_on = CASE WHEN s.status = 'charged_off' AND ledger_account.charged_off_on IS NULL
                THEN %s ELSE ledger_account.charged_off_on END
        FROM {s} s WHERE ledger_account.id = s.id AND s.is_new = 0
          AND (ledger_account.number <> s.card_number OR ledger_account.customer_id <> s.customer_pk
               OR ledger_account.product_id <> s.product_pk OR ledger_account.opened_on <> s.opened_on
               OR ledger_account.statement_day <> s.statement_day OR ledger_account.credit_limit_fen <> s.credit_limit
               OR ledger_account.status <> s.status)""",
        [connection.ops.adapt_datefield_value(business_date)],
    )
    return {"accounts added": added, "accounts updated": updated}


def _date() -> str:
    return "CAST(%s AS date)" if connection.vendor == "postgresql" else "%s"


def acknowledge(business_date: dt.date) -> int:
    """Hand the feed's acknowledgements to the outbound instructions (docs/host-instructions.md)."""
    from arrears.hostfeed.operations import refused

    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT line, instruction_id, status, host_reference, reason FROM {table('acknowledgements.csv')} "
            "ORDER BY line"
        )
        found = cursor.fetchall()
    rows = [{"instruction_id": i, "status": st, "host_reference": ref, "reason": why} for _, i, st, ref, why in found]
    if not rows:
        return 0
    try:
        return int(outbound.acknowledge(rows=rows, business_date=business_date))
    except (ArrearsError, ValueError) as e:
        raise refused([Problem("acknowledgements.csv", 0, getattr(e, "field", None) or "", str(e))]) from None


def balances(business_date: dt.date) -> int:
    """One HOST_SYNC line per account and component where host + outstanding − ledger is not zero."""
    s = table("accounts.csv")
    outstanding = ", ".join(f"'{status}'" for status in OUTSTANDING)
    selects = [
        f"""SELECT s.id, '{EntryKind.HOST_SYNC}', '{component}',
            s.{component} + COALESCE(o.amount_fen, 0) - a.{component}_fen, {_date()}, {_date()}, %s, 'card host balance'
        FROM {s} s JOIN ledger_account a ON a.id = s.id
        LEFT JOIN (SELECT account_id, SUM(amount_fen) AS amount_fen FROM ledger_outboundinstruction
                   WHERE component = '{component}' AND status IN ({outstanding}) GROUP BY account_id) o
          ON o.account_id = s.id"""
        for component in COMPONENTS
    ]
    day = business_date.isoformat()
    params: list[Any] = [day, day, f"host_sync:{day}"] * len(COMPONENTS)
    return posting.post_select(" UNION ALL ".join(selects), params)


def delinquency(business_date: dt.date) -> dict[str, int]:
    """DPD as the host counted it; the bucket from the product's edges; a bucket change recorded as the
    cycle's ageing records it (judged against the history before the date, at most one a date)."""
    s = table("accounts.csv")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT DISTINCT product_pk FROM {s}")
        products = {row[0] for row in cursor.fetchall()}
    params = {pk: p for pk, p in versions_in_force(business_date).items() if pk in products}
    if not params:
        return {"bucket changes": 0, "dpd updated": 0}
    _execute(f"UPDATE {s} SET bucket = {bucket_case(params, dpd='dpd', product='product_pk')}")
    day = business_date.isoformat()
    moved = _execute(
        f"""INSERT INTO delinquency_bucketchange (account_id, change_date, from_bucket, to_bucket, dpd)
        SELECT id, {_date()}, was, new_bucket, dpd FROM (
            SELECT s.id, s.dpd, s.bucket AS new_bucket, COALESCE((
                SELECT c.to_bucket FROM delinquency_bucketchange c
                WHERE c.account_id = s.id AND c.change_date < {_date()} ORDER BY c.change_date DESC LIMIT 1), 0) AS was
            FROM {s} s WHERE s.status IN {ACTIVE_SQL}) m
        WHERE new_bucket <> was
        ON CONFLICT (account_id, change_date) DO NOTHING""",
        [day, day],
    )
    updated = _execute(
        f"""UPDATE ledger_account SET dpd = s.dpd, bucket = s.bucket
        FROM {s} s WHERE ledger_account.id = s.id AND s.status IN {ACTIVE_SQL}
          AND (ledger_account.dpd <> s.dpd OR ledger_account.bucket <> s.bucket)"""
    )
    return {"bucket changes": moved, "dpd updated": updated}


def statements() -> dict[str, int]:
    s = table("statements.csv")
    upserted = _execute(
        f"""INSERT INTO statements_statement (account_id, statement_date, period_start, due_date, extended_due_date,
            principal_fen, interest_fen, fees_fen, new_balance_fen, interest_charged_fen, fees_charged_fen,
            payments_fen, past_due_fen, minimum_payment_fen, minimum_due_fen, minimum_unpaid_fen, revolving,
            grace_kept, paid_by_due_fen, explanation)
        SELECT a.id, s.statement_date, s.period_start, s.due_date, NULL, s.balance, 0, 0, s.balance, 0, 0, 0, 0,
            s.minimum_due, s.minimum_due, s.minimum_unpaid, FALSE, NULL, NULL, '{{"source": "card host"}}'
        FROM {s} s JOIN ledger_account a ON a.ref = s.account_id WHERE TRUE
        ON CONFLICT (account_id, statement_date) DO UPDATE SET due_date = excluded.due_date,
            principal_fen = excluded.principal_fen, new_balance_fen = excluded.new_balance_fen,
            minimum_payment_fen = excluded.minimum_payment_fen, minimum_due_fen = excluded.minimum_due_fen,
            minimum_unpaid_fen = excluded.minimum_unpaid_fen"""
    )
    _execute(
        f"""UPDATE ledger_account SET last_statement_date = m.last
        FROM (SELECT a.id, MAX(s.statement_date) AS last FROM {s} s JOIN ledger_account a ON a.ref = s.account_id
              GROUP BY a.id) m
        WHERE ledger_account.id = m.id
          AND (ledger_account.last_statement_date IS NULL OR ledger_account.last_statement_date < m.last)"""
    )
    return {"statements": upserted}


def payments(business_date: dt.date) -> dict[str, int]:
    s = table("payments.csv")
    select = f"""SELECT 'host:' || s.payment_id AS reference, a.id AS account_id, s.amount AS amount_fen,
            s.paid_on AS value_date
        FROM {s} s JOIN ledger_account a ON a.ref = s.account_id"""
    return {"payments recorded": record_host_payments(select, [], business_date=business_date)}


def merge(
    staged: dict[str, int], *, business_date: dt.date, progress: Callable[[str], None] | None = None
) -> dict[str, int]:
    counts: dict[str, int] = {}

    def step(name: str) -> None:
        if progress:
            progress(name)

    step("customers")
    counts.update(customers(staged))
    if "accounts.csv" in staged:
        step("accounts")
        counts.update(accounts(business_date))
    if "acknowledgements.csv" in staged:
        step("acknowledgements")
        counts["acknowledgements"] = acknowledge(business_date)
    if "accounts.csv" in staged:
        step("balances")
        counts["entries posted"] = balances(business_date)
        step("delinquency")
        counts.update(delinquency(business_date))
    if "statements.csv" in staged:
        step("statements")
        counts.update(statements())
    if "payments.csv" in staged:
        step("payments")
        counts.update(payments(business_date))
    return counts

"""Credit reporting's steps of the daily cycle.

`credit_report` runs in the cycle of the first day of a month, which closes the last day of the month
before (the cycle of date d sees everything posted before d): it writes every account's record of
that month. Set-based: per chunk of accounts, ONE query reads the month's facts (statements, unpaid
minimums, balance, charge-off, disputes, notices, settlements and last month's record) and ONE
statement upserts the records. `credit_disputes` marks the dispute tasks past their 20 days.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Mapping
from typing import Any

from django.db import connection

from arrears.bureau import rules
from arrears.bureau.models import BureauRecord, CreditNotice, DisputeTask
from arrears.compliance.packs import load_pack
from arrears.compliance.parse import configured_overrides
from arrears.concessions.models import Concession, ConcessionKind, ConcessionStatus
from arrears.errors import ValidationFailed
from arrears.kernel.sql import CHUNK, rows_table
from arrears.ledger.models import Account
from arrears.products.rules import ProductParams
from arrears.statements.models import Statement


def _param(rule: Any, name: str, default: int) -> int:
    value = rule.params.get(name, default) if rule is not None else default
    return int(value) if isinstance(value, int) else default


def _rules(code: str, day: dt.date) -> Mapping[str, Any]:
    """The rules of pack `code` in force on the day; none before its first version (2026-01-01 for the
    shipped packs): the defaults of rules.Policy, which are the shipped packs' numbers, then apply."""
    overrides = configured_overrides(code)
    try:
        load_pack(code, on=day)
    except ValidationFailed:
        return {}  # no version of the pack in force that day
    return load_pack(code, on=day, overrides=overrides).rules  # a broken overrides pack still fails


def policy_on(day: dt.date) -> rules.Policy:
    """The numbers of CN-CR-5Y, CN-CR-DISP (pack CN) and US-FCRA7, US-PASSIVE (pack US) in force on the
    day, with the bank's overrides."""
    cn, us = _rules("CN", day), _rules("US", day)
    return rules.Policy(
        cn_retention_years=_param(cn.get("CN-CR-5Y"), "retention_years", 5),
        dispute_answer_days=_param(cn.get("CN-CR-DISP"), "answer_within_days", 20),
        us_years=_param(us.get("US-FCRA7"), "years", 7),
        us_days_after_dofd=_param(us.get("US-FCRA7"), "days_after_first_delinquency", 180),
        us_notice_wait_days=_param(us.get("US-PASSIVE"), "undeliverable_wait_days", 14),
    )


def _date(value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def _facts_sql() -> str:
    p = "CAST(%({0})s AS date)" if connection.vendor == "postgresql" else "%({0})s"
    as_of, month, prev = p.format("as_of"), p.format("month"), p.format("prev")
    due = "COALESCE(s.extended_due_date, s.due_date)"
    late = f"s.minimum_unpaid_fen > 0 AND {due} < {as_of}"
    return f"""
    WITH chunk AS (
        SELECT id FROM {Account._meta.db_table}
        WHERE id > %(after)s AND id < %(hi)s AND opened_on < {as_of} ORDER BY id LIMIT %(size)s),
    st AS (
        SELECT s.account_id,
               SUM(CASE WHEN {late} THEN 1 ELSE 0 END) AS unpaid,
               MIN(CASE WHEN {late} THEN {due} END) AS late_due,
               SUM(CASE WHEN {late} THEN s.minimum_unpaid_fen ELSE 0 END) AS past_due,
               MAX(CASE WHEN {due} >= {month} AND {due} < {as_of} AND s.minimum_payment_fen > 0
                        THEN 1 ELSE 0 END) AS due_in_month
        FROM {Statement._meta.db_table} s
        WHERE s.account_id IN (SELECT id FROM chunk) AND s.statement_date < {as_of}
        GROUP BY s.account_id),
    disp AS (
        SELECT account_id,
               SUM(CASE WHEN resolved_on IS NULL OR resolved_on >= {as_of} THEN 1 ELSE 0 END) AS open_n,
               SUM(CASE WHEN resolved_on < {as_of} THEN 1 ELSE 0 END) AS resolved_n
        FROM {DisputeTask._meta.db_table}
        WHERE account_id IN (SELECT id FROM chunk) AND opened_on < {as_of}
        GROUP BY account_id),
    notice AS (
        SELECT account_id, MIN(sent_on) AS first_on FROM {CreditNotice._meta.db_table}
        WHERE account_id IN (SELECT id FROM chunk) GROUP BY account_id),
    settled AS (
        SELECT DISTINCT account_id FROM {Concession._meta.db_table}
        WHERE account_id IN (SELECT id FROM chunk) AND kind = %(settlement)s AND status = %(settled)s)
    SELECT a.id, a.status, a.opened_on, a.principal_fen + a.interest_fen + a.fees_fen + a.plan_fen,
           a.charged_off_fen, a.recovered_fen, a.credit_limit_fen,
           COALESCE(st.unpaid, 0), st.late_due, COALESCE(st.past_due, 0), COALESCE(st.due_in_month, 0),
           CASE WHEN settled.account_id IS NULL THEN 0 ELSE 1 END,
           notice.first_on, COALESCE(disp.open_n, 0), COALESCE(disp.resolved_n, 0),
           p.id, p.pboc_history, p.php_code, p.payment_history, p.dofd, p.ended_on, p.was_negative
    FROM chunk JOIN {Account._meta.db_table} a ON a.id = chunk.id
    LEFT JOIN st ON st.account_id = a.id
    LEFT JOIN disp ON disp.account_id = a.id
    LEFT JOIN notice ON notice.account_id = a.id
    LEFT JOIN settled ON settled.account_id = a.id
    LEFT JOIN {BureauRecord._meta.db_table} p ON p.account_id = a.id AND p.month = {prev}
    ORDER BY a.id"""


def _facts(row: tuple[Any, ...], month: dt.date, as_of: dt.date) -> rules.Facts:
    (_, status, opened_on, balance, charged_off, recovered, _limit, unpaid, late_due, past_due, due_in_month,
     settled, notice_on, disputes_open, disputes_resolved, prev_id, history, php, profile, dofd, ended_on,
     was_negative) = row  # fmt: skip
    previous = None
    if prev_id is not None:
        previous = rules.Previous(
            pboc_history=history,
            php_code=php,
            payment_history=profile,
            dofd=_date(dofd),
            ended_on=_date(ended_on),
            was_negative=bool(was_negative),
        )
    opened = _date(opened_on)
    assert opened is not None
    return rules.Facts(
        month=month,
        as_of=as_of,
        opened_on=opened,
        status=status,
        balance_fen=int(balance),
        still_owed_fen=int(charged_off) - int(recovered),
        charged_off_fen=int(charged_off),
        unpaid_count=int(unpaid),
        late_due=_date(late_due),
        past_due_fen=int(past_due),
        due_in_month=bool(due_in_month),
        settled_comment=bool(settled),
        notice_on=_date(notice_on),
        disputes_open=int(disputes_open),
        disputes_resolved=int(disputes_resolved),
        previous=previous,
    )


def compute(
    month: dt.date, *, as_of: dt.date, lo: int, hi: int, policy: rules.Policy
) -> Iterator[tuple[int, rules.Facts, rules.Report, int]]:
    """(account id, facts, report, credit limit) of every account opened before `as_of` with
    lo <= id < hi: one query per chunk of accounts."""
    month = rules.month_of(month)
    sql = _facts_sql()
    after = lo - 1
    params: dict[str, Any] = {
        "as_of": as_of.isoformat(),
        "month": month.isoformat(),
        "prev": rules.months_before(month, 1).isoformat(),
        "hi": hi,
        "size": CHUNK,
        "settlement": ConcessionKind.SETTLEMENT.value,
        "settled": ConcessionStatus.SETTLED.value,
    }
    while True:
        with connection.cursor() as cursor:
            cursor.execute(sql, {**params, "after": after})
            rows = cursor.fetchall()
        for row in rows:
            facts = _facts(row, month, as_of)
            yield int(row[0]), facts, rules.report(facts, policy), int(row[6])
        if len(rows) < CHUNK:
            return
        after = int(rows[-1][0])


_COLUMNS: tuple[tuple[str, str], ...] = (
    ("account_id", "bigint"),
    ("month", "date"),
    ("as_of", "date"),
    ("pboc_status", "varchar(1)"),
    ("pboc_history", "varchar(24)"),
    ("metro2_status", "varchar(2)"),
    ("php_code", "varchar(1)"),
    ("payment_history", "varchar(24)"),
    ("dofd", "date"),
    ("compliance_code", "varchar(2)"),
    ("special_comment", "varchar(2)"),
    ("dpd", "integer"),
    ("balance_fen", "bigint"),
    ("past_due_fen", "bigint"),
    ("charged_off_fen", "bigint"),
    ("credit_limit_fen", "bigint"),
    ("held_pboc", "boolean"),
    ("held_metro2", "boolean"),
    ("was_negative", "boolean"),
    ("ended_on", "date"),
    ("removed_pboc", "boolean"),
    ("removed_metro2", "boolean"),
)


def _row(account_id: int, facts: rules.Facts, r: rules.Report, limit: int) -> Mapping[str, Any]:
    return {
        "account_id": account_id,
        "month": facts.month.isoformat(),
        "as_of": facts.as_of.isoformat(),
        "pboc_status": r.pboc_status,
        "pboc_history": r.pboc_history,
        "metro2_status": r.metro2_status,
        "php_code": r.php_code,
        "payment_history": r.payment_history,
        "dofd": r.dofd.isoformat() if r.dofd else None,
        "compliance_code": r.compliance_code,
        "special_comment": r.special_comment,
        "dpd": r.dpd,
        "balance_fen": r.balance_fen,
        "past_due_fen": r.past_due_fen,
        "charged_off_fen": facts.charged_off_fen,
        "credit_limit_fen": limit,
        "held_pboc": r.held_pboc,
        "held_metro2": r.held_metro2,
        "was_negative": r.was_negative,
        "ended_on": r.ended_on.isoformat() if r.ended_on else None,
        "removed_pboc": r.removed_pboc,
        "removed_metro2": r.removed_metro2,
    }


def _upsert(rows: list[Mapping[str, Any]]) -> int:
    """Insert or replace the records of (account, month) in ONE statement."""
    if not rows:
        return 0
    names = ", ".join(n for n, _ in _COLUMNS)
    sets = ", ".join(f"{n} = excluded.{n}" for n, _ in _COLUMNS[2:])
    table = BureauRecord._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({names}) SELECT {names} FROM {rows_table(_COLUMNS)} WHERE true "
            f"ON CONFLICT (account_id, month) DO UPDATE SET {sets}",
            [json.dumps(rows)],
        )
    return len(rows)


def report_month(month: dt.date, *, as_of: dt.date | None = None, lo: int = 0, hi: int = 2**62) -> int:
    """Write the records of a month for the accounts lo <= id < hi, as of its close (by default the
    first day of the next month); returns the number of records written."""
    month = rules.month_of(month)
    as_of = as_of or rules.close_of(month)
    policy = policy_on(as_of)
    written = 0
    batch: list[Mapping[str, Any]] = []
    for account_id, facts, r, limit in compute(month, as_of=as_of, lo=lo, hi=hi, policy=policy):
        batch.append(_row(account_id, facts, r, limit))
        if len(batch) >= CHUNK:
            written += _upsert(batch)
            batch = []
    return written + _upsert(batch)


def credit_report(d: dt.date, lo: int, hi: int, params: dict[int, ProductParams]) -> int:
    """The cycle's monthly step: on the first day of a month, the records of the month before."""
    if d.day != 1:
        return 0
    return report_month(rules.months_before(d, 1), as_of=d, lo=lo, hi=hi)


def credit_disputes(d: dt.date) -> int:
    """Mark the dispute tasks still open after their answer date (CN-CR-DISP): one UPDATE."""
    return DisputeTask.objects.filter(resolved_on__isnull=True, due_on__lt=d, overdue=False).update(overdue=True)


def credit_report_of(account_id: int, *, as_of: dt.date) -> dict[str, Any]:
    """The credit report of one account for the month of `as_of`, at the end of that day (the
    scenario runner's "credit_report"), computed without writing: last month's record (written by the
    cycle at the month's close) carries the histories."""
    close = as_of + dt.timedelta(days=1)
    month = rules.month_of(as_of)
    found = list(compute(month, as_of=close, lo=account_id, hi=account_id + 1, policy=policy_on(close)))
    if not found:
        return {"pboc": None, "metro2": None}
    r = found[0][2]
    return {
        "pboc": {"status": r.pboc_status, "history": r.pboc_history},
        "metro2": {
            "account_status": r.metro2_status,
            "payment_history": r.payment_history,
            "dofd": r.dofd.isoformat() if r.dofd else None,
        },
    }

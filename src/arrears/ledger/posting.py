"""The ledger door: the only code that creates ledger entries and the only code that moves the
balance cache of accounts.

Every money path posts through `post`: payments (one from the API or 200,000 from a file), the
cycle's interest, fees and charge-offs, reversals, waivers, plan transfers, charges and returns,
settlement write-offs and recoveries. A caller that computes amounts from balances first takes the
rows with `lock` and computes on what it returns, so nothing posted meanwhile is lost.

`post` works in chunks of CHUNK accounts with a fixed number of statements per chunk, whatever the
number of lines: lock the rows (PostgreSQL, in id order so two batches never deadlock), insert the
entries, move the cache by deltas. The cache columns are sums of entries by component:

    principal_fen, interest_fen, fees_fen, plan_fen,
    costs_fen                                         sum of the entries of that component
    recovered_fen                                     minus the sum of the recovery entries (with
                                                      a settlement's write-off after charge-off)
    charged_off_fen                                   minus the sum of the charge-off entries

`arrears ledger check` (ledger.queries.cache_mismatches) proves each of them.

In host-feed mode (settings.ARREARS_LEDGER_MODE == "host_feed") the card host keeps the ledger of
record, so every entry posted here, except the feed's own host_sync entries, also becomes an outbound
instruction to the host (ledger.outbound), in the same transaction: one more INSERT per chunk.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from django.conf import settings
from django.db import connection, transaction

from arrears.kernel import clock
from arrears.kernel.sql import insert_objects, update_rows
from arrears.kernel.vocabulary import CARD_COMPONENTS, OWED_COMPONENTS
from arrears.ledger import outbound
from arrears.ledger.models import Account, Component, Entry, EntryKind

CHUNK = 5000

# The balance components owed, each with its cache column; together they are the balance.
OWED: dict[str, str] = {component: f"{component}_fen" for component in OWED_COMPONENTS}
# Components a card statement bills (the plan is billed by its own schedule).
CARD = CARD_COMPONENTS
CACHE_COLUMNS = (*OWED.values(), "recovered_fen", "charged_off_fen")
# What posts on the recovery component: recoveries, their reversals, and the ADJUSTMENT that writes
# off what is left of a charged-off debt when a settlement after charge-off is paid.
RECOVERY_KINDS = (EntryKind.RECOVERY, EntryKind.REVERSAL, EntryKind.ADJUSTMENT)


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class Line:
    """One entry to post: + raises what the customer owes, - lowers it."""

    account_id: int
    kind: str
    component: str
    amount_fen: int
    posting_date: dt.date
    value_date: dt.date | None = None  # the posting date when not given
    reference: str = ""
    description: str = ""
    explanation: dict[str, Any] | None = None
    reverses_id: int | None = None


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class Balances:
    """An account's cached balances as read under its row lock, with what callers decide on."""

    id: int
    number: str
    product_id: int
    customer_id: int
    status: str
    dpd: int
    bucket: int
    principal_fen: int
    interest_fen: int
    fees_fen: int
    plan_fen: int
    costs_fen: int
    recovered_fen: int
    charged_off_fen: int

    def of(self, component: str) -> int:
        value: int = getattr(self, OWED[component])
        return value

    @property
    def card_fen(self) -> dict[str, int]:
        """The card's components (principal, interest, fees), as a payment waterfall sees them."""
        return {c: self.of(c) for c in CARD}

    @property
    def balance_fen(self) -> int:
        return sum(self.of(c) for c in OWED)


_LOCKED_FIELDS = [f.name for f in dataclasses.fields(Balances)]


def _chunks(ids: Sequence[int]) -> Iterator[list[int]]:
    for i in range(0, len(ids), CHUNK):
        yield list(ids[i : i + CHUNK])


def lock(account_ids: Iterable[int]) -> dict[int, Balances]:
    """Take the accounts' rows for update (PostgreSQL; SQLite's transactions are IMMEDIATE and so
    already exclusive) and return their balances. Call inside the transaction that will post."""
    found: dict[int, Balances] = {}
    columns = _LOCKED_FIELDS
    for chunk in _chunks(sorted(set(account_ids))):
        rows = Account.objects.filter(id__in=chunk).order_by("id").select_for_update().values_list(*columns)
        for row in rows:
            found[row[0]] = Balances(**dict(zip(columns, row, strict=True)))
    return found


def _check(line: Line) -> None:
    if not isinstance(line.amount_fen, int) or isinstance(line.amount_fen, bool) or line.amount_fen == 0:
        raise ValueError(f"a ledger line needs a non-zero whole number of fen, not {line.amount_fen!r}")
    EntryKind(line.kind)
    if Component(line.component) == Component.RECOVERY and line.kind not in RECOVERY_KINDS:
        raise ValueError("only recoveries, their reversals and a settlement's write-off post on the recovery component")
    if line.kind == EntryKind.CHARGE_OFF and line.component not in OWED:
        raise ValueError("a charge-off writes off what is owed: principal, interest, fees or plan")


def deltas(lines: Iterable[Line]) -> dict[int, dict[str, int]]:
    """How much each cache column of each account moves when the lines post."""
    moves: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(CACHE_COLUMNS, 0))
    for line in lines:
        move = moves[line.account_id]
        if line.component == Component.RECOVERY:
            move["recovered_fen"] -= line.amount_fen
        else:
            move[OWED[line.component]] += line.amount_fen
        if line.kind == EntryKind.CHARGE_OFF:
            move["charged_off_fen"] -= line.amount_fen
    return moves


def post(lines: Sequence[Line]) -> int:
    """Insert the entries and move the balance cache by the same amounts, all or nothing.

    Per chunk of accounts: one locking SELECT (PostgreSQL), one INSERT, one UPDATE; in host-feed mode
    one INSERT more, of the chunk's outbound instructions (ledger.outbound.instruct).
    """
    for line in lines:
        _check(line)
    if not lines:
        return 0
    by_account: dict[int, list[Line]] = defaultdict(list)
    for line in lines:
        by_account[line.account_id].append(line)
    to_host = settings.ARREARS_LEDGER_MODE == "host_feed"
    with transaction.atomic():
        for chunk in _chunks(sorted(by_account)):
            if connection.vendor == "postgresql":
                list(Account.objects.filter(id__in=chunk).order_by("id").select_for_update().values_list("id"))
            chunk_lines = [line for pk in chunk for line in by_account[pk]]
            entries = [_entry(line) for line in chunk_lines]
            if to_host:
                outbound.instruct(entries)
            else:
                insert_objects(entries)
            _move_cache(deltas(chunk_lines))
    return len(lines)


def _entry(line: Line) -> Entry:
    return Entry(
        account_id=line.account_id,
        kind=line.kind,
        component=line.component,
        amount_fen=line.amount_fen,
        posting_date=line.posting_date,
        value_date=line.value_date or line.posting_date,
        reference=line.reference,
        reverses_id=line.reverses_id,
        description=line.description[:200],
        explanation=line.explanation,
    )


def _move_cache(moves: dict[int, dict[str, int]]) -> None:
    columns = [c for c in CACHE_COLUMNS if any(m[c] for m in moves.values())]
    if not columns:
        return
    table = Account._meta.db_table
    update_rows(
        table,
        [("id", "bigint"), *((c, "bigint") for c in columns)],
        json.dumps([{"id": pk, **{c: m[c] for c in columns}} for pk, m in moves.items()]),
        set_sql=", ".join(f"{c} = {table}.{c} + v.{c}" for c in columns),
    )


# What a SELECT given to post_select returns, in this order (its column names do not matter).
SELECT_COLUMNS = "account_id, kind, component, amount_fen, posting_date, value_date, reference, description"


def post_select(select_sql: str, params: Sequence[Any] = ()) -> int:
    """Post the lines a SELECT returns (SELECT_COLUMNS; zero amounts are left out) and move the cache
    by the same sums, in a fixed number of set-based statements whatever the number of lines: the door
    for a million-account sync (arrears.hostfeed). The same checks as `post`, made over the whole set;
    on PostgreSQL the accounts' rows are taken in id order first."""
    kinds = ", ".join(f"'{k}'" for k in EntryKind.values)
    components = ", ".join(f"'{c}'" for c in Component.values)
    owed = ", ".join(f"'{c}'" for c in OWED)
    recovery_kinds = ", ".join(f"'{k}'" for k in RECOVERY_KINDS)
    table, entry = Account._meta.db_table, Entry._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE posting_lines (account_id bigint, kind varchar(20), component varchar(10), "
            "amount_fen bigint, posting_date date, value_date date, reference varchar(80), description varchar(200))"
        )
        cursor.execute(f"INSERT INTO posting_lines ({SELECT_COLUMNS}) SELECT * FROM ({select_sql}) s", params)
        cursor.execute("DELETE FROM posting_lines WHERE amount_fen = 0")
        cursor.execute(
            f"""SELECT kind, component FROM posting_lines
            WHERE kind NOT IN ({kinds}) OR component NOT IN ({components})
               OR (component = 'recovery' AND kind NOT IN ({recovery_kinds}))
               OR (kind = 'charge_off' AND component NOT IN ({owed})) LIMIT 1"""
        )
        wrong = cursor.fetchone()
        if wrong is not None:
            raise ValueError(f"post_select: a {wrong[0]} line cannot post on the {wrong[1]} component")
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE posting_lines")  # a temporary table has no statistics otherwise
            cursor.execute(
                f"SELECT id FROM {table} WHERE id IN (SELECT account_id FROM posting_lines) ORDER BY id FOR UPDATE"
            )
        cursor.execute(
            f"""INSERT INTO {entry} (account_id, kind, component, amount_fen, posting_date, value_date, reference,
                description, explanation, reverses_id, created_at)
            SELECT account_id, kind, component, amount_fen, posting_date, value_date, reference, description,
                NULL, NULL, %s FROM posting_lines""",
            [connection.ops.adapt_datetimefield_value(clock.now())],
        )
        posted = max(int(cursor.rowcount), 0)
        sums = ", ".join(
            f"SUM(CASE WHEN component = '{component}' THEN amount_fen ELSE 0 END) AS {column}"
            for component, column in OWED.items()
        )
        moves = ", ".join(f"{column} = {table}.{column} + s.{column}" for column in OWED.values())
        cursor.execute(
            f"""UPDATE {table} SET {moves},
                recovered_fen = {table}.recovered_fen - s.recovered,
                charged_off_fen = {table}.charged_off_fen - s.charged_off
            FROM (SELECT account_id, {sums},
                    SUM(CASE WHEN component = 'recovery' THEN amount_fen ELSE 0 END) AS recovered,
                    SUM(CASE WHEN kind = 'charge_off' THEN amount_fen ELSE 0 END) AS charged_off
                  FROM posting_lines GROUP BY account_id) s
            WHERE {table}.id = s.account_id"""
        )
        cursor.execute("DROP TABLE posting_lines")
    return posted

"""The feed's files read, checked and loaded into staging tables (temporary, in the import's transaction).

Each file is read twice: once for its SHA-256, once through the csv reader, each row parsed by the
format's rules (arrears.hostfeed.rules) as it streams into its staging table (PostgreSQL: COPY; SQLite:
one executemany). Rows that break a rule are reported, not staged; what spans rows (duplicate keys,
unknown references) is then checked set-based on the staging tables (`cross_problems`).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from django.db import connection

from arrears.hostfeed import rules
from arrears.hostfeed.rules import FieldError, FileSpec, Problem

# The staging table of each file: the parsed columns (with `line`, the file's line number) and the
# ids the merge resolves.
TABLES: dict[str, tuple[str, list[tuple[str, str]], list[tuple[str, str]]]] = {
    "customers.csv": (
        "hostfeed_stage_customers",
        [
            ("customer_id", "varchar(40)"),
            ("name", "varchar(120)"),
            ("national_id", "varchar(32)"),
            ("language", "varchar(8)"),
        ],
        [("id", "bigint"), ("is_new", "integer")],
    ),
    "contacts.csv": (
        "hostfeed_stage_contacts",
        [
            ("customer_id", "varchar(40)"),
            ("mobile", "varchar(32)"),
            ("home_phone", "varchar(32)"),
            ("work_phone", "varchar(32)"),
            ("email", "varchar(254)"),
            ("address", "varchar(255)"),
        ],
        [],
    ),
    "accounts.csv": (
        "hostfeed_stage_accounts",
        [
            ("account_id", "varchar(16)"),
            ("customer_id", "varchar(40)"),
            ("card_number", "varchar(32)"),
            ("product_code", "varchar(40)"),
            ("opened_on", "date"),
            ("statement_day", "integer"),
            ("credit_limit", "bigint"),
            ("status", "varchar(16)"),
            ("dpd", "integer"),
            ("principal", "bigint"),
            ("interest", "bigint"),
            ("fees", "bigint"),
        ],
        [
            ("id", "bigint"),
            ("is_new", "integer"),
            ("customer_pk", "bigint"),
            ("product_pk", "bigint"),
            ("bucket", "integer"),
        ],
    ),
    "statements.csv": (
        "hostfeed_stage_statements",
        [
            ("account_id", "varchar(16)"),
            ("statement_date", "date"),
            ("due_date", "date"),
            ("minimum_due", "bigint"),
            ("minimum_unpaid", "bigint"),
            ("balance", "bigint"),
            ("period_start", "date"),
        ],
        [],
    ),
    "payments.csv": (
        "hostfeed_stage_payments",
        [("payment_id", "varchar(60)"), ("account_id", "varchar(16)"), ("amount", "bigint"), ("paid_on", "date")],
        [],
    ),
    "acknowledgements.csv": (
        "hostfeed_stage_acknowledgements",
        [
            ("instruction_id", "varchar(40)"),
            ("status", "varchar(16)"),
            ("host_reference", "varchar(80)"),
            ("reason", "varchar(200)"),
        ],
        [],
    ),
}
# At most this many problems are collected per check: a feed broken on every line is refused all the same.
MOST = 10_000


def table(name: str) -> str:
    return TABLES[name][0]


def create() -> None:
    with connection.cursor() as cursor:
        for name, columns, resolved in TABLES.values():
            spec = ", ".join(f"{c} {t}" for c, t in [("line", "integer"), *columns, *resolved])
            cursor.execute(f"CREATE TEMP TABLE {name} ({spec})")


def drop() -> None:
    with connection.cursor() as cursor:
        for name, _, _ in TABLES.values():
            cursor.execute(f"DROP TABLE IF EXISTS {name}")


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _rows(path: Path, spec: FileSpec, business_date: dt.date, problems: list[Problem]) -> Iterator[tuple[Any, ...]]:
    """The file's parsed rows, each with its line number first; a bad row adds a problem instead."""
    width = len(spec.columns)
    try:
        with path.open(encoding="utf-8", newline="") as f:
            reader = csv.reader(f)
            header = next(reader, None)
            if header is None or tuple(h.strip() for h in header) != spec.columns:
                problems.append(Problem(spec.name, 1, "", f"the header must be {','.join(spec.columns)}"))
                return
            for row in reader:
                line = reader.line_num
                if len(row) != width:
                    if len(problems) < MOST:
                        problems.append(Problem(spec.name, line, "", f"{len(row)} fields, not {width}"))
                    continue
                try:
                    yield (line, *spec.parse(row, business_date))
                except FieldError as e:
                    if len(problems) < MOST:
                        problems.append(Problem(spec.name, line, e.field, e.reason))
    except UnicodeDecodeError as e:
        problems.append(Problem(spec.name, 0, "", f"not UTF-8 text ({e.reason} at byte {e.start})"))
    except csv.Error as e:
        problems.append(Problem(spec.name, 0, "", f"not a CSV file: {e}"))


def load(
    directory: Path,
    files: dict[str, tuple[int, str]],
    business_date: dt.date,
    problems: list[Problem],
    progress: Callable[[str], None] | None = None,
) -> dict[str, int]:
    """Check each listed file's checksum and record count and stage its good rows; the rows staged by file."""
    staged: dict[str, int] = {}
    for name, (records, digest) in files.items():
        if progress:
            progress(f"read {name}")
        path = directory / name
        if not path.is_file():
            problems.append(Problem(name, 0, "", "listed in the manifest but not in the directory"))
            continue
        if sha256(path) != digest:
            problems.append(Problem(name, 0, "sha256", "the file's SHA-256 is not the manifest's"))
        before = len(problems)
        staged[name] = _insert(name, _rows(path, rules.FILES[name], business_date, problems))
        bad_rows = len({p.line for p in problems[before:] if p.line > 1})
        if staged[name] + bad_rows != records and not any(p.line in (0, 1) for p in problems[before:]):
            problems.append(
                Problem(
                    name, 0, "records", f"{staged[name] + bad_rows} records in the file, the manifest says {records}"
                )
            )
    return staged


def analyze() -> None:
    """Statistics of the staging tables for the planner (temporary tables are never auto-analysed): without
    them it guesses a few rows and picks nested loops over a million."""
    with connection.cursor() as cursor:
        for name, _, _ in TABLES.values():
            cursor.execute(f"ANALYZE {name}")


def _insert(name: str, rows: Iterator[tuple[Any, ...]]) -> int:
    staging, columns, _ = TABLES[name]
    names = ", ".join(["line", *(c for c, _ in columns)])
    count = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {staging} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
            return count
        marks = ", ".join(["%s"] * (len(columns) + 1))
        batch: list[tuple[Any, ...]] = []
        for row in rows:
            batch.append(row)
            if len(batch) == 5000:
                cursor.executemany(f"INSERT INTO {staging} ({names}) VALUES ({marks})", batch)
                count += len(batch)
                batch = []
        if batch:
            cursor.executemany(f"INSERT INTO {staging} ({names}) VALUES ({marks})", batch)
            count += len(batch)
    return count


def _found(sql: str, params: Sequence[Any], file: str, field: str, reason: str) -> list[Problem]:
    """Problems for the lines a check's SELECT returns (line, value)."""
    with connection.cursor() as cursor:
        cursor.execute(f"{sql} ORDER BY 1 LIMIT {MOST}", params)
        return [Problem(file, line, field, reason.format(value=value)) for line, value in cursor.fetchall()]


def cross_problems(staged: dict[str, int], business_date: dt.date) -> list[Problem]:
    """What spans rows, checked set-based on the staging tables: a key twice, a reference to nothing."""
    found: list[Problem] = []
    for name in staged:
        spec = rules.FILES[name]
        key = " || '|' || ".join(f"CAST({c} AS varchar(60))" for c in spec.key)
        found += _found(
            f"""SELECT line, k FROM (SELECT line, {key} AS k, ROW_NUMBER() OVER (PARTITION BY {", ".join(spec.key)}
                ORDER BY line) AS n FROM {table(name)}) d WHERE n > 1""",
            [],
            name,
            spec.key[-1] if len(spec.key) == 1 else ",".join(spec.key),
            "{value} is already on an earlier line",
        )
    customers, accounts = table("customers.csv"), table("accounts.csv")
    # NOT EXISTS, not NOT IN: an anti-join the planner hashes, whatever the number of rows.
    unknown_customer = (
        f"NOT EXISTS (SELECT 1 FROM {customers} c WHERE c.customer_id = t.customer_id) "
        f"AND NOT EXISTS (SELECT 1 FROM hostfeed_hostcustomer h WHERE h.host_id = t.customer_id)"
    )
    unknown_account = (
        f"NOT EXISTS (SELECT 1 FROM {accounts} a WHERE a.account_id = t.account_id) "
        f"AND NOT EXISTS (SELECT 1 FROM ledger_account a WHERE a.ref = t.account_id)"
    )
    for name in ("contacts.csv", "accounts.csv"):
        if name in staged:
            found += _found(
                f"SELECT line, customer_id FROM {table(name)} t WHERE {unknown_customer}",
                [],
                name,
                "customer_id",
                "no customer {value} in this feed or an earlier one",
            )
    for name in ("statements.csv", "payments.csv"):
        if name in staged:
            found += _found(
                f"SELECT line, account_id FROM {table(name)} t WHERE {unknown_account}",
                [],
                name,
                "account_id",
                "no account {value} in this feed or an earlier one",
            )
    if "accounts.csv" in staged:
        found += _found(
            f"""SELECT line, product_code FROM {accounts} t WHERE NOT EXISTS (
                SELECT 1 FROM products_product p JOIN products_productversion v ON v.product_id = p.id
                WHERE p.code = t.product_code AND v.effective_from <= %s)""",
            [business_date.isoformat()],
            "accounts.csv",
            "product_code",
            "no product {value} in force on the feed's date",
        )
        found += _found(
            f"""SELECT line, card_number FROM (SELECT line, card_number, ROW_NUMBER() OVER (
                PARTITION BY card_number ORDER BY line) AS n FROM {accounts}) d WHERE n > 1""",
            [],
            "accounts.csv",
            "card_number",
            "card number {value} is already on an earlier line",
        )
        found += _found(
            f"""SELECT s.line, s.card_number FROM {accounts} s JOIN ledger_account a ON a.number = s.card_number
                WHERE a.ref <> s.account_id""",
            [],
            "accounts.csv",
            "card_number",
            "card number {value} is another account's",
        )
    if "payments.csv" in staged:
        found += _found(
            f"""SELECT s.line, s.payment_id FROM {table("payments.csv")} s
                JOIN payments_payment p ON p.reference = 'host:' || s.payment_id
                JOIN ledger_account a ON a.id = p.account_id
                WHERE a.ref <> s.account_id OR p.amount_fen <> s.amount OR p.value_date <> s.paid_on""",
            [],
            "payments.csv",
            "payment_id",
            "payment {value} was recorded before with another account, amount or date",
        )
    return sorted(found, key=lambda p: (p.file, p.line))

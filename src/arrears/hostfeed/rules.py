"""The card host's feed format (docs/host-feed.md) as pure functions: the files, their columns, and the
strict parsing of each field into what the staging tables hold. No Django, no database, no clock.

A row parser returns the row's values in its file's staging order, or raises `FieldError` naming the
field and the reason; the import collects every refusal of every row before it changes anything.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Callable, Sequence

FORMAT = "arrears-host-feed"
VERSION = 1
SNAPSHOT = "snapshot"
DELTA = "delta"
KINDS = (SNAPSHOT, DELTA)
MANIFEST = "manifest.json"

ACCOUNT_STATUSES = ("open", "blocked", "charged_off", "settled", "closed")
LANGUAGES = ("zh-hans", "en")
ACK_STATUSES = ("acknowledged", "rejected")
# The card components the host keeps; plan and court costs are Arrears' own (docs/host-feed.md).
COMPONENTS = ("principal", "interest", "fees")

_AMOUNT = re.compile(r"^(-?)([0-9]{1,13})(?:\.([0-9]{1,2}))?$")
_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$")
_CARD = re.compile(r"^[0-9]{12,19}$")
_WHOLE = re.compile(r"^[0-9]{1,5}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class FieldError(ValueError):
    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


@dataclasses.dataclass(frozen=True, slots=True)
class Problem:
    """Why a feed is refused: the file, its line (1 = the header; 0 = the file as a whole), the field."""

    file: str
    line: int
    field: str
    reason: str


def fen(text: str, field: str, *, negative: bool = False) -> int:
    """A decimal yuan string ("1234.50", "-3", "0.5") as whole fen. Nothing else: no grouping ("1,50"),
    no spaces, no sign "+", no exponent; more than two decimals is refused, never rounded."""
    match = _AMOUNT.match(text)
    if match is None:
        raise FieldError(field, f"not an amount in yuan like 1234.50: {text!r}")
    sign, whole, cents = match.groups()
    if sign and not negative:
        raise FieldError(field, f"must not be negative: {text!r}")
    value = int(whole) * 100 + int((cents or "0").ljust(2, "0"))
    return -value if sign else value


def date(text: str, field: str) -> dt.date:
    if not _DATE.match(text):
        raise FieldError(field, f"not a date YYYY-MM-DD: {text!r}")
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise FieldError(field, f"no such date: {text!r}") from None


def whole(text: str, field: str, *, low: int, high: int) -> int:
    if not _WHOLE.match(text):
        raise FieldError(field, f"not a whole number: {text!r}")
    value = int(text)
    if not low <= value <= high:
        raise FieldError(field, f"must be from {low} to {high}: {value}")
    return value


def ident(text: str, field: str, *, longest: int) -> str:
    if not text:
        raise FieldError(field, "required")
    if len(text) > longest:
        raise FieldError(field, f"longer than {longest} characters: {text!r}")
    if not _ID.match(text):
        raise FieldError(field, f"letters, digits and _ . : - only: {text!r}")
    return text


def text(value: str, field: str, *, longest: int, required: bool = False) -> str:
    value = value.strip()
    if required and not value:
        raise FieldError(field, "required")
    if len(value) > longest:
        raise FieldError(field, f"longer than {longest} characters")
    return value


def choice(value: str, field: str, choices: Sequence[str]) -> str:
    if value not in choices:
        raise FieldError(field, f"{value!r} is not one of {', '.join(choices)}")
    return value


def customer(row: Sequence[str], business_date: dt.date) -> tuple[object, ...]:
    host_id, name, national_id, language = row
    return (
        ident(host_id, "customer_id", longest=40),
        text(name, "name", longest=120, required=True),
        text(national_id, "national_id", longest=32),
        choice(language, "language", LANGUAGES),
    )


def contact(row: Sequence[str], business_date: dt.date) -> tuple[object, ...]:
    host_id, mobile, home_phone, work_phone, email, address = row
    email = text(email, "email", longest=254)
    if email and not _EMAIL.match(email):
        raise FieldError("email", f"not an e-mail address: {email!r}")
    return (
        ident(host_id, "customer_id", longest=40),
        text(mobile, "mobile", longest=32),
        text(home_phone, "home_phone", longest=32),
        text(work_phone, "work_phone", longest=32),
        email,
        text(address, "address", longest=255),
    )


def account(row: Sequence[str], business_date: dt.date) -> tuple[object, ...]:
    (host_id, customer_id, card, product, opened, statement_day, limit, status, dpd, *balances) = row
    if not _CARD.match(card):
        raise FieldError("card_number", "12 to 19 digits")
    opened_on = date(opened, "opened_on")
    if opened_on > business_date:
        raise FieldError("opened_on", f"after the feed's business date {business_date}")
    return (
        ident(host_id, "account_id", longest=16),
        ident(customer_id, "customer_id", longest=40),
        card,
        ident(product, "product_code", longest=40),
        opened_on,
        whole(statement_day, "statement_day", low=1, high=31),
        fen(limit, "credit_limit"),
        choice(status, "status", ACCOUNT_STATUSES),
        whole(dpd, "dpd", low=0, high=99999),
        *(fen(value, component, negative=True) for value, component in zip(balances, COMPONENTS, strict=True)),
    )


def statement(row: Sequence[str], business_date: dt.date) -> tuple[object, ...]:
    host_id, statement_text, due_text, minimum_text, unpaid_text, balance_text = row
    statement_date = date(statement_text, "statement_date")
    if statement_date > business_date:
        raise FieldError("statement_date", f"after the feed's business date {business_date}")
    due = date(due_text, "due_date")
    if due < statement_date:
        raise FieldError("due_date", "before the statement date")
    minimum, unpaid = fen(minimum_text, "minimum_due"), fen(unpaid_text, "minimum_unpaid")
    if unpaid > minimum:
        raise FieldError("minimum_unpaid", "above the minimum due")
    return (
        ident(host_id, "account_id", longest=16),
        statement_date,
        due,
        minimum,
        unpaid,
        fen(balance_text, "balance", negative=True),
        period_start(statement_date),
    )


def payment(row: Sequence[str], business_date: dt.date) -> tuple[object, ...]:
    host_id, account_id, amount_text, paid_text = row
    amount = fen(amount_text, "amount")
    if amount == 0:
        raise FieldError("amount", "must be above zero")
    paid_on = date(paid_text, "paid_on")
    if paid_on > business_date:
        raise FieldError("paid_on", f"after the feed's business date {business_date}")
    return (ident(host_id, "payment_id", longest=60), ident(account_id, "account_id", longest=16), amount, paid_on)


def acknowledgement(row: Sequence[str], business_date: dt.date) -> tuple[object, ...]:
    instruction, status, host_reference, reason = row
    return (
        ident(instruction, "instruction_id", longest=40),
        choice(status, "status", ACK_STATUSES),
        text(host_reference, "host_reference", longest=80),
        text(reason, "reason", longest=200),
    )


def period_start(statement_date: dt.date) -> dt.date:
    """The same day a month before (the month's last day when it has no such day): the host sends the
    statement date only."""
    year, month = (
        (statement_date.year, statement_date.month - 1)
        if statement_date.month > 1
        else (
            statement_date.year - 1,
            12,
        )
    )
    day = statement_date.day
    while True:
        try:
            return dt.date(year, month, day)
        except ValueError:
            day -= 1


@dataclasses.dataclass(frozen=True)
class FileSpec:
    name: str
    columns: tuple[str, ...]
    parse: Callable[[Sequence[str], dt.date], tuple[object, ...]]
    key: tuple[str, ...]  # the staged columns that identify a row: a second row with the same key is refused


FILES: dict[str, FileSpec] = {
    spec.name: spec
    for spec in (
        FileSpec("customers.csv", ("customer_id", "name", "national_id", "language"), customer, ("customer_id",)),
        FileSpec(
            "contacts.csv",
            ("customer_id", "mobile", "home_phone", "work_phone", "email", "address"),
            contact,
            ("customer_id",),
        ),
        FileSpec(
            "accounts.csv",
            (
                "account_id",
                "customer_id",
                "card_number",
                "product_code",
                "opened_on",
                "statement_day",
                "credit_limit",
                "status",
                "dpd",
                *COMPONENTS,
            ),
            account,
            ("account_id",),
        ),
        FileSpec(
            "statements.csv",
            ("account_id", "statement_date", "due_date", "minimum_due", "minimum_unpaid", "balance"),
            statement,
            ("account_id", "statement_date"),
        ),
        FileSpec("payments.csv", ("payment_id", "account_id", "amount", "paid_on"), payment, ("payment_id",)),
        FileSpec(
            "acknowledgements.csv",
            ("instruction_id", "status", "host_reference", "reason"),
            acknowledgement,
            ("instruction_id",),
        ),
    )
}
# A snapshot carries every customer and account; a delta may carry any of the files.
SNAPSHOT_NEEDS = ("customers.csv", "accounts.csv")


def manifest_problems(manifest: object) -> tuple[list[Problem], dict[str, tuple[int, str]]]:
    """The manifest's problems, and its files as {name: (records, sha256)} when it is well formed."""
    problems: list[Problem] = []

    def refuse(field: str, reason: str) -> None:
        problems.append(Problem(MANIFEST, 0, field, reason))

    if not isinstance(manifest, dict):
        refuse("", "not a JSON object")
        return problems, {}
    if manifest.get("format") != FORMAT:
        refuse("format", f"must be {FORMAT!r}")
    if manifest.get("version") != VERSION:
        refuse("version", f"must be {VERSION}")
    if manifest.get("kind") not in KINDS:
        refuse("kind", "must be snapshot or delta")
    try:
        date(str(manifest.get("business_date", "")), "business_date")
    except FieldError as e:
        refuse(e.field, e.reason)
    files: dict[str, tuple[int, str]] = {}
    listed = manifest.get("files")
    if not isinstance(listed, dict) or not listed:
        refuse("files", "must name the feed's files")
        return problems, files
    for name, entry in listed.items():
        if name not in FILES:
            refuse("files", f"{name!r} is not a file of the format ({', '.join(FILES)})")
            continue
        records = entry.get("records") if isinstance(entry, dict) else None
        digest = entry.get("sha256") if isinstance(entry, dict) else None
        if not isinstance(records, int) or isinstance(records, bool) or records < 0:
            refuse(f"files.{name}.records", "must be a whole number of records, 0 or more")
        elif not isinstance(digest, str) or not re.fullmatch(r"[0-9a-f]{64}", digest):
            refuse(f"files.{name}.sha256", "must be 64 lower-case hexadecimal digits")
        else:
            files[name] = (records, digest)
    if manifest.get("kind") == SNAPSHOT:
        for name in SNAPSHOT_NEEDS:
            if name not in listed:
                refuse("files", f"a snapshot carries {name}")
    return problems, files

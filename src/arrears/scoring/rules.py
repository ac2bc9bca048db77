"""Propensity to pay: the canonical features, their labels, the score bands, and the strict reading of a
legacy system's CSV file and its mapping (MAP.yaml).

Pure: no Django. Every error names the column (or mapping key) and the reason, and for a value its row
(1 = the first data row after the header).
"""

from __future__ import annotations

import csv
import dataclasses
import io
import math
import re
from collections.abc import Mapping, Sequence

import yaml

from arrears.errors import ValidationFailed


def _noop(text: str) -> str:
    """Marks a label for translation; the Django side translates it with gettext (see labels.py)."""
    return text


# The canonical features, in the order of a feature matrix's columns. m1 = the most recent statement month.
MONTHS = 6
FEATURES: tuple[str, ...] = (
    "limit",
    *(f"status_m{k}" for k in range(1, MONTHS + 1)),
    *(f"balance_m{k}" for k in range(1, MONTHS + 1)),
    *(f"payment_m{k}" for k in range(1, MONTHS + 1)),
    "contacts_rpc_90d",
    "promises_kept_90d",
    "promises_broken_90d",
    "plan_active",
)

# One English label per feature (msgids: zh-Hans in the locale's django.po).
LABELS: dict[str, str] = {
    "limit": _noop("Credit limit"),
    "status_m1": _noop("Repayment status, last statement month"),
    "status_m2": _noop("Repayment status, 2 statement months ago"),
    "status_m3": _noop("Repayment status, 3 statement months ago"),
    "status_m4": _noop("Repayment status, 4 statement months ago"),
    "status_m5": _noop("Repayment status, 5 statement months ago"),
    "status_m6": _noop("Repayment status, 6 statement months ago"),
    "balance_m1": _noop("Statement balance, last statement month"),
    "balance_m2": _noop("Statement balance, 2 statement months ago"),
    "balance_m3": _noop("Statement balance, 3 statement months ago"),
    "balance_m4": _noop("Statement balance, 4 statement months ago"),
    "balance_m5": _noop("Statement balance, 5 statement months ago"),
    "balance_m6": _noop("Statement balance, 6 statement months ago"),
    "payment_m1": _noop("Amount paid, last statement month"),
    "payment_m2": _noop("Amount paid, 2 statement months ago"),
    "payment_m3": _noop("Amount paid, 3 statement months ago"),
    "payment_m4": _noop("Amount paid, 4 statement months ago"),
    "payment_m5": _noop("Amount paid, 5 statement months ago"),
    "payment_m6": _noop("Amount paid, 6 statement months ago"),
    "contacts_rpc_90d": _noop("Right-party contacts in the last 90 days"),
    "promises_kept_90d": _noop("Promises kept in the last 90 days"),
    "promises_broken_90d": _noop("Promises broken in the last 90 days"),
    "plan_active": _noop("Repayment plan in force"),
}

# Repayment status of a statement month (status_m*): k >= 1 = the number of months behind.
NOTHING_DUE, PAID_IN_FULL, PAID_MINIMUM = -2, -1, 0


def repayment_status(*, new_balance: int, minimum: int, paid_by_due: int, behind_before: int) -> int:
    """The status of one decided statement month (all in fen): -2 nothing was due (a balance of 0 or
    less), -1 the balance was paid in full by the due date, 0 the minimum or more was paid, otherwise
    k >= 1 months behind, where k = 1 + the months the statement before was behind (`behind_before`,
    0 when it was not behind)."""
    if new_balance <= 0:
        return NOTHING_DUE
    if paid_by_due >= new_balance:
        return PAID_IN_FULL
    if paid_by_due >= minimum:
        return PAID_MINIMUM
    return 1 + max(behind_before, 0)


# --- score bands -------------------------------------------------------------------------------

POINTS_MAX = 1000


def points_of(probability: float) -> int:
    """The 0-1000 points scale: 1000 x (1 - probability of default), rounded half up; higher pays better."""
    return math.floor(POINTS_MAX * (1.0 - probability) + 0.5)


# Default bands of the points (both ends included): a strategy may give its own.
DEFAULT_BANDS: dict[str, tuple[int, int]] = {"low": (0, 399), "medium": (400, 699), "high": (700, POINTS_MAX)}


def band_of(points: int | None, bands: Mapping[str, tuple[int, int]] = DEFAULT_BANDS) -> str | None:
    """The name of the first band whose [lo, hi] holds the points; None when unscored or in no band."""
    if points is None:
        return None
    return next((name for name, (lo, hi) in bands.items() if lo <= points <= hi), None)


# --- the legacy file and its mapping ------------------------------------------------------------

MIN_ROWS = 30
MIN_PER_CLASS = 5
MISSING = frozenset({"", "na", "n/a", "nan", "null", "none"})
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


@dataclasses.dataclass(frozen=True)
class FileMapping:
    target: str
    features: dict[str, str]  # canonical name -> file column, in canonical order
    protected: tuple[str, ...]
    id: str | None = None
    name: str = "propensity"


@dataclasses.dataclass(frozen=True)
class Training:
    """A legacy file read: y (0/1), x (rows x mapped features, NaN = missing), protected values as text."""

    y: list[int]
    x: list[list[float]]
    features: tuple[str, ...]
    protected: dict[str, list[str]]


def _fail(field: str, message: str, code: str | None = None) -> ValidationFailed:
    return ValidationFailed(message, field=field, code=code)


def _twice(node: yaml.Node | None, path: str = "mapping") -> str | None:
    """The path of the first key given twice in one mapping of the YAML tree (PyYAML keeps the last one
    silently, so a mapping that names a feature twice would lose one without a word); None when none is."""
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key, value in node.value:
            name = f"{path}.{key.value}" if isinstance(key, yaml.ScalarNode) else path
            if isinstance(key, yaml.ScalarNode):
                if key.value in seen:
                    return name
                seen.add(key.value)
            found = _twice(value, name)
            if found:
                return found
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            found = _twice(item, path)
            if found:
                return found
    return None


def parse_mapping(text: str) -> FileMapping:
    """MAP.yaml: `target`, optional `id`, `features` (canonical name -> column), `protected` (columns),
    optional `name` (default "propensity")."""
    try:
        twice = _twice(yaml.compose(text, Loader=yaml.SafeLoader))
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise _fail("mapping", f"is not valid YAML: {exc}") from None
    if twice:
        raise _fail(twice, "is given twice in the mapping (only one may be)")
    if not isinstance(data, dict):
        raise _fail("mapping", "must be a mapping with target, features and protected")
    for key in data:
        if key not in ("target", "id", "features", "protected", "name"):
            raise _fail(f"mapping.{key}", "is not known (use target, id, features, protected, name)")
    target = data.get("target")
    if not isinstance(target, str) or not target:
        raise _fail("mapping.target", "is required: the column that is 1 for default")
    ident = data.get("id")
    if ident is not None and (not isinstance(ident, str) or not ident):
        raise _fail("mapping.id", "must be a column name")
    features = data.get("features")
    if not isinstance(features, dict) or not features:
        raise _fail("mapping.features", "is required: a map from canonical names to the file's columns")
    for canonical, column in features.items():
        if canonical not in FEATURES:
            raise _fail(f"mapping.features.{canonical}", f"is not a canonical feature (use {', '.join(FEATURES)})")
        if not isinstance(column, str) or not column:
            raise _fail(f"mapping.features.{canonical}", "must name a column of the file")
    protected = data.get("protected", [])
    if not isinstance(protected, list) or not all(isinstance(p, str) and p for p in protected):
        raise _fail("mapping.protected", "must be a list of column names")
    used = set(features.values())
    for column in protected:
        if column in used:
            raise _fail(f"mapping.protected.{column}", "is a protected column: it may not also be a feature")
        if column == target:
            raise _fail(f"mapping.protected.{column}", "is the target: it may not be protected")
    if target in used:
        raise _fail("mapping.target", f"column {target!r} may not also be a feature")
    by_column: dict[str, str] = {}
    for canonical, column in features.items():
        if column in by_column:
            raise _fail(f"mapping.features.{canonical}", f"column {column!r} is already mapped to {by_column[column]}")
        by_column[column] = canonical
    if ident is not None and (ident == target or ident in used or ident in protected):
        raise _fail("mapping.id", f"column {ident!r} is also the target, a feature or protected: the id is only an id")
    name = data.get("name", "propensity")
    if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z0-9_-]{1,40}", name):
        raise _fail("mapping.name", "must be 1 to 40 letters, digits, _ or -")
    ordered = {c: features[c] for c in FEATURES if c in features}
    return FileMapping(target=target, features=ordered, protected=tuple(protected), id=ident, name=name)


def parse_number(text: str, column: str, row: int) -> float:
    """A number written plainly (digits, one '.', an optional sign and exponent); NaN when missing.
    "1,50" and "1 000" are refused: a thousands or decimal comma is ambiguous."""
    value = text.strip()
    if value.lower() in MISSING:
        return math.nan
    if not _NUMBER.fullmatch(value):
        raise _fail(
            column, f"row {row}: {text!r} is not a number (write digits with '.' as the decimal mark)", "not_a_number"
        )
    number = float(value)
    if not math.isfinite(number):
        raise _fail(column, f"row {row}: {text!r} is not a finite number", "not_finite")
    return number


def read_training(text: str, mapping: FileMapping) -> Training:
    """The rows of a CSV file (header first) under a mapping; ValidationFailed naming the column."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    header = next(reader, None)
    if not header:
        raise _fail("file", "is empty: a header row is needed")
    header = [h.strip() for h in header]
    index: dict[str, int] = {}
    for i, h in enumerate(header):
        if h in index:
            raise _fail(h, f"is a column name the header gives twice (columns {index[h] + 1} and {i + 1})")
        index[h] = i
    needed: list[tuple[str, str]] = [("mapping.target", mapping.target)]
    if mapping.id:
        needed.append(("mapping.id", mapping.id))
    needed += [(f"mapping.features.{c}", col) for c, col in mapping.features.items()]
    needed += [(f"mapping.protected.{col}", col) for col in mapping.protected]
    for key, column in needed:
        if column not in index:
            raise _fail(column, f"is not a column of the file (named by {key})", "required")
    y: list[int] = []
    x: list[list[float]] = []
    protected: dict[str, list[str]] = {p: [] for p in mapping.protected}
    columns = [index[col] for col in mapping.features.values()]
    ids: dict[str, int] = {}
    for row, cells in enumerate(reader, start=1):
        if not cells or all(not c.strip() for c in cells):
            continue
        if len(cells) != len(header):
            raise _fail("file", f"row {row}: has {len(cells)} cells, the header has {len(header)}")
        target = parse_number(cells[index[mapping.target]], mapping.target, row)
        if target not in (0.0, 1.0):
            raise _fail(
                mapping.target,
                f"row {row}: the target must be 0 or 1, not {cells[index[mapping.target]]!r}",
                "not_a_choice",
            )
        if mapping.id:
            ident = cells[index[mapping.id]].strip()
            if not ident:
                raise _fail(mapping.id, f"row {row}: the id is empty", "required")
            if ident in ids:
                raise _fail(mapping.id, f"row {row}: id {ident!r} is also on row {ids[ident]}")
            ids[ident] = row
        y.append(int(target))
        x.append([parse_number(cells[i], header[i], row) for i in columns])
        for column in mapping.protected:
            protected[column].append(cells[index[column]].strip())
    check_classes(y, mapping.target)
    return Training(y=y, x=x, features=tuple(mapping.features), protected=protected)


def check_classes(y: Sequence[int], column: str) -> None:
    if len(y) < MIN_ROWS:
        raise _fail(column, f"too few rows: {len(y)} (at least {MIN_ROWS} are needed)", "out_of_range")
    bad = sum(y)
    if min(bad, len(y) - bad) < MIN_PER_CLASS:
        raise _fail(
            column,
            f"needs at least {MIN_PER_CLASS} rows of each class (0 and 1): it has {len(y) - bad} and {bad}",
            "out_of_range",
        )


def model_label(name: str, version: int) -> str:
    return f"{name}@{version}"


def parse_label(text: str) -> tuple[str, int | None]:
    """`name@version` or `name` (then the latest or champion is meant)."""
    name, _, version = text.partition("@")
    if not name or (version and not version.isdigit()):
        raise _fail("model", f"{text!r} is not name@version")
    return name, int(version) if version else None


CLI_MAKER = "cli:"  # created_by of a model trained from the command line by a name that is no user's


def cli_maker(actor: str) -> str:
    """The maker recorded for `score train --actor NAME` when NAME is not a user: `cli:NAME` (a user
    name cannot hold a colon, so it is nobody's account, and `is_maker` still knows the name)."""
    return f"{CLI_MAKER}{actor}"


def is_maker(username: str, created_by: str) -> bool:
    """Whether `username` made the model: its recorded maker, or the name a CLI maker was given."""
    return username == created_by or cli_maker(username) == created_by

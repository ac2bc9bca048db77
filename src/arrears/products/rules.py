"""Card-product parameters (PRODUCT.md §4) as a frozen, validated value. No ORM here."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from arrears.errors import ValidationFailed
from arrears.kernel.vocabulary import CARD_COMPONENTS
from arrears.money import fen_half_up, parse_amount

COMPONENTS = CARD_COMPONENTS
INTEREST_CONVENTIONS = ("full_amount", "unpaid_portion")


@dataclasses.dataclass(frozen=True, kw_only=True)
class ProductParams:
    currency: str = "CNY"
    daily_interest_rate: Decimal = Decimal("0.0005")
    cash_advance_daily_rate: Decimal = Decimal("0.0005")
    statement_day: int = 5
    due_days_after_statement: int = 18
    min_payment_rate: Decimal = Decimal("0.10")
    min_payment_floor: Decimal = Decimal("0.00")
    late_fee_rate: Decimal = Decimal("0.05")
    late_fee_floor: Decimal | None = None
    late_fee_cap: Decimal | None = None
    interest_on_partial_payment: str = "full_amount"
    compound_interest: bool = False
    cash_advance_fee_rate: Decimal = Decimal("0.01")
    cash_advance_fee_min: Decimal = Decimal("10.00")
    annual_fee: Decimal = Decimal("0.00")
    allocation_waterfall: tuple[str, ...] = ("fees", "interest", "principal")
    allocation_waterfall_late: tuple[str, ...] = ("principal", "interest", "fees")
    allocation_late_from_dpd: int = 91
    bucket_edges: tuple[int, ...] = (30, 60, 90, 120, 150, 180)
    charge_off_dpd: int = 180
    # Payments: the most one payment may be, and how far before the business date its value date may be.
    max_single_payment: Decimal = Decimal("1000000.00")
    payment_backdate_days: int = 30

    def bucket_for(self, dpd: int) -> int:
        """M-number of a DPD: 0 when current, then one bucket per edge, the last open-ended."""
        if dpd <= 0:
            return 0
        for index, edge in enumerate(self.bucket_edges, start=1):
            if dpd <= edge:
                return index
        return len(self.bucket_edges) + 1

    def waterfall_for(self, dpd: int) -> tuple[str, ...]:
        if dpd >= self.allocation_late_from_dpd:
            return self.allocation_waterfall_late
        return self.allocation_waterfall


_FIELDS = {f.name: f for f in dataclasses.fields(ProductParams)}
_RATE_FIELDS = {
    "daily_interest_rate": Decimal("0.01"),
    "cash_advance_daily_rate": Decimal("0.01"),
    "min_payment_rate": Decimal("1"),
    "late_fee_rate": Decimal("1"),
    "cash_advance_fee_rate": Decimal("1"),
}
_MONEY_FIELDS = (
    "min_payment_floor",
    "late_fee_floor",
    "late_fee_cap",
    "cash_advance_fee_min",
    "annual_fee",
    "max_single_payment",
)


def _decimal(name: str, value: Any) -> Decimal:
    if isinstance(value, float):
        raise ValidationFailed('give decimals as strings, e.g. "0.0005", not floats', field=name)
    try:
        result = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValidationFailed(f"{value!r} is not a number", field=name) from None
    if not result.is_finite():
        raise ValidationFailed(f"{value!r} is not a finite number", field=name)
    return result


def _int(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        try:
            if isinstance(value, str) and value.strip().lstrip("-").isdigit():
                return int(value)
        except ValueError:
            pass
        raise ValidationFailed(f"{value!r} is not a whole number", field=name)
    return value


def _components(name: str, value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [v.strip() for v in value.split(",")]
    if not isinstance(value, list | tuple) or sorted(value) != sorted(COMPONENTS):
        raise ValidationFailed(f"must list each of {', '.join(COMPONENTS)} exactly once, got {value!r}", field=name)
    return tuple(value)


def build_params(values: Mapping[str, Any]) -> ProductParams:
    """Validate raw parameter values (from YAML, a form or the database) into ProductParams."""
    unknown = sorted(set(values) - set(_FIELDS))
    if unknown:
        raise ValidationFailed(f"unknown product parameter; known: {', '.join(sorted(_FIELDS))}", field=unknown[0])
    clean: dict[str, Any] = {}
    for name, raw in values.items():
        if name in _RATE_FIELDS:
            rate = _decimal(name, raw)
            if rate < 0 or rate > _RATE_FIELDS[name]:
                raise ValidationFailed(f"must be between 0 and {_RATE_FIELDS[name]}", field=name)
            clean[name] = rate
        elif name in _MONEY_FIELDS:
            if raw is None and name in ("late_fee_floor", "late_fee_cap"):
                clean[name] = None
                continue
            clean[name] = parse_amount(raw, field=name)
        elif name in (
            "statement_day",
            "due_days_after_statement",
            "allocation_late_from_dpd",
            "charge_off_dpd",
            "payment_backdate_days",
        ):
            clean[name] = _int(name, raw)
        elif name in ("allocation_waterfall", "allocation_waterfall_late"):
            clean[name] = _components(name, raw)
        elif name == "bucket_edges":
            if not isinstance(raw, list | tuple) or not raw:
                raise ValidationFailed("must be a list of DPD upper edges", field=name)
            clean[name] = tuple(_int(name, v) for v in raw)
        elif name == "compound_interest":
            if not isinstance(raw, bool):
                raise ValidationFailed("must be true or false", field=name)
            clean[name] = raw
        elif name == "interest_on_partial_payment":
            if raw not in INTEREST_CONVENTIONS:
                raise ValidationFailed(f"must be one of {', '.join(INTEREST_CONVENTIONS)}", field=name)
            clean[name] = raw
        elif name == "currency":
            if not isinstance(raw, str) or len(raw) != 3 or not raw.isalpha():
                raise ValidationFailed("must be a three-letter ISO 4217 code", field=name)
            clean[name] = raw.upper()
    params = ProductParams(**clean)
    _check_consistency(params)
    return params


def _check_consistency(p: ProductParams) -> None:
    if not 1 <= p.statement_day <= 31:
        raise ValidationFailed("must be a day of the month, 1 to 31", field="statement_day")
    # The due date must fall before the next statement (the shortest cycle is 28 days).
    if not 1 <= p.due_days_after_statement <= 27:
        raise ValidationFailed("must be between 1 and 27 days", field="due_days_after_statement")
    edges = p.bucket_edges
    if any(b <= a for a, b in itertools.pairwise(edges)) or edges[0] < 1:
        raise ValidationFailed("edges must be positive and strictly increasing", field="bucket_edges")
    if not 1 <= p.charge_off_dpd <= 3650:
        raise ValidationFailed("must be between 1 and 3650 days", field="charge_off_dpd")
    if p.allocation_late_from_dpd < 1:
        raise ValidationFailed("must be at least 1", field="allocation_late_from_dpd")
    if p.max_single_payment <= 0:
        raise ValidationFailed("must be greater than zero", field="max_single_payment", code="must_be_positive")
    if not 0 <= p.payment_backdate_days <= 366:
        raise ValidationFailed("must be between 0 and 366 days", field="payment_backdate_days")
    if p.late_fee_floor is not None and p.late_fee_cap is not None and p.late_fee_floor > p.late_fee_cap:
        raise ValidationFailed("the floor must not exceed the cap", field="late_fee_floor")


def params_as_json(p: ProductParams) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in _FIELDS:
        value = getattr(p, name)
        if isinstance(value, Decimal):
            out[name] = str(value)
        elif isinstance(value, tuple):
            out[name] = list(value)
        else:
            out[name] = value
    return out


def due_date_for(p: ProductParams, statement_date: dt.date) -> dt.date:
    return statement_date + dt.timedelta(days=p.due_days_after_statement)


def cash_advance_fee(*, params: ProductParams, amount_fen: int) -> int:
    """The fee a cash advance of amount_fen carries: the rate, half-up to the fen, at least the minimum."""
    fee = fen_half_up(params.cash_advance_fee_rate * amount_fen)
    return max(fee, int(params.cash_advance_fee_min * 100)) if fee or params.cash_advance_fee_min else 0

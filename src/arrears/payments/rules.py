"""The allocation waterfall (which balance component a payment pays, in which order) and the limits on
a payment (its size, its value date)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal

from arrears.products.rules import ProductParams


def allocate(amount_fen: int, balances_fen: Mapping[str, int], order: Sequence[str]) -> dict[str, int]:
    """Split a payment over the components in waterfall order.

    Each component takes at most what is owed on it; what is left over is an overpayment that
    lowers principal below zero (a credit balance). The parts always sum to the payment.
    """
    if amount_fen <= 0:
        raise ValueError("a payment must be positive")
    left = amount_fen
    parts = dict.fromkeys(order, 0)
    for component in order:
        take = min(left, max(balances_fen.get(component, 0), 0))
        parts[component] += take
        left -= take
    parts["principal"] = parts.get("principal", 0) + left
    return parts


@dataclasses.dataclass(frozen=True)
class Refusal:
    """Why a payment is refused: the field, a stable code, an English message and the wording's values."""

    field: str
    code: str
    message: str
    params: dict[str, str] = dataclasses.field(default_factory=dict)


def date_refusal(*, value_date: dt.date, business_date: dt.date) -> Refusal | None:
    """A value date after the business date: money cannot have arrived on a day the bank has not opened."""
    if value_date > business_date:
        return Refusal(
            "date",
            "value_date_after_business_date",
            f"{value_date} is after the business date {business_date}",
            {"date": business_date.isoformat()},
        )
    return None


def product_refusal(
    *, amount: Decimal, value_date: dt.date, business_date: dt.date, params: ProductParams
) -> Refusal | None:
    """The product's limits on one payment: its size and how far back its value date may reach."""
    if amount > params.max_single_payment:
        limit = f"{params.max_single_payment:.2f}"
        return Refusal(
            "amount",
            "payment_above_maximum",
            f"{amount} is above the product's maximum for a single payment, {limit}",
            {"limit": limit},
        )
    earliest = business_date - dt.timedelta(days=params.payment_backdate_days)
    if value_date < earliest:
        days = str(params.payment_backdate_days)
        return Refusal(
            "date",
            "value_date_too_old",
            f"{value_date} is more than {days} days before the business date {business_date}"
            f" ({earliest} at the earliest)",
            {"days": days, "earliest": earliest.isoformat()},
        )
    return None

"""Money: Decimal in Python, integer minor units (fen) in the database.

Rounding is half-up to the cent and happens only where an amount is posted.
"""

from __future__ import annotations

import decimal
from collections.abc import Sequence
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from arrears.errors import ValidationFailed

CENT = Decimal("0.01")
# Far beyond any card balance, and its fen fit a 64-bit integer column (and Decimal's precision).
MAX_AMOUNT = Decimal("1E15")


class AmountError(ValidationFailed, ValueError):
    """An amount that is not a valid money amount: a ValidationFailed (422, `field` named by parse_amount),
    and still a ValueError for callers that catch that."""

    code = "amount_invalid"


def enable_float_trap() -> None:
    """Mixing floats into Decimal arithmetic raises instead of silently losing cents."""
    decimal.getcontext().traps[decimal.FloatOperation] = True


def round_cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def to_fen(amount: Decimal, *, field: str | None = None) -> int:
    """An exact amount in yuan to fen; refuses sub-cent amounts rather than rounding them.
    `field` names the input in the AmountError."""
    if not isinstance(amount, Decimal):
        raise AmountError(f"amount must be a Decimal, not {type(amount).__name__}", field=field)
    if not amount.is_finite():
        raise AmountError(
            "amount must be a finite number", field=field, code="not_finite", params={"value": str(amount)}
        )
    fen = amount * 100
    if fen != fen.to_integral_value():
        raise AmountError(
            f"{amount} has more than two decimals",
            field=field,
            code="too_many_decimals",
            params={"value": str(amount)},
        )
    return int(fen)


def from_fen(fen: int) -> Decimal:
    return (Decimal(fen) / 100).quantize(CENT)


def fen_half_up(value: Decimal) -> int:
    """A computed amount in fen (possibly fractional) rounded half-up to a whole fen."""
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def parse_amount(text: object, *, field: str = "amount") -> Decimal:
    """Parse user input ("1200.00", 1200, Decimal) into an exact Decimal amount."""
    if isinstance(text, float):
        raise AmountError("give the amount as a string, not a float", field=field, code="amount_not_a_string")
    shown = {"value": str(text)}
    try:
        value = Decimal(str(text).strip().replace(",", ""))
    except (decimal.InvalidOperation, ValueError):
        raise AmountError(f"{text!r} is not a number", field=field, code="not_a_number", params=shown) from None
    if not value.is_finite():
        raise AmountError(f"{text!r} is not a finite number", field=field, code="not_finite", params=shown)
    if abs(value) >= MAX_AMOUNT:
        raise AmountError(
            f"{text!r} is too large (at most {MAX_AMOUNT - CENT})",
            field=field,
            code="too_large",
            params={**shown, "limit": str(MAX_AMOUNT - CENT)},
        )
    if value != value.quantize(CENT, rounding=ROUND_DOWN):
        raise AmountError(f"{text!r} has more than two decimals", field=field, code="too_many_decimals", params=shown)
    return value.quantize(CENT)


def format_fen(fen: int) -> str:
    """Two-decimal string, as in JSON output: 123456 -> '1234.56'."""
    return f"{from_fen(fen):.2f}"


def split_largest_remainder(total_fen: int, weights: Sequence[Decimal]) -> list[int]:
    """Split total_fen over weights so that the parts sum exactly to the total.

    Each part gets the floor of its exact share; the fen left over go one each to the parts
    with the largest remainders (ties to the earlier part).
    """
    if not weights:
        raise ValueError("weights must not be empty")
    weight_sum = sum(weights, Decimal(0))
    if weight_sum <= 0:
        raise ValueError("weights must sum to a positive number")
    exact = [Decimal(total_fen) * w / weight_sum for w in weights]
    parts = [int(x.to_integral_value(rounding=decimal.ROUND_FLOOR)) for x in exact]
    left = total_fen - sum(parts)
    order = sorted(range(len(exact)), key=lambda i: (-(exact[i] - parts[i]), i))
    for i in order[:left]:
        parts[i] += 1
    return parts

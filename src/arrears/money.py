"""Money: Decimal in Python, integer minor units (fen) in the database.

Rounding is half-up to the cent and happens only where an amount is posted.
"""

from __future__ import annotations

import decimal
import re
import unicodedata
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


# Money input as a person types it or a file carries it: ASCII digits, a thousands comma only in groups
# of three, a point and at most two decimals ("Money input" in docs/architecture.md).
_SHAPE = re.compile(r"(?P<sign>[+-]?)(?P<whole>[0-9,]+)(?:\.(?P<fraction>[0-9]+))?", re.ASCII)
_GROUPED = re.compile(r"[1-9][0-9]{0,2}(?:,[0-9]{3})+", re.ASCII)
_EXPONENT = re.compile(r"[+-]?[0-9,]*\.?[0-9]*e[+-]?[0-9]*", re.ASCII | re.IGNORECASE)
_NOT_FINITE = frozenset({"nan", "snan", "inf", "infinity"})
_LONGEST = 64  # characters: more than any amount below MAX_AMOUNT needs, grouped and signed


def _full_width(ch: str) -> bool:
    """A full-width form (０-９, ，, ．, －) or any other digit outside ASCII (Arabic-Indic, Devanagari)."""
    return "\uff01" <= ch <= "\uff5e" or (not ch.isascii() and unicodedata.category(ch) == "Nd")


def parse_amount(text: object, *, field: str = "amount", allow_negative: bool = False) -> Decimal:
    """The one door for amounts from people and files: "1234.56", "1,234.56", an int or a Decimal, to an
    exact Decimal with two decimals.

    Refused with an AmountError (422) naming `field`, with a stable code for each reason: empty
    (`required`), a comma that does not group thousands in threes (`amount_grouping`: "1,50"), an exponent
    (`amount_exponent`), an underscore (`amount_underscore`), full-width or other non-ASCII digits
    (`amount_full_width`), a space inside (`amount_spaces`), a plus sign (`amount_plus_sign`), a minus
    sign unless `allow_negative` (`must_not_be_negative`), NaN or Infinity (`not_finite`), more than two
    decimals (`too_many_decimals`), MAX_AMOUNT or more (`too_large`), a float (`amount_not_a_string`),
    anything else (`not_a_number`)."""
    if isinstance(text, float):
        raise AmountError("give the amount as a string, not a float", field=field, code="amount_not_a_string")
    if isinstance(text, bool) or not isinstance(text, str | int | Decimal):
        raise AmountError(
            f"{text!r} is not an amount like 1234.56", field=field, code="not_a_number", params={"value": str(text)}
        )
    shown = text.strip() if isinstance(text, str) else str(text)
    value = _read(shown, field=field) if isinstance(text, str) else Decimal(text)
    params = {"value": shown}
    if not value.is_finite():
        raise AmountError(f"{shown!r} is not a finite number", field=field, code="not_finite", params=params)
    if abs(value) >= MAX_AMOUNT:
        raise AmountError(
            f"{shown!r} is too large (at most {MAX_AMOUNT - CENT})",
            field=field,
            code="too_large",
            params={**params, "limit": str(MAX_AMOUNT - CENT)},
        )
    if value != value.quantize(CENT, rounding=ROUND_DOWN):
        raise AmountError(f"{shown!r} has more than two decimals", field=field, code="too_many_decimals", params=params)
    if value.is_signed() and not allow_negative:
        raise AmountError(f"{shown!r} must not be negative", field=field, code="must_not_be_negative", params=params)
    return value.quantize(CENT)


def _read(text: str, *, field: str) -> Decimal:
    """The value of a text written as an amount (stripped); the reason it is not one, otherwise."""

    def refused(message: str, code: str, **params: str) -> AmountError:
        return AmountError(
            f"{text!r} {message}" if text else message, field=field, code=code, params={"value": text, **params}
        )

    if not text:
        raise refused("must not be empty", "required")
    if any(_full_width(ch) for ch in text):
        raise refused(
            "is not in ASCII digits: write 0-9 and a point (full-width digits are refused)", "amount_full_width"
        )
    if text.lower().lstrip("+-") in _NOT_FINITE:
        raise refused("is not a finite number", "not_finite")
    if len(text) > _LONGEST:
        raise refused(f"is too large (at most {MAX_AMOUNT - CENT})", "too_large", limit=str(MAX_AMOUNT - CENT))
    if "_" in text:
        raise refused("has an underscore: write 1234.56 or 1,234.56", "amount_underscore")
    if any(ch.isspace() for ch in text):
        raise refused("has a space inside: write 1234.56 or 1,234.56", "amount_spaces")
    if _EXPONENT.fullmatch(text) and any(ch.isdigit() for ch in text):
        raise refused("has an exponent: write the amount out in digits", "amount_exponent")
    shape = _SHAPE.fullmatch(text)
    if shape is None:
        raise refused("is not a number: write an amount like 1234.56", "not_a_number")
    if shape["sign"] == "+":
        raise refused("has a plus sign: write the amount without one", "amount_plus_sign")
    whole = shape["whole"]
    if "," in whole and not _GROUPED.fullmatch(whole):
        raise refused(
            "has a comma that does not separate thousands: a comma may only group digits in threes "
            "(1,500.00), and decimals take a point (1.50)",
            "amount_grouping",
        )
    return Decimal(f"{shape['sign']}{whole.replace(',', '')}.{shape['fraction'] or '0'}")


_RATE = re.compile(r"[0-9]{1,3}(?:\.[0-9]{1,8})?", re.ASCII)


def parse_rate(text: object, *, field: str) -> Decimal:
    """A rate as a decimal fraction ("0.18" for 18 %), read as strictly as an amount: ASCII digits and
    one point, at most eight decimals, no sign, grouping or exponent, below 1000."""
    if not isinstance(text, str):
        raise ValidationFailed('give the rate as a decimal string, e.g. "0.12"', field=field, code="not_a_number")
    shown = text.strip()
    if not _RATE.fullmatch(shown):
        raise ValidationFailed(
            f"{shown!r} is not a rate: write a decimal fraction like 0.12 (digits and one point)",
            field=field,
            code="not_a_number",
            params={"value": shown},
        )
    return Decimal(shown)


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

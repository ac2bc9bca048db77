"""Pure rules of agency placement and commission: no Django, no clock."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

DEFAULT_PLACEMENT_DAYS = 90


def stable_fraction(account_id: int, salt: str = "agency") -> Decimal:
    """A number in [0, 1) drawn from the account id alone: the same on every run and machine."""
    digest = hashlib.sha256(f"{salt}:{account_id}".encode()).digest()
    return Decimal(int.from_bytes(digest[:8], "big")) / Decimal(2**64)


def choose_agency(
    account_id: int, agencies: Sequence[tuple[str, int]], *, exclude: frozenset[str] = frozenset()
) -> str | None:
    """The agency an account goes to: a stable weighted hash of its id over the agencies (code,
    weight), in code order, leaving out those in `exclude` (the agency it was with last, so that a
    re-placement goes elsewhere). None when no agency is left."""
    pool = sorted((code, weight) for code, weight in agencies if code not in exclude and weight > 0)
    if not pool:
        return None
    total = sum(weight for _, weight in pool)
    point = stable_fraction(account_id) * total
    running = 0
    for code, weight in pool:
        running += weight
        if point < running:
            return code
    return pool[-1][0]


def expiry(placed_on: dt.date, days: int = DEFAULT_PLACEMENT_DAYS) -> dt.date:
    if days < 1:
        raise ValueError("a placement lasts at least one day")
    return placed_on + dt.timedelta(days=days)


def tier_rate(tiers: Sequence[tuple[int, Decimal]], bucket: int) -> Decimal:
    """The highest tier whose lowest bucket the placement's bucket reaches (0 when none does)."""
    rates = [rate for min_bucket, rate in tiers if bucket >= min_bucket]
    return max(rates, default=Decimal(0))


def commission_fen(recovered_fen: int, rate: Decimal) -> int:
    """The commission on an amount recovered, half-up to the fen."""
    return int((Decimal(recovered_fen) * rate).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def liquidation_rate(collected_fen: int, placed_fen: int) -> Decimal | None:
    """What was collected as a share of the balance placed (None when nothing was placed)."""
    if placed_fen <= 0:
        return None
    return (Decimal(collected_fen) / Decimal(placed_fen)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


def month_bounds(month: str) -> tuple[dt.date, dt.date]:
    """`2026-11` as the half-open range [first day, first day of the next month)."""
    try:
        year, mon = (int(part) for part in month.split("-"))
        start = dt.date(year, mon, 1)
    except (ValueError, TypeError):
        raise ValueError("give the month as YYYY-MM") from None
    if len(month) != 7:
        raise ValueError("give the month as YYYY-MM")
    end = dt.date(year + (mon == 12), mon % 12 + 1, 1)
    return start, end

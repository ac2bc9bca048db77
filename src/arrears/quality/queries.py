"""What quality review tells the rest of Arrears."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal


def collector_scores(start: dt.date, end: dt.date) -> dict[int, Decimal]:
    """Each collector's mean weighted review score (0–100) over reviews finished in [start, end)."""
    return {}

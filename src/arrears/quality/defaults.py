"""The default sampling rules and scorecard weights (seeded by migration 0002; edited in the admin)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

# Random 5 % of each collector's contacts a day (seed 1); every complaint's and every gate flag's
# contacts; a new collector's first 20 contacts.
RULES: list[dict[str, Any]] = [
    {"kind": "random", "percent": Decimal("5.00"), "seed": 1},
    {"kind": "complaint"},
    {"kind": "gate_flag"},
    {"kind": "new_collector", "first_n": 20},
]
# Version 1: identification 20, no prohibited wording 30 (critical), amounts 20, empathy 15, offer 15.
WEIGHTS: dict[str, int] = {
    "weight_identification": 20,
    "weight_wording": 30,
    "weight_amounts": 20,
    "weight_empathy": 15,
    "weight_offer": 15,
}

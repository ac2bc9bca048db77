"""The ability x willingness assessment and the path it recommends."""

from __future__ import annotations

PATHS = {
    ("able", "willing"): "promise_to_pay",
    ("unable", "willing"): "hardship_plan",
    ("able", "unwilling"): "escalation",
    ("unable", "unwilling"): "review_with_supervisor",
}


def recommended_path(*, ability: str, willingness: str) -> str:
    return PATHS[(ability, willingness)]


def disposable_income_fen(*, income_fen: int, expenses_fen: int, other_debts_fen: int) -> int:
    return income_fen - expenses_fen - other_debts_fen

"""The allocation waterfall: which balance component a payment pays, in which order."""

from __future__ import annotations

from collections.abc import Mapping, Sequence


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

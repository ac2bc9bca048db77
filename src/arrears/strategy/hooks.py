"""Where the requests a strategy makes go next.

A strategy records agency placements, legal referrals and field visits as requested actions
(`StrategyAction`, outcome `requested`). The apps that carry them out (agencies, legal) sit below
the strategy in the layers and must not import it; the layer above both (the cycle's registry, or
the app's own ready()) registers a handler here, and `apply_strategy` calls it in the same
transaction with the actions it has just recorded (not yet with ids: account, customer, case,
date, segment, arm and rule say which).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any

Handler = Callable[[dt.date, Sequence[Any]], None]

_HANDLERS: dict[str, list[Handler]] = defaultdict(list)


def register(kind: str, handler: Handler) -> None:
    """Call `handler(date, actions)` with each day's requested actions of `kind` (agency_placement,
    legal_referral, field_visit)."""
    if handler not in _HANDLERS[kind]:
        _HANDLERS[kind].append(handler)


def unregister(kind: str, handler: Handler) -> None:
    if handler in _HANDLERS[kind]:
        _HANDLERS[kind].remove(handler)


def dispatch(day: dt.date, actions: Sequence[Any]) -> None:
    by_kind: dict[str, list[Any]] = defaultdict(list)
    for action in actions:
        by_kind[action.kind].append(action)
    for kind, items in by_kind.items():
        for handler in _HANDLERS.get(kind, []):
            handler(day, items)

"""Routing cases: which queue a case matches, which collector gets it. Pure functions."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any


@dataclasses.dataclass(frozen=True, kw_only=True)
class QueueRule:
    id: int
    team_id: int
    min_bucket: int
    max_bucket: int
    min_balance_fen: int
    max_balance_fen: int | None
    product_id: int | None
    language: str
    region: str
    treatment: str = "collections"

    @classmethod
    def of(cls, queue: Any) -> QueueRule:
        return cls(
            id=queue.id,
            team_id=queue.team_id,
            min_bucket=queue.min_bucket,
            max_bucket=queue.max_bucket,
            min_balance_fen=queue.min_balance_fen,
            max_balance_fen=queue.max_balance_fen,
            product_id=queue.product_id,
            language=queue.language,
            region=queue.region,
            treatment=queue.treatment,
        )

    def matches(
        self,
        *,
        bucket: int,
        balance_fen: int,
        product_id: int | None,
        language: str,
        region: str,
        charged_off: bool = False,
    ) -> bool:
        return (
            (charged_off or self.treatment != RECOVERY)
            and self.min_bucket <= bucket <= self.max_bucket
            and balance_fen >= self.min_balance_fen
            and (self.max_balance_fen is None or balance_fen <= self.max_balance_fen)
            and (self.product_id is None or self.product_id == product_id)
            and (not self.language or self.language == language)
            and (not self.region or self.region == region)
        )


def match_queue(
    queues: Sequence[QueueRule],
    *,
    bucket: int,
    balance_fen: int,
    product_id: int | None,
    language: str,
    region: str,
    charged_off: bool = False,
) -> QueueRule | None:
    """The first queue (by rank) whose rule the case matches. A charged-off case goes to a recovery
    queue; only when no recovery queue takes it does it stay with a collections queue (a bank that has
    set up no recovery team yet loses no case). A case that may still cure never goes to recovery."""
    fields: dict[str, Any] = dict(
        bucket=bucket, balance_fen=balance_fen, product_id=product_id, language=language, region=region
    )
    if charged_off:
        for queue in queues:
            if queue.treatment == RECOVERY and queue.matches(**fields, charged_off=True):
                return queue
    for queue in queues:
        if queue.treatment != RECOVERY and queue.matches(**fields):
            return queue
    return None


# The serving orders of a queue (cases.models.QueueOrder) and its treatments (cases.models.Treatment).
EARLY_FIRST, LATE_FIRST, PRIORITY, BALANCE = "early_first", "late_first", "priority", "balance"
ORDERS = (EARLY_FIRST, LATE_FIRST, PRIORITY, BALANCE)
RECOVERY = "recovery"
# A charged-off case counts as later than every bucket when buckets are compared.
CHARGED_OFF_STAGE = 8


def stage(*, bucket: int, charged_off: bool) -> int:
    """How late a case is: its worst bucket, or past every bucket once written off."""
    return CHARGED_OFF_STAGE if charged_off else bucket


def serving_key(*, order: str, bucket: int, charged_off: bool, priority: int, balance_fen: int) -> tuple[int, int]:
    """Sort key (ascending) of a case inside its queue, after the urgency of callbacks and broken promises:

    - early_first: the earliest stage first (M1 before M6, M6 before charged off), then priority;
    - late_first: the latest stage first, then priority;
    - priority: the cycle's priority score alone (bucket, then balance, then DPD);
    - balance: the largest balance first.

    `cases.queries.in_serving_order` is the same rule in SQL; the tests hold the two together."""
    if order not in ORDERS:
        raise ValueError(f"unknown serving order {order!r}")
    s = stage(bucket=bucket, charged_off=charged_off)
    first = {EARLY_FIRST: s, LATE_FIRST: -s}.get(order, 0)
    weight = balance_fen if order == BALANCE else priority
    return first, -weight


def assign_collectors(
    *,
    cases: Sequence[tuple[int, int, str]],
    collectors: Mapping[int, Sequence[tuple[int, Sequence[str], int]]],
    load: Mapping[int, int],
) -> dict[int, int]:
    """Cases (id, team, language), most urgent first, to the least-loaded collector of the team who
    speaks the language (any collector of the team when none does), never above a collector's maximum."""
    current = dict(load)
    result: dict[int, int] = {}
    for case_id, team_id, language in cases:
        team = [c for c in collectors.get(team_id, []) if current.get(c[0], 0) < c[2]]
        if not team:
            continue
        speakers = [c for c in team if language in c[1]] or list(team)
        user_id = min(speakers, key=lambda c: (current.get(c[0], 0), c[0]))[0]
        result[case_id] = user_id
        current[user_id] = current.get(user_id, 0) + 1
    return result

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
        )

    def matches(self, *, bucket: int, balance_fen: int, product_id: int | None, language: str, region: str) -> bool:
        return (
            self.min_bucket <= bucket <= self.max_bucket
            and balance_fen >= self.min_balance_fen
            and (self.max_balance_fen is None or balance_fen <= self.max_balance_fen)
            and (self.product_id is None or self.product_id == product_id)
            and (not self.language or self.language == language)
            and (not self.region or self.region == region)
        )


def match_queue(
    queues: Sequence[QueueRule], *, bucket: int, balance_fen: int, product_id: int | None, language: str, region: str
) -> QueueRule | None:
    for queue in queues:
        if queue.matches(
            bucket=bucket, balance_fen=balance_fen, product_id=product_id, language=language, region=region
        ):
            return queue
    return None


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

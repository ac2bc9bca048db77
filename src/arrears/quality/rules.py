"""Pure rules of quality review (质检): no Django.

The scorecard: five criteria, each marked 0..MAX_MARK by the reviewer, weighted by the scorecard
version's weights (whole numbers that sum to 100). The weighted score is

    score = Σ weight_i × mark_i / MAX_MARK          (0–100, rounded half-up to 0.01)

except that a critical criterion (no prohibited wording, 无违规用语) marked 0 zeroes the whole review.

The random sample: each contact gets a key, the first 16 hex digits of SHA-256 over
"seed:date:contact id"; of a collector's n contacts of a day, the ceil(n × percent / 100) with the
smallest keys are drawn. The same seed, date and contacts draw the same sample on any machine.

Calibration: several reviewers score one contact. Each criterion's spread is max − min of the marks;
each reviewer's deviation is their score minus the session's mean score; a reviewer whose |deviation|
exceeds the session's threshold is flagged.
"""

from __future__ import annotations

import dataclasses
import hashlib
import math
from collections.abc import Iterable, Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal

CRITERIA: tuple[str, ...] = ("identification", "wording", "amounts", "empathy", "offer")
CRITICAL: frozenset[str] = frozenset({"wording"})
MAX_MARK = 4
CENT = Decimal("0.01")


class RuleError(ValueError):
    """A rule's input is refused; `field` names it, `code` says why (a code of arrears.errors)."""

    def __init__(self, message: str, *, field: str, code: str, params: Mapping[str, object] | None = None) -> None:
        super().__init__(message)
        self.field = field
        self.code = code
        self.params = dict(params or {})


@dataclasses.dataclass(frozen=True)
class Weights:
    """A scorecard version's weights, by criterion (whole points summing to 100)."""

    identification: int
    wording: int
    amounts: int
    empathy: int
    offer: int

    def __post_init__(self) -> None:
        for name in CRITERIA:
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise RuleError(
                    f"weight {name} must be a whole number ≥ 0", field=f"weight_{name}", code="out_of_range"
                )
        if sum(self.as_dict().values()) != 100:
            raise RuleError("the weights must sum to 100", field="weights", code="out_of_range")

    def as_dict(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in CRITERIA}


def check_marks(marks: Mapping[str, object]) -> dict[str, int]:
    """Every criterion marked with a whole number 0..MAX_MARK, nothing else."""
    out: dict[str, int] = {}
    for name in CRITERIA:
        value = marks.get(name)
        if value is None or value == "":
            raise RuleError(f"{name} is not marked", field=name, code="required")
        if isinstance(value, str):
            text = value.strip()
            if not (text.isascii() and text.isdecimal()):
                raise RuleError(f"{name}: {value!r} is not a whole number", field=name, code="not_a_whole_number")
            value = int(text)
        if isinstance(value, bool) or not isinstance(value, int):
            raise RuleError(f"{name}: {value!r} is not a whole number", field=name, code="not_a_whole_number")
        if not 0 <= value <= MAX_MARK:
            raise RuleError(
                f"{name} must be from 0 to {MAX_MARK}",
                field=name,
                code="out_of_range",
                params={"low": 0, "high": MAX_MARK},
            )
        out[name] = value
    unknown = set(marks) - set(CRITERIA)
    if unknown:
        name = sorted(unknown)[0]
        raise RuleError(f"{name} is not a criterion of the scorecard", field=name, code="not_a_choice")
    return out


def critical_failure(marks: Mapping[str, int]) -> bool:
    return any(marks[name] == 0 for name in CRITICAL)


def weighted_score(weights: Weights, marks: Mapping[str, int]) -> Decimal:
    """Σ weight × mark / MAX_MARK, 0–100 to the cent; 0 when a critical criterion is marked 0."""
    checked = check_marks(marks)
    if critical_failure(checked):
        return Decimal("0.00")
    total = sum((Decimal(w) * checked[name] for name, w in weights.as_dict().items()), Decimal(0))
    return (total / MAX_MARK).quantize(CENT, rounding=ROUND_HALF_UP)


# -- sampling -----------------------------------------------------------------------------------


def sample_key(seed: int, day: str, contact_id: int) -> str:
    return hashlib.sha256(f"{seed}:{day}:{contact_id}".encode()).hexdigest()[:16]


def random_draw(contacts: Iterable[tuple[int, int]], *, percent: Decimal, seed: int, day: str) -> set[int]:
    """The contact ids drawn from (contact id, collector id) pairs: per collector, the ceil(n × percent
    / 100) contacts with the smallest keys."""
    if percent < 0 or percent > 100:
        raise RuleError("the percentage must be from 0 to 100", field="percent", code="out_of_range")
    by_collector: dict[int, list[int]] = {}
    for contact_id, collector_id in contacts:
        by_collector.setdefault(collector_id, []).append(contact_id)
    drawn: set[int] = set()
    for ids in by_collector.values():
        k = math.ceil(Decimal(len(ids)) * percent / 100)
        drawn.update(sorted(ids, key=lambda i: (sample_key(seed, day, i), i))[:k])
    return drawn


# -- calibration ----------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Calibration:
    spread: dict[str, int]  # criterion: max mark − min mark
    mean: Decimal  # the session's mean score
    deviation: dict[int, Decimal]  # reviewer: their score − the mean
    flagged: frozenset[int]  # reviewers whose |deviation| > threshold


def calibrate(scores: Mapping[int, tuple[Mapping[str, int], Decimal]], *, threshold: Decimal) -> Calibration:
    """`scores`: reviewer id → (marks, weighted score)."""
    if not scores:
        return Calibration(spread={}, mean=Decimal("0.00"), deviation={}, flagged=frozenset())
    spread = {
        name: max(m[name] for m, _ in scores.values()) - min(m[name] for m, _ in scores.values()) for name in CRITERIA
    }
    mean = (sum((s for _, s in scores.values()), Decimal(0)) / len(scores)).quantize(CENT, rounding=ROUND_HALF_UP)
    deviation = {r: (s - mean).quantize(CENT, rounding=ROUND_HALF_UP) for r, (_, s) in scores.items()}
    flagged = frozenset(r for r, d in deviation.items() if abs(d) > threshold)
    return Calibration(spread=spread, mean=mean, deviation=deviation, flagged=flagged)


def mean_score(scores: Sequence[Decimal]) -> Decimal | None:
    if not scores:
        return None
    return (sum(scores, Decimal(0)) / len(scores)).quantize(CENT, rounding=ROUND_HALF_UP)


def gate_flagged(flagged: bool, decision: Mapping[str, object] | None) -> bool:
    """The gate flagged the contact: judged a breach after the fact (`flagged`), refused (`allowed` false)
    or allowed with a warning (reasons given on an allowed decision)."""
    if flagged:
        return True
    if not decision:
        return False
    return decision.get("allowed") is False or bool(decision.get("reasons"))

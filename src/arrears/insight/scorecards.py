"""Collector and team scorecards following CN-KPI (2011 art. 66: collectors are not appraised on
the amount recovered alone). Pure: plain inputs in, scorecards out; no Django, no clock.

A scorecard mixes four measures, each a fraction between 0 and 1, weighted in points (WEIGHTS, the one
place the weights live; they add up to 100):

- quality: the collector's quality-review score / 100 (`quality.queries.collector_scores`); a
  collector nobody reviewed is "not reviewed" (None), never 0;
- right party: right-party contacts / contact attempts;
- kept: promises kept in full / promises judged (kept, partly kept, broken);
- amount: what the collector's accounts paid / the most any collector of the same table collected.

A measure with nothing to measure (not reviewed, no attempt, no promise judged, nobody collected)
is left out and the weights of the others are re-normalised to 100, except that the amount never
weighs more than its cap (AMOUNT_CAP points): what the cap holds back goes to the other measures in
proportion to their weights. Without any of quality, right party and kept there is no score at all
("not enough to score"): never a score on amount alone.

Then deductions: BREACH_POINTS per compliance breach (a contact the gate flagged after the fact, a
note with prohibited wording) and COMPLAINT_POINTS per substantiated complaint (upheld or partly
upheld) naming the collector; a complaint not (yet) substantiated is shown but deducts nothing. The
score is base − deductions, never below 0, half up to two decimals. Rank 1 is the highest score;
ties by name; a collector without a score has no rank.

A team's scorecard is the same function over the sums of its collectors' counts (its quality: the
mean of its reviewed collectors' scores, half up to two decimals).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal

QUALITY = "quality"
RIGHT_PARTY = "right_party"
KEPT = "kept"
AMOUNT = "amount"
MEASURES = (QUALITY, RIGHT_PARTY, KEPT, AMOUNT)
CONDUCT = (QUALITY, RIGHT_PARTY, KEPT)  # at least one of them is needed for a score

WEIGHTS: Mapping[str, int] = {QUALITY: 35, RIGHT_PARTY: 20, KEPT: 25, AMOUNT: 20}
AMOUNT_CAP = WEIGHTS[AMOUNT]  # the most the amount collected may ever weigh, in points
BREACH_POINTS = 10  # deducted per compliance breach
COMPLAINT_POINTS = 15  # deducted per substantiated complaint
HUNDRED = Decimal(100)
CENT = Decimal("0.01")

assert sum(WEIGHTS.values()) == 100, "the scorecard's weights add up to 100"


@dataclasses.dataclass(frozen=True)
class Inputs:
    """What one collector (or one team) did in the period."""

    name: str
    team: str = ""
    quality: Decimal | None = None  # 0-100; None: not reviewed
    attempts: int = 0
    right_party: int = 0
    judged: int = 0
    kept: int = 0
    collected_fen: int = 0
    breaches: int = 0
    complaints: int = 0  # every complaint naming the collector
    substantiated: int = 0  # of which upheld or partly upheld


@dataclasses.dataclass(frozen=True)
class Scorecard:
    inputs: Inputs
    parts: Mapping[str, Decimal | None]  # each measure as a fraction 0-1; None: nothing to measure
    weights: Mapping[str, Decimal]  # the points each measure weighed after re-normalisation (0: left out)
    base: Decimal | None  # the weighted sum, 0-100, before deductions
    deduction: int
    score: Decimal | None  # None: not enough to score
    rank: int | None = None

    @property
    def name(self) -> str:
        return self.inputs.name


def _fraction(part: int, whole: int) -> Decimal | None:
    return None if whole == 0 else Decimal(part) / Decimal(whole)


def parts_of(row: Inputs, best_collected_fen: int) -> dict[str, Decimal | None]:
    """The four measures of one row as fractions (None when there is nothing to measure)."""
    return {
        QUALITY: None if row.quality is None else Decimal(row.quality) / HUNDRED,
        RIGHT_PARTY: _fraction(row.right_party, row.attempts),
        KEPT: _fraction(row.kept, row.judged),
        AMOUNT: _fraction(max(row.collected_fen, 0), best_collected_fen) if best_collected_fen > 0 else None,
    }


def weights_for(parts: Mapping[str, Decimal | None]) -> dict[str, Decimal]:
    """The weights of the measures present, re-normalised to 100 points, the amount capped at
    AMOUNT_CAP (what the cap holds back goes to the others in proportion to their weights); a measure
    left out weighs 0. Empty when no conduct measure (quality, right party, kept) is present."""
    present = [m for m in MEASURES if parts.get(m) is not None]
    if not any(m in CONDUCT for m in present):
        return {}
    total = sum(WEIGHTS[m] for m in present)
    out = {m: Decimal(0) for m in MEASURES}
    for m in present:
        out[m] = HUNDRED * WEIGHTS[m] / total
    if AMOUNT in present and out[AMOUNT] > AMOUNT_CAP:
        others = total - WEIGHTS[AMOUNT]
        out[AMOUNT] = Decimal(AMOUNT_CAP)
        for m in present:
            if m != AMOUNT:
                out[m] = (HUNDRED - AMOUNT_CAP) * WEIGHTS[m] / others
    return out


def score_one(row: Inputs, best_collected_fen: int) -> Scorecard:
    """One scorecard (without its rank): see the module's docstring."""
    parts = parts_of(row, best_collected_fen)
    weights = weights_for(parts)
    deduction = BREACH_POINTS * row.breaches + COMPLAINT_POINTS * row.substantiated
    if not weights:
        return Scorecard(inputs=row, parts=parts, weights={m: Decimal(0) for m in MEASURES}, base=None,
                         deduction=deduction, score=None)  # fmt: skip
    raw = sum((parts[m] or Decimal(0)) * weights[m] for m in MEASURES)
    base = Decimal(raw).quantize(CENT, rounding=ROUND_HALF_UP)
    score = max(Decimal(raw) - deduction, Decimal(0)).quantize(CENT, rounding=ROUND_HALF_UP)
    return Scorecard(inputs=row, parts=parts, weights=weights, base=base, deduction=deduction, score=score)


def scorecards(rows: Iterable[Inputs]) -> list[Scorecard]:
    """The scorecards of a table of collectors (or of teams), ranked: highest score first (ties by
    name), then the ones without a score by name. The amount measure is relative to the most any row
    of the table collected."""
    rows = list(rows)
    best = max((max(r.collected_fen, 0) for r in rows), default=0)
    cards = [score_one(r, best) for r in rows]
    scored = sorted((c for c in cards if c.score is not None), key=lambda c: (-(c.score or 0), c.name))
    unscored = sorted((c for c in cards if c.score is None), key=lambda c: c.name)
    return [dataclasses.replace(c, rank=i) for i, c in enumerate(scored, start=1)] + unscored


def team_inputs(name: str, members: Sequence[Inputs]) -> Inputs:
    """A team as one row: the sums of its collectors' counts; its quality the mean of the reviewed
    collectors' scores (half up to two decimals), None when none was reviewed."""
    reviewed = [Decimal(m.quality) for m in members if m.quality is not None]
    quality = (sum(reviewed, Decimal(0)) / len(reviewed)).quantize(CENT, rounding=ROUND_HALF_UP) if reviewed else None
    return Inputs(
        name=name,
        team=name,
        quality=quality,
        attempts=sum(m.attempts for m in members),
        right_party=sum(m.right_party for m in members),
        judged=sum(m.judged for m in members),
        kept=sum(m.kept for m in members),
        collected_fen=sum(m.collected_fen for m in members),
        breaches=sum(m.breaches for m in members),
        complaints=sum(m.complaints for m in members),
        substantiated=sum(m.substantiated for m in members),
    )

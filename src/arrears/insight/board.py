"""What the insight pages draw, from the KPI inputs: a team's share of the facts, the funnel from
attempts to kept promises, and the monthly trends. Pure functions (no Django), over `kpis.Facts`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Collection, Iterable
from decimal import Decimal

from arrears.insight.kpis import (
    CANCELLED,
    KEPT,
    ContactFact,
    Facts,
    K,
    PromiseFact,
    contact_rates,
    cure_rate,
    flow_rates,
    monthly_roll_matrices,
    promise_rates,
    ratio,
)


def only_teams(facts: Facts, teams: Collection[str]) -> Facts:
    """The facts whose team (Keys.team) is one of `teams`: a lead's share of the portfolio."""
    wanted = set(teams)

    def keep(rows: Iterable[K]) -> tuple[K, ...]:
        return tuple(r for r in rows if r.keys.team in wanted)

    return dataclasses.replace(
        facts,
        transitions=keep(facts.transitions),
        contacts=keep(facts.contacts),
        promises=keep(facts.promises),
        charge_offs=keep(facts.charge_offs),
        placements=keep(facts.placements),
        complaints=keep(facts.complaints),
        cures=keep(facts.cures),
        months=keep(facts.months),
    )


@dataclasses.dataclass(frozen=True)
class Funnel:
    """Attempts -> right-party contacts -> promises -> kept, for one period."""

    attempts: int
    right_party: int
    promises: int
    kept: int

    @property
    def steps(self) -> list[tuple[str, int, Decimal | None]]:
        """(step, count, the ratio to the step before: None for the first, or nothing to divide)."""
        return [
            ("attempts", self.attempts, None),
            ("right_party", self.right_party, ratio(self.right_party, self.attempts)),
            ("promises", self.promises, ratio(self.promises, self.right_party)),
            ("kept", self.kept, ratio(self.kept, self.promises)),
        ]


def funnel(facts: Facts) -> Funnel:
    """attempts = contacts recorded in the period; right_party = those that reached the cardholder
    (as `contact_rates`); promises = promises taken in the period, not cancelled (as `promise_rates`);
    kept = of those promises, the ones kept in full by now."""
    c = contact_rates(facts.contacts)
    taken = [p for p in facts.promises if facts.start < p.taken_on <= facts.end and p.status != CANCELLED]
    return Funnel(
        attempts=c.attempts,
        right_party=c.right_party,
        promises=len(taken),
        kept=sum(p.status == KEPT for p in taken),
    )


@dataclasses.dataclass(frozen=True)
class Month:
    """One span (start, end] of the period cut at month ends, and its rates (fractions)."""

    start: dt.date
    end: dt.date
    roll_m1_m2: Decimal | None
    cure: Decimal | None
    kept: Decimal | None
    rpc: Decimal | None


def trends(facts: Facts, basis: str = "count") -> list[Month]:
    """For each span of `monthly_roll_matrices`: flow M1 -> M2 and cure rate of that span's roll
    matrix (by `basis`); the kept rate by count of the promises due in the span (`promise_rates`);
    the right-party-contact rate of the contacts made in the span (`contact_rates`)."""
    matrices = monthly_roll_matrices(facts.months)
    spans = list(matrices)
    ends = [b for _, b in spans]
    contacts: dict[int, list[ContactFact]] = defaultdict(list)
    promises: dict[int, list[PromiseFact]] = defaultdict(list)
    for c in facts.contacts:  # each in the span whose end is the first on or after its day
        if c.on is None:
            continue
        k = bisect_left(ends, c.on)
        if k < len(ends) and spans[k][0] < c.on:
            contacts[k].append(c)
    for p in facts.promises:
        k = bisect_left(ends, p.promised_date)
        if k < len(ends) and spans[k][0] < p.promised_date:
            promises[k].append(p)
    out = []
    for k, ((a, b), matrix) in enumerate(matrices.items()):
        out.append(
            Month(
                start=a,
                end=b,
                roll_m1_m2=flow_rates(matrix, basis)[1],
                cure=cure_rate(matrix, basis),
                kept=promise_rates(promises[k], contacts[k], start=a, end=b).kept_rate,
                rpc=contact_rates(contacts[k]).rpc_rate,
            )
        )
    return out

"""The roll-rate forecast of next month's balances by bucket, and its error against what happened:
pure functions over the KPI inputs (`kpis.MonthStep`, `kpis.Transition`; integer fen, Decimal; no
Django, no clock). docs/kpis.md ("The roll-rate forecast") gives the same method in words.

Method. The balance of a state at a date is the sum of what its accounts owed at the close of that
date (a credit counts as 0), as in the roll-rate matrix by balance. The average roll matrix of K
months is balance-weighted: rate(a -> b) = sum over the K months of balance[a, b] / sum over the K
months of the balance that started the month in a. The forecast of a month's balance in state b =
sum over a of (the balance in a at the start of the month) x rate(a -> b), half up to the fen per
state. A state whose accounts owed nothing at the start of any of the K months keeps its balance in
place (rate a -> a = 1). Only the states that owe (M0 ... M7, charged off) are forecast: what rolls
to `paid` has left the book. New balances (new accounts, new purchases) are not forecast.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal

from arrears.insight.kpis import (
    BUCKETS,
    CHARGED_OFF,
    MonthStep,
    RollMatrix,
    Transition,
    monthly_roll_matrices,
    ratio,
)

STATES = (*BUCKETS, CHARGED_OFF)  # the states that owe (paid owes nothing)
MONTHS = 3  # K: the months the average roll matrix is taken over, by default


def balances(rows: Iterable[tuple[int, int]]) -> dict[int, int]:
    """The balance of each state (M0 ... M7, charged off) from (state, owed) rows: the sum of what
    was owed, a credit counting as 0; every state present, 0 when none."""
    found = dict.fromkeys(STATES, 0)
    for state, owed in rows:
        if state in found:
            found[state] += max(owed, 0)
    return found


def average_rates(matrices: Sequence[RollMatrix]) -> dict[tuple[int, int], Decimal]:
    """The balance-weighted average roll matrix of the months: rate(a -> b) = sum of balance[a, b]
    / sum of the balance of row a over the months, unrounded; a state a whose rows owed nothing in
    every month gets rate(a -> a) = 1 (its balance is forecast to stay)."""
    moved: dict[tuple[int, int], int] = defaultdict(int)
    rows: dict[int, int] = defaultdict(int)
    for m in matrices:
        for (a, b), v in m.balances.items():
            moved[a, b] += v
            rows[a] += v
    rates: dict[tuple[int, int], Decimal] = {}
    for a in STATES:
        if rows[a] == 0:
            rates[a, a] = Decimal(1)
            continue
        for (x, b), v in sorted(moved.items()):
            if x == a and v:
                rates[a, b] = Decimal(v) / Decimal(rows[a])
    return rates


def forecast(start: Mapping[int, int], rates: Mapping[tuple[int, int], Decimal]) -> dict[int, int]:
    """Next month's balance of each state b = sum over a of start[a] x rate(a -> b), half up to the
    fen per state (M0 ... M7, charged off)."""
    out: dict[int, Decimal] = {b: Decimal(0) for b in STATES}
    for (a, b), r in rates.items():
        if b in out:
            out[b] += Decimal(start.get(a, 0)) * r
    return {b: int(v.quantize(Decimal(1), rounding=ROUND_HALF_UP)) for b, v in out.items()}


@dataclasses.dataclass(frozen=True)
class Check:
    """A forecast made at the close of `made_at` for the month (made_at, end], and what happened."""

    made_at: dt.date
    end: dt.date
    forecast: Mapping[int, int]
    actual: Mapping[int, int]

    def error(self, state: int) -> int:
        """forecast - actual, in fen (positive: the forecast was too high)."""
        return self.forecast[state] - self.actual[state]

    def error_rate(self, state: int) -> Decimal | None:
        """(forecast - actual) / actual, four decimals; None when nothing was owed."""
        return ratio(self.error(state), self.actual[state])

    @property
    def forecast_total(self) -> int:
        return sum(self.forecast.values())

    @property
    def actual_total(self) -> int:
        return sum(self.actual.values())

    @property
    def total_error(self) -> int:
        return self.forecast_total - self.actual_total

    @property
    def total_error_rate(self) -> Decimal | None:
        return ratio(self.total_error, self.actual_total)


def whole_month(span: tuple[dt.date, dt.date]) -> bool:
    """Whether (start, end] is one calendar month: start is a month's last day, end the next's."""
    a, b = span
    nxt = a + dt.timedelta(days=1)
    return nxt.day == 1 and (b + dt.timedelta(days=1)).day == 1 and b.replace(day=1) == nxt


def _boundaries(steps: Sequence[MonthStep], transitions: Iterable[Transition]) -> dict[dt.date, dict[int, int]]:
    """The balances by state at the start of every span of the steps and at the end of the period."""
    rows: dict[dt.date, list[tuple[int, int]]] = defaultdict(list)
    for s in steps:
        rows[s.start].append((s.start_state, s.start_owed_fen))
    found = {day: balances(r) for day, r in rows.items()}
    if steps:
        found[max(s.end for s in steps)] = balances((t.end_state, t.end_owed_fen) for t in transitions)
    return found


def backtest(steps: Sequence[MonthStep], transitions: Sequence[Transition], months: int = MONTHS) -> list[Check]:
    """For each whole calendar month of the period preceded by `months` whole months of it: the
    forecast made at the close of the month before (its balances x the average roll matrix of those
    `months` months) against the balances at the close of the month. Oldest first."""
    spans = monthly_roll_matrices(steps)
    keys = list(spans)
    found = _boundaries(steps, transitions)
    out: list[Check] = []
    for j in range(months, len(keys)):
        used = keys[j - months : j]
        if not all(whole_month(s) for s in [*used, keys[j]]):
            continue
        made_at, end = keys[j]
        if made_at not in found or end not in found:
            continue
        rates = average_rates([spans[s] for s in used])
        out.append(Check(made_at=made_at, end=end, forecast=forecast(found[made_at], rates), actual=found[end]))
    return out


@dataclasses.dataclass(frozen=True)
class NextMonth:
    """The forecast made at the close of `made_at` (the period's end) for a month later, from the
    months (start, end] whose average roll matrix it used."""

    made_at: dt.date
    start: Mapping[int, int]
    forecast: Mapping[int, int]
    months: tuple[tuple[dt.date, dt.date], ...]

    @property
    def start_total(self) -> int:
        return sum(self.start.values())

    @property
    def forecast_total(self) -> int:
        return sum(self.forecast.values())


def next_month(steps: Sequence[MonthStep], transitions: Sequence[Transition], months: int = MONTHS) -> NextMonth | None:
    """Next month's balances by state: the balances at the close of the period's end x the average
    roll matrix of the last `months` whole calendar months of the period. None when the period has
    fewer whole months."""
    spans = monthly_roll_matrices(steps)
    whole = [s for s in spans if whole_month(s)]
    if len(whole) < months or not steps:
        return None
    used = whole[-months:]
    end = max(s.end for s in steps)
    now = balances((t.end_state, t.end_owed_fen) for t in transitions)
    rates = average_rates([spans[s] for s in used])
    return NextMonth(made_at=end, start=now, forecast=forecast(now, rates), months=tuple(used))

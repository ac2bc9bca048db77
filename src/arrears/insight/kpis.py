"""The collection KPIs, defined once: pure functions over tidy inputs (integer fen, dates, plain
values; no Django, no clock). `insight.facts` loads the inputs set-based; docs/kpis.md lists the
formulas with the same words as the docstrings here.

Conventions kept by every KPI:

- the period is `(start, end]`: what happened after the close of `start` up to the close of `end`;
  a state "at" a date is the state at the close of that date;
- a rate is a fraction (not a percentage), rounded half up to four decimals; a rate whose
  denominator is zero is None (nothing to divide), never 0;
- every input row carries its `Keys` (team, collector, segment, product, arm, queue), so that any
  KPI can be computed per group with `group` (or `report`, which does it for all of them).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Protocol, TypeVar

from arrears.delinquency.rules import STATE_CHARGED_OFF, STATE_PAID, months_between

# -- states, keys and grouping -------------------------------------------------------------------

BUCKETS = tuple(range(8))  # M0 ... M7
CHARGED_OFF = STATE_CHARGED_OFF
PAID = STATE_PAID  # closed or paid: nothing owed
STATES = (*BUCKETS, CHARGED_OFF, PAID)
DELINQUENT = tuple(range(1, 8))  # M1 ... M7
CURED = (0, PAID)

DIMENSIONS = ("team", "collector", "segment", "product", "arm", "queue")
ALL = "all"  # the name of the one group when nothing groups
NONE = "(none)"  # the group of the rows without a value of the dimension
FOUR = Decimal("0.0001")
CENT = Decimal("0.01")

# Promise statuses (arrears.promises.models.PromiseStatus values).
KEPT = "kept"
PARTLY_KEPT = "partly_kept"
BROKEN = "broken"
CANCELLED = "cancelled"
JUDGED = (KEPT, PARTLY_KEPT, BROKEN)


def state_name(state: int) -> str:
    """M0 ... M7, `charged_off`, `paid`."""
    if state == CHARGED_OFF:
        return "charged_off"
    if state == PAID:
        return "paid"
    return f"M{state}"


@dataclasses.dataclass(frozen=True)
class Keys:
    """The dimensions a fact belongs to ("" when it has none: no case, no enrolment)."""

    team: str = ""
    collector: str = ""
    segment: str = ""
    product: str = ""
    arm: str = ""
    queue: str = ""


class Keyed(Protocol):
    @property
    def keys(self) -> Keys: ...


K = TypeVar("K", bound=Keyed)


def group(rows: Iterable[K], by: str | None) -> dict[str, tuple[K, ...]]:
    """The rows by the value of one dimension (`by` in DIMENSIONS), sorted by that value, the rows
    without one in the group `(none)`; with no dimension, one group named `all`. An unknown
    dimension is a ValueError naming it."""
    if by is None:
        return {ALL: tuple(rows)}
    if by not in DIMENSIONS:
        raise ValueError(f"unknown dimension {by!r}: one of {', '.join(DIMENSIONS)}")
    found: dict[str, list[K]] = defaultdict(list)
    for row in rows:
        found[getattr(row.keys, by) or NONE].append(row)
    return {k: tuple(found[k]) for k in sorted(found)}


def ratio(part: int, whole: int) -> Decimal | None:
    """part / whole as a fraction, half up to four decimals; None when whole is 0."""
    if whole == 0:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(FOUR, rounding=ROUND_HALF_UP)


# -- roll rates, flow rates, cure rate, liquidation ------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Transition:
    """One account over the period: its state at the close of start and of end, what it owed then
    (every entry posted up to that date except the charge-off entries: after a charge-off, what is
    still owed of it), and the payments posted to it in the period."""

    account_id: int
    keys: Keys
    start_state: int
    end_state: int
    start_owed_fen: int
    end_owed_fen: int
    collected_fen: int


class Move(Protocol):
    """What the roll-rate matrix needs of an account over a span: its states at both ends and what it
    owed at the start."""

    @property
    def start_state(self) -> int: ...
    @property
    def end_state(self) -> int: ...
    @property
    def start_owed_fen(self) -> int: ...


@dataclasses.dataclass(frozen=True)
class MonthStep:
    """One account over one month of the period: the span (start, end] ends on a month's last day
    or on the period's end, and starts where the previous one ended (or at the period's start)."""

    account_id: int
    keys: Keys
    start: dt.date
    end: dt.date
    start_state: int
    end_state: int
    start_owed_fen: int


def month_ends(start: dt.date, end: dt.date) -> list[dt.date]:
    """The ends of the spans of `monthly_roll_matrices` for the period (start, end]: every month's
    last day after start and before end, then end."""
    found: list[dt.date] = []
    day = start
    while True:
        first_of_next = (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
        last = first_of_next - dt.timedelta(days=1)
        if last >= end:
            return [*found, end]
        if last > start:
            found.append(last)
        day = first_of_next


def monthly_roll_matrices(steps: Iterable[MonthStep]) -> dict[tuple[dt.date, dt.date], RollMatrix]:
    """Roll-rate matrix month over month: for each span (start, end] of the period cut at month
    ends, the roll-rate matrix of that span (as `roll_matrix`), oldest first."""
    spans: dict[tuple[dt.date, dt.date], list[MonthStep]] = defaultdict(list)
    for step in steps:
        spans[step.start, step.end].append(step)
    return {span: roll_matrix(spans[span]) for span in sorted(spans)}


@dataclasses.dataclass(frozen=True)
class RollMatrix:
    """Cells keyed by (state at start, state at end): accounts, and their balance owed at start."""

    counts: Mapping[tuple[int, int], int]
    balances: Mapping[tuple[int, int], int]

    def cells(self, basis: str) -> Mapping[tuple[int, int], int]:
        if basis == "count":
            return self.counts
        if basis == "balance":
            return self.balances
        raise ValueError(f"unknown basis {basis!r}: count or balance")

    def row(self, start: int, basis: str = "count") -> int:
        return sum(v for (a, _), v in self.cells(basis).items() if a == start)


def roll_matrix(transitions: Iterable[Move]) -> RollMatrix:
    """Roll-rate matrix, state to state (M0 ... M7, charged off, paid).

    counts[a, b] = the number of accounts in state a at the close of start and in state b at the
    close of end; balances[a, b] = the sum of what those accounts owed at the close of start (an
    amount owed below zero, a credit, counts as 0). Every account counts once, so a row's cells add
    up to the number (or the balance) of accounts that started in that state."""
    counts: dict[tuple[int, int], int] = defaultdict(int)
    balances: dict[tuple[int, int], int] = defaultdict(int)
    for t in transitions:
        counts[t.start_state, t.end_state] += 1
        balances[t.start_state, t.end_state] += max(t.start_owed_fen, 0)
    return RollMatrix(counts=dict(counts), balances=dict(balances))


def roll_rates(matrix: RollMatrix, basis: str = "count") -> dict[tuple[int, int], Decimal | None]:
    """Roll rate a -> b = matrix[a, b] / (the sum of row a), by count or by balance."""
    cells = matrix.cells(basis)
    return {cell: ratio(v, matrix.row(cell[0], basis)) for cell, v in sorted(cells.items())}


def flow_rates(matrix: RollMatrix, basis: str = "count") -> dict[int, Decimal | None]:
    """Flow rate Mk -> Mk+1, for k = 0 ... 7 = (matrix[Mk, Mk+1] + matrix[Mk, charged off]) / (the
    sum of row Mk): of the accounts in Mk at the close of start, the share (or the share of their
    balance) that rolled forward: in the next bucket, or charged off (worse than any bucket, whichever
    bucket the product charges off from; M7's next state) at the close of end. None when no account
    started in Mk."""
    cells = matrix.cells(basis)
    return {
        k: ratio(cells.get((k, k + 1), 0) * (k < 7) + cells.get((k, CHARGED_OFF), 0), matrix.row(k, basis))
        for k in BUCKETS
    }


def cure_rate(matrix: RollMatrix, basis: str = "count") -> Decimal | None:
    """Cure rate = (accounts in M1 ... M7 at the close of start that are current, M0, or paid at
    the close of end) / (accounts in M1 ... M7 at the close of start). Charged-off accounts are not
    delinquent here: they are in the charged-off state. None when none was delinquent."""
    cells = matrix.cells(basis)
    cured = sum(v for (a, b), v in cells.items() if a in DELINQUENT and b in CURED)
    return ratio(cured, sum(matrix.row(a, basis) for a in DELINQUENT))


@dataclasses.dataclass(frozen=True)
class Liquidation:
    accounts: int
    start_owed_fen: int
    collected_fen: int

    @property
    def rate(self) -> Decimal | None:
        return ratio(self.collected_fen, self.start_owed_fen)


def liquidation_rates(transitions: Iterable[Transition]) -> dict[int, Liquidation]:
    """Liquidation rate per bucket (M0 ... M7, charged off) = (payments posted in the period to the
    accounts in that state at the close of start, each account's counted up to what it owed then) /
    (what those accounts owed at the close of start). Only accounts that owed something (> 0) at the
    close of start count, in both terms. None when they owed nothing. At most 1: what pays for new
    spending in the period (a current account's next purchases) is not collection of the opening
    balance."""
    found: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])
    for t in transitions:
        if t.start_owed_fen <= 0 or t.start_state == PAID:
            continue
        f = found[t.start_state]
        f[0] += 1
        f[1] += t.start_owed_fen
        f[2] += min(t.collected_fen, t.start_owed_fen)
    return {s: Liquidation(*found[s]) for s in sorted(found)}


# -- contacts and promises -------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class ContactFact:
    """One contact attempt recorded in the period (a corrected record counts once, as its
    correction): whether a person was reached (any party), whether it was the right party, and the
    agency that made it ("" for the bank's own staff)."""

    keys: Keys
    reached: bool
    right_party: bool
    agency: str = ""
    on: dt.date | None = None  # the day it was made, by the bank's calendar (for monthly trends)


@dataclasses.dataclass(frozen=True)
class ContactRates:
    attempts: int
    reached: int
    right_party: int

    @property
    def contact_rate(self) -> Decimal | None:
        """Contact rate = attempts that reached a person (anyone) / attempts."""
        return ratio(self.reached, self.attempts)

    @property
    def rpc_rate(self) -> Decimal | None:
        """Right-party-contact rate = attempts that reached the cardholder / attempts."""
        return ratio(self.right_party, self.attempts)


def contact_rates(contacts: Iterable[ContactFact]) -> ContactRates:
    """Contact rate = reached / attempts and right-party-contact rate = right-party contacts /
    attempts, per attempt (every recorded contact is an attempt, whatever its channel and result)."""
    attempts = reached = rpc = 0
    for c in contacts:
        attempts += 1
        reached += c.reached
        rpc += c.right_party
    return ContactRates(attempts=attempts, reached=reached, right_party=rpc)


@dataclasses.dataclass(frozen=True)
class PromiseFact:
    keys: Keys
    taken_on: dt.date
    promised_date: dt.date
    amount_fen: int
    paid_fen: int
    status: str


@dataclasses.dataclass(frozen=True)
class PromiseRates:
    right_party: int
    taken: int
    promised_fen: int
    judged: int
    kept: int
    judged_fen: int
    kept_fen: int

    @property
    def promise_rate(self) -> Decimal | None:
        """Promise rate = promises taken / right-party contacts."""
        return ratio(self.taken, self.right_party)

    @property
    def kept_rate(self) -> Decimal | None:
        """Kept rate by count = promises kept in full / promises judged."""
        return ratio(self.kept, self.judged)

    @property
    def kept_rate_amount(self) -> Decimal | None:
        """Kept rate by amount = paid towards judged promises (each capped at its amount) / promised."""
        return ratio(self.kept_fen, self.judged_fen)


def promise_rates(
    promises: Iterable[PromiseFact], contacts: Iterable[ContactFact], *, start: dt.date, end: dt.date
) -> PromiseRates:
    """Promise rate = (promises taken in the period, not cancelled) / (right-party contacts in the
    period); promised_fen is their amount. Not bounded by 1 (a promise can be taken without a
    recorded contact).

    Kept rate, of the promises whose promised date falls in the period and that have been judged
    (kept, partly kept or broken: open ones still in their grace days and cancelled ones are left
    out, as on the lead's page): by count = kept in full / judged; by amount = sum over the judged of
    min(paid, promised) / sum of their promised amounts. None when there is nothing to divide."""
    taken = promised = judged = kept = judged_fen = kept_fen = 0
    for p in promises:
        if start < p.taken_on <= end and p.status != CANCELLED:
            taken += 1
            promised += p.amount_fen
        if start < p.promised_date <= end and p.status in JUDGED:
            judged += 1
            kept += p.status == KEPT
            judged_fen += p.amount_fen
            kept_fen += min(max(p.paid_fen, 0), p.amount_fen)
    rpc = sum(c.right_party for c in contacts)
    return PromiseRates(
        right_party=rpc,
        taken=taken,
        promised_fen=promised,
        judged=judged,
        kept=kept,
        judged_fen=judged_fen,
        kept_fen=kept_fen,
    )


# -- after charge-off: recovery by vintage ---------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class ChargeOffFact:
    """An account charged off: when, how much, and its recoveries net of reversals by posting date
    (positive: money recovered)."""

    account_id: int
    keys: Keys
    charged_off_on: dt.date
    charged_off_fen: int
    recoveries: tuple[tuple[dt.date, int], ...] = ()


@dataclasses.dataclass(frozen=True)
class Vintage:
    month: dt.date  # the first day of the month of charge-off
    accounts: int
    charged_off_fen: int
    cumulative_fen: tuple[int, ...]  # recovered by the end of month 0, 1, ... since the charge-off

    @property
    def recovered_fen(self) -> int:
        return self.cumulative_fen[-1] if self.cumulative_fen else 0

    @property
    def rates(self) -> tuple[Decimal | None, ...]:
        return tuple(ratio(r, self.charged_off_fen) for r in self.cumulative_fen)


def recovery_by_vintage(facts: Iterable[ChargeOffFact], *, as_of: dt.date) -> list[Vintage]:
    """Recovery rate after charge-off by vintage (the month of charge-off), by months since.

    For a vintage V and n = 0, 1, ... up to the month of as_of: rate(V, n) = (recoveries posted up
    to as_of, net of reversals, by the end of the n-th calendar month after V, month 0 being V
    itself) / (the amount charged off of the accounts charged off in V). Accounts charged off after
    as_of are left out; a recovery posted before the month of charge-off counts in month 0. The same
    definition as `delinquency.chargeoff.recovery_vintages`; None where nothing was charged off."""
    months: dict[dt.date, list[Any]] = {}
    for f in facts:
        if f.charged_off_on > as_of:
            continue
        month = f.charged_off_on.replace(day=1)
        m = months.setdefault(month, [0, 0, defaultdict(int)])
        m[0] += 1
        m[1] += f.charged_off_fen
        for posted, amount in f.recoveries:
            if posted <= as_of:
                m[2][max(months_between(f.charged_off_on, posted), 0)] += amount
    result = []
    for month in sorted(months):
        n, charged, by_month = months[month]
        total, cumulative = 0, []
        for k in range(months_between(month, as_of) + 1):
            total += by_month.get(k, 0)
            cumulative.append(total)
        result.append(Vintage(month=month, accounts=n, charged_off_fen=charged, cumulative_fen=tuple(cumulative)))
    return result


# -- agencies and complaints -----------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class PlacementFact:
    """A placement live during the period: the balance placed, the collections the bank confirmed
    on it in the period, and the commission on them (its tier's rate, half up to the fen)."""

    placement_id: int
    agency: str
    keys: Keys
    placed_fen: int
    collected_fen: int
    commission_fen: int


@dataclasses.dataclass(frozen=True)
class ComplaintFact:
    """One complaint received in the period, and the agency it concerns ("" for none)."""

    keys: Keys
    agency: str = ""


def complaints_per_thousand(complaints: int, contacts: int) -> Decimal | None:
    """Complaints per 1,000 contacts = 1000 x complaints / contact attempts, half up to two
    decimals; None when there was no contact."""
    if contacts == 0:
        return None
    return (Decimal(1000 * complaints) / Decimal(contacts)).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclasses.dataclass(frozen=True)
class AgencyPerformance:
    agency: str
    placements: int
    placed_fen: int
    collected_fen: int
    commission_fen: int
    contacts: int
    complaints: int

    @property
    def liquidation_rate(self) -> Decimal | None:
        """collected / placed."""
        return ratio(self.collected_fen, self.placed_fen)

    @property
    def complaints_per_1000(self) -> Decimal | None:
        return complaints_per_thousand(self.complaints, self.contacts)


def agency_performance(
    placements: Iterable[PlacementFact], contacts: Iterable[ContactFact], complaints: Iterable[ComplaintFact]
) -> dict[str, AgencyPerformance]:
    """Per agency: placements live in the period and the balance placed (at placement); collected =
    the collections the bank confirmed in the period on them; liquidation rate = collected / placed;
    commission = the sum over placements of collected x the tier rate, half up to the fen per
    placement; contacts = the attempts the agency made in the period; complaints per 1,000 contacts
    = 1000 x the complaints concerning the agency / its contacts. None where nothing divides."""
    found: dict[str, list[int]] = defaultdict(lambda: [0] * 6)
    for p in placements:
        f = found[p.agency]
        f[0] += 1
        f[1] += p.placed_fen
        f[2] += p.collected_fen
        f[3] += p.commission_fen
    for c in contacts:
        if c.agency:
            found[c.agency][4] += 1
    for x in complaints:
        if x.agency:
            found[x.agency][5] += 1
    return {a: AgencyPerformance(a, *found[a]) for a in sorted(found)}


# -- days to cure ----------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class CureFact:
    """An account that came back to M0 in the period: the day it last went from M0 into arrears
    (M1 or worse) and the day it came back."""

    account_id: int
    keys: Keys
    delinquent_on: dt.date
    cured_on: dt.date


def average_days_to_cure(cures: Sequence[CureFact]) -> Decimal | None:
    """Average days to cure = sum over the cures in the period of (cured_on - delinquent_on, in
    days) / the number of cures, half up to two decimals. None when nothing cured."""
    if not cures:
        return None
    days = sum((c.cured_on - c.delinquent_on).days for c in cures)
    return (Decimal(days) / Decimal(len(cures))).quantize(CENT, rounding=ROUND_HALF_UP)


# -- everything, by a dimension --------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Facts:
    """Every input the KPIs take for one period (start, end]."""

    start: dt.date
    end: dt.date
    transitions: tuple[Transition, ...] = ()
    contacts: tuple[ContactFact, ...] = ()
    promises: tuple[PromiseFact, ...] = ()
    charge_offs: tuple[ChargeOffFact, ...] = ()
    placements: tuple[PlacementFact, ...] = ()
    complaints: tuple[ComplaintFact, ...] = ()
    cures: tuple[CureFact, ...] = ()
    months: tuple[MonthStep, ...] = ()


def _rate(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _matrix(matrix: RollMatrix, basis: str) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for (a, b), v in sorted(matrix.cells(basis).items()):
        out.setdefault(state_name(a), {})[state_name(b)] = v
    return out


def figures(facts: Facts) -> dict[str, Any]:
    """Every KPI of one group of facts, as plain values (rates as decimal strings or None)."""
    matrix = roll_matrix(facts.transitions)
    contacts = contact_rates(facts.contacts)
    promised = promise_rates(facts.promises, facts.contacts, start=facts.start, end=facts.end)
    return {
        "accounts": len(facts.transitions),
        "roll_matrix": {"count": _matrix(matrix, "count"), "balance_fen": _matrix(matrix, "balance")},
        "roll_matrix_by_month": {
            f"{a}/{b}": {"count": _matrix(m, "count"), "balance_fen": _matrix(m, "balance")}
            for (a, b), m in monthly_roll_matrices(facts.months).items()
        },
        "flow_rates": {
            basis: {f"M{k}": _rate(r) for k, r in flow_rates(matrix, basis).items()} for basis in ("count", "balance")
        },
        "cure_rate": {basis: _rate(cure_rate(matrix, basis)) for basis in ("count", "balance")},
        "liquidation": {
            state_name(s): {
                "accounts": q.accounts,
                "owed_at_start_fen": q.start_owed_fen,
                "collected_fen": q.collected_fen,
                "rate": _rate(q.rate),
            }
            for s, q in liquidation_rates(facts.transitions).items()
        },
        "contacts": {
            "attempts": contacts.attempts,
            "reached": contacts.reached,
            "right_party": contacts.right_party,
            "contact_rate": _rate(contacts.contact_rate),
            "rpc_rate": _rate(contacts.rpc_rate),
        },
        "promises": {
            "taken": promised.taken,
            "promised_fen": promised.promised_fen,
            "promise_rate": _rate(promised.promise_rate),
            "judged": promised.judged,
            "kept": promised.kept,
            "kept_rate": _rate(promised.kept_rate),
            "judged_fen": promised.judged_fen,
            "kept_fen": promised.kept_fen,
            "kept_rate_amount": _rate(promised.kept_rate_amount),
        },
        "recovery_by_vintage": {
            f"{v.month:%Y-%m}": {
                "accounts": v.accounts,
                "charged_off_fen": v.charged_off_fen,
                "recovered_fen": list(v.cumulative_fen),
                "rate": [_rate(r) for r in v.rates],
            }
            for v in recovery_by_vintage(facts.charge_offs, as_of=facts.end)
        },
        "agencies": {
            a: {
                "placements": p.placements,
                "placed_fen": p.placed_fen,
                "collected_fen": p.collected_fen,
                "liquidation_rate": _rate(p.liquidation_rate),
                "commission_fen": p.commission_fen,
                "contacts": p.contacts,
                "complaints": p.complaints,
                "complaints_per_1000": _rate(p.complaints_per_1000),
            }
            for a, p in agency_performance(facts.placements, facts.contacts, facts.complaints).items()
        },
        "average_days_to_cure": _rate(average_days_to_cure(facts.cures)),
        "cures": len(facts.cures),
        "complaints": len(facts.complaints),
        "complaints_per_1000_contacts": _rate(complaints_per_thousand(len(facts.complaints), contacts.attempts)),
    }


def split(facts: Facts, by: str | None) -> dict[str, Facts]:
    """The facts of each group of one dimension (every kind of fact grouped by `group`)."""
    parts: dict[str, dict[str, tuple[Any, ...]]] = {}
    for field in ("transitions", "contacts", "promises", "charge_offs", "placements", "complaints", "cures", "months"):
        parts[field] = group(getattr(facts, field), by)
    names = sorted({name for grouped in parts.values() for name in grouped})
    return {
        name: Facts(facts.start, facts.end, **{field: parts[field].get(name, ()) for field in parts}) for name in names
    }


def report(facts: Facts, by: str | None = None) -> dict[str, dict[str, Any]]:
    """Every KPI for each group of `by` (one dimension, or none: the group `all`)."""
    return {name: figures(part) for name, part in split(facts, by).items()}

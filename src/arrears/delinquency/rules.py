"""Days past due, buckets and the five-tier loan classification (CN-CLASS)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from decimal import ROUND_HALF_EVEN, Decimal

# An account's state for the roll-rate matrix (the lead's figures and insight.kpis): its bucket 0-7,
# or one of these two.
STATE_CHARGED_OFF = 8  # charged off on or before the date, still owing
STATE_PAID = 9  # closed or paid: nothing owed at the date

CLASSIFICATION = {0: "正常", 1: "关注", 2: "关注", 3: "关注", 4: "次级", 5: "可疑", 6: "可疑"}


def days_past_due(business_date: dt.date, oldest_unpaid_due_date: dt.date | None) -> int:
    """Business date minus the oldest due date whose minimum is unpaid; the day after is DPD 1."""
    if oldest_unpaid_due_date is None or oldest_unpaid_due_date >= business_date:
        return 0
    return (business_date - oldest_unpaid_due_date).days


def classification(bucket: int, *, charged_off: bool = False) -> str:
    if charged_off:
        return "损失"
    return CLASSIFICATION.get(bucket, "损失")


# -- after charge-off ----------------------------------------------------------------------------

# The order in which recoveries after charge-off cover the components charged off: fees, then
# interest, then the plan, then principal (the waterfall of a past-due account: the costs of the
# delinquency first, the money lent last). A settlement's write-off takes what is left, in the same order.
RECOVERY_ORDER = ("fees", "interest", "plan", "principal")


@dataclasses.dataclass(frozen=True, slots=True)
class ComponentPosition:
    """One component of a charged-off debt: what was charged off, what recoveries covered of it, what
    a settlement wrote off, and what is still owed."""

    charged_off_fen: int
    recovered_fen: int
    written_off_fen: int

    @property
    def still_owed_fen(self) -> int:
        return self.charged_off_fen - self.recovered_fen - self.written_off_fen


def split_recoveries(
    charged_off: Mapping[str, int], *, recovered_fen: int, written_off_fen: int = 0
) -> tuple[dict[str, ComponentPosition], int]:
    """Allocate what was recovered, then what a settlement wrote off, over the components charged off
    in RECOVERY_ORDER, never more than a component's charge-off (a component charged off at a credit,
    below zero, takes nothing). Returns the positions by component and what was recovered beyond the
    whole charge-off (0 normally: an overpayment to refund)."""
    left = {c: max(charged_off.get(c, 0), 0) for c in RECOVERY_ORDER}
    recovered = dict.fromkeys(RECOVERY_ORDER, 0)
    written = dict.fromkeys(RECOVERY_ORDER, 0)
    rest = max(recovered_fen, 0)
    for c in RECOVERY_ORDER:
        take = min(rest, left[c])
        recovered[c], left[c], rest = take, left[c] - take, rest - take
    excess = rest
    rest = max(written_off_fen, 0)
    for c in RECOVERY_ORDER:
        take = min(rest, left[c])
        written[c], left[c], rest = take, left[c] - take, rest - take
    positions = {
        c: ComponentPosition(
            charged_off_fen=charged_off.get(c, 0), recovered_fen=recovered[c], written_off_fen=written[c]
        )
        for c in RECOVERY_ORDER
    }
    return positions, excess


def months_between(start: dt.date, end: dt.date) -> int:
    """Whole calendar months from start's month to end's month (0 within the same month)."""
    return (end.year - start.year) * 12 + end.month - start.month


def rate(part_fen: int, whole_fen: int) -> Decimal:
    """part / whole to 4 decimals (0 when nothing is whole): a recovery rate."""
    if whole_fen <= 0:
        return Decimal(0)
    return (Decimal(part_fen) / Decimal(whole_fen)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_EVEN)

"""The complaint policy as data, and the complaint rate. Pure: no Django.

- A complaint must be answered within a number of calendar days from its receipt that depends on its
  severity (`Policy.due_days`: 15 by default, 5 for a critical one).
- Critical means referred by the regulator (监管转办) or threatening legal action: a complaint the
  regulator referred is critical whatever severity was given (`severity_of`).
- The complaint rate is complaints per 1,000 contacts in the same period (`per_thousand`), rounded
  half-up to two decimals; with no contacts there is no rate.

A worked example: an agency with 3 complaints over 1,250 contacts in a month has
3 × 1,000 / 1,250 = 2.40 complaints per 1,000 contacts; 1 over 3 contacts gives 333.33.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal
from types import MappingProxyType

SEVERITIES = ("low", "medium", "high", "critical")
CRITICAL = "critical"
REGULATOR = "regulator"
# Complaints about how (and how often) the bank reaches the customer: a hold on channels may go with them.
ABOUT_CONTACT = ("collection_conduct", "contact_frequency", "third_party_disclosure", "agency_conduct")


@dataclasses.dataclass(frozen=True)
class Policy:
    due_days: Mapping[str, int] = dataclasses.field(
        default_factory=lambda: MappingProxyType({"low": 15, "medium": 15, "high": 10, "critical": 5})
    )

    def due_on(self, *, received_on: dt.date, severity: str) -> dt.date:
        return received_on + dt.timedelta(days=self.due_days[severity])


def severity_of(*, severity: str, channel: str) -> str:
    """The severity recorded: what was given, raised to critical when the regulator referred it."""
    return CRITICAL if channel == REGULATOR else severity


def per_thousand(complaints: int, contacts: int) -> Decimal | None:
    """Complaints per 1,000 contacts, half-up to two decimals; None when there were no contacts."""
    if contacts <= 0:
        return None
    return (Decimal(complaints) * 1000 / Decimal(contacts)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def is_overdue(*, due_on: dt.date, closed_on: dt.date | None, today: dt.date) -> bool:
    """Past its due date and not closed, or closed after it."""
    return (closed_on or today) > due_on

"""Reads: the satisfaction figures and a customer's inquiries."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet

from arrears.cases.queries import visible_accounts
from arrears.errors import NotFound
from arrears.inquiries.models import Inquiry, Survey
from arrears.inquiries.surveys import SCORES


@dataclasses.dataclass(frozen=True)
class Csat:
    asked: int
    answered: int
    counts: dict[int, int]  # score -> answers, every score from 1 to 5
    average: Decimal | None  # mean score, two decimals; None with no answer
    satisfied_pct: Decimal | None  # answers of 4 or 5, percent with one decimal

    @property
    def bars(self) -> list[tuple[int, int, int]]:
        """(score, answers, width in percent of the most frequent score) for a bar chart."""
        top = max(self.counts.values()) or 1
        return [(s, n, round(100 * n / top)) for s, n in self.counts.items()]


def csat(
    *, start: dt.date, end: dt.date, teams: Iterable[int] | QuerySet[Any] | None = None, subject_type: str | None = None
) -> Csat:
    """Surveys asked from `start` up to `end` (half-open), of the given teams' customers (all when None):
    how many asked and answered, the answers by score, the mean and the share satisfied (4-5). One query."""
    surveys: QuerySet[Survey] = Survey.objects.filter(asked_on__gte=start, asked_on__lt=end)
    if teams is not None:
        surveys = surveys.filter(team_id__in=teams if isinstance(teams, QuerySet) else list(teams))
    if subject_type:
        surveys = surveys.filter(subject_type=subject_type)
    row = surveys.aggregate(
        asked=Count("id"),
        answered=Count("id", filter=Q(score__isnull=False)),
        **{f"s{s}": Count("id", filter=Q(score=s)) for s in SCORES},
    )
    counts = {s: int(row[f"s{s}"]) for s in SCORES}
    answered = int(row["answered"])
    if not answered:
        return Csat(int(row["asked"]), 0, counts, None, None)
    total = sum(s * n for s, n in counts.items())
    average = (Decimal(total) / answered).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    satisfied = (Decimal(100 * (counts[4] + counts[5])) / answered).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return Csat(int(row["asked"]), answered, counts, average, satisfied)


def inquiries_of(customer_id: int, *, limit: int = 20) -> list[Inquiry]:
    return list(Inquiry.objects.filter(customer_id=customer_id).order_by("-created_at", "-id")[:limit])


def inquiry_for(user: Any, inquiry_id: int) -> Inquiry:
    """The inquiry, if this person may see its customer; otherwise NotFound (unknown and forbidden alike)."""
    inquiry = Inquiry.objects.filter(pk=inquiry_id).select_related("customer", "account", "case").first()
    if inquiry is None or not visible_accounts(user).filter(customer_id=inquiry.customer_id).exists():
        raise NotFound(f"no inquiry {inquiry_id} that you can see", field="inquiry")
    return inquiry

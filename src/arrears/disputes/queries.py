"""Reads of disputes: those a person may see, the lead's figures, the open ones of an account."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from django.db.models import Count, Q, QuerySet

from arrears.cases.queries import visible_accounts
from arrears.disputes.models import OPEN_STATUSES, Dispute
from arrears.errors import NotFound

DUE_SOON_DAYS = 3


def visible_disputes(user: Any) -> QuerySet[Dispute]:
    """The disputes of the accounts this person may see."""
    return Dispute.objects.filter(account__in=visible_accounts(user))


def dispute_for(user: Any, dispute_id: int) -> Dispute:
    """The dispute, if this person may see its account; otherwise NotFound (another team's looks unknown)."""
    found = (
        visible_disputes(user)
        .filter(pk=dispute_id)
        .select_related("account", "customer", "entry", "statement", "proposed_by", "decided_by")
        .first()
    )
    if found is None:
        raise NotFound(f"no dispute {dispute_id} that you can see", field="dispute")
    return found


def open_of_customer(customer_id: int) -> list[Dispute]:
    return list(
        Dispute.objects.filter(customer_id=customer_id, status__in=OPEN_STATUSES)
        .select_related("account")
        .order_by("due_on", "id")
    )


@dataclasses.dataclass(frozen=True)
class SlaFigures:
    open: int
    breached: int
    due_soon: int
    upheld: int
    rejected: int


def sla_figures(disputes: QuerySet[Dispute], *, business_date: dt.date) -> SlaFigures:
    """Open disputes, those past their answer date and those due within three days: one query."""
    soon = business_date + dt.timedelta(days=DUE_SOON_DAYS)
    open_q = Q(status__in=OPEN_STATUSES)
    row = disputes.aggregate(
        open=Count("id", filter=open_q),
        breached=Count("id", filter=open_q & (Q(sla_breached=True) | Q(due_on__lt=business_date))),
        due_soon=Count("id", filter=open_q & Q(due_on__gte=business_date, due_on__lte=soon)),
        upheld=Count("id", filter=Q(status="upheld")),
        rejected=Count("id", filter=Q(status="rejected")),
    )
    return SlaFigures(**{k: int(v or 0) for k, v in row.items()})

"""The disputes' step of the daily cycle."""

from __future__ import annotations

import datetime as dt

from arrears.disputes.models import OPEN_STATUSES, Dispute


def dispute_deadlines(d: dt.date) -> int:
    """Mark the disputes still open after their answer date: one UPDATE."""
    return Dispute.objects.filter(status__in=OPEN_STATUSES, due_on__lt=d, sla_breached=False).update(sla_breached=True)

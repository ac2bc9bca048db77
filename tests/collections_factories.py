"""Staff, teams, queues and delinquent customers for the collections tests (built by tests.builders)."""

from __future__ import annotations

import datetime as dt

from arrears.cases.models import Case
from tests.builders import PASSWORD, delinquent_through, staff, team_with_queue

__all__ = ["PASSWORD", "delinquent_customers", "staff", "team_with_queue"]


def delinquent_customers(count: int, *, through: dt.date = dt.date(2026, 5, 3)) -> list[Case]:
    """Customers who bought on 03-10 (1000.00, 1100.00, ...) and never paid: statement 04-05, due
    04-23, past due from 04-24. The cycle runs only on the dates that matter up to `through`."""
    debtors = delinquent_through(count=count, through=through)
    return list(Case.objects.filter(customer__accounts__in=[d.account for d in debtors]).distinct().order_by("id"))

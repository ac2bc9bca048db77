"""Staff, teams, queues and delinquent customers for the collections tests."""

from __future__ import annotations

import datetime as dt
import itertools

from django.contrib.auth.models import User

from arrears.cases.models import Case, Queue
from arrears.people.models import Role, Team
from arrears.people.operations import create_staff
from tests.factories import make_account, make_product, purchase, run_days

_n = itertools.count(1)
PASSWORD = "a-long-test-password-1"


def staff(role: str = Role.COLLECTOR, *, team: Team | None = None, languages: str = "zh-hans") -> User:
    return create_staff(
        actor="test",
        username=f"{role}{next(_n)}",
        password=PASSWORD,
        role=role,
        teams=[team] if team else [],
        languages=languages,
    )


def team_with_queue(
    name: str | None = None, *, min_bucket: int = 1, max_bucket: int = 7, lead: User | None = None, rank: int = 100
) -> Team:
    team = Team.objects.create(name=name or f"team{next(_n)}", lead=lead)
    if lead:
        team.members.add(lead)
    Queue.objects.create(name=f"queue-{team.name}", team=team, min_bucket=min_bucket, max_bucket=max_bucket, rank=rank)
    return team


def delinquent_customers(count: int, *, through: dt.date = dt.date(2026, 5, 3)) -> list[Case]:
    """Customers who bought on 03-10 and never paid: statement 04-05, due 04-23, past due from 04-24."""
    product = make_product()
    accounts = [make_account(product=product, name=f"客户{next(_n)}") for _ in range(count)]
    for i, account in enumerate(accounts):
        purchase(account, dt.date(2026, 3, 10), f"{1000 + 100 * i}.00")
    run_days(dt.date(2026, 3, 1), through)
    return list(Case.objects.filter(customer__accounts__in=accounts).distinct().order_by("id"))

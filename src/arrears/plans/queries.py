"""Reads of repayment plans."""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterable

from arrears.kernel.sql import in_chunks
from arrears.plans import life
from arrears.plans.models import Instalment, Plan, PlanStatus


@dataclasses.dataclass(frozen=True)
class ActivePlan:
    plan_id: int
    moved_fen: int
    charged_fen: int
    schedule: tuple[life.Due, ...]


def active_plans(account_ids: Iterable[int]) -> dict[int, ActivePlan]:
    """The active plan of each of these accounts that has one, with its schedule (two queries)."""
    plans = [
        plan
        for chunk in in_chunks(account_ids)
        for plan in Plan.objects.filter(account_id__in=chunk, status=PlanStatus.ACTIVE).only(
            "id", "account_id", "moved_fen", "charged_fen"
        )
    ]
    if not plans:
        return {}
    rows: dict[int, list[life.Due]] = defaultdict(list)
    for i in Instalment.objects.filter(plan_id__in=[p.id for p in plans]).order_by("plan_id", "n"):
        rows[i.plan_id].append(life.Due(i.n, i.due_date, i.amount_fen, i.interest_fen, i.fee_fen, i.charged, i.status))
    return {p.account_id: ActivePlan(p.id, p.moved_fen, p.charged_fen, tuple(rows[p.id])) for p in plans}

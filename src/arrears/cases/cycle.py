"""The cases' steps of the daily cycle, each over the customers lo <= id < hi: open, update, close
cases and route them to queues; then, once for all, give the unassigned cases to collectors.
Set-based: a fixed number of statements per partition (route_cases: per chunk of cases)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.contrib.auth.models import User
from django.db.models import (
    BigIntegerField,
    Count,
    Exists,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Cast, Coalesce, Least

from arrears.cases.models import Case, CaseStatus, CaseStatusChange, Queue
from arrears.cases.queries import in_serving_order
from arrears.cases.rules import QueueRule, assign_collectors, match_queue
from arrears.ledger.models import ACTIVE, Account, AccountStatus
from arrears.people.models import Role
from arrears.statements.models import Statement

CHUNK = 5000


def history(cases: list[tuple[int, str, str]], d: dt.date, reason: str) -> None:
    """Record case status changes (case, from, to) in bulk."""
    CaseStatusChange.objects.bulk_create(
        [CaseStatusChange(case_id=c, change_date=d, from_status=f, to_status=t, reason=reason) for c, f, t in cases],
        batch_size=2000,
    )


def _cases(lo: int, hi: int) -> QuerySet[Case]:
    return Case.objects.filter(customer_id__gte=lo, customer_id__lt=hi)


def open_cases(d: dt.date, lo: int, hi: int) -> int:
    """One case per customer as soon as any of the customer's accounts is past due."""
    open_case = Case.objects.filter(customer_id=OuterRef("customer_id")).exclude(status=CaseStatus.CLOSED)
    customers = list(
        Account.objects.filter(status__in=ACTIVE, dpd__gte=1, customer_id__gte=lo, customer_id__lt=hi)
        .exclude(Exists(open_case))
        .values_list("customer_id", flat=True)
        .distinct()
    )
    created = Case.objects.bulk_create([Case(customer_id=c, opened_on=d) for c in customers], batch_size=2000)
    if created and created[0].pk is None:  # backends that do not return ids
        created = list(Case.objects.filter(customer_id__in=customers, opened_on=d).exclude(status=CaseStatus.CLOSED))
    history([(c.pk, "", CaseStatus.OPEN) for c in created], d, "account past due")
    return len(created)


def update_cases(d: dt.date, lo: int, hi: int) -> int:
    """Accounts, past due, worst bucket, DPD, balance and priority of every case not closed."""
    accounts = Account.objects.filter(customer_id=OuterRef("customer_id")).values("customer_id")

    def agg(expr: Any) -> Any:
        return Coalesce(Subquery(accounts.annotate(v=expr).values("v")), Value(0))

    past_due = (
        Statement.objects.annotate(due=Coalesce("extended_due_date", "due_date"))
        .filter(account__customer_id=OuterRef("customer_id"), due__lt=d, minimum_unpaid_fen__gt=0)
        .values("account__customer_id")
        .annotate(v=Sum("minimum_unpaid_fen"))
        .values("v")
    )
    live = _cases(lo, hi).exclude(status=CaseStatus.CLOSED)
    n = live.update(
        dpd=agg(Max("dpd")),
        worst_bucket=agg(Max("bucket")),
        balance_fen=agg(
            Sum(
                F("principal_fen")
                + F("interest_fen")
                + F("fees_fen")
                + F("plan_fen")
                + F("costs_fen")
                + F("charged_off_fen")
                - F("recovered_fen")
            )
        ),
        past_due_fen=Coalesce(Subquery(past_due), Value(0)),
    )
    # Urgency: the bucket first, then the balance (in hundreds of yuan, capped), then DPD.
    live.update(
        # in bigint: worst_bucket is a smallint column and M3 x 10**9 overflows a PostgreSQL integer
        priority=Cast("worst_bucket", BigIntegerField()) * Value(10**9)
        + Least(F("balance_fen") / Value(10_000), Value(10**6 - 1), output_field=IntegerField()) * Value(1000)
        + Least(F("dpd"), Value(999), output_field=IntegerField())
    )
    return n


def close_cases(d: dt.date, lo: int, hi: int) -> int:
    """Close the case of every customer who has cured (no account past due, none charged off)."""
    troubled = Account.objects.filter(customer_id=OuterRef("customer_id")).filter(
        Q(dpd__gt=0, status__in=ACTIVE) | Q(status=AccountStatus.CHARGED_OFF)
    )
    # A case in plan stays open while its plan runs (the plan step puts it back when the plan ends).
    cured = list(
        _cases(lo, hi)
        .exclude(status__in=[CaseStatus.CLOSED, CaseStatus.IN_PLAN])
        .exclude(Exists(troubled))
        .values_list("id", "status")
    )
    ids = [c for c, _ in cured]
    Case.objects.filter(id__in=ids).update(
        status=CaseStatus.CLOSED, closed_on=d, collector=None, lease_holder=None, lease_until=None, queue=None
    )
    history([(c, s, CaseStatus.CLOSED) for c, s in cured], d, "cured")
    return len(ids)


def mark_charged_off(d: dt.date, lo: int, hi: int) -> int:
    written_off = Account.objects.filter(customer_id=OuterRef("customer_id"), status=AccountStatus.CHARGED_OFF)
    rows = list(
        _cases(lo, hi)
        .filter(status__in=[CaseStatus.OPEN, CaseStatus.PROMISED])
        .filter(Exists(written_off))
        .values_list("id", "status")
    )
    Case.objects.filter(id__in=[c for c, _ in rows]).update(status=CaseStatus.CHARGED_OFF)
    history([(c, s, CaseStatus.CHARGED_OFF) for c, s in rows], d, "account charged off")
    return len(rows)


def route_cases(d: dt.date, lo: int, hi: int) -> int:
    """Each live case to the first queue whose rule it matches (a new team leaves its collector);
    charged-off cases to a recovery queue (`rules.match_queue`)."""
    queues = [QueueRule.of(q) for q in Queue.objects.filter(active=True).order_by("rank", "id")]
    worst_product = Subquery(
        Account.objects.filter(customer_id=OuterRef("customer_id")).order_by("-bucket", "id").values("product_id")[:1]
    )
    moved = 0
    last = 0
    while True:
        chunk = list(
            _cases(lo, hi)
            .exclude(status=CaseStatus.CLOSED)
            .filter(id__gt=last)
            .order_by("id")
            .annotate(product_id=worst_product, language=F("customer__language"), region=F("customer__region"))
            .only("id", "status", "queue_id", "team_id", "collector_id", "worst_bucket", "balance_fen")[:CHUNK]
        )
        if not chunk:
            break
        last = chunk[-1].id
        changed = []
        for case in chunk:
            rule = match_queue(
                queues,
                bucket=case.worst_bucket,
                balance_fen=case.balance_fen,
                product_id=case.product_id,
                language=case.language,
                region=case.region,
                charged_off=case.status == CaseStatus.CHARGED_OFF,
            )
            queue_id = rule.id if rule else None
            team_id = rule.team_id if rule else None
            if queue_id != case.queue_id or team_id != case.team_id:
                if team_id != case.team_id:
                    case.collector_id = None
                case.queue_id, case.team_id = queue_id, team_id
                changed.append(case)
        Case.objects.bulk_update(changed, ["queue_id", "team_id", "collector_id"], batch_size=2000)
        moved += len(changed)
        if len(chunk) < CHUNK:
            break
    return moved


def allocate_collectors(d: dt.date) -> int:
    """Give unassigned cases to the team's collectors, least loaded first, speaking the customer's
    language; in the order their queue serves them, so that a full team keeps the cases it works first."""
    waiting = list(
        in_serving_order(
            Case.objects.exclude(status=CaseStatus.CLOSED).filter(collector__isnull=True, team__isnull=False)
        )
        .annotate(language=F("customer__language"))
        .only("id", "team_id")
    )
    if not waiting:
        return 0
    team_ids = {c.team_id for c in waiting}
    members = User.objects.filter(teams__in=team_ids, is_active=True, groups__name=Role.COLLECTOR).values_list(
        "teams", "id", "profile__languages", "profile__max_cases"
    )
    load = dict(
        Case.objects.exclude(status=CaseStatus.CLOSED)
        .filter(collector__isnull=False)
        .values("collector_id")
        .annotate(n=Count("id"))
        .values_list("collector_id", "n")
    )
    collectors: dict[int, list[tuple[int, list[str], int]]] = defaultdict(list)
    for team_id, user_id, languages, max_cases in members:
        if team_id in team_ids:
            collectors[team_id].append((user_id, (languages or "zh-hans").split(","), max_cases or 400))
    assignment = assign_collectors(
        cases=[(c.id, c.team_id, c.language) for c in waiting if c.team_id is not None],
        collectors=collectors,
        load=load,
    )
    by_id = {c.id: c for c in waiting}
    for case_id, user_id in assignment.items():
        by_id[case_id].collector_id = user_id
    Case.objects.bulk_update([by_id[i] for i in assignment], ["collector_id"], batch_size=2000)
    return len(assignment)

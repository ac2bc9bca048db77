"""Next account (with a lease no other collector can take), reassignment."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.models import User
from django.db import connection, transaction
from django.db.models import Case as When_
from django.db.models import IntegerField, Q, Value, When

from arrears.audit.operations import record
from arrears.cases.models import WORKABLE, Case
from arrears.cases.queries import in_serving_order
from arrears.errors import NotFound, ValidationFailed
from arrears.kernel import clock
from arrears.people.models import Team

LEASE = dt.timedelta(minutes=20)
# A case just worked rests this long before the queue serves it again (a due callback overrides).
RETRY_AFTER = dt.timedelta(hours=2)


def next_case(
    *, user: Any, business_date: dt.date, now: dt.datetime | None = None, callable_now: Any = None
) -> Case | None:
    """Lease the most urgent case of the collector's queues: due callbacks, then promises broken
    yesterday, then the order of the case's queue (early buckets first unless the queue says otherwise,
    `queries.in_serving_order`). No two collectors ever hold the same case at once.

    `callable_now(case) -> bool` may refuse cases that cannot be contacted at this moment.
    """
    now = now or clock.now()
    yesterday = business_date - dt.timedelta(days=1)
    # The team pool through a subquery rather than a join on the members, which multiplied every
    # case by the size of its team and could not use the worklist indexes.
    my_teams = Team.members.through.objects.filter(user_id=user.pk).values("team_id")
    mine = Q(collector=user) | Q(collector__isnull=True, team_id__in=my_teams)
    free = Q(lease_until__isnull=True) | Q(lease_until__lt=now) | Q(lease_holder=user)
    rested = Q(last_contact_at__isnull=True) | Q(last_contact_at__lt=now - RETRY_AFTER) | Q(next_callback_at__lte=now)
    urgency = When_(
        When(next_callback_at__lte=now, then=Value(0)),
        When(promise_broken_on__gte=yesterday, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    with transaction.atomic():
        candidates = in_serving_order(
            Case.objects.filter(mine, free, rested, status__in=WORKABLE)
            .select_related("customer")
            .alias(urgency=urgency),
            first=("urgency",),
        )
        if connection.features.has_select_for_update_skip_locked:
            candidates = candidates.select_for_update(skip_locked=True, of=("self",))
        # One row at a time: locking a batch would hide all of it from the other collectors asking at
        # this moment (SKIP LOCKED), who would then be told there is nothing left.
        picked = None
        refused: list[int] = []
        for _ in range(25):
            case = candidates.exclude(pk__in=refused).first() if refused else candidates.first()
            if case is None:
                return None
            if callable_now is None or callable_now(case):
                picked = case
                break
            refused.append(case.pk)
        if picked is None:
            return None
        # The conditional update is the lease itself; on SQLite the IMMEDIATE transaction serialises it.
        taken = Case.objects.filter(pk=picked.pk).filter(free).update(lease_holder=user, lease_until=now + LEASE)
        if not taken:
            return None
        record(actor=user.get_username(), action="case.lease", object_type="case", object_id=picked.pk)
    picked.lease_holder, picked.lease_until = user, now + LEASE
    return picked


def release_lease(*, case: Case, user: Any) -> None:
    Case.objects.filter(pk=case.pk, lease_holder=user).update(lease_holder=None, lease_until=None)


def reassign(*, actor: Any, case_ids: list[int], collector: User, visible: Any) -> int:
    """A lead moves cases to a collector of the team; the collector must be in the case's team."""
    if not case_ids:
        raise ValidationFailed("choose at least one case", field="cases", code="nothing_chosen")
    # An id out of the column's range is no case (SQLite cannot even compare it): not found, as the others.
    cases = list(visible.filter(pk__in=[i for i in set(case_ids) if 0 < i < 2**63]))
    if len(cases) != len(set(case_ids)):
        raise NotFound(
            "one or more of these cases is not yours to reassign", field="cases", code="not_yours_to_reassign"
        )
    for case in cases:
        if case.team_id is None or not case.team.members.filter(pk=collector.pk).exists():
            raise ValidationFailed(
                f"{collector.get_username()} is not in the team of case {case.pk}",
                field="collector",
                code="collector_not_in_team",
                params={"who": collector.get_username(), "case": case.pk},
            )
    with transaction.atomic():
        Case.objects.filter(pk__in=case_ids).update(collector=collector, lease_holder=None, lease_until=None)
        for case in cases:
            record(
                actor=actor.get_username(),
                action="case.reassign",
                object_type="case",
                object_id=case.pk,
                before={"collector": case.collector_id},
                after={"collector": collector.pk},
            )
    return len(cases)

"""What quality review tells the rest of Arrears, and who may see which review task."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from arrears.errors import NotFound
from arrears.people.models import Role
from arrears.people.operations import roles_of
from arrears.quality.models import CalibrationSession, ReviewTask, Scorecard, TaskStatus

# The roles that review; anyone else needs the role-free permission quality.review_quality.
REVIEWERS = {Role.TEAM_LEAD, Role.COMPLIANCE_OFFICER}
# Reviewers who review across teams (a team lead reviews the collectors of the teams they lead).
ACROSS_TEAMS = {Role.COMPLIANCE_OFFICER, Role.ADMINISTRATOR}
# The states whose score counts: reviewed (not disputed, or not yet), acknowledged, a dispute resolved.
FINAL = (TaskStatus.REVIEWED, TaskStatus.ACKNOWLEDGED, TaskStatus.RESOLVED)


def collector_scores(start: dt.date, end: dt.date) -> dict[int, Decimal]:
    """Each collector's mean weighted review score (0–100) over reviews finished in [start, end).

    The final score of a task is the first review's, or the second reviewer's after a dispute; a
    disputed task not yet resolved does not count. The mean is rounded half-up to the cent. One query."""
    rows = (
        ReviewTask.objects.filter(status__in=FINAL, final_score__isnull=False, final_on__gte=start, final_on__lt=end)
        .values("collector_id")
        .annotate(total=Sum("final_score"), n=Count("id"))
    )
    return {
        r["collector_id"]: (Decimal(r["total"]) / r["n"]).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        for r in rows
    }


def may_review(user: Any) -> bool:
    if not user.is_authenticated:
        return False
    return bool(user.is_superuser or roles_of(user) & REVIEWERS or user.has_perm("quality.review_quality"))


def reviews_across_teams(user: Any) -> bool:
    return bool(user.is_superuser or roles_of(user) & ACROSS_TEAMS or user.has_perm("quality.review_quality"))


def visible_tasks(user: Any) -> QuerySet[ReviewTask]:
    """The tasks a reviewer may see: every one for compliance and the permission's holders, those of
    the collectors of the teams they lead for a team lead; never their own contacts."""
    if not may_review(user):
        return ReviewTask.objects.none()
    tasks = ReviewTask.objects.exclude(collector=user)
    if reviews_across_teams(user):
        return tasks
    return tasks.filter(Q(collector__teams__lead=user)).distinct()


def task_for(user: Any, task_id: int) -> ReviewTask:
    found = (
        visible_tasks(user)
        .filter(pk=task_id)
        .select_related("contact", "contact__case", "contact__case__customer", "collector")
        .first()
        if 0 < task_id < 2**63
        else None
    )
    if found is None:
        raise NotFound(f"no review task {task_id} that you can see", field="task")
    return found


def own_task(user: Any, task_id: int) -> ReviewTask:
    """A task of the collector's own contact, once reviewed; otherwise NotFound."""
    found = (
        ReviewTask.objects.filter(pk=task_id, collector=user).exclude(status=TaskStatus.OPEN).first()
        if user.is_authenticated and 0 < task_id < 2**63
        else None
    )
    if found is None:
        raise NotFound(f"no review of yours numbered {task_id}", field="task")
    return found


def session_for(user: Any, session_id: int) -> CalibrationSession:
    found = (
        CalibrationSession.objects.filter(pk=session_id, task__in=visible_tasks(user))
        .select_related("task", "task__contact", "task__collector")
        .first()
        if 0 < session_id < 2**63
        else None
    )
    if found is None:
        raise NotFound(f"no calibration session {session_id} that you can see", field="session")
    return found


def current_scorecard() -> Scorecard:
    found = Scorecard.objects.filter(active=True).order_by("-version").first()
    if found is None:
        raise NotFound("no active scorecard version", field="scorecard")
    return found

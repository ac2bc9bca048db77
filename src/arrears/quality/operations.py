"""The only code that writes quality review's tables: the sample, reviews, disputes, calibration.
Each checks everything first, then writes and audits in one transaction."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F, Q, Window
from django.db.models.functions import RowNumber

from arrears.audit.operations import record, record_many
from arrears.complaints.models import Complaint
from arrears.contacts.models import Contact
from arrears.errors import Conflict, NotPermitted, ValidationFailed
from arrears.kernel import clock
from arrears.quality import rules
from arrears.quality.models import (
    CalibrationSession,
    Review,
    ReviewKind,
    ReviewTask,
    RuleKind,
    SamplingRule,
    Scorecard,
    TaskStatus,
)
from arrears.quality.queries import current_scorecard, may_review

BATCH = 2000


@dataclasses.dataclass(frozen=True)
class SampleReport:
    day: dt.date
    created: int
    updated: int
    by_reason: dict[str, int]


def _checked(marks: Mapping[str, object]) -> dict[str, int]:
    try:
        return rules.check_marks(marks)
    except rules.RuleError as exc:
        raise ValidationFailed(str(exc), field=exc.field, code=exc.code, params=exc.params) from None


def ensure_defaults() -> None:
    """The default rules and scorecard version 1, as the migration seeds them (for a database emptied
    since, as tests do)."""
    from arrears.quality.defaults import RULES, WEIGHTS

    for values in RULES:
        SamplingRule.objects.get_or_create(kind=values["kind"], defaults=values)
    Scorecard.objects.get_or_create(version=1, defaults=WEIGHTS)


def sample(*, day: dt.date, actor: str) -> SampleReport:
    """Draw the day's contacts for review by the active rules. Set-based: a handful of queries whatever
    the number of contacts. Idempotent: a contact has one task; a second run for the date adds nothing,
    a later run adds only reasons a task did not have yet."""
    active = {r.kind: r for r in SamplingRule.objects.filter(active=True)}
    start, end = clock.start_of(day), clock.start_of(day + dt.timedelta(days=1))
    rows = list(
        Contact.objects.filter(at__gte=start, at__lt=end, collector__isnull=False).values_list(
            "id", "collector_id", "flagged", "decision"
        )
    )
    collector_of = {cid: col for cid, col, _, _ in rows}
    reasons: dict[int, set[str]] = {}

    def add(ids: set[int], kind: RuleKind) -> None:
        why = kind.value  # the plain code, in the tasks and the report
        for i in ids:
            reasons.setdefault(i, set()).add(why)

    rule = active.get(RuleKind.RANDOM)
    if rule is not None and rule.percent > 0:
        add(
            rules.random_draw(
                ((cid, col) for cid, col, _, _ in rows), percent=rule.percent, seed=rule.seed, day=day.isoformat()
            ),
            RuleKind.RANDOM,
        )
    if RuleKind.GATE_FLAG in active:
        add({cid for cid, _, flagged, decision in rows if rules.gate_flagged(flagged, decision)}, RuleKind.GATE_FLAG)
    if RuleKind.COMPLAINT in active:
        # The day's contacts any complaint concerns, and every contact of a complaint received that day.
        linked = Complaint.contacts.through.objects.filter(
            Q(complaint__received_on=day) | Q(contact__at__gte=start, contact__at__lt=end),
            contact__collector__isnull=False,
        ).values_list("contact_id", "contact__collector_id")
        for cid, col in linked:
            collector_of[cid] = col
            add({cid}, RuleKind.COMPLAINT)
    rule = active.get(RuleKind.NEW_COLLECTOR)
    if rule is not None and rule.first_n > 0:
        collectors = {col for _, col, _, _ in rows}
        # Each of the day's collectors' first N contacts ever: those made on this day are drawn.
        firsts = _first_contacts(collectors, rule.first_n)
        add(firsts & {cid for cid, _, _, _ in rows}, RuleKind.NEW_COLLECTOR)
    existing = {t.contact_id: t for t in ReviewTask.objects.filter(contact_id__in=list(reasons))}
    new = [
        ReviewTask(contact_id=cid, collector_id=collector_of[cid], sampled_on=day, reasons=sorted(why))
        for cid, why in sorted(reasons.items())
        if cid not in existing
    ]
    changed = []
    for cid, task in existing.items():
        merged = sorted(set(task.reasons) | reasons[cid])
        if merged != task.reasons:
            task.reasons = merged
            changed.append(task)
    by_reason: dict[str, int] = {}
    for why in reasons.values():
        for w in why:
            by_reason[w] = by_reason.get(w, 0) + 1
    with transaction.atomic():
        ReviewTask.objects.bulk_create(new, batch_size=BATCH)
        ReviewTask.objects.bulk_update(changed, ["reasons"], batch_size=BATCH)
        if new or changed:
            record(
                actor=actor,
                action="quality.sample",
                object_type="quality_sample",
                object_id=day.isoformat(),
                after={"created": len(new), "updated": len(changed), "by_reason": by_reason},
            )
    return SampleReport(day=day, created=len(new), updated=len(changed), by_reason=by_reason)


def _first_contacts(collectors: set[int], n: int) -> set[int]:
    """The ids of each collector's first n contacts (by time, then id): one query with a window."""
    if not collectors:
        return set()
    ranked = (
        Contact.objects.filter(collector_id__in=sorted(collectors))
        .annotate(rank=Window(RowNumber(), partition_by=[F("collector_id")], order_by=[F("at").asc(), F("id").asc()]))
        .filter(rank__lte=n)
        .values_list("id", flat=True)
    )
    return set(ranked)


# -- reviews -------------------------------------------------------------------------------------


def _require_reviewer(user: Any, task: ReviewTask) -> None:
    if not may_review(user):
        raise NotPermitted("only team leads, compliance officers and quality reviewers review contacts")
    if task.collector_id == user.pk:
        raise NotPermitted("nobody reviews their own contacts", field="task")


def _review(
    *, task: ReviewTask, user: Any, kind: str, marks: dict[str, int], comment: str, day: dt.date, **more: Any
) -> Review:
    card = current_scorecard()
    score = rules.weighted_score(card.weights, marks)
    return Review.objects.create(
        task=task,
        kind=kind,
        reviewer=user,
        scorecard=card,
        score=score,
        comment=comment,
        reviewed_on=day,
        **marks,
        **more,
    )


def submit_review(
    *, user: Any, task: ReviewTask, marks: Mapping[str, object], comment: str = "", business_date: dt.date
) -> Review:
    """The first review of a task: it scores the contact and the score stands unless disputed."""
    _require_reviewer(user, task)
    checked = _checked(marks)
    with transaction.atomic():
        locked = ReviewTask.objects.select_for_update().get(pk=task.pk)
        if locked.status != TaskStatus.OPEN:
            raise Conflict("this contact is reviewed already", field="task", code="already_decided")
        review = _review(
            task=locked, user=user, kind=ReviewKind.FIRST, marks=checked, comment=comment, day=business_date
        )
        ReviewTask.objects.filter(pk=task.pk).update(
            status=TaskStatus.REVIEWED, final_score=review.score, final_on=business_date
        )
        record(
            actor=user.get_username(),
            action="quality.review",
            object_type="review_task",
            object_id=task.pk,
            after={"review": review.pk, "marks": checked, "score": review.score, "scorecard": review.scorecard_id},
        )
    return review


def _own_reviewed(user: Any, task: ReviewTask) -> ReviewTask:
    if task.collector_id != user.pk:
        raise NotPermitted("only the collector whose contact it is answers a review", field="task")
    locked = ReviewTask.objects.select_for_update().get(pk=task.pk)
    if locked.status != TaskStatus.REVIEWED:
        raise Conflict("this review is answered already", field="task", code="already_decided")
    return locked


def acknowledge(*, user: Any, task: ReviewTask, business_date: dt.date) -> None:
    with transaction.atomic():
        _own_reviewed(user, task)
        ReviewTask.objects.filter(pk=task.pk).update(status=TaskStatus.ACKNOWLEDGED)
        record(
            actor=user.get_username(),
            action="quality.acknowledge",
            object_type="review_task",
            object_id=task.pk,
            after={"on": business_date},
        )


def dispute(*, user: Any, task: ReviewTask, reason: str, business_date: dt.date) -> None:
    """The collector disputes the review: the score stops counting until a second reviewer decides."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed("say why the review is wrong", field="reason", code="required")
    with transaction.atomic():
        _own_reviewed(user, task)
        ReviewTask.objects.filter(pk=task.pk).update(status=TaskStatus.DISPUTED, dispute_reason=reason, final_on=None)
        record(
            actor=user.get_username(),
            action="quality.dispute",
            object_type="review_task",
            object_id=task.pk,
            after={"reason": reason, "on": business_date},
        )


def resolve_dispute(
    *,
    user: Any,
    task: ReviewTask,
    upheld: bool,
    marks: Mapping[str, object] | None = None,
    comment: str = "",
    business_date: dt.date,
) -> Review:
    """A second reviewer (not the first, not the collector) upholds the first review or amends it."""
    _require_reviewer(user, task)
    first = Review.objects.filter(task=task, kind=ReviewKind.FIRST).first()
    if first is None:  # never reviewed, so never disputed
        raise Conflict("this review is not disputed", field="task", code="already_decided")
    if first.reviewer_id == user.pk:
        raise NotPermitted("a dispute goes to a reviewer other than the first", field="task")
    checked = first.marks if upheld else _checked(marks or {})
    with transaction.atomic():
        locked = ReviewTask.objects.select_for_update().get(pk=task.pk)
        if locked.status != TaskStatus.DISPUTED:
            raise Conflict("this review is not disputed", field="task", code="already_decided")
        if upheld:
            review = Review.objects.create(
                task=locked,
                kind=ReviewKind.SECOND,
                reviewer=user,
                scorecard=first.scorecard,
                score=first.score,
                comment=comment,
                reviewed_on=business_date,
                upheld=True,
                **checked,
            )
        else:
            review = _review(
                task=locked,
                user=user,
                kind=ReviewKind.SECOND,
                marks=checked,
                comment=comment,
                day=business_date,
                upheld=False,
            )
        ReviewTask.objects.filter(pk=task.pk).update(
            status=TaskStatus.RESOLVED, final_score=review.score, final_on=business_date
        )
        record(
            actor=user.get_username(),
            action="quality.resolve_dispute",
            object_type="review_task",
            object_id=task.pk,
            before={"score": first.score},
            after={"review": review.pk, "upheld": upheld, "marks": checked, "score": review.score},
        )
    return review


# -- calibration ------------------------------------------------------------------------------------


def open_calibration(
    *, user: Any, task: ReviewTask, business_date: dt.date, threshold: Decimal = Decimal("10.00")
) -> CalibrationSession:
    _require_reviewer(user, task)
    if not threshold.is_finite():
        raise ValidationFailed(
            "the threshold must be a finite number of points", field="threshold", code="not_a_number"
        )
    if not Decimal(0) <= threshold <= Decimal(100):
        raise ValidationFailed(
            "the threshold must be from 0 to 100 points",
            field="threshold",
            code="out_of_range",
            params={"low": 0, "high": 100},
        )
    if threshold != threshold.quantize(Decimal("0.01")):
        raise ValidationFailed("the threshold has at most two decimals", field="threshold")
    with transaction.atomic():
        session = CalibrationSession.objects.create(
            task=task, opened_by=user, opened_on=business_date, threshold=threshold
        )
        record(
            actor=user.get_username(),
            action="quality.calibration_open",
            object_type="calibration_session",
            object_id=session.pk,
            after={"task": task.pk, "threshold": threshold},
        )
    return session


def score_in_calibration(
    *, user: Any, session: CalibrationSession, marks: Mapping[str, object], comment: str = "", business_date: dt.date
) -> Review:
    _require_reviewer(user, session.task)
    checked = _checked(marks)
    if Review.objects.filter(session=session, reviewer=user).exists():
        raise Conflict("you scored this session already", field="session", code="already_decided")
    with transaction.atomic():
        review = _review(
            task=session.task,
            user=user,
            kind=ReviewKind.CALIBRATION,
            marks=checked,
            comment=comment,
            day=business_date,
            session=session,
        )
        record_many(
            actor=user.get_username(),
            action="quality.calibration_score",
            object_type="calibration_session",
            items=[(session.pk, {"review": review.pk, "marks": checked, "score": review.score})],
        )
    return review


def calibration_of(session: CalibrationSession) -> tuple[list[Review], rules.Calibration]:
    reviews = list(session.reviews.select_related("reviewer").order_by("id"))
    result = rules.calibrate({r.reviewer_id: (r.marks, r.score) for r in reviews}, threshold=session.threshold)
    return reviews, result

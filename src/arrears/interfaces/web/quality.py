"""Quality review's pages (质检): the reviewer's queue, a task (the contact and the scorecard), a
calibration session, and the collector's own reviews (acknowledge or dispute)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from arrears.application.reads import record_request_reads
from arrears.cycle import business_date
from arrears.errors import ArrearsError, NotFound, ValidationFailed
from arrears.interfaces.web.concessions import masked_name
from arrears.interfaces.web.errors import error_line
from arrears.quality import operations, queries, rules
from arrears.quality.models import Review, ReviewKind, ReviewTask, RuleKind, TaskStatus

SHOWN = 200
CRITERIA_LABELS = {
    "identification": gettext_lazy("Identification"),
    "wording": gettext_lazy("No prohibited wording"),
    "amounts": gettext_lazy("Accuracy of amounts"),
    "empathy": gettext_lazy("Empathy"),
    "offer": gettext_lazy("Correct offer"),
}
REASON_LABELS: dict[str, Any] = {
    RuleKind.RANDOM: gettext_lazy("random draw"),
    RuleKind.COMPLAINT: gettext_lazy("complaint"),
    RuleKind.GATE_FLAG: gettext_lazy("compliance flag"),
    RuleKind.NEW_COLLECTOR: gettext_lazy("new collector"),
}


def _require_reviewer(request: HttpRequest) -> None:
    if not queries.may_review(request.user):
        raise PermissionDenied(_("This page is for the staff who review contacts."))


def _int(text: str | None) -> int | None:
    text = (text or "").strip()
    return int(text) if text.isascii() and text.isdecimal() and len(text) < 19 else None


def _date(text: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat((text or "").strip())
    except ValueError:
        return None


def _marks(post: Any) -> dict[str, str]:
    return {name: post.get(name, "") for name in rules.CRITERIA}


def _criteria() -> list[tuple[str, Any, int]]:
    card = queries.current_scorecard()
    weights = card.weights.as_dict()
    return [(name, CRITERIA_LABELS[name], weights[name]) for name in rules.CRITERIA]


def _reasons(task: ReviewTask) -> str:
    return ", ".join(str(REASON_LABELS.get(r, r)) for r in task.reasons)


def _rows(reviews: list[Review]) -> list[dict[str, Any]]:
    return [{"review": r, "marks": [r.marks[name] for name in rules.CRITERIA]} for r in reviews]


@login_required
def queue_page(request: HttpRequest) -> HttpResponse:
    _require_reviewer(request)
    visible = queries.visible_tasks(request.user)
    chosen = {k: request.GET.get(k, "") for k in ("status", "reason", "collector", "from", "to")}
    shown = visible
    if chosen["status"] in TaskStatus.values:
        shown = shown.filter(status=chosen["status"])
    collector = _int(chosen["collector"])
    if collector is not None:
        shown = shown.filter(collector_id=collector)
    start, end = _date(chosen["from"]), _date(chosen["to"])
    if start is not None:
        shown = shown.filter(sampled_on__gte=start)
    if end is not None:
        shown = shown.filter(sampled_on__lte=end)
    if chosen["reason"] in RuleKind.values:  # a JSON list of codes: its text holds the quoted code
        shown = shown.filter(reasons__icontains=f'"{chosen["reason"]}"')
    rows = list(shown.select_related("contact", "collector").order_by("status", "-sampled_on", "id")[:SHOWN])
    collectors = User.objects.filter(pk__in=visible.values("collector_id")).order_by("username")
    return render(
        request,
        "arrears/quality/queue.html",
        {
            "rows": [(t, _reasons(t)) for t in rows],
            "chosen": chosen,
            "statuses": TaskStatus.choices,
            "reasons": [(k, REASON_LABELS[k]) for k in RuleKind.values],
            "collectors": list(collectors),
        },
    )


@login_required
def task_page(request: HttpRequest, task_id: int) -> HttpResponse:
    _require_reviewer(request)
    try:
        task = queries.task_for(request.user, task_id)
    except NotFound:
        raise Http404("no such review task") from None
    today = business_date.current()
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "calibrate":
                try:
                    threshold = Decimal(request.POST.get("threshold", "10") or "10")
                except InvalidOperation:
                    raise ValidationFailed("give a number of points", field="threshold", code="not_a_number") from None
                session = operations.open_calibration(
                    user=request.user, task=task, business_date=today, threshold=threshold
                )
                return redirect("quality-calibration", session_id=session.pk)
            if action == "resolve":
                upheld = request.POST.get("decision") == "uphold"
                operations.resolve_dispute(
                    user=request.user,
                    task=task,
                    upheld=upheld,
                    marks=None if upheld else _marks(request.POST),
                    comment=request.POST.get("comment", ""),
                    business_date=today,
                )
                messages.success(request, _("The dispute is resolved."))
            else:
                review = operations.submit_review(
                    user=request.user,
                    task=task,
                    marks=_marks(request.POST),
                    comment=request.POST.get("comment", ""),
                    business_date=today,
                )
                messages.success(request, _("Review saved: score %(score)s.") % {"score": review.score})
        except ArrearsError as exc:
            messages.error(request, error_line(exc))
        else:
            return redirect("quality-task", task_id=task.pk)
        task = queries.task_for(request.user, task_id)
    contact = task.contact
    record_request_reads(request, object_type="customer", ids=[contact.case.customer_id])
    reviews = list(task.reviews.exclude(kind=ReviewKind.CALIBRATION).select_related("reviewer").order_by("id"))
    first = next((r for r in reviews if r.kind == ReviewKind.FIRST), None)
    decision = contact.decision or {}
    return render(
        request,
        "arrears/quality/task.html",
        {
            "task": task,
            "contact": contact,
            "customer": masked_name(contact.case.customer.name),
            "reasons": _reasons(task),
            "decision": decision,
            "complaints": list(contact.complaints.order_by("id").values_list("id", flat=True)),
            "criteria": _criteria(),
            "scale": range(rules.MAX_MARK + 1),
            "reviews": _rows(reviews),
            "may_score": task.status == TaskStatus.OPEN,
            "may_resolve": task.status == TaskStatus.DISPUTED
            and first is not None
            and first.reviewer_id != request.user.pk,
            "sessions": list(task.calibrations.order_by("id")),
        },
    )


@login_required
def calibration_page(request: HttpRequest, session_id: int) -> HttpResponse:
    _require_reviewer(request)
    try:
        session = queries.session_for(request.user, session_id)
    except NotFound:
        raise Http404("no such calibration session") from None
    today = business_date.current()
    if request.method == "POST":
        try:
            operations.score_in_calibration(
                user=request.user,
                session=session,
                marks=_marks(request.POST),
                comment=request.POST.get("comment", ""),
                business_date=today,
            )
        except ArrearsError as exc:
            messages.error(request, error_line(exc))
        else:
            messages.success(request, _("Your calibration score is saved."))
            return redirect("quality-calibration", session_id=session.pk)
    reviews, result = operations.calibration_of(session)
    contact = session.task.contact
    return render(
        request,
        "arrears/quality/calibration.html",
        {
            "session": session,
            "contact": contact,
            "criteria": _criteria(),
            "scale": range(rules.MAX_MARK + 1),
            "rows": [
                {
                    "review": r,
                    "marks": [r.marks[name] for name in rules.CRITERIA],
                    "deviation": result.deviation[r.reviewer_id],
                    "flagged": r.reviewer_id in result.flagged,
                }
                for r in reviews
            ],
            "spread": [result.spread.get(name, 0) for name in rules.CRITERIA],
            "mean": result.mean if reviews else None,
            "may_score": all(r.reviewer_id != request.user.pk for r in reviews),
        },
    )


@login_required
def mine_page(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        try:
            task = queries.own_task(request.user, _int(request.POST.get("task")) or 0)
        except NotFound:
            raise Http404("no such review") from None
        today = business_date.current()
        try:
            if request.POST.get("action") == "dispute":
                operations.dispute(
                    user=request.user, task=task, reason=request.POST.get("reason", ""), business_date=today
                )
                messages.success(request, _("Your dispute is sent to a second reviewer."))
            else:
                operations.acknowledge(user=request.user, task=task, business_date=today)
                messages.success(request, _("Review acknowledged."))
        except ArrearsError as exc:
            messages.error(request, error_line(exc))
        else:
            return redirect("quality-mine")
    tasks = list(
        ReviewTask.objects.filter(collector_id=request.user.pk)
        .exclude(status=TaskStatus.OPEN)
        .select_related("contact")
        .order_by("-sampled_on", "-id")[:SHOWN]
    )
    reviews: dict[int, list[Review]] = {}
    for r in (
        Review.objects.filter(task__in=tasks)
        .exclude(kind=ReviewKind.CALIBRATION)
        .select_related("reviewer")
        .order_by("id")
    ):
        reviews.setdefault(r.task_id, []).append(r)
    return render(
        request,
        "arrears/quality/mine.html",
        {
            "rows": [(t, _rows(reviews.get(t.pk, []))) for t in tasks],
            "criteria": [(name, CRITERIA_LABELS[name]) for name in rules.CRITERIA],
        },
    )

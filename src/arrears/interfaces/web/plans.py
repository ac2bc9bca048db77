"""Plan pages: the live quote and proposal from the customer 360 page, each step's button, the
review and approval inbox, the plan document. Parse, make one call, render."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from arrears.application import figures
from arrears.application.reads import record_request_reads
from arrears.cases.queries import case_for, visible_cases
from arrears.cycle import business_date
from arrears.errors import ArrearsError, NotFound, ValidationFailed
from arrears.interfaces.web.concessions import masked_name
from arrears.interfaces.web.errors import error_line
from arrears.interfaces.web.figures import account_view
from arrears.interfaces.web.labels import plan_method_label
from arrears.money import parse_rate
from arrears.people.models import Role
from arrears.people.operations import roles_of
from arrears.plans import operations as ops
from arrears.plans.models import Plan, PlanStatus

FIELDS = ("account", "scope", "method", "instalments", "first_due_date", "annual_rate", "fee_rate")


def approver_role(plan: Plan, lead_max_fen: int) -> str:
    """Whose authority the plan's approval is within: a team lead up to the policy's limit, above it
    the administrator."""
    return Role.TEAM_LEAD if plan.balance_fen <= lead_max_fen else Role.ADMINISTRATOR


def _said(plan: Plan) -> str:
    return gettext("Plan %(id)s: %(status)s.") % {"id": plan.pk, "status": status_line(plan, ops.policy().lead_max_fen)}


def status_line(plan: Plan, lead_max_fen: int) -> str:
    """The plan's status as staff may tell the customer: nothing reads as agreed before it is."""
    role = str(Role(approver_role(plan, lead_max_fen)).label)
    if plan.status == PlanStatus.PROPOSED and plan.review_required:
        return gettext("proposed, awaiting review by a credit assessor, then approval by %(whom)s: not agreed yet") % {
            "whom": role
        }
    if plan.status in (PlanStatus.PROPOSED, PlanStatus.REVIEWED):
        return gettext("proposed, awaiting approval by %(whom)s: not agreed yet") % {"whom": role}
    if plan.status == PlanStatus.APPROVED:
        return gettext("approved, to be offered to the customer: not agreed yet")
    if plan.status == PlanStatus.OFFERED:
        return gettext("offered, awaiting the customer's acceptance: not in force yet")
    if plan.status == PlanStatus.ACCEPTED:
        return gettext("accepted by the customer, to be activated: not in force yet")
    if plan.status == PlanStatus.ACTIVE:
        return gettext("in force")
    return str(plan.get_status_display())


def _terms(post: Any) -> dict[str, Any]:
    try:
        instalments = int(post.get("instalments", ""))
    except ValueError:
        raise ValidationFailed("give a whole number", field="instalments", code="not_a_whole_number") from None
    try:
        first = dt.date.fromisoformat(post.get("first_due_date", ""))
    except ValueError:
        raise ValidationFailed("give a date like 2026-06-15", field="first_due_date", code="not_a_date") from None
    rates = {field: parse_rate(post.get(field) or "0", field=field) for field in ("annual_rate", "fee_rate")}
    return {
        "account_number": post.get("account", ""),
        "scope": post.get("scope", "overdue"),
        "method": post.get("method", ""),
        "instalments": instalments,
        "first_due_date": first,
        **rates,
    }


@login_required
@require_POST
def quote(request: HttpRequest, case_id: int) -> HttpResponse:
    """The schedule the collector reads to the customer before anything is saved."""
    try:
        case = case_for(request.user, case_id)
    except NotFound:
        raise Http404 from None
    values = {f: request.POST.get(f, "") for f in FIELDS}
    result, error, money = None, None, None
    try:
        result = ops.quote_for_case(case=case, business_date=business_date.current(), **_terms(request.POST))
    except ArrearsError as exc:
        error = error_line(exc)
    if result is not None:
        # The account's own figures beside what the plan would restructure, as the 360 page shows them.
        money = account_view(
            figures.account_figures([result.account.pk], business_date=business_date.current())[result.account.pk]
        )
    return render(
        request,
        "arrears/plans/quote.html",
        {"case": case, "values": values, "q": result, "error": error, "account": money},
    )


@login_required
@require_POST
def propose(request: HttpRequest, case_id: int) -> HttpResponse:
    try:
        case = case_for(request.user, case_id)
    except NotFound:
        raise Http404 from None
    try:
        plan = ops.propose_plan(
            actor=request.user, case=case, business_date=business_date.current(), **_terms(request.POST)
        )
        messages.success(request, _said(plan))
    except ArrearsError as exc:
        messages.error(request, error_line(exc))
    return redirect(reverse("case", args=[case.pk]) + "?tab=plan#plans")


def _plan(request: HttpRequest, plan_id: int) -> Plan:
    plan = Plan.objects.filter(pk=plan_id, case__in=visible_cases(request.user)).first()
    if plan is None:
        raise Http404
    return plan


@login_required
@require_POST
def act(request: HttpRequest, plan_id: int, action: str) -> HttpResponse:
    plan = _plan(request, plan_id)
    today = business_date.current()
    approve = request.POST.get("decision", "approve") == "approve"
    comment = request.POST.get("comment", "")
    try:
        if action == "review":
            ops.review_plan(actor=request.user, plan=plan, approve=approve, comment=comment)
        elif action == "approve":
            ops.approve_plan(actor=request.user, plan=plan, approve=approve, comment=comment)
        elif action == "offer":
            ops.offer_plan(actor=request.user, plan=plan, business_date=today)
        elif action == "accept":
            ops.accept_plan(
                actor=request.user,
                plan=plan,
                evidence=request.POST.get("evidence", ""),
                evidence_ref=request.POST.get("evidence_ref", ""),
                business_date=today,
            )
        elif action == "activate":
            ops.activate_plan(actor=request.user, plan=plan, business_date=today)
        else:
            raise Http404
        plan.refresh_from_db()
        messages.success(request, _said(plan))
    except ArrearsError as exc:
        messages.error(request, error_line(exc))
    target = request.POST.get("next") or "plans-inbox"
    if target == reverse("case", args=[plan.case_id]):
        target += "?tab=plan#plans"  # back to the plan's tab of the case page
    return redirect(target)


@login_required
def document(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = _plan(request, plan_id)
    if not plan.document_pdf:
        raise Http404
    record_request_reads(request, object_type="plan", ids=[plan.pk])
    response = HttpResponse(bytes(plan.document_pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="plan-{plan.pk}.pdf"'
    return response


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    """Credit assessors: plans to review. Team leads: plans to approve."""
    roles = roles_of(request.user)
    if not (request.user.is_superuser or roles & {Role.CREDIT_ASSESSOR, Role.TEAM_LEAD}):
        raise PermissionDenied(gettext("This page is for credit assessors and team leads."))
    plans = (
        Plan.objects.filter(case__in=visible_cases(request.user))
        .select_related("account__customer", "proposed_by")
        .order_by("id")
    )
    to_review = (
        plans.filter(status=PlanStatus.PROPOSED, review_required=True)
        if (request.user.is_superuser or Role.CREDIT_ASSESSOR in roles)
        else plans.none()
    )
    to_approve = (
        (plans.filter(status=PlanStatus.REVIEWED) | plans.filter(status=PlanStatus.PROPOSED, review_required=False))
        if (request.user.is_superuser or Role.TEAM_LEAD in roles)
        else plans.none()
    )
    today = business_date.current()
    lead_max = ops.policy().lead_max_fen

    def row(plan: Plan) -> dict[str, Any]:
        role = approver_role(plan, lead_max)
        return {
            "p": plan,
            "method": plan_method_label(plan.method),
            "customer": masked_name(plan.account.customer.name),
            "age": (today - plan.proposed_on).days,
            "within": str(Role(role).label),
            "yours": request.user.is_superuser or role == Role.TEAM_LEAD,
            "status": status_line(plan, lead_max),
        }

    shown = {"to_review": [row(p) for p in to_review], "to_approve": [row(p) for p in to_approve]}
    record_request_reads(request, object_type="plan", ids=[r["p"].pk for rows in shown.values() for r in rows])
    return render(request, "arrears/plans/inbox.html", shown)

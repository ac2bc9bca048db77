"""The collector's workbench, the customer 360 page, the team lead's view and the audit search."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseForbidden
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from arrears.application.contact_gate import callable_now
from arrears.application.figures import customer_figures
from arrears.application.reads import record_request_reads
from arrears.audit.models import AuditEntry
from arrears.audit.operations import record
from arrears.cases.models import WORKABLE, Case, CaseStatus
from arrears.cases.operations import next_case, reassign
from arrears.cases.queries import case_for, visible_cases
from arrears.contacts.models import Callback, Contact, Result
from arrears.cycle import business_date
from arrears.errors import ArrearsError, NotFound, ValidationFailed
from arrears.interfaces.web.errors import error_line
from arrears.kernel import clock
from arrears.people.models import Role, Team
from arrears.people.operations import roles_of
from arrears.promises.models import Promise, PromiseStatus


def _case_or_404(request: HttpRequest, case_id: int) -> Case:
    try:
        return case_for(request.user, case_id)
    except NotFound:
        raise Http404(_("No such case, or not one you can see.")) from None


@login_required
def workbench(request: HttpRequest) -> HttpResponse:
    mine = (
        visible_cases(request.user)
        .filter(collector=request.user.pk, status__in=WORKABLE)
        .select_related("customer")
        .order_by("-priority", "id")
    )
    now = clock.now()
    callbacks = (
        Callback.objects.filter(user=request.user.pk, done_at__isnull=True, due_at__lte=now + dt.timedelta(hours=2))
        .select_related("case__customer")
        .order_by("due_at")[:20]
    )
    shown = _with_figures(list(mine[:50]))
    record_request_reads(request, object_type="case", ids=[c.pk for c in shown])
    return render(
        request,
        "arrears/workbench.html",
        {
            "cases": shown,
            "count": mine.count(),
            "callbacks": callbacks,
        },
    )


@login_required
@require_POST
def take_next(request: HttpRequest) -> HttpResponse:
    case = next_case(user=request.user, business_date=business_date.current(), callable_now=callable_now)
    if case is None:
        messages.info(request, _("No case that may be called now is waiting in your queues."))
        return redirect("workbench")
    return redirect("case", case_id=case.pk)


def _with_figures(cases: list[Case]) -> list[Case]:
    """The cases, each with its customer's figures from the read model, as the 360 page shows them."""
    money = customer_figures([c.customer_id for c in cases], business_date=business_date.current())
    for c in cases:
        c.figures = money[c.customer_id]  # type: ignore[attr-defined]
    return cases


def _posted_id(request: HttpRequest, field: str) -> int:
    """The id posted in a field; anything else is no id (0), found nowhere, like an id not one's own."""
    value = request.POST.get(field, "").strip()
    return int(value) if value.isascii() and value.isdecimal() else 0


def _is_lead(user: Any) -> bool:
    return bool(user.is_superuser or Role.TEAM_LEAD in roles_of(user))


@login_required
def team_page(request: HttpRequest) -> HttpResponse:
    if not _is_lead(request.user):
        return HttpResponseForbidden(_("This page is for team leads."))
    teams = Team.objects.all() if request.user.is_superuser else Team.objects.filter(Q(lead=request.user))
    cases = Case.objects.filter(team__in=teams).exclude(status=CaseStatus.CLOSED)
    if request.method == "POST":
        ids = [int(x) for x in request.POST.getlist("cases") if x.isascii() and x.isdecimal()]
        collector = User.objects.filter(pk=_posted_id(request, "collector")).first()
        try:
            if collector is None:
                raise ValidationFailed("choose a collector", field="collector", code="required")
            n = reassign(actor=request.user, case_ids=ids, collector=collector, visible=cases)
            messages.success(request, _("%(n)d case(s) reassigned to %(who)s.") % {"n": n, "who": collector})
            return redirect("team")
        except ArrearsError as exc:
            messages.error(request, error_line(exc))
    today = business_date.current()
    week_start = today - dt.timedelta(days=today.weekday())
    tz_today, tz_week = clock.start_of(today), clock.start_of(week_start)
    by_bucket = Counter(
        dict(cases.values_list("worst_bucket").annotate(n=Count("id")).values_list("worst_bucket", "n"))
    )
    members = User.objects.filter(teams__in=teams).distinct().order_by("username")
    contacts = Contact.objects.filter(case__team__in=teams)
    promises = Promise.objects.filter(case__team__in=teams)

    def per_collector(qs: Any, field: str) -> dict[int, int]:
        return dict(qs.values(field).annotate(n=Count("id")).values_list(field, "n"))

    rows: list[dict[str, Any]] = []
    load = per_collector(cases, "collector")
    day_contacts = per_collector(contacts.filter(at__gte=tz_today), "collector")
    week_contacts = per_collector(contacts.filter(at__gte=tz_week), "collector")
    day_rpc = per_collector(contacts.filter(at__gte=tz_today, result=Result.RIGHT_PARTY), "collector")
    week_rpc = per_collector(contacts.filter(at__gte=tz_week, result=Result.RIGHT_PARTY), "collector")
    week_promises = per_collector(promises.filter(taken_on__gte=week_start), "taken_by")
    week_kept = per_collector(promises.filter(taken_on__gte=week_start, status=PromiseStatus.KEPT), "taken_by")
    for m in members:
        rows.append(
            {
                "user": m,
                "cases": load.get(m.pk, 0),
                "contacts_today": day_contacts.get(m.pk, 0),
                "contacts_week": week_contacts.get(m.pk, 0),
                "rpc_today": day_rpc.get(m.pk, 0),
                "rpc_week": week_rpc.get(m.pk, 0),
                "promises_week": week_promises.get(m.pk, 0),
                "kept_week": week_kept.get(m.pk, 0),
            }
        )
    top = max([1, *by_bucket.values()])
    buckets = [
        {"label": f"M{b}", "n": by_bucket.get(b, 0), "pct": round(100 * by_bucket.get(b, 0) / top)} for b in range(8)
    ]
    top_contacts = max([1, *(r["contacts_week"] for r in rows)])
    for r in rows:
        r["pct"] = round(100 * r["contacts_week"] / top_contacts)
    page = Paginator(cases.select_related("customer", "collector").order_by("-priority", "id"), 50).get_page(
        request.GET.get("page")
    )
    page.object_list = _with_figures(list(page.object_list))
    record_request_reads(request, object_type="case", ids=[c.pk for c in page.object_list])
    return render(
        request,
        "arrears/team.html",
        {
            "teams": teams,
            "buckets": buckets,
            "rows": rows,
            "page": page,
            "members": members,
        },
    )


@login_required
def audit_page(request: HttpRequest) -> HttpResponse:
    if not (request.user.is_superuser or request.user.has_perm("people.search_audit")):
        return HttpResponseForbidden(_("This page is for compliance officers."))
    entries = AuditEntry.objects.order_by("-id")
    for key in ("actor", "action", "object_type", "object_id"):
        value = request.GET.get(key, "").strip()
        if value:
            entries = entries.filter(**{f"{key}__icontains" if key == "action" else key: value})
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    record(
        actor=request.user.get_username(),
        action="audit.search",
        object_type="audit",
        object_id="-",
        after={k: request.GET.get(k) for k in ("actor", "action", "object_type", "object_id") if request.GET.get(k)},
    )
    return render(request, "arrears/audit.html", {"page": page, "q": request.GET})


@login_required
def handoffs_page(request: HttpRequest) -> HttpResponse:
    """Customer service and credit assessors: the cases handed to their role, to answer and give back."""
    from arrears.contacts.models import Handoff
    from arrears.contacts.operations import return_handoff

    roles = roles_of(request.user)
    mine = [r for r in (Role.CUSTOMER_SERVICE, Role.CREDIT_ASSESSOR) if r in roles or request.user.is_superuser]
    if not mine:
        return HttpResponseForbidden(_("This page is for customer service and credit assessors."))
    open_handoffs = Handoff.objects.filter(to_role__in=mine, returned_at__isnull=True).select_related(
        "case__customer", "from_user"
    )
    if request.method == "POST":
        handoff = open_handoffs.filter(pk=_posted_id(request, "handoff")).first()
        try:
            if handoff is None:
                raise NotFound("no such open hand-off", field="handoff")
            return_handoff(user=request.user, handoff=handoff, comment=request.POST.get("comment", ""))
            messages.success(request, _("Returned to the collector."))
            return redirect("handoffs")
        except ArrearsError as exc:
            messages.error(request, error_line(exc))
    shown = list(open_handoffs.order_by("created_at")[:100])
    record_request_reads(request, object_type="case", ids=[h.case_id for h in shown])
    return render(request, "arrears/handoffs.html", {"handoffs": shown})


def opt_out_page(request: HttpRequest, token: str) -> HttpResponse:
    """The e-mail opt-out link: confirm, then stop that channel. No login: the signed token is the proof."""
    from arrears.application.outreach import opt_out_by_link

    done = False
    if request.method == "POST":
        try:
            opt_out_by_link(token)
            done = True
        except ArrearsError as exc:
            messages.error(request, error_line(exc))
    return render(request, "arrears/optout.html", {"done": done})

"""Hand-offs, the audit search and the opt-out page (the workbench is in queue.py, the case page in
case.py, the team lead's page in lead.py)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from arrears.application.figures import customer_figures
from arrears.application.reads import record_request_reads
from arrears.audit.models import AuditEntry
from arrears.audit.operations import record
from arrears.cases.models import Case
from arrears.cycle import business_date
from arrears.errors import ArrearsError, NotFound
from arrears.interfaces.web.errors import error_line
from arrears.people.models import Role
from arrears.people.operations import roles_of


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


@login_required
def audit_page(request: HttpRequest) -> HttpResponse:
    if not (request.user.is_superuser or request.user.has_perm("people.search_audit")):
        raise PermissionDenied(_("This page is for compliance officers."))
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
        raise PermissionDenied(_("This page is for customer service and credit assessors."))
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

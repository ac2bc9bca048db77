"""The collector's workbench, the customer 360 page and the audit search (the team lead's page: lead.py)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from arrears.application.contact_gate import check_case_contact
from arrears.application.contacts import record_contact_with_promise
from arrears.application.customer_view import customer_360
from arrears.application.figures import customer_figures
from arrears.application.personal_data import may_reveal
from arrears.application.reads import record_request_reads
from arrears.audit.models import AuditEntry
from arrears.audit.operations import record
from arrears.cases.models import Case
from arrears.cases.queries import case_for
from arrears.contacts.operations import (
    ContactIn,
    add_note,
    capture_situation,
    hand_off,
    schedule_callback,
)
from arrears.cycle import business_date
from arrears.errors import ArrearsError, NotFound
from arrears.interfaces.web.errors import error_line, error_text
from arrears.interfaces.web.figures import account_view, customer_view
from arrears.interfaces.web.forms import CallbackForm, ContactForm, HandoffForm, NoteForm, SituationForm
from arrears.interfaces.web.labels import case_status_label, status_reason_label
from arrears.kernel import clock
from arrears.people.models import Role
from arrears.people.operations import roles_of

PATH_LABELS = {
    "promise_to_pay": _lazy("take a promise to pay"),
    "hardship_plan": _lazy("offer a hardship repayment plan"),
    "escalation": _lazy("escalate"),
    "review_with_supervisor": _lazy("review with the supervisor"),
}

# The promise's fields as the contact form names them.
PROMISE_FIELDS = {"amount": "promise_amount", "promised_date": "promise_date"}


def _case_or_404(request: HttpRequest, case_id: int) -> Case:
    try:
        return case_for(request.user, case_id)
    except NotFound:
        raise Http404(_("No such case, or not one you can see.")) from None


@login_required
def case_page(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case_or_404(request, case_id)
    forms: dict[str, Any] = {
        "contact_form": ContactForm(),
        "situation_form": SituationForm(),
        "callback_form": CallbackForm(),
        "note_form": NoteForm(),
        "handoff_form": HandoffForm(),
    }
    if request.method == "POST":
        done, forms = _act(request, case, forms)
        if done:
            return redirect("case", case_id=case.pk)
    data = customer_360(case, user=request.user)
    money = customer_figures(case.customer_id, business_date=business_date.current())[case.customer_id]
    views = {a.account_id: account_view(a) for a in money.accounts}
    data["rows"] = [{"account": a, **views[a.pk]} for a in data["accounts"]]
    data["figures"] = customer_view(money)
    for s in data["situations"]:
        s.path_label = PATH_LABELS.get(s.recommended_path, s.recommended_path)
    for c in data["status_changes"]:
        c.from_label, c.to_label = case_status_label(c.from_status), case_status_label(c.to_status)
        c.reason_label = status_reason_label(c.reason)
    record(
        actor=request.user.get_username(), action="customer.view", object_type="customer", object_id=case.customer_id
    )
    call = check_case_contact(
        case=case,
        channel="phone",
        address=case.customer.mobile,
        at=clock.now(),
        language=translation.get_language(),
    )
    return render(
        request,
        "arrears/case.html",
        {
            **data,
            **forms,
            "leased": case.lease_holder_id == request.user.pk,
            "may_reveal": may_reveal(request.user),
            "reveal_ref": data["accounts"][0].ref if data["accounts"] else "",
            "call": call,
            "bank_zone": settings.ARREARS_BANK_TIME_ZONE,
        },
    )


def _act(request: HttpRequest, case: Case, forms: dict[str, Any]) -> tuple[bool, dict[str, Any]]:
    """Run the one action the posted form asks for; on a problem, give the form back with the error."""
    action = request.POST.get("action", "")
    form_key = {
        "contact": "contact_form",
        "situation": "situation_form",
        "callback": "callback_form",
        "note": "note_form",
        "handoff": "handoff_form",
    }.get(action)
    if form_key is None:
        messages.error(request, _("Unknown action."))
        return False, forms
    form = type(forms[form_key])(request.POST)
    forms[form_key] = form
    if not form.is_valid():
        return False, forms
    d = form.cleaned_data
    try:
        if action == "contact":
            _record_contact_with_promise(request, case, d)
            messages.success(request, _("Contact recorded."))
        elif action == "situation":
            situation = capture_situation(
                user=request.user,
                case=case,
                monthly_income=d["monthly_income"],
                monthly_expenses=d["monthly_expenses"],
                dependants=d["dependants"],
                other_debts=d["other_debts"],
                hardship_reason=d["hardship_reason"],
                hardship_expected_end=d["hardship_expected_end"],
                ability=d["ability"],
                willingness=d["willingness"],
            )
            messages.success(
                request,
                _("Financial situation saved. Recommended path: %(path)s")
                % {"path": PATH_LABELS.get(situation.recommended_path, situation.recommended_path)},
            )
        elif action == "callback":
            due = d["due_at"] if timezone.is_aware(d["due_at"]) else timezone.make_aware(d["due_at"])
            schedule_callback(user=request.user, case=case, due_at=due, note=d["note"])
            messages.success(request, _("Callback scheduled."))
        elif action == "note":
            add_note(user=request.user, case=case, text=d["text"])
            messages.success(request, _("Note added."))
        elif action == "handoff":
            hand_off(user=request.user, case=case, to_role=d["to_role"], comment=d["comment"])
            messages.success(request, _("Handed off."))
    except ArrearsError as exc:
        field = PROMISE_FIELDS.get(exc.field or "", exc.field) if action == "contact" else exc.field
        if field in form.fields:
            form.add_error(field, error_text(exc))
        else:
            form.add_error(None, error_line(exc))
        return False, forms
    return True, forms


def _record_contact_with_promise(request: HttpRequest, case: Case, d: dict[str, Any]) -> None:
    record_contact_with_promise(
        user=request.user,
        case=case,
        data=ContactIn(
            channel=d["channel"],
            direction=d["direction"],
            # Blank: the customer's number for a call or SMS (the page never holds it in full).
            address=d["address"] or (case.customer.mobile if d["channel"] in ("phone", "sms") else ""),
            party=d["party"],
            result=d["result"],
            disposition=d["disposition"],
            duration_seconds=d["duration_seconds"],
            notes=d["notes"],
            recording_ref=d["recording_ref"],
        ),
        business_date=business_date.current(),
        promise_amount=d["promise_amount"],
        promise_date=d["promise_date"],
    )


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

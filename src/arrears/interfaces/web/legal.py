"""The legal officer's pages: the list of legal cases (and referring an account), and one case with
its stages, deadlines, limitation period, evidence of demands, costs and proceeds.

Legal officers (and administrators) work the bank's legal cases across teams; everybody else gets
403 on both pages. A case id that does not exist is 404.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from arrears.application.figures import account_figures
from arrears.application.reads import record_request_reads
from arrears.cycle import business_date
from arrears.errors import ArrearsError, NotFound, ValidationFailed
from arrears.interfaces.templatetags.money import yuan
from arrears.interfaces.web.concessions import masked_name
from arrears.interfaces.web.errors import error_line
from arrears.ledger.models import Account
from arrears.legal import operations as legal
from arrears.legal import rules
from arrears.legal.models import DemandKind, LegalCase, LegalKind, LegalStage
from arrears.people.models import Role
from arrears.people.operations import roles_of

DEADLINE_LABELS = {
    "issue_by": gettext_lazy("The court issues the payment order by"),
    "pay_or_object_by": gettext_lazy("The debtor pays or objects by"),
    "enforce_by": gettext_lazy("Apply for enforcement by"),
}
CHANNEL_LABELS = {
    "phone": gettext_lazy("phone"),
    "sms": gettext_lazy("SMS"),
    "email": gettext_lazy("e-mail"),
    "letter": gettext_lazy("letter"),
    "visit": gettext_lazy("visit"),
}


def may_work_legal(user: Any) -> bool:
    return bool(user.is_superuser) or Role.LEGAL_OFFICER in roles_of(user)


def _require(request: HttpRequest) -> None:
    if not may_work_legal(request.user):
        raise PermissionDenied(_("Only legal officers work legal cases."))


def _date(text: str, field: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise ValidationFailed(f"{text!r} is not a date like 2026-11-02", field=field, code="not_a_date") from None


def _optional_date(text: str, field: str) -> dt.date | None:
    return _date(text, field) if text.strip() else None


def _next_deadline(case: LegalCase, today: dt.date) -> rules.Deadline | None:
    found = [d for d in _deadlines(case) if d.due_on >= today]
    return min(found, key=lambda d: d.due_on) if found and case.stage != LegalStage.CLOSED else None


def _deadlines(case: LegalCase) -> list[rules.Deadline]:
    events = {e.stage: e for e in case.events.all()}
    filing, judgment = events.get(LegalStage.FILING), events.get(LegalStage.JUDGMENT)
    return rules.deadlines(
        kind=case.kind,
        filed_on=filing.on if filing else None,
        judged_on=judgment.on if judgment else None,
        performance_due_on=judgment.performance_due_on if judgment else None,
    )


@login_required
def legal_list(request: HttpRequest) -> HttpResponse:
    _require(request)
    today = business_date.current()
    if request.method == "POST":
        try:
            wanted = request.POST.get("account", "").strip()
            account = Account.objects.filter(Q(ref=wanted) | Q(number=wanted)).first() if wanted else None
            if account is None:
                raise NotFound("no account with that number or reference", field="account")
            case = legal.refer(
                account=account,
                date=today,
                by=request.user,
                kind=request.POST.get("kind", LegalKind.LAWSUIT),
                court=request.POST.get("court", ""),
            )
        except ArrearsError as exc:
            messages.error(request, error_line(exc))
        else:
            messages.success(request, _("Referred to law: legal case %(id)s.") % {"id": case.pk})
            return redirect("legal-case", legal_case_id=case.pk)
    cases = list(
        LegalCase.objects.select_related("customer", "account")
        .prefetch_related("events")
        .order_by("closed_on", "-id")[:200]
    )
    rows: list[dict[str, Any]] = []
    for c in cases:
        upcoming = _next_deadline(c, today)
        rows.append(
            {
                "case": c,
                "customer": masked_name(c.customer.name),
                "next": upcoming,
                "next_label": DEADLINE_LABELS[upcoming.what] if upcoming else "",
            }
        )
    record_request_reads(request, object_type="account", ids=[c.account_id for c in cases])
    counts = legal.counts_by_stage()
    return render(
        request,
        "arrears/legal/list.html",
        {
            "rows": rows,
            "kinds": LegalKind.choices,
            "counts": [(label, counts.get(value, 0)) for value, label in LegalStage.choices],
        },
    )


def _act(request: HttpRequest, case: LegalCase, today: dt.date) -> str:
    """One posted action; the message to show when it is done."""
    p, action = request.POST, request.POST.get("action", "")
    if action == "advance":
        to = p.get("stage", "")
        upload = request.FILES.get("document")
        legal.advance(
            case=case,
            to=to,
            on=_date(p.get("on", ""), "date"),
            by=request.user,
            business_date=today,
            court=p.get("court", ""),
            case_number=p.get("case_number", ""),
            performance_due_on=_optional_date(p.get("performance_due_on", ""), "performance_due_on"),
            documents=[(upload.name or "document", upload.read())] if upload else [],
            document_text=p.get("document_text", ""),
            note=p.get("note", ""),
        )
        return _("The case moved to: %(stage)s.") % {"stage": LegalStage(to).label}
    if action == "costs":
        award = legal.award_costs(
            case=case,
            amount=p.get("amount", ""),
            on=_date(p.get("on", ""), "date"),
            by=request.user,
            business_date=today,
            note=p.get("note", ""),
        )
        return _("Court costs of %(amount)s posted to the account.") % {"amount": yuan(award.amount_fen)}
    if action == "proceeds":
        row = legal.record_proceeds(
            case=case,
            amount=p.get("amount", ""),
            on=_date(p.get("on", ""), "date"),
            by=request.user,
            business_date=today,
            note=p.get("note", ""),
        )
        return _("Enforcement proceeds posted: payment %(ref)s.") % {"ref": row.payment_reference}
    if action == "demand":
        upload = request.FILES.get("document")
        legal.record_demand(
            case=case,
            on=_date(p.get("on", ""), "date"),
            by=request.user,
            business_date=today,
            channel=p.get("channel", ""),
            evidence=p.get("evidence", ""),
            receipt_proved=p.get("receipt_proved") == "on",
            kind=p.get("demand_kind", DemandKind.DEMAND),
            document=(upload.name or "document", upload.read()) if upload else None,
        )
        return _("The evidence is kept on the case.")
    raise ValidationFailed("choose what to do", field="action", code="nothing_chosen")


@login_required
def legal_case(request: HttpRequest, legal_case_id: int) -> HttpResponse:
    _require(request)
    today = business_date.current()
    try:
        case = legal.get_case(legal_case_id)
    except NotFound:
        raise Http404(_("No such legal case.")) from None
    if request.method == "POST":
        try:
            done = _act(request, case, today)
        except ArrearsError as exc:
            messages.error(request, error_line(exc))
        else:
            messages.success(request, done)
            return redirect("legal-case", legal_case_id=case.pk)
        case = legal.get_case(legal_case_id)
    events = list(case.events.all())
    deadlines = [
        {"d": d, "label": DEADLINE_LABELS[d.what], "passed": d.due_on < today and case.stage != LegalStage.CLOSED}
        for d in _deadlines(case)
    ]
    limitation = legal.case_limitation(case, on=today)
    figures = account_figures([case.account_id], business_date=today)[case.account_id]
    index = rules.stage_index(case.stage)
    next_stages = (
        []
        if case.stage == LegalStage.CLOSED
        else [
            (s.value, s.label)
            for s in LegalStage
            if s == LegalStage.CLOSED
            or (
                rules.stage_index(s) == index + 1
                and not (case.kind == LegalKind.PAYMENT_ORDER and s == LegalStage.HEARING)
            )
            or (case.kind == LegalKind.PAYMENT_ORDER and case.stage == LegalStage.FILING and s == LegalStage.JUDGMENT)
        ]
    )
    record_request_reads(request, object_type="customer", ids=[case.customer_id])
    context = {
        "case": case,
        "customer_name": masked_name(case.customer.name),
        "events": events,
        "deadlines": deadlines,
        "limitation": limitation,
        "limitation_barred_from": limitation.ends_on + dt.timedelta(days=1),
        "demands": [
            {"d": d, "channel": CHANNEL_LABELS.get(d.channel, d.channel)} for d in case.demands.all().order_by("on")
        ],
        "costs": list(case.costs.all().order_by("on", "id")),
        "proceeds": list(case.proceeds.all().order_by("on", "id")),
        "police": legal.police_referral(case, on=today),
        "figures": figures,
        "next_stages": next_stages,
        "at_judgment": index >= rules.stage_index(LegalStage.JUDGMENT) and case.stage != LegalStage.CLOSED,
        "at_enforcement": case.stage == LegalStage.ENFORCEMENT,
        "open": case.stage != LegalStage.CLOSED,
        "channels": list(CHANNEL_LABELS.items()),
        "demand_kinds": DemandKind.choices,
        "today": today,
        "barred_rule": legal.barred_rule(),
    }
    return render(request, "arrears/legal/case.html", context)

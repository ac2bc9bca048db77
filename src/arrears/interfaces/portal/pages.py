"""The cardholder's pages: parse, one call, render. Every object is looked up through the signed-in customer
(arrears.portal.queries), so another customer's id is a 404 like an unknown one."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from arrears.application.figures import AccountFigures, customer_figures
from arrears.cycle import business_date
from arrears.disputes.models import DisputeKind
from arrears.disputes.operations import open_dispute
from arrears.errors import ArrearsError, NotFound, ValidationFailed
from arrears.holds.operations import opt_out, withdraw_opt_out
from arrears.inquiries.models import Category, InquiryChannel, Outcome
from arrears.inquiries.operations import record_inquiry
from arrears.inquiries.surveys import answer_survey
from arrears.interfaces.portal.session import cardholder_page, customer_of
from arrears.interfaces.web import formatting
from arrears.interfaces.web.errors import error_text
from arrears.interfaces.web.forms_login import client_address
from arrears.interfaces.web.labels import component_label, entry_kind_label
from arrears.interfaces.web.views import _labelled
from arrears.kernel.vocabulary import Channel
from arrears.money import parse_amount
from arrears.payments.gateway import checkout_url, start_checkout
from arrears.plans.operations import accept_plan_by_cardholder
from arrears.portal import queries
from arrears.portal.operations import cardholder
from arrears.promises.operations import policy_in_force, take_promise_by_cardholder
from arrears.scenario import statement_lines

# The channels a cardholder may opt out of here (letters carry legal notices; visits are not made on request).
OPT_OUT_CHANNELS = (Channel.SMS, Channel.EMAIL, Channel.PHONE)


def portal_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A signed-in cardholder's page; an object that is not theirs is not found."""

    @cardholder_page
    @wraps(view)
    def page(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(gettext("Not found.")) from exc

    return page


def last_four(number: str) -> str:
    return f"•••• {number[-4:]}"


def _account_view(f: AccountFigures) -> dict[str, Any]:
    return {
        "ref": f.ref,
        "card": last_four(f.number),
        "balance": formatting.yuan(f.balance_fen),
        "components": [
            {"label": component_label(c), "amount": formatting.yuan(v)} for c, v in f.components_fen().items() if v
        ],
        "past_due": formatting.yuan(f.past_due_fen) if f.past_due_fen else "",
        "to_bring_current": formatting.yuan(f.to_bring_current_fen) if f.to_bring_current_fen else "",
        "parts": [
            {"due_date": formatting.day(u.due_date), "amount": formatting.yuan(u.amount_fen), "kind": u.kind}
            for u in f.to_bring_current
        ],
        "dpd": f.dpd,
        "charged_off": f.charged_off,
        "still_owed": formatting.yuan(f.still_owed_fen) if f.charged_off else "",
    }


@portal_page
def home(request: HttpRequest) -> HttpResponse:
    customer = customer_of(request)
    today = business_date.current()
    figures = customer_figures(customer.pk, business_date=today).get(customer.pk)
    return render(
        request,
        "arrears/portal/home.html",
        {
            "customer": customer,
            "today": today,
            "accounts": [_account_view(f) for f in (figures.accounts if figures else ())],
            "offers": list(queries.offers(customer)),
            "promisable": queries.promisable_case(customer) is not None,
            "surveys": list(queries.open_surveys(customer)),
            "scores": range(1, 6),
        },
    )


@portal_page
def statements(request: HttpRequest) -> HttpResponse:
    rows = [
        {
            "id": s.pk,
            "card": last_four(s.account.number),
            "date": s.statement_date,
            "due_date": s.due_date,
            "balance": formatting.yuan(s.new_balance_fen),
            "minimum": formatting.yuan(s.minimum_payment_fen),
        }
        for s in queries.statements(customer_of(request))[:36]
    ]
    return render(request, "arrears/portal/statements.html", {"statements": rows})


@portal_page
def statement(request: HttpRequest, statement_id: int) -> HttpResponse:
    s = queries.statement(customer_of(request), statement_id)
    return render(
        request,
        "arrears/portal/statement.html",
        {
            "s": s,
            "card": last_four(s.account.number),
            "balance": formatting.yuan(s.new_balance_fen),
            "minimum": formatting.yuan(s.minimum_payment_fen),
            "interest": formatting.yuan(s.interest_charged_fen),
            "fees": formatting.yuan(s.fees_charged_fen),
            "payments": formatting.yuan(s.payments_fen),
            "lines": [_labelled(line) for line in statement_lines(s)],
        },
    )


@portal_page
def plans(request: HttpRequest) -> HttpResponse:
    return render(request, "arrears/portal/plans.html", {"plans": list(queries.plans(customer_of(request)))})


def _language() -> str:
    return "en" if (translation.get_language() or "").startswith("en") else "zh-hans"


@portal_page
def plan(request: HttpRequest, plan_id: int) -> HttpResponse:
    p = queries.plan(customer_of(request), plan_id)
    return _plan_page(request, p, problem="")


def _plan_page(request: HttpRequest, p: Any, *, problem: str, status: int = 200) -> HttpResponse:
    schedule = [
        {"n": i.n, "due_date": i.due_date, "amount": formatting.yuan(i.amount_fen)} for i in p.schedule.order_by("n")
    ]
    return render(
        request,
        "arrears/portal/plan.html",
        {
            "plan": p,
            "card": last_four(p.account.number),
            "summary": (p.summary or {}).get(_language(), ""),
            "schedule": schedule,
            "total": formatting.yuan(p.total_amount_fen),
            "problem": problem,
        },
        status=status,
    )


@portal_page
def plan_document(request: HttpRequest, plan_id: int) -> HttpResponse:
    p = queries.plan(customer_of(request), plan_id)
    if not p.document_pdf:
        raise NotFound("no document")
    response = HttpResponse(bytes(p.document_pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="plan-{p.pk}.pdf"'
    return response


@require_POST
@portal_page
def plan_accept(request: HttpRequest, plan_id: int) -> HttpResponse:
    customer = customer_of(request)
    p = queries.plan(customer, plan_id)
    if request.POST.get("agree") != "yes":
        return _plan_page(
            request, p, problem=gettext("Tick the box to say you have read the plan document."), status=422
        )
    try:
        accept_plan_by_cardholder(
            customer=customer,
            plan=p,
            shown_sha256=request.POST.get("sha256", ""),
            address=client_address(request),
            user_agent=request.headers.get("User-Agent", ""),
            business_date=business_date.current(),
        )
    except NotFound:
        raise
    except ArrearsError as exc:
        p.refresh_from_db()
        return _plan_page(request, p, problem=error_text(exc), status=exc.status)
    messages.success(request, gettext("Thank you: you accepted the plan. We will confirm when it starts."))
    return redirect("portal:plan", plan_id=p.pk)


def _date(text: str, field: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise ValidationFailed("give a date like 2026-06-15", field=field, code="not_a_date") from None


@portal_page
def promise(request: HttpRequest) -> HttpResponse:
    customer = customer_of(request)
    case = queries.promisable_case(customer)
    today = business_date.current()
    policy = policy_in_force()
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST" and case is not None:
        try:
            take_promise_by_cardholder(
                customer=customer,
                case=case,
                amount=parse_amount(request.POST.get("amount", ""), field="amount"),
                promised_date=_date(request.POST.get("promised_date", ""), "promised_date"),
                business_date=today,
            )
        except ArrearsError as exc:
            errors[exc.field or ""], status = error_text(exc), exc.status
        else:
            messages.success(request, gettext("Thank you: your promise to pay is recorded."))
            return redirect("portal:home")
    return render(
        request,
        "arrears/portal/promise.html",
        {
            "case": case,
            "past_due": formatting.yuan(case.past_due_fen) if case else "",
            "latest": today + dt.timedelta(days=policy.max_days_ahead),
            "today": today,
            "share": formatting.percent(policy.min_share_of_past_due, places=0),
            "errors": errors,
            "typed": request.POST,
        },
        status=status,
    )


@portal_page
def contact(request: HttpRequest) -> HttpResponse:
    customer = customer_of(request)
    if request.method == "POST":
        channel = request.POST.get("channel", "")
        if channel not in OPT_OUT_CHANNELS:
            raise Http404(gettext("Not found."))
        actor = cardholder(customer.pk)
        if request.POST.get("action") == "out":
            if channel not in queries.opt_outs(customer):
                opt_out(actor=actor, customer=customer, channel=channel, source="portal")
        else:
            withdraw_opt_out(actor=actor, customer=customer, channel=channel)
        messages.success(request, gettext("Your contact preferences are saved."))
        return redirect("portal:contact")
    out = queries.opt_outs(customer)
    labels = {
        Channel.SMS: gettext("Text messages (SMS)"),
        Channel.EMAIL: gettext("E-mail"),
        Channel.PHONE: gettext("Phone calls"),
    }
    rows = [{"channel": str(c), "label": labels[c], "opted_out": c in out} for c in OPT_OUT_CHANNELS]
    return render(request, "arrears/portal/contact.html", {"channels": rows})


@portal_page
def letters(request: HttpRequest) -> HttpResponse:
    return render(request, "arrears/portal/letters.html", {"letters": list(queries.letters(customer_of(request))[:50])})


@portal_page
def letter(request: HttpRequest, message_id: int) -> HttpResponse:
    m = queries.letter(customer_of(request), message_id)
    response = HttpResponse(bytes(m.document or b""), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="letter-{m.pk}.pdf"'
    return response


@portal_page
def question(request: HttpRequest) -> HttpResponse:
    customer = customer_of(request)
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        try:
            record_inquiry(
                actor=cardholder(customer.pk),
                customer=customer,
                category=request.POST.get("category", ""),
                channel=InquiryChannel.PORTAL,
                question=request.POST.get("question", ""),
                outcome=Outcome.OPEN,
                business_date=business_date.current(),
            )
        except ArrearsError as exc:
            errors[exc.field or ""], status = error_text(exc), exc.status
        else:
            messages.success(request, gettext("Thank you: your question is recorded. We will answer it soon."))
            return redirect("portal:home")
    return render(
        request,
        "arrears/portal/question.html",
        {"categories": Category.choices, "errors": errors, "typed": request.POST},
        status=status,
    )


def _entry_choice(e: Any) -> dict[str, Any]:
    return {
        "id": e.pk,
        "label": f"{formatting.day(e.posting_date)} · {last_four(e.account.number)} · "
        f"{entry_kind_label(e.kind)} · {formatting.yuan(e.amount_fen)}",
    }


@portal_page
def disputes(request: HttpRequest) -> HttpResponse:
    customer = customer_of(request)
    accounts = list(queries.accounts(customer))
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        try:
            kind = request.POST.get("kind", "")
            entry = None
            if kind in ("statement_line", "fee") and request.POST.get("entry", "").isdigit():
                entry = queries.disputable_entry(customer, int(request.POST["entry"]))
            account = entry.account if entry is not None else queries.account(customer, request.POST.get("account", ""))
            paid_on = request.POST.get("payment_date", "").strip()
            amount = request.POST.get("amount", "").strip()
            open_dispute(
                actor=cardholder(customer.pk),
                account=account,
                kind=kind,
                reason=request.POST.get("reason", ""),
                channel="portal",
                business_date=business_date.current(),
                entry=entry,
                amount=parse_amount(amount, field="amount") if amount else None,
                payment_date=_date(paid_on, "payment_date") if paid_on else None,
                payment_reference=request.POST.get("payment_reference", "").strip(),
            )
        except NotFound:
            errors["account"], status = gettext("Choose one of your cards or one of its lines."), 422
        except ArrearsError as exc:
            errors[exc.field or ""], status = error_text(exc), exc.status
        else:
            messages.success(
                request, gettext("Your dispute is opened. We will not ask you to pay what it covers until we answer.")
            )
            return redirect("portal:disputes")
    return render(
        request,
        "arrears/portal/disputes.html",
        {
            "disputes": list(queries.disputes(customer)[:50]),
            "accounts": [{"ref": a.ref, "card": last_four(a.number)} for a in accounts],
            "entries": [_entry_choice(e) for e in queries.disputable_entries(customer)[:60]],
            "kinds": DisputeKind.choices,
            "errors": errors,
            "typed": request.POST,
        },
        status=status,
    )


@portal_page
def pay(request: HttpRequest) -> HttpResponse:
    """Pay through the payment gateway: a checkout on one of the cardholder's cards, then the gateway's page;
    its confirmation posts the payment through the ledger door."""
    customer = customer_of(request)
    today = business_date.current()
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        try:
            account = queries.account(customer, request.POST.get("account", ""))
            started = start_checkout(
                actor=cardholder(customer.pk),
                account=account,
                amount=parse_amount(request.POST.get("amount", ""), field="amount"),
                business_date=today,
                return_url=reverse("portal:pay"),
            )
        except NotFound:
            errors["account"], status = gettext("Choose one of your cards."), 422
        except ArrearsError as exc:
            errors[exc.field or ""], status = error_text(exc), exc.status
        else:
            return redirect(checkout_url(started))
    figures = customer_figures(customer.pk, business_date=today).get(customer.pk)
    cards = [
        {
            "ref": f.ref,
            "card": last_four(f.number),
            "suggested": f"{f.to_bring_current_fen / 100:.2f}" if f.to_bring_current_fen else "",
        }
        for f in (figures.accounts if figures else ())
    ]
    payments = [
        {
            "card": last_four(c.account.number),
            "amount": formatting.yuan(c.amount_fen),
            "at": c.created_at,
            "status": c.get_status_display(),
            "status_code": c.status,
        }
        for c in queries.checkouts(customer)[:20]
    ]
    return render(
        request,
        "arrears/portal/pay.html",
        {"cards": cards, "payments": payments, "errors": errors, "typed": request.POST},
        status=status,
    )


@require_POST
@portal_page
def survey(request: HttpRequest, survey_id: int) -> HttpResponse:
    customer = customer_of(request)
    found = queries.open_survey(customer, survey_id)
    score = request.POST.get("score", "")
    try:
        answer_survey(survey=found, score=int(score) if score.isdigit() else score, actor=cardholder(customer.pk))
    except ArrearsError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, gettext("Thank you for your answer."))
    return redirect("portal:home")

"""The inquiry desk, /accounts/<ref>/inquiry/: choose the customer's question, read the answer generated
from the ledger in the customer's language and in the rep's, and send it (e-mail or SMS through the
compliance gate) or log it as given on the phone. Customer service, the collectors and leads who may see
the account, administrators."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from arrears.application.reads import record_request_reads
from arrears.cases.queries import account_for
from arrears.cycle import business_date
from arrears.errors import ArrearsError, NotFound, ValidationFailed
from arrears.inquiries import desk as questions
from arrears.inquiries import explain
from arrears.inquiries.models import Inquiry, InquiryChannel, Outcome
from arrears.inquiries.operations import answer_inquiry, check_answer, may_use_desk, record_inquiry
from arrears.inquiries.queries import inquiries_of
from arrears.interfaces.web.errors import error_line
from arrears.ledger.models import Account, Language
from arrears.scoring.queries import latest_scores
from arrears.scoring.rules import band_of

ANSWER_CHANNELS = (InquiryChannel.PHONE, InquiryChannel.EMAIL, InquiryChannel.SMS)


@login_required
def desk_page(request: HttpRequest, ref: str) -> HttpResponse:
    if not may_use_desk(request.user):
        raise PermissionDenied(
            _("Only customer service, collectors, team leads and administrators use the inquiry desk.")
        )
    try:
        account = account_for(request.user, ref)
    except NotFound:
        raise Http404(_("No such account, or not one you can see.")) from None
    today = business_date.current()
    data = request.POST if request.method == "POST" else request.GET
    question = data.get("question", "balance")
    on_text = data.get("on", "")
    errors: list[str] = []
    try:
        on = dt.date.fromisoformat(on_text) if on_text else today
    except ValueError:
        errors.append(error_line(ValidationFailed(f"{on_text!r} is not a date", field="on", code="not_a_date")))
        on = today
    open_inquiry = _open_inquiry(account, data.get("inquiry", ""))
    if request.method == "POST" and not errors:
        try:
            inquiry = _send(request, account, data, question=question, on=on, today=today, open_inquiry=open_inquiry)
        except ArrearsError as exc:
            errors.append(error_line(exc))
            # A question recorded before the gate refused its answer stays open: offer it again.
            open_inquiry = open_inquiry or _latest_open(account)
        else:
            messages.success(request, _("The answer was recorded (inquiry %(id)s).") % {"id": inquiry.pk})
            url = reverse("inquiry-desk", kwargs={"ref": account.ref})
            return redirect(f"{url}?{urlencode({'question': question, 'on': on.isoformat()})}")
    page_language = translation.get_language() or Language.ZH_HANS
    languages = list(dict.fromkeys([account.customer.language, page_language]))
    answers: list[dict[str, Any]] = []
    for language in languages:
        try:
            answered = questions.answer_question(
                account, question=question, on=on, language=language, business_date=today
            )
        except ArrearsError as exc:
            errors.append(error_line(exc))
            break
        answers.append({"language": language, "label": dict(Language.choices)[language], "a": answered})
    latest = latest_scores(account_ids=[account.pk]).get(account.pk)
    score_answers = []
    if latest is not None:  # why this score (PIPL-AUTO), in the customer's language and the page's
        facts = {
            "points": latest.points,
            "band": band_of(latest.points),
            "model": latest.model.label,
            "scored_on": latest.scored_on,
            "reasons": latest.reasons,
        }
        score_answers = [
            {"language": lang, "label": dict(Language.choices)[lang], "a": explain.score_answer(facts, language=lang)}
            for lang in languages
        ]
    record_request_reads(request, object_type="account", ids=[account.pk])
    context: dict[str, Any] = {
        "score_answers": score_answers,
        "account": account,
        "customer": account.customer,
        "groups": questions.question_choices(account, language=page_language),
        "question": question,
        "on": on,
        "answers": answers,
        "sent_answer": answers[0]["a"].text if answers else "",
        "errors": list(dict.fromkeys(errors)),
        "channels": [(c, InquiryChannel(c).label) for c in ANSWER_CHANNELS],
        "channel": data.get("channel", InquiryChannel.PHONE),
        "asked": data.get("asked", ""),
        "open_inquiry": open_inquiry,
        "open_inquiries": list(
            Inquiry.objects.filter(customer_id=account.customer_id, outcome=Outcome.OPEN).order_by("-id")[:20]
        ),
        "inquiries": inquiries_of(account.customer_id),
    }
    return render(
        request, "arrears/inquiries/desk.html", context, status=422 if errors and request.method == "POST" else 200
    )


def _send(
    request: HttpRequest,
    account: Account,
    data: Any,
    *,
    question: str,
    on: dt.date,
    today: dt.date,
    open_inquiry: Inquiry | None,
) -> Inquiry:
    """Record the question (or take the open one) and answer it; everything is checked before anything is
    written, and a refusal by the compliance gate leaves the question on record, open."""
    language = account.customer.language
    answered = questions.answer_question(account, question=question, on=on, language=language, business_date=today)
    channel = data.get("channel", "")
    answer = data.get("answer", "").strip() or answered.text
    check_answer(user=request.user, customer=account.customer, answer=answer, channel=channel, template_code=None)
    inquiry = open_inquiry or record_inquiry(
        actor=request.user.get_username(),
        customer=account.customer,
        account=account,
        category=answered.category,
        channel=channel if channel in ANSWER_CHANNELS else InquiryChannel.PHONE,
        question=data.get("asked", "").strip() or answered.question,
        outcome=Outcome.OPEN,
        business_date=today,
    )
    return answer_inquiry(user=request.user, inquiry=inquiry, answer=answer, channel=channel, business_date=today)


def _open_inquiry(account: Account, text: str) -> Inquiry | None:
    if not text.isdigit() or len(text) > 18:
        return None
    return Inquiry.objects.filter(pk=int(text), customer_id=account.customer_id, outcome=Outcome.OPEN).first()


def _latest_open(account: Account) -> Inquiry | None:
    """The question recorded by this very request, if the gate then refused its answer."""
    return (
        Inquiry.objects.filter(customer_id=account.customer_id, account=account, outcome=Outcome.OPEN)
        .order_by("-id")
        .first()
    )

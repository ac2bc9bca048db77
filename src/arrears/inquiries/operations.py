"""Recording a customer's inquiry, and answering it: by e-mail or SMS through the compliance gate from an
approved template, in the portal, or logged as answered on the phone. Closing an inquiry asks the
customer's satisfaction (arrears.inquiries.surveys)."""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import Any

from django.db import transaction

from arrears.application import outreach
from arrears.audit.operations import record
from arrears.cases.models import Case
from arrears.errors import ArrearsError, Conflict, NotFound, NotPermitted, ValidationFailed
from arrears.inquiries import surveys
from arrears.inquiries.models import Category, Inquiry, InquiryChannel, Outcome, SurveyChannel
from arrears.kernel import clock
from arrears.ledger.models import Account, Customer
from arrears.people.models import Role
from arrears.people.operations import roles_of

ANSWER_TEMPLATE = "inquiry_answer"  # approved e-mail and SMS templates; {{ answer }} carries the answer
DESK_ROLES = {Role.CUSTOMER_SERVICE, Role.COLLECTOR, Role.TEAM_LEAD, Role.ADMINISTRATOR}
SENT_CHANNELS = (InquiryChannel.EMAIL, InquiryChannel.SMS)
QUESTION_LIMIT, ANSWER_LIMIT = 2000, 4000


def may_use_desk(user: Any) -> bool:
    return bool(user.is_superuser or roles_of(user) & DESK_ROLES)


def _choice(value: str, choices: Any, field: str) -> str:
    if value not in choices.values:
        values = ", ".join(choices.values)
        raise ValidationFailed(f"must be one of {values}", field=field, code="not_a_choice", params={"values": values})
    return value


def _text(value: str, field: str, limit: int, *, required: bool = True) -> str:
    if not isinstance(value, str):
        raise ValidationFailed("must be text", field=field)
    value = value.strip()
    if required and not value:
        raise ValidationFailed("must not be empty", field=field, code="required")
    if len(value) > limit:
        raise ValidationFailed(f"at most {limit} characters", field=field)
    return value


def record_inquiry(
    *,
    actor: str,
    customer: Customer,
    account: Account | None = None,
    case: Case | None = None,
    category: str,
    channel: str,
    question: str,
    answer: str = "",
    outcome: str,
    business_date: dt.date,
) -> Inquiry:
    """Record an inquiry as it came in (the portal records its questions with channel "portal" and
    outcome "open"). An inquiry recorded closed (answered, escalated, dispute opened) asks a survey."""
    _choice(category, Category, "category")
    _choice(channel, InquiryChannel, "channel")
    _choice(outcome, Outcome, "outcome")
    question = _text(question, "question", QUESTION_LIMIT)
    answer = _text(answer, "answer", ANSWER_LIMIT, required=outcome == Outcome.ANSWERED)
    if account is not None and account.customer_id != customer.pk:
        raise ValidationFailed("the account is not this customer's", field="account")
    if case is not None and case.customer_id != customer.pk:
        raise ValidationFailed("the case is not this customer's", field="case")
    now = clock.now()
    closed = outcome != Outcome.OPEN
    with transaction.atomic():
        inquiry = Inquiry.objects.create(
            customer=customer,
            account=account,
            case=case,
            category=category,
            channel=channel,
            question=question,
            answer=answer,
            answer_channel=channel if answer else "",
            outcome=outcome,
            created_by=actor,
            created_at=now,
            business_date=business_date,
            answered_by=actor if answer else "",
            answered_at=now if answer else None,
            closed_at=now if closed else None,
        )
        record(
            actor=actor,
            action="inquiry.record",
            object_type="customer",
            object_id=customer.pk,
            after={
                "inquiry": inquiry.pk,
                "account": account.ref if account else None,
                "category": category,
                "channel": channel,
                "outcome": outcome,
            },
        )
    if closed:
        _ask_survey(actor=actor, inquiry=inquiry, business_date=business_date)
    return inquiry


def answer_inquiry(
    *,
    user: Any,
    inquiry: Inquiry,
    answer: str,
    channel: str,
    business_date: dt.date,
    template_code: str | None = None,
) -> Inquiry:
    """Answer an open inquiry: by e-mail or SMS through the compliance gate from an approved template
    (`inquiry_answer` unless another is named; the gate refuses: ContactNotAllowed, the inquiry stays
    open and nothing is sent), in the portal, or logged as given on the phone. Audited; asks a survey."""
    code = check_answer(
        user=user, customer=inquiry.customer, answer=answer, channel=channel, template_code=template_code
    )
    answer = answer.strip()
    if inquiry.outcome != Outcome.OPEN:
        raise Conflict(f"the inquiry is {inquiry.outcome}, not open", field="inquiry", code="already_decided")
    customer = inquiry.customer
    message = None
    if code is not None:
        message = outreach.send_message(
            actor=user.get_username(),
            customer=customer,
            channel=channel,
            template_code=code,
            business_date=business_date,
            case=inquiry.case,
            extra={"answer": answer},
        )
    now = clock.now()
    with transaction.atomic():
        taken = Inquiry.objects.filter(pk=inquiry.pk, outcome=Outcome.OPEN).update(
            answer=answer,
            answer_channel=channel,
            outcome=Outcome.ANSWERED,
            message=message,
            answered_by=user.get_username(),
            answered_at=now,
            closed_at=now,
        )
        if not taken:
            raise Conflict("the inquiry was answered meanwhile", field="inquiry", code="already_decided")
        record(
            actor=user.get_username(),
            action="inquiry.answer",
            object_type="customer",
            object_id=customer.pk,
            after={"inquiry": inquiry.pk, "channel": channel, "message": message.pk if message else None},
        )
    inquiry.refresh_from_db()
    _ask_survey(actor=user.get_username(), inquiry=inquiry, business_date=business_date)
    return inquiry


def check_answer(*, user: Any, customer: Customer, answer: str, channel: str, template_code: str | None) -> str | None:
    """Everything an answer needs before anything is written or sent: the person's role, the channel, the
    text, and for e-mail and SMS an approved template in the customer's language (its code is returned)."""
    if not may_use_desk(user):
        raise NotPermitted("only customer service, collectors, team leads and administrators answer inquiries")
    _choice(channel, InquiryChannel, "channel")
    _text(answer, "answer", ANSWER_LIMIT)
    if channel not in SENT_CHANNELS:
        return None
    code = (template_code or ANSWER_TEMPLATE).strip()
    try:
        outreach.approved_template(code, channel, customer.language)
    except NotFound:
        raise ValidationFailed(
            f"no approved {channel} template {code!r} in {customer.language}",
            field="template_code",
            code="not_a_choice",
        ) from None
    return code


def _ask_survey(*, actor: str, inquiry: Inquiry, business_date: dt.date) -> None:
    """The survey after a closed inquiry: in the portal when it came from there, else by SMS when the
    customer has a mobile. A survey the gate refuses (or that no approved template carries) is not asked;
    the inquiry stays closed."""
    customer = inquiry.customer
    if inquiry.channel == InquiryChannel.PORTAL:
        channel = SurveyChannel.PORTAL
    elif customer.mobile:
        channel = SurveyChannel.SMS
    else:
        return
    with contextlib.suppress(ArrearsError):
        surveys.ask_survey(
            actor=actor,
            customer=customer,
            subject_type="inquiry",
            subject_id=inquiry.pk,
            channel=channel,
            business_date=business_date,
        )

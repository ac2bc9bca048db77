"""Satisfaction (CSAT): one question, 1 to 5, after an inquiry or a dispute is closed; by SMS through the
compliance gate from an approved template, or waiting in the cardholder portal. An SMS reply "1".."5"
answers the latest open SMS survey of that number."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction

from arrears.application import outreach
from arrears.audit.operations import record
from arrears.cases.models import Case
from arrears.errors import Conflict, Duplicate, NotFound, ValidationFailed
from arrears.inquiries.models import Inquiry, SubjectType, Survey, SurveyChannel
from arrears.kernel import clock
from arrears.ledger.models import Customer

SURVEY_TEMPLATE = "csat_survey"  # an approved SMS template; the reply is the score
SCORES = range(1, 6)


def ask_survey(
    *,
    actor: str,
    customer: Customer,
    subject_type: str,
    subject_id: int,
    channel: str,
    business_date: dt.date,
) -> Survey:
    """Ask the customer once about one closed inquiry or dispute. An SMS goes out through the gate from
    the approved `csat_survey` template (refused: ContactNotAllowed, no survey); a portal survey waits for
    the cardholder to open the portal."""
    if subject_type not in SubjectType.values:
        raise ValidationFailed(
            f"must be one of {', '.join(SubjectType.values)}", field="subject_type", code="not_a_choice"
        )
    if channel not in SurveyChannel.values:
        raise ValidationFailed(
            f"must be one of {', '.join(SurveyChannel.values)}", field="channel", code="not_a_choice"
        )
    if isinstance(subject_id, bool) or not isinstance(subject_id, int) or subject_id <= 0:
        raise ValidationFailed("must be a positive whole number", field="subject_id", code="not_a_whole_number")
    if (
        subject_type == SubjectType.INQUIRY
        and not Inquiry.objects.filter(pk=subject_id, customer=customer, closed_at__isnull=False).exists()
    ):
        raise NotFound(f"no closed inquiry {subject_id} of this customer", field="subject_id")
    if Survey.objects.filter(subject_type=subject_type, subject_id=subject_id).exists():
        raise Duplicate(f"a survey about {subject_type} {subject_id} was already asked", field="subject_id")
    if channel == SurveyChannel.SMS and not customer.mobile:
        raise ValidationFailed("the customer has no mobile number", field="channel")
    message = None
    if channel == SurveyChannel.SMS:
        message = outreach.send_message(
            actor=actor,
            customer=customer,
            channel="sms",
            template_code=SURVEY_TEMPLATE,
            business_date=business_date,
            extra={"subject": subject_type},
        )
    latest_case = Case.objects.filter(customer=customer).order_by("-id").values_list("team_id", flat=True).first()
    try:
        with transaction.atomic():
            survey = Survey.objects.create(
                customer=customer,
                subject_type=subject_type,
                subject_id=subject_id,
                channel=channel,
                team_id=latest_case,
                address=customer.mobile if channel == SurveyChannel.SMS else "",
                message=message,
                asked_on=business_date,
                asked_at=clock.now(),
            )
            record(
                actor=actor,
                action="survey.ask",
                object_type="customer",
                object_id=customer.pk,
                after={"survey": survey.pk, "subject": f"{subject_type}:{subject_id}", "channel": channel},
            )
    except IntegrityError:
        raise Duplicate(f"a survey about {subject_type} {subject_id} was already asked", field="subject_id") from None
    return survey


def answer_survey(*, survey: Survey, score: Any, actor: str) -> Survey:
    """The customer's one answer: a whole number from 1 to 5. A second answer is refused."""
    if isinstance(score, bool) or not isinstance(score, int):
        raise ValidationFailed("must be a whole number from 1 to 5", field="score", code="not_a_whole_number")
    if score not in SCORES:
        raise ValidationFailed("must be from 1 to 5", field="score", code="out_of_range", params={"low": 1, "high": 5})
    now = clock.now()
    with transaction.atomic():
        # One answer only, even when two arrive at once: the update takes the row while it is unanswered.
        taken = Survey.objects.filter(pk=survey.pk, score__isnull=True).update(score=score, answered_at=now)
        if not taken:
            raise Conflict("this survey was already answered", field="survey", code="already_decided")
        record(
            actor=actor,
            action="survey.answer",
            object_type="customer",
            object_id=survey.customer_id,
            after={"survey": survey.pk, "score": score},
        )
    survey.score, survey.answered_at = score, now
    return survey


def handle_sms_reply(*, actor: str, from_number: str, text: str) -> int:
    """An SMS reply: "1".."5" (half- or full-width) answers the latest open SMS survey sent to that
    number; anything else goes to the outreach reply handling (opt-out words). Returns how many surveys
    or customers it touched; a door facing the outside must not tell."""
    score = _score(text)
    number = from_number.strip()
    if score is not None and number:
        survey = (
            Survey.objects.filter(channel=SurveyChannel.SMS, address=number, score__isnull=True)
            .order_by("-asked_at", "-id")
            .first()
        )
        if survey is not None:
            try:
                answer_survey(survey=survey, score=score, actor=actor)
            except Conflict:
                return 0
            return 1
    return outreach.handle_sms_reply(actor=actor, from_number=from_number, text=text)


def _score(text: str) -> int | None:
    reply = text.strip().translate(str.maketrans("１２３４５", "12345"))
    return int(reply) if reply in {"1", "2", "3", "4", "5"} else None

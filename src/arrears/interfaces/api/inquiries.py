"""The inquiry desk: /api/v1/accounts/{ref}/answers and /api/v1/inquiries."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status

from arrears.application.reads import record_request_reads
from arrears.cases.queries import account_for
from arrears.cycle import business_date
from arrears.errors import NotPermitted
from arrears.inquiries import explain
from arrears.inquiries.models import Inquiry, Outcome
from arrears.inquiries.operations import answer_inquiry, check_answer, may_use_desk, record_inquiry
from arrears.inquiries.queries import inquiry_for
from arrears.interfaces.api import ids  # noqa: F401  (the {id:...} path converter)
from arrears.interfaces.api.errors import errors
from arrears.interfaces.api.params import Day, Ref, Text, Word

router = Router(tags=["inquiries"])
RECENT_STATEMENTS = 3


class AnswerOut(Schema):
    topic: str
    language: str
    figures: dict[str, Any]
    text: str


class StatementOut(Schema):
    statement: dict[str, Any]
    text: str
    lines: list[AnswerOut]
    grace: AnswerOut
    minimum: AnswerOut


class AnswersOut(Schema):
    account: str
    language: str
    business_date: dt.date
    balance: AnswerOut
    payoff: AnswerOut
    statements: list[StatementOut]


class AnswersQuery(Schema):
    on: Day | None = None
    language: Word | None = None


def _answer(a: explain.Answer) -> dict[str, Any]:
    return {"topic": a.topic, "language": a.language, "figures": dict(a.figures), "text": a.text}


@router.get("/accounts/{ref}/answers", response={200: AnswersOut, **errors(401, 403, 404, 422)})
def account_answers(request: HttpRequest, ref: str, query: Query[AnswersQuery]) -> Any:
    """The desk's answers about one account in the customer's language (or `language`: zh-hans or en): the
    balance by component, the payoff on `on` (the business date by default; not before it, not after the
    next statement date), and for the latest statements each line, the interest-free period and the minimum."""
    if not may_use_desk(request.user):
        raise NotPermitted("only customer service, collectors, team leads and administrators use the inquiry desk")
    account = account_for(request.user, ref)
    today = business_date.current()
    language = query.language or account.customer.language
    balance = explain.balance_answer(account, on=today, language=language)
    payoff = explain.payoff_answer(account, on=query.on or today, language=language, business_date=today)
    statements = []
    for s in account.statements.order_by("-statement_date")[:RECENT_STATEMENTS]:
        full = explain.statement_answer(s, language=language)
        statements.append(
            {
                "statement": dict(full.figures),
                "text": full.text,
                "lines": [_answer(line) for line in full.lines],
                "grace": _answer(explain.grace_answer(s, language=language)),
                "minimum": _answer(explain.minimum_answer(s, language=language)),
            }
        )
    record_request_reads(request, object_type="account", ids=[account.pk])
    return {
        "account": account.ref,
        "language": language,
        "business_date": today,
        "balance": _answer(balance),
        "payoff": _answer(payoff),
        "statements": statements,
    }


class InquiryIn(Schema):
    account: Ref
    category: Word
    channel: Word
    question: Text
    answer: Text = ""
    outcome: Word = Outcome.OPEN
    answer_by: Word | None = None  # phone, email, sms or portal: answer it now (the outcome is then answered)
    template_code: Word | None = None


class AnswerIn(Schema):
    answer: Text
    channel: Word
    template_code: Word | None = None


class InquiryOut(Schema):
    id: int
    account: str | None
    category: str
    channel: str
    question: str
    answer: str
    answer_channel: str
    outcome: str
    business_date: dt.date
    created_at: dt.datetime
    closed_at: dt.datetime | None


def _inquiry(inquiry: Inquiry) -> dict[str, Any]:
    return {
        "id": inquiry.pk,
        "account": inquiry.account.ref if inquiry.account else None,
        "category": inquiry.category,
        "channel": inquiry.channel,
        "question": inquiry.question,
        "answer": inquiry.answer,
        "answer_channel": inquiry.answer_channel,
        "outcome": inquiry.outcome,
        "business_date": inquiry.business_date,
        "created_at": inquiry.created_at,
        "closed_at": inquiry.closed_at,
    }


@router.post("/inquiries", response={201: InquiryOut, **errors(401, 403, 404, 409, 422)})
def create_inquiry(request: HttpRequest, body: InquiryIn) -> Any:
    """Record a customer's inquiry about an account; with `answer_by`, answer it at once (e-mail and SMS
    through the compliance gate from the approved `inquiry_answer` template, or `template_code`). When the
    gate refuses (409), nothing is sent and the inquiry stays on record, open."""
    if not may_use_desk(request.user):
        raise NotPermitted("only customer service, collectors, team leads and administrators record inquiries")
    account = account_for(request.user, body.account)
    today = business_date.current()
    actor = request.user.get_username()
    if body.answer_by is None:
        inquiry = record_inquiry(
            actor=actor,
            customer=account.customer,
            account=account,
            category=body.category,
            channel=body.channel,
            question=body.question,
            answer=body.answer,
            outcome=body.outcome,
            business_date=today,
        )
        return Status(201, _inquiry(inquiry))
    check_answer(
        user=request.user,
        customer=account.customer,
        answer=body.answer,
        channel=body.answer_by,
        template_code=body.template_code,
    )
    inquiry = record_inquiry(
        actor=actor,
        customer=account.customer,
        account=account,
        category=body.category,
        channel=body.channel,
        question=body.question,
        outcome=Outcome.OPEN,
        business_date=today,
    )
    inquiry = answer_inquiry(
        user=request.user,
        inquiry=inquiry,
        answer=body.answer,
        channel=body.answer_by,
        business_date=today,
        template_code=body.template_code,
    )
    return Status(201, _inquiry(inquiry))


@router.post("/inquiries/{id:inquiry_id}/answer", response={200: InquiryOut, **errors(401, 403, 404, 409, 422)})
def answer_existing(request: HttpRequest, inquiry_id: int, body: AnswerIn) -> Any:
    """Answer an open inquiry (a portal question, or one the gate kept from being answered by e-mail or SMS)."""
    inquiry = inquiry_for(request.user, inquiry_id)
    inquiry = answer_inquiry(
        user=request.user,
        inquiry=inquiry,
        answer=body.answer,
        channel=body.channel,
        business_date=business_date.current(),
        template_code=body.template_code,
    )
    return _inquiry(inquiry)

"""The inquiry desk's questions about one account: which can be asked (the balance, the payoff on a date,
each recent statement's lines, interest-free period and minimum, each recent interest or fee line, each
recent payment) and the answer to one of them, by its key ("balance", "statement:12", "entry:345"...)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from arrears.errors import ValidationFailed
from arrears.inquiries import explain, words
from arrears.inquiries.models import Category
from arrears.ledger.models import Account, Entry, EntryKind
from arrears.payments.models import Payment
from arrears.statements.models import Statement

RECENT_STATEMENTS, RECENT_LINES = 6, 12
EXPLAINED_KINDS = (EntryKind.INTEREST, EntryKind.LATE_FEE, EntryKind.CASH_ADVANCE_FEE, EntryKind.ANNUAL_FEE)
FEE_KINDS = (EntryKind.LATE_FEE, EntryKind.CASH_ADVANCE_FEE, EntryKind.ANNUAL_FEE)


@dataclasses.dataclass(frozen=True)
class Answered:
    question: str
    category: str
    figures: Mapping[str, Any]
    text: str  # the whole answer, lines included, as it is sent or read out


def question_choices(account: Account, *, language: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """The questions about this account, grouped, each (key, label) in `language`."""
    statements = list(account.statements.order_by("-statement_date")[:RECENT_STATEMENTS])
    lines = list(
        Entry.objects.filter(account=account, kind__in=EXPLAINED_KINDS).order_by("-posting_date", "-id")[:RECENT_LINES]
    )
    payments = list(Payment.objects.filter(account=account).order_by("-posting_date", "-id")[:RECENT_LINES])
    with translation.override(language):
        groups = [
            (_("The account"), [("balance", _("Balance by component")), ("payoff", _("Payoff amount on a date"))])
        ]
        for s in statements:
            date = {"date": words.day(s.statement_date)}
            groups.append(
                (
                    _("Statement of %(date)s") % date,
                    [
                        (f"statement:{s.pk}", _("Each line of the statement")),
                        (f"grace:{s.pk}", _("The interest-free period")),
                        (f"minimum:{s.pk}", _("The minimum payment and the late fee")),
                    ],
                )
            )
        if lines:
            groups.append(
                (
                    _("Interest and fees"),
                    [
                        (
                            f"entry:{e.pk}",
                            f"{words.day(e.posting_date)} {words.kind(e.kind)} {words.yuan(e.amount_fen)}",
                        )
                        for e in lines
                    ],
                )
            )
        if payments:
            groups.append(
                (
                    _("Payments"),
                    [(f"payment:{p.pk}", f"{words.day(p.value_date)} {words.yuan(p.amount_fen)}") for p in payments],
                )
            )
    return groups


def answer_question(account: Account, *, question: str, on: dt.date, language: str, business_date: dt.date) -> Answered:
    """The answer to one question about the account; a key naming nothing of this account is refused."""
    topic, _sep, key = question.partition(":")
    if topic == "balance" and not key:
        return _plain(question, Category.BALANCE, explain.balance_answer(account, on=business_date, language=language))
    if topic == "payoff" and not key:
        answer = explain.payoff_answer(account, on=on, language=language, business_date=business_date)
        return _plain(question, Category.BALANCE, answer)
    if not key.isdigit() or len(key) > 18:
        raise ValidationFailed(
            f"{question!r} is not a question about this account", field="question", code="not_a_choice"
        )
    pk = int(key)
    if topic in ("statement", "grace", "minimum"):
        statement = Statement.objects.filter(pk=pk, account=account).select_related("account").first()
        if statement is None:
            raise _unknown(question)
        if topic == "grace":
            return _plain(question, Category.GRACE, explain.grace_answer(statement, language=language))
        if topic == "minimum":
            return _plain(question, Category.MINIMUM, explain.minimum_answer(statement, language=language))
        full = explain.statement_answer(statement, language=language)
        figures = {**full.figures, "lines": [dict(line.figures) for line in full.lines]}
        text = "\n".join([full.text, *(line.text for line in full.lines)])
        return Answered(question, Category.STATEMENT, figures, text)
    if topic == "entry":
        entry = Entry.objects.filter(pk=pk, account=account).first()
        if entry is None:
            raise _unknown(question)
        category = (
            Category.INTEREST
            if entry.kind == EntryKind.INTEREST
            else Category.FEE
            if entry.kind in FEE_KINDS
            else Category.PAYMENT
            if entry.kind in explain.PAYMENT_KINDS
            else Category.STATEMENT
        )
        return _plain(question, category, explain.entry_answer(entry, language=language))
    if topic == "payment":
        payment = Payment.objects.filter(pk=pk, account=account).first()
        if payment is None:
            raise _unknown(question)
        return _plain(question, Category.PAYMENT, explain.payment_answer(payment, language=language))
    raise _unknown(question)


def _plain(question: str, category: str, answer: explain.Answer) -> Answered:
    return Answered(question, category, answer.figures, answer.text)


def _unknown(question: str) -> ValidationFailed:
    return ValidationFailed(f"{question!r} is not a question about this account", field="question", code="not_a_choice")

"""Plain-language answers to a cardholder's questions, in zh-Hans or English, from what the ledger
stores: each interest and fee entry's explanation (base, days, rate, rule), each statement's minimum and
grace decision, each payment's allocation. A read model: nothing here writes.

Every answer is a frozen value with its figures (amounts as two-decimal strings, rates as decimal
strings, dates in ISO form: what the API returns) and a `text` in the language asked for.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from arrears.application.figures import account_figures
from arrears.business_days import day_in_month
from arrears.errors import NotFound, ValidationFailed
from arrears.inquiries import words
from arrears.ledger.models import ACTIVE, Account, Entry, EntryKind
from arrears.money import fen_half_up, format_fen
from arrears.payments.models import Payment
from arrears.products.models import versions_in_force
from arrears.products.rules import ProductParams
from arrears.statements.models import Statement
from arrears.statements.rules import Computed, Posting, PreviousStatement, compute_interest

PAYMENT_KINDS = (EntryKind.PAYMENT, EntryKind.RECOVERY)


@dataclasses.dataclass(frozen=True)
class Answer:
    topic: str  # balance, payoff, entry, grace, minimum, payment
    language: str
    figures: Mapping[str, Any]
    text: str


@dataclasses.dataclass(frozen=True)
class StatementAnswer:
    language: str
    figures: Mapping[str, Any]
    lines: tuple[Answer, ...]  # each line of the statement period, a payment's parts joined
    text: str  # the statement's summary


# --- wording helpers ------------------------------------------------------------------------------


def _money(fen: int) -> str:
    return _("CNY %(amount)s") % {"amount": words.yuan(fen)}


def _money_text(value: str | Decimal) -> str:
    return _("CNY %(amount)s") % {"amount": words.amount(value)}


def _sentences(language: str, parts: Iterable[str]) -> str:
    return ("" if language == "zh-hans" else " ").join(p for p in parts if p)


def _item(language: str, label: str, money: str) -> str:
    return f"{label}{money}" if language == "zh-hans" else f"{label} {money}"


def _listing(language: str, items: Sequence[str]) -> str:
    return ("，" if language == "zh-hans" else ", ").join(items)


# The "what" of an interest term as statements/rules.py stores it (the same wording as the pages').
_TERMS = [
    (re.compile(r"cash advance (?P<date>\S+)"), _lazy("cash advance %(date)s")),
    (re.compile(r"balance on (?P<date>\S+)"), _lazy("balance on %(date)s")),
    (re.compile(r"purchase (?P<date>\S+) \(grace lost\)"), _lazy("purchase %(date)s (interest-free period lost)")),
    (re.compile(r"unpaid share of purchase (?P<date>\S+)"), _lazy("unpaid share of purchase %(date)s")),
    (re.compile(r"unpaid share of balance on (?P<date>\S+)"), _lazy("unpaid share of balance on %(date)s")),
    (re.compile(r"purchase (?P<date>\S+)"), _lazy("purchase %(date)s")),
    (re.compile(r"(?P<kind>[a-z_]+) (?P<date>\d{4}-\d\d-\d\d)"), _lazy("%(kind)s %(date)s")),
]


def _what(text: str) -> str:
    for pattern, template in _TERMS:
        m = pattern.fullmatch(text)
        if m:
            values = {"date": words.day(m["date"])}
            if "kind" in m.groupdict():
                values["kind"] = words.kind(m["kind"])
            return str(template) % values
    return text


def _term_figures(part: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "what": part["what"],
        "base": part["base"],
        "from": part["from"],
        "to": part["to"],
        "days": part["days"],
        "daily_rate": part["rate"],
        "annual_rate": f"{words.annual(part['rate']).normalize():f}",
        "interest": part["interest"],
    }


def _term_text(part: Mapping[str, Any]) -> str:
    return _(
        "%(what)s: %(base)s × %(days)s days (%(first)s to %(last)s) × %(rate)s a day"
        " (%(annual)s a year) = %(interest)s."
    ) % {
        "what": _what(part["what"]),
        "base": _money_text(part["base"]),
        "days": part["days"],
        "first": words.day(part["from"]),
        "last": words.day(part["to"]),
        "rate": words.percent(part["rate"]),
        "annual": words.percent(words.annual(part["rate"])),
        "interest": _money_text(part["interest"]),
    }


def _rule_text(rule: str) -> str:
    return {
        "grace": _("The interest-free period applied: only cash advances bear interest, from the day they were taken."),
        "full_amount": _(
            "The previous statement was not paid in full by its due date, so interest runs on the whole"
            " balance, every day, until a statement is paid in full."
        ),
        "unpaid_portion": _(
            "The previous statement was not paid in full by its due date, so interest runs on the part left unpaid."
        ),
    }.get(rule, "")


# --- the balance and the payoff -------------------------------------------------------------------


def balance_answer(account: Account, *, on: dt.date, language: str) -> Answer:
    """The balance by component on the business date `on`, what is past due and what brings it current."""
    language = words.checked_language(language)
    f = account_figures([account.pk], business_date=on)[account.pk]
    components = {
        "principal": f.principal_fen,
        "interest": f.interest_fen,
        "fees": f.fees_fen,
        "plan": f.plan_fen,
        "costs": f.costs_fen,
    }
    figures = {
        "account": f.ref,
        "on": on.isoformat(),
        **{c: format_fen(v) for c, v in components.items()},
        "balance": format_fen(f.balance_fen),
        "past_due": format_fen(f.past_due_fen),
        "to_bring_current": format_fen(f.to_bring_current_fen),
        "dpd": f.dpd,
    }
    with translation.override(language):
        shown = [
            _item(language, words.component(c), _money(v))
            for c, v in components.items()
            if v or c in ("principal", "interest", "fees")
        ]
        text = [
            _("On %(date)s you owe %(balance)s in total: %(parts)s.")
            % {"date": words.day(on), "balance": _money(f.balance_fen), "parts": _listing(language, shown)}
        ]
        if f.past_due_fen > 0:
            text.append(
                _("Of this, %(past_due)s is past due (%(dpd)s days); paying %(current)s brings the account current.")
                % {"past_due": _money(f.past_due_fen), "dpd": f.dpd, "current": _money(f.to_bring_current_fen)}
            )
        else:
            text.append(_("Nothing is past due."))
        return Answer("balance", language, figures, _sentences(language, text))


def next_statement_date(account: Account) -> dt.date:
    """The date the account's next statement closes (the first statement day after the last statement,
    or after the opening date)."""
    after = account.last_statement_date or account.opened_on
    year, month = after.year, after.month
    while True:
        date = day_in_month(year, month, account.statement_day)
        if date > after:
            return date
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def payoff_answer(account: Account, *, on: dt.date, language: str, business_date: dt.date) -> Answer:
    """What pays the account off on `on`: today's balance plus the interest that will have accrued by
    then under the product's rules, day-exact (the interest of the days before `on`: a payment lowers
    the balance from its value date). The quote holds up to the next statement date; earlier than the
    business date it is refused."""
    language = words.checked_language(language)
    if on < business_date:
        raise ValidationFailed(
            f"{on} is before the business date {business_date}: a payoff is quoted for today or a later date",
            field="on",
            code="before_business_date",
            params={"date": business_date},
        )
    limit = next_statement_date(account)
    if on > limit:
        raise ValidationFailed(
            f"{on} is after the next statement date {limit}: a payoff is quoted up to that date",
            field="on",
            code="out_of_range",
            params={"low": business_date, "high": limit},
        )
    interest = _interest_to(account, on) if account.status in ACTIVE else None
    interest_fen = interest.amount_fen if interest else 0
    payoff_fen = account.balance_fen + interest_fen
    explanation: dict[str, Any] = interest.explanation if interest else {"rule": "not_accruing", "parts": []}
    parts = explanation.get("parts", [])
    first = explanation.get("period", [None, None])[0]
    figures = {
        "account": account.ref,
        "on": on.isoformat(),
        "balance": format_fen(account.balance_fen),
        "interest": format_fen(interest_fen),
        "payoff": format_fen(payoff_fen),
        "rule": explanation.get("rule"),
        "interest_from": first,
        "interest_to": (on - dt.timedelta(days=1)).isoformat(),
        "terms": [_term_figures(p) for p in parts],
    }
    with translation.override(language):
        text = [
            _("To pay the account off on %(date)s, pay %(payoff)s.")
            % {"date": words.day(on), "payoff": _money(payoff_fen)}
        ]
        if interest_fen:
            text.append(
                _(
                    "That is today's balance of %(balance)s plus %(interest)s of interest for %(first)s to %(last)s,"
                    " not yet charged."
                )
                % {
                    "balance": _money(account.balance_fen),
                    "interest": _money(interest_fen),
                    "first": words.day(first),
                    "last": words.day(on - dt.timedelta(days=1)),
                }
            )
            text.append(_rule_text(explanation["rule"]))
            text.extend(_term_text(p) for p in parts)
        else:
            text.append(
                _("That is today's balance of %(balance)s; no interest accrues by then.")
                % {"balance": _money(account.balance_fen)}
            )
        text.append(_("The figure assumes nothing else is charged or paid before then."))
        return Answer("payoff", language, figures, _sentences(language, text))


def _interest_to(account: Account, on: dt.date) -> Computed:
    """The interest of the days from the last statement up to `on` (exclusive), computed by the very rule
    the next statement will use, as if the statement closed on `on`."""
    params = _params(account, on)
    last = (
        Statement.objects.filter(account=account, statement_date=account.last_statement_date).first()
        if account.last_statement_date
        else None
    )
    start = last.period_start if last else account.opened_on
    period_start = last.statement_date if last else account.opened_on
    postings = [
        Posting(kind=k, component=c, amount_fen=a, posting_date=p, value_date=v)
        for k, c, a, p, v in Entry.objects.filter(account=account, posting_date__gte=start).values_list(
            "kind", "component", "amount_fen", "posting_date", "value_date"
        )
    ]
    previous = None
    if last is not None:
        previous = PreviousStatement(
            statement_date=last.statement_date,
            period_start=last.period_start,
            new_balance_fen=last.new_balance_fen,
            principal_fen=last.principal_fen,
            interest_fen=last.interest_fen,
            revolving=last.revolving,
            grace_kept=last.grace_kept,
            paid_by_due_fen=last.paid_by_due_fen,
        )
        if last.grace_kept is None and on > last.due_date:
            # Not yet judged, and the payoff falls after the due date: what was paid so far is all that
            # will have been paid by it.
            paid = _paid_since(account, last.statement_date)
            if paid < last.new_balance_fen:
                previous = dataclasses.replace(previous, grace_kept=False, paid_by_due_fen=paid)
    return compute_interest(
        params=params, statement_date=on, period_start=period_start, previous=previous, postings=postings
    )


def _params(account: Account, on: dt.date) -> ProductParams:
    return versions_in_force(on).get(account.product_id) or ProductParams()


def _paid_since(account: Account, since: dt.date, until: dt.date | None = None) -> int:
    entries = Entry.objects.filter(account=account, kind=EntryKind.PAYMENT, posting_date__gte=since)
    if until is not None:
        entries = entries.filter(posting_date__lte=until)
    return -sum(entries.values_list("amount_fen", flat=True))


# --- one line ---------------------------------------------------------------------------------------


def entry_answer(entry: Entry, *, language: str) -> Answer:
    """One line of the ledger: how an interest or fee amount was computed, or where a payment went."""
    language = words.checked_language(language)
    if entry.kind in PAYMENT_KINDS:
        parts = (
            list(
                Entry.objects.filter(account_id=entry.account_id, reference=entry.reference, kind=entry.kind).order_by(
                    "id"
                )
            )
            if entry.reference
            else [entry]
        )
        return _allocation_answer(parts, language=language)
    return _line_answer(entry, language=language)


def _line_answer(entry: Entry, *, language: str) -> Answer:
    explanation: dict[str, Any] = dict(entry.explanation or {})
    figures: dict[str, Any] = {
        "entry": entry.pk,
        "date": entry.posting_date.isoformat(),
        "value_date": entry.value_date.isoformat(),
        "kind": entry.kind,
        "component": entry.component,
        "amount": format_fen(entry.amount_fen),
    }
    with translation.override(language):
        if entry.kind == EntryKind.INTEREST and explanation.get("parts") is not None:
            text = _interest_text(entry, explanation, figures)
        elif explanation.get("rule") == "late_fee":
            text = _late_fee_text(entry.amount_fen, explanation, figures)
        elif explanation.get("rule") == "cash_advance_fee":
            figures.update(rate=explanation["rate"], minimum=explanation["minimum"])
            text = [
                _("Cash-advance fee of %(amount)s: %(rate)s of the cash advance, at least %(minimum)s.")
                % {
                    "amount": _money(entry.amount_fen),
                    "rate": words.percent(explanation["rate"]),
                    "minimum": _money_text(explanation["minimum"]),
                }
            ]
        elif entry.amount_fen < 0:
            text = [
                _("%(kind)s on %(date)s lowers what you owe by %(amount)s.")
                % {
                    "kind": words.kind(entry.kind),
                    "date": words.day(entry.posting_date),
                    "amount": _money(-entry.amount_fen),
                }
            ]
        else:
            text = [
                _("%(kind)s on %(date)s adds %(amount)s to what you owe.")
                % {
                    "kind": words.kind(entry.kind),
                    "date": words.day(entry.posting_date),
                    "amount": _money(entry.amount_fen),
                }
            ]
        return Answer("entry", language, figures, _sentences(language, text))


def _interest_text(entry: Entry, explanation: dict[str, Any], figures: dict[str, Any]) -> list[str]:
    first, last = explanation["period"]
    parts = explanation["parts"]
    figures.update(
        rule=explanation["rule"],
        period=[first, last],
        exact=explanation["exact"],
        terms=[_term_figures(p) for p in parts],
    )
    statement_date = dt.date.fromisoformat(last) + dt.timedelta(days=1)
    text = [
        _("Interest of %(amount)s for %(first)s to %(last)s, charged on the statement of %(statement)s.")
        % {
            "amount": _money(entry.amount_fen),
            "first": words.day(first),
            "last": words.day(last),
            "statement": words.day(statement_date),
        },
        _rule_text(explanation["rule"]),
        *(_term_text(p) for p in parts),
    ]
    if len(parts) > 1 or Decimal(explanation["exact"]) != Decimal(format_fen(entry.amount_fen)):
        text.append(
            _("Exact total %(exact)s, rounded to the fen: %(amount)s.")
            % {"exact": _money_text(explanation["exact"]), "amount": _money(entry.amount_fen)}
        )
    return text


def _late_fee_text(amount_fen: int, explanation: dict[str, Any], figures: dict[str, Any]) -> list[str]:
    base_fen = int(Decimal(explanation["base"]) * 100)
    rate = Decimal(explanation["rate"])
    computed = fen_half_up(rate * base_fen)
    figures.update(
        rule="late_fee",
        due_date=explanation["due_date"],
        base=explanation["base"],
        rate=explanation["rate"],
        computed=format_fen(computed),
        floor=explanation.get("floor"),
        cap=explanation.get("cap"),
    )
    text = [
        _(
            "Late fee of %(amount)s: the minimum payment due on %(due)s was not paid in full, and %(base)s of it"
            " was left unpaid."
        )
        % {"amount": _money(amount_fen), "due": words.day(explanation["due_date"]), "base": _money(base_fen)},
        _("The fee is %(rate)s of the unpaid part: %(computed)s.")
        % {"rate": words.percent(rate), "computed": _money(computed)},
    ]
    floor, cap = explanation.get("floor"), explanation.get("cap")
    if floor is not None and amount_fen > computed:
        text.append(_("The product sets a floor of %(floor)s, which applies.") % {"floor": _money_text(floor)})
    if cap is not None and amount_fen < computed:
        text.append(_("The product caps the fee at %(cap)s, which applies.") % {"cap": _money_text(cap)})
    return text


# --- payments ---------------------------------------------------------------------------------------


def payment_answer(payment: Payment, *, language: str) -> Answer:
    """Where a payment went: its parts by component, in the waterfall's order."""
    language = words.checked_language(language)
    parts = list(
        Entry.objects.filter(
            account_id=payment.account_id, reference=payment.reference, kind__in=PAYMENT_KINDS
        ).order_by("id")
    )
    if not parts:
        raise NotFound(f"payment {payment.reference!r} has no ledger entries", field="payment")
    return _allocation_answer(parts, language=language)


def _allocation_answer(parts: Sequence[Entry], *, language: str) -> Answer:
    first = parts[0]
    total = -sum(p.amount_fen for p in parts)
    waterfall: list[str] = next(
        (list(p.explanation["waterfall"]) for p in parts if p.explanation and "waterfall" in p.explanation), []
    )
    figures = {
        "reference": first.reference,
        "date": first.posting_date.isoformat(),
        "value_date": first.value_date.isoformat(),
        "kind": first.kind,
        "amount": format_fen(total),
        "allocation": [{"component": p.component, "amount": format_fen(-p.amount_fen)} for p in parts],
        "waterfall": waterfall,
    }
    with translation.override(language):
        shown = [_item(language, words.component(p.component), _money(-p.amount_fen)) for p in parts]
        text = [
            _("Your payment of %(amount)s on %(date)s went to: %(parts)s.")
            % {"amount": _money(total), "date": words.day(first.value_date), "parts": _listing(language, shown)}
        ]
        if any(p.component == "plan" for p in parts):
            text.append(_("An active repayment plan takes its amount due first."))
        if waterfall:
            text.append(
                _("A payment pays %(order)s, in that order.")
                % {"order": " → ".join(words.component(c) for c in waterfall)}
            )
        return Answer("payment", language, figures, _sentences(language, text))


# --- statements -----------------------------------------------------------------------------------


def statement_answer(statement: Statement, *, language: str) -> StatementAnswer:
    """The statement's summary and each line of its period with its explanation."""
    language = words.checked_language(language)
    entries = list(
        Entry.objects.filter(
            account_id=statement.account_id,
            posting_date__gte=statement.period_start,
            posting_date__lt=statement.statement_date,
        ).order_by("posting_date", "id")
    )
    groups: list[list[Entry]] = []
    payments: dict[str, list[Entry]] = {}
    for e in entries:
        if e.kind in PAYMENT_KINDS and e.reference:
            if e.reference in payments:
                payments[e.reference].append(e)
                continue
            payments[e.reference] = [e]
            groups.append(payments[e.reference])
        else:
            groups.append([e])
    lines = tuple(
        _allocation_answer(g, language=language)
        if g[0].kind in PAYMENT_KINDS
        else _line_answer(g[0], language=language)
        for g in groups
    )
    last = statement.statement_date - dt.timedelta(days=1)
    figures = {
        "statement_date": statement.statement_date.isoformat(),
        "period": [statement.period_start.isoformat(), last.isoformat()],
        "due_date": statement.due_date.isoformat(),
        "new_balance": format_fen(statement.new_balance_fen),
        "minimum_payment": format_fen(statement.minimum_payment_fen),
        "interest_charged": format_fen(statement.interest_charged_fen),
        "fees_charged": format_fen(statement.fees_charged_fen),
        "payments": format_fen(statement.payments_fen),
    }
    with translation.override(language):
        text = [
            _(
                "Statement of %(date)s, for %(first)s to %(last)s: new balance %(balance)s, minimum payment"
                " %(minimum)s, due %(due)s."
            )
            % {
                "date": words.day(statement.statement_date),
                "first": words.day(statement.period_start),
                "last": words.day(last),
                "balance": _money(statement.new_balance_fen),
                "minimum": _money(statement.minimum_payment_fen),
                "due": words.day(statement.due_date),
            },
            _("This cycle: interest %(interest)s, fees %(fees)s, payments %(payments)s.")
            % {
                "interest": _money(statement.interest_charged_fen),
                "fees": _money(statement.fees_charged_fen),
                "payments": _money(statement.payments_fen),
            },
        ]
        return StatementAnswer(language, figures, lines, _sentences(language, text))


def grace_answer(statement: Statement, *, language: str) -> Answer:
    """Whether the statement's interest-free period was kept, and if lost, why: the new balance, what
    was paid by the due date, the shortfall."""
    language = words.checked_language(language)
    decided = statement.grace_kept is not None
    paid = statement.paid_by_due_fen if decided else _paid_since(statement.account, statement.statement_date)
    paid = paid or 0
    short = max(0, statement.new_balance_fen - paid)
    state = (
        "nothing_owed"
        if statement.new_balance_fen <= 0
        else ("kept" if statement.grace_kept else "lost")
        if decided
        else "open"
    )
    figures = {
        "statement_date": statement.statement_date.isoformat(),
        "due_date": statement.due_date.isoformat(),
        "new_balance": format_fen(statement.new_balance_fen),
        "paid_by_due": format_fen(paid),
        "shortfall": format_fen(short),
        "grace": state,
    }
    with translation.override(language):
        values = {
            "date": words.day(statement.statement_date),
            "balance": _money(statement.new_balance_fen),
            "paid": _money(paid),
            "short": _money(short),
            "due": words.day(statement.due_date),
        }
        if state == "nothing_owed":
            text = [
                _("The statement of %(date)s showed nothing owed, so there was no interest-free period to lose.")
                % values
            ]
        elif state == "kept":
            text = [
                _(
                    "The interest-free period was kept: the statement of %(date)s asked for %(balance)s, and %(paid)s"
                    " was paid by the due date %(due)s."
                )
                % values
            ]
        elif state == "lost":
            text = [
                _(
                    "The interest-free period was lost: the statement of %(date)s asked for %(balance)s in full by"
                    " %(due)s, and %(paid)s was paid by then, %(short)s short."
                )
                % values,
                _(
                    "Interest is therefore charged from the next statement, and runs until a statement is paid in"
                    " full by its due date."
                ),
            ]
        else:
            text = [
                _(
                    "The due date %(due)s has not passed yet: to keep the interest-free period, pay %(balance)s in"
                    " full by then (%(paid)s paid so far, %(short)s to go)."
                )
                % values
            ]
        return Answer("grace", language, figures, _sentences(language, text))


def minimum_answer(statement: Statement, *, language: str) -> Answer:
    """How the statement's minimum payment was set, and the late fee its due date brought (or will)."""
    language = words.checked_language(language)
    m: dict[str, Any] = dict((statement.explanation or {}).get("minimum") or {})
    params = _params(statement.account, statement.statement_date)
    fee = Entry.objects.filter(
        account_id=statement.account_id, kind=EntryKind.LATE_FEE, reference=f"late_fee:{statement.due_date}"
    ).first()
    figures: dict[str, Any] = {
        "statement_date": statement.statement_date.isoformat(),
        "due_date": statement.due_date.isoformat(),
        "minimum_payment": format_fen(statement.minimum_payment_fen),
        "minimum": {k: v for k, v in m.items() if k != "rule"},
        "late_fee": None,
    }
    with translation.override(language):
        date = words.day(statement.statement_date)
        if m.get("rule") != "minimum":
            text = [_("The statement of %(date)s showed nothing owed, so no minimum payment was due.") % {"date": date}]
        else:
            items = [
                _("%(rate)s of the principal %(principal)s, %(share)s")
                % {
                    "rate": words.percent(m["rate"]),
                    "principal": _money_text(m["principal"]),
                    "share": _money_text(m["principal_share"]),
                }
            ]
            for key, wording in (
                ("interest_and_fees", _("this cycle's interest and fees, %(amount)s")),
                ("past_due", _("the minimum left unpaid from earlier statements, %(amount)s")),
                ("over_limit", _("the amount over the credit limit, %(amount)s")),
            ):
                if Decimal(m.get(key) or 0):
                    items.append(wording % {"amount": _money_text(m[key])})
            text = [
                _("The minimum payment of %(minimum)s on the statement of %(date)s is made of: %(parts)s.")
                % {"minimum": _money(statement.minimum_payment_fen), "date": date, "parts": _listing(language, items)}
            ]
            wanted = sum(
                Decimal(m.get(k) or 0) for k in ("principal_share", "interest_and_fees", "past_due", "over_limit")
            )
            if m.get("capped_at_balance"):
                text.append(_("It is capped at the new balance."))
            elif Decimal(m.get("floor") or 0) > wanted:
                text.append(_("The product's minimum of %(floor)s applies.") % {"floor": _money_text(m["floor"])})
        if fee is not None:
            late: dict[str, Any] = {"amount": format_fen(fee.amount_fen)}
            text.extend(_late_fee_text(fee.amount_fen, dict(fee.explanation or {}), late))
            figures["late_fee"] = late
        elif statement.grace_kept is not None and statement.minimum_payment_fen > 0:
            text.append(
                _("The minimum was paid by the due date %(due)s: no late fee.") % {"due": words.day(statement.due_date)}
            )
        elif statement.minimum_payment_fen > 0:
            text.append(
                _(
                    "If the minimum is not paid in full by %(due)s, a late fee of %(rate)s of the unpaid part"
                    " is charged."
                )
                % {"due": words.day(statement.due_date), "rate": words.percent(params.late_fee_rate)}
            )
            if params.late_fee_floor is not None:
                text.append(_("The fee is at least %(floor)s.") % {"floor": _money_text(params.late_fee_floor)})
            if params.late_fee_cap is not None:
                text.append(_("The fee is at most %(cap)s.") % {"cap": _money_text(params.late_fee_cap)})
        return Answer("minimum", language, figures, _sentences(language, text))


def score_answer(score: Mapping[str, Any], *, language: str) -> Answer:
    """Why the account has its propensity-to-pay score (PIPL-AUTO: a person may ask why an automated
    decision was made about them). `score` is the latest score as scoring.queries gives it: points,
    band, model (name@version), scored_on (a date) and reasons [{feature, weight, en, zh}], most
    important first. The answer names the points, the date and the model, and the reasons in the
    language asked for; it says what the score is used for and that it changes nothing owed."""
    language = words.checked_language(language)
    reasons = list(score.get("reasons") or [])
    key = "zh" if language == "zh-hans" else "en"
    figures = {
        "points": score["points"],
        "band": score.get("band"),
        "model": score["model"],
        "scored_on": score["scored_on"].isoformat(),
        "reasons": [r["feature"] for r in reasons],
    }
    with translation.override(language):
        text = [
            _(
                "On %(date)s the scoring model %(model)s gave the account %(points)s points out of 1000: "
                "the more points, the more likely the account is repaid without our call."
            )
            % {"date": words.day(score["scored_on"]), "model": score["model"], "points": score["points"]}
        ]
        if reasons:
            text.append(
                _("What lowered the points most: %(reasons)s.")
                % {"reasons": _listing(language, [str(r[key]) for r in reasons])}
            )
        else:
            text.append(_("Every factor the model weighs is at its best."))
        text.append(
            _(
                "The score only decides the order and the way we contact you; it changes nothing you owe, "
                "and you may ask for a person to review it."
            )
        )
        return Answer("score", language, figures, _sentences(language, text))

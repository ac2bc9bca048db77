"""The read model's figures made ready for a page: labels in the language of the page, and the
amount to bring an account current explained line by line."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from arrears.application import rules
from arrears.application.figures import AccountFigures, CustomerFigures
from arrears.application.rules import Unpaid
from arrears.interfaces.web import formatting
from arrears.interfaces.web.labels import classification_label

STANDINGS = {
    rules.CURRENT: _("current"),
    rules.IN_PLAN: _("in a repayment plan"),
    rules.PAST_DUE: _("past due"),
    rules.CHARGED_OFF: _("charged off"),
    rules.CLOSED: _("closed, nothing owed"),
}


def standing_label(code: str) -> str:
    return str(STANDINGS.get(code, code))


def explain(part: Unpaid, *, number: str | None = None) -> str:
    """One line of the amount to bring current: which statement or instalment, due when, how much."""
    values = {"ref": part.ref, "due": formatting.day(part.due_date), "amount": formatting.yuan(part.amount_fen)}
    if part.kind == rules.INSTALMENT:
        text = gettext("repayment-plan instalment %(ref)s, due %(due)s: %(amount)s") % values
    else:
        values["ref"] = formatting.day(part.ref)  # the statement's date
        text = gettext("minimum payment of the statement of %(ref)s, due %(due)s: %(amount)s") % values
    return f"{number} · {text}" if number else text


def account_view(f: AccountFigures) -> dict[str, Any]:
    return {
        "f": f,
        "standing": standing_label(f.standing),
        "classification": classification_label(f.classification),
        "explained": [explain(u) for u in f.to_bring_current],
    }


def customer_view(c: CustomerFigures) -> dict[str, Any]:
    return {
        "c": c,
        "standing": standing_label(c.standing),
        "classification": classification_label(c.classification),
        "explained": [explain(u, number=number) for number, u in c.to_bring_current],
        # A charged-off card has no balance left to be past due: its still-owed amount says what is owed.
        "capped": any(a.past_due_capped and not a.charged_off for a in c.accounts),
    }

"""Words the domain keeps as codes or English text, put into the language of the page.

The domain (and the API and CLI built on it) speaks stable codes and plain English messages; the pages
show them to people in their language. Each table here is keyed by the domain's own text, and anything
not listed is shown as it is, so a new domain message is never lost, only untranslated until added here.
"""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from arrears.cases.models import CaseStatus
from arrears.errors import ArrearsError
from arrears.ledger.models import Component, EntryKind

# The five-tier loan classification (CN-CLASS), which the domain names in Chinese.
CLASSIFICATIONS = {
    "正常": _("pass"),
    "关注": _("special mention"),
    "次级": _("substandard"),
    "可疑": _("doubtful"),
    "损失": _("loss"),
}

# Why a case changed status (cases/cycle.py, promises/operations.py).
STATUS_REASONS = {
    "account past due": _("account past due"),
    "cured": _("cured"),
    "account charged off": _("account charged off"),
    "promise judged": _("promise judged"),
    "promise to pay": _("promise to pay"),
}

# Messages of the domain's errors that a person can meet in the workbench forms.
MESSAGES = {
    "must be between 0 and 86400 seconds": _("must be between 0 and 86400 seconds"),
    "a right-party contact reaches the cardholder": _("a right-party contact reaches the cardholder"),
    "the contact to correct is not on this case": _("the contact to correct is not on this case"),
    "must be in the future": _("must be in the future"),
    "must not be empty": _("must not be empty"),
    "say what you need from them": _("say what you need from them"),
    "this hand-off has already been returned": _("this hand-off has already been returned"),
    "say what you found or did": _("say what you found or did"),
    "must not be negative": _("must not be negative"),
    "must be between 0 and 30": _("must be between 0 and 30"),
    "must be greater than zero": _("must be greater than zero"),
    "must not be in the past": _("must not be in the past"),
    "choose at least one case": _("choose at least one case"),
    "one or more of these cases is not yours to reassign": _("one or more of these cases is not yours to reassign"),
    "amount must be a finite number": _("amount must be a finite number"),
}

# The same, for messages that carry values: the pattern's named groups fill the translation.
PATTERNS = [
    (re.compile(r"must be one of (?P<values>.+)"), _("must be one of %(values)s")),
    (
        re.compile(r"must be on or before (?P<date>\S+) \(policy: (?P<days>\d+) days ahead\)"),
        _("must be on or before %(date)s (policy: %(days)s days ahead)"),
    ),
    (
        re.compile(r"must be at least (?P<amount>\S+) \((?P<share>\S+) of the past-due amount\)"),
        _("must be at least %(amount)s (%(share)s of the past-due amount)"),
    ),
    (re.compile(r"the case already has (?P<n>\d+) open promise\(s\)"), _("the case already has %(n)s open promise(s)")),
    (
        re.compile(r"(?P<who>.+) is not in the team of case (?P<case>\d+)"),
        _("%(who)s is not in the team of case %(case)s"),
    ),
    (re.compile(r"(?P<amount>.+) has more than two decimals"), _("%(amount)s has more than two decimals")),
]

# The "what" of one term of an interest computation (statements/rules.py), stored with the entry.
EXPLANATION_PATTERNS = [
    (re.compile(r"cash advance (?P<date>\S+)"), _("cash advance %(date)s")),
    (re.compile(r"balance on (?P<date>\S+)"), _("balance on %(date)s")),
    (re.compile(r"purchase (?P<date>\S+) \(grace lost\)"), _("purchase %(date)s (interest-free period lost)")),
    (re.compile(r"unpaid share of purchase (?P<date>\S+)"), _("unpaid share of purchase %(date)s")),
    (re.compile(r"unpaid share of balance on (?P<date>\S+)"), _("unpaid share of balance on %(date)s")),
    (re.compile(r"purchase (?P<date>\S+)"), _("purchase %(date)s")),
]


def _choice_label(choices: Any, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def classification_label(code: str) -> str:
    return str(CLASSIFICATIONS.get(code, code))


def entry_kind_label(kind: str) -> str:
    return _choice_label(EntryKind, kind)


def component_label(component: str) -> str:
    return _choice_label(Component, component)


def case_status_label(status: str) -> str:
    return _choice_label(CaseStatus, status) if status else ""


def status_reason_label(reason: str) -> str:
    return str(STATUS_REASONS.get(reason, reason))


def _by_pattern(text: str, patterns: list[tuple[re.Pattern[str], Any]]) -> str | None:
    for pattern, template in patterns:
        m = pattern.fullmatch(text)
        if m:
            return str(template) % m.groupdict()
    return None


def message(text: str) -> str:
    """A domain message in the language of the page, or as it is when it is not one we know."""
    if text in MESSAGES:
        return str(MESSAGES[text])
    return _by_pattern(text, PATTERNS) or gettext(text)


def error_message(exc: ArrearsError) -> str:
    return message(exc.message)


def explanation_label(what: str) -> str:
    return _by_pattern(what, EXPLANATION_PATTERNS) or what

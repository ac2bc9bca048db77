"""Words the domain keeps as codes or English text, put into the language of the page.

The domain (and the API and CLI built on it) speaks stable codes and plain English texts; the pages
show them to people in their language. Each table here is keyed by the domain's own codes or stored
text, and anything not listed is shown as it is. Errors are not translated here but by their code, in
arrears.interfaces.web.errors.
"""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import gettext_lazy as _

from arrears.cases.models import CaseStatus
from arrears.interfaces.web import formatting
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

# The "what" of one term of an interest computation (statements/rules.py), stored with the entry.
EXPLANATION_PATTERNS = [
    (re.compile(r"cash advance (?P<date>\S+)"), _("cash advance %(date)s")),
    (re.compile(r"balance on (?P<date>\S+)"), _("balance on %(date)s")),
    (re.compile(r"purchase (?P<date>\S+) \(grace lost\)"), _("purchase %(date)s (interest-free period lost)")),
    (re.compile(r"unpaid share of purchase (?P<date>\S+)"), _("unpaid share of purchase %(date)s")),
    (re.compile(r"unpaid share of balance on (?P<date>\S+)"), _("unpaid share of balance on %(date)s")),
    (re.compile(r"purchase (?P<date>\S+)"), _("purchase %(date)s")),
]


# The repayment-plan methods (plans/rules.py Method), as a collector names them.
PLAN_METHODS = {
    "equal_payment": _("equal instalments of principal and interest"),
    "equal_principal": _("equal principal"),
    "flat_fee": _("instalments with a flat fee"),
}


def plan_method_label(method: str) -> str:
    return str(PLAN_METHODS.get(method, method))


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
            values = m.groupdict()
            if "date" in values:
                values["date"] = formatting.day(values["date"])
            return str(template) % values
    return None


def explanation_label(what: str) -> str:
    return _by_pattern(what, EXPLANATION_PATTERNS) or what

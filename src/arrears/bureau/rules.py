"""Credit reporting's pure rules: the month's PBOC status and 24-month string, the Metro 2 Account
Status, Payment History Profile, date of first delinquency and Compliance Condition Code, the notice
before the first negative report and the 5-year (CN-CR-5Y) and 7-year (US-FCRA7) rules.

No Django, no clock: the month and the close date come in as arguments (docs/credit-reporting.md).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools

from arrears.business_days import add_months

HISTORY_MONTHS = 24

# PBOC monthly status of a credit card (CN-CR-STATUS).
PBOC_STATUSES = frozenset("N*1234567BCGD#/")
PBOC_NEGATIVE = frozenset("1234567BGD")
# Metro 2 Account Status codes Arrears reports.
CURRENT = "11"
PAID_CLOSED = "13"
PAID_CHARGE_OFF = "64"
CHARGED_OFF = "97"
PAST_DUE = ("71", "78", "80", "82", "83", "84")  # 30, 60, 90, 120, 150, 180 days past due
METRO2_STATUSES = frozenset({CURRENT, PAID_CLOSED, PAID_CHARGE_OFF, CHARGED_OFF, *PAST_DUE})
METRO2_NEGATIVE = frozenset({*PAST_DUE, CHARGED_OFF, PAID_CHARGE_OFF})
PHP_CODES = frozenset("0123456BDEL")
# Metro 2 Special Comment: "AU" account paid in settlement, less than the full balance.
SETTLED_COMMENT = "AU"
DISPUTED = "XB"  # Compliance Condition Code: account information disputed by the consumer
DISPUTE_RESOLVED = "XH"  # account previously in dispute, now resolved by the furnisher

# Account statuses, as the ledger stores them (arrears.ledger.models.AccountStatus).
OPEN, BLOCKED, CHARGED_OFF_STATUS, SETTLED, CLOSED = "open", "blocked", "charged_off", "settled", "closed"


@dataclasses.dataclass(frozen=True)
class Policy:
    """The numbers of the packs' credit-reporting rules."""

    cn_retention_years: int = 5  # CN-CR-5Y retention_years
    us_years: int = 7  # US-FCRA7 years
    us_days_after_dofd: int = 180  # US-FCRA7 days_after_first_delinquency
    us_notice_wait_days: int = 14  # US-PASSIVE undeliverable_wait_days
    dispute_answer_days: int = 20  # CN-CR-DISP answer_within_days


@dataclasses.dataclass(frozen=True)
class Previous:
    """What the record of the month before carries forward."""

    pboc_history: str
    php_code: str
    payment_history: str
    dofd: dt.date | None
    ended_on: dt.date | None
    was_negative: bool


@dataclasses.dataclass(frozen=True)
class Facts:
    """One account at the close of a month: what the statements, the balance and the tasks say.

    `as_of` is the close: the day after the last day of the month for the monthly report (the cycle of
    that date sees everything posted in the month), or an earlier day for a report of a month in progress.
    """

    month: dt.date  # the first day of the month reported
    as_of: dt.date
    opened_on: dt.date
    status: str
    balance_fen: int
    still_owed_fen: int  # of a charged-off account: charged off less recovered
    charged_off_fen: int
    unpaid_count: int  # statements whose minimum is unpaid and whose (effective) due date has passed
    late_due: dt.date | None  # the oldest of those due dates
    past_due_fen: int
    due_in_month: bool  # a minimum payment fell due in the month
    settled_comment: bool  # the debt was closed by a settlement for less than the balance
    notice_on: dt.date | None  # the first notice before negative reporting (CN-CR-PRE, US-PASSIVE)
    disputes_open: int
    disputes_resolved: int
    previous: Previous | None


@dataclasses.dataclass(frozen=True)
class Report:
    pboc_status: str
    pboc_history: str
    metro2_status: str
    php_code: str  # this month's character, carried into the next month's profile
    payment_history: str  # the 24 months before this one, newest first
    dofd: dt.date | None
    compliance_code: str
    special_comment: str
    dpd: int
    balance_fen: int
    past_due_fen: int
    held_pboc: bool  # negative, and no notice sent before the close: not furnished (CN-CR-PRE)
    held_metro2: bool  # negative, and no notice sent 14 days before the close (US-PASSIVE)
    was_negative: bool
    ended_on: dt.date | None
    pboc_expires_on: dt.date | None
    metro2_expires_on: dt.date | None
    removed_pboc: bool
    removed_metro2: bool


def month_of(day: dt.date) -> dt.date:
    return day.replace(day=1)


@functools.lru_cache(maxsize=4096)
def month_end(month: dt.date) -> dt.date:
    return add_months(month, 1, day=1) - dt.timedelta(days=1)


def close_of(month: dt.date) -> dt.date:
    """The close of a month: the first day of the next one, whose cycle reports the month."""
    return add_months(month, 1, day=1)


def dpd(facts: Facts) -> int:
    return (facts.as_of - facts.late_due).days if facts.late_due is not None and facts.late_due < facts.as_of else 0


def pboc_status(facts: Facts) -> str:
    """N paid as agreed, * nothing due, 1-7 consecutive unpaid minimums (7: seven or more), B charged
    off (呆账), C settled, closed or charged off and repaid in full, G ended otherwise (closed with a
    balance owed). D (paid by the guarantor) is never produced: Arrears holds no guarantor payments."""
    if facts.status == CHARGED_OFF_STATUS:
        return "C" if facts.still_owed_fen <= 0 else "B"
    if facts.status == SETTLED:
        return "C"
    if facts.status == CLOSED:
        return "C" if facts.balance_fen <= 0 else "G"
    if facts.unpaid_count > 0:
        return str(min(facts.unpaid_count, 7))
    return "N" if facts.due_in_month else "*"


def metro2_past_due_status(days: int) -> str:
    """11 for 0-29 days past due; 71, 78, 80, 82, 83, 84 from 30, 60, 90, 120, 150, 180."""
    if days < 30:
        return CURRENT
    return PAST_DUE[min(days // 30, 6) - 1]


def metro2_status(facts: Facts, days: int) -> str:
    if facts.status == CHARGED_OFF_STATUS:
        return PAID_CHARGE_OFF if facts.still_owed_fen <= 0 else CHARGED_OFF
    if facts.status == SETTLED:
        return PAID_CHARGE_OFF
    if facts.status == CLOSED and facts.balance_fen <= 0:
        return PAID_CLOSED
    return metro2_past_due_status(days)


def php_code(status: str, days: int, balance_fen: int) -> str:
    """The month's Payment History Profile character: 0 current (0-29 days), 1-6 for 30-59 ... 180+,
    E zero balance and current, L charged off (also once paid or settled after the charge-off)."""
    if status in (CHARGED_OFF, PAID_CHARGE_OFF):
        return "L"
    if status == PAID_CLOSED:
        return "E"
    if days < 30:
        return "E" if balance_fen <= 0 else "0"
    return str(min(days // 30, 6))


def months_before(month: dt.date, n: int) -> dt.date:
    return add_months(month, -n, day=1)


def pboc_history(facts: Facts, status: str) -> str:
    """The 24 months ending with this one, oldest first. Without last month's record: '/' for a month
    that ended before the account opened, '#' (unknown) for a month with no record."""
    if facts.previous is not None:
        return facts.previous.pboc_history[1:] + status
    return _no_pboc_history(facts.month, facts.opened_on) + status


@functools.lru_cache(maxsize=4096)
def _no_pboc_history(month: dt.date, opened_on: dt.date) -> str:
    earlier = [months_before(month, n) for n in range(HISTORY_MONTHS - 1, 0, -1)]
    return "".join("/" if month_end(m) < opened_on else "#" for m in earlier)


def payment_history(facts: Facts) -> str:
    """The Payment History Profile: the 24 months BEFORE this one, newest first (Metro 2 reports the
    month itself in the Account Status). Without last month's record: B before the account opened,
    D (no data) for a month with no record."""
    if facts.previous is not None:
        return (facts.previous.php_code + facts.previous.payment_history)[:HISTORY_MONTHS]
    return _no_payment_history(facts.month, facts.opened_on)


@functools.lru_cache(maxsize=4096)
def _no_payment_history(month: dt.date, opened_on: dt.date) -> str:
    earlier = [months_before(month, n) for n in range(1, HISTORY_MONTHS + 1)]
    return "".join("B" if month_end(m) < opened_on else "D" for m in earlier)


def date_of_first_delinquency(facts: Facts, status: str) -> dt.date | None:
    """Reported with a negative status only: the first day past due of the oldest unpaid minimum
    (its due date + 1), kept from last month's record while the delinquency goes on (charge-off and
    payments after it never move it)."""
    if status not in METRO2_NEGATIVE:
        return None
    if facts.previous is not None and facts.previous.dofd is not None:
        return facts.previous.dofd
    if facts.late_due is not None:
        return facts.late_due + dt.timedelta(days=1)
    return None


def compliance_code(facts: Facts) -> str:
    """XB while a dispute of the credit data is open at the close; XH once every dispute is resolved."""
    if facts.disputes_open:
        return DISPUTED
    return DISPUTE_RESOLVED if facts.disputes_resolved else ""


def add_years(day: dt.date, years: int) -> dt.date:
    return add_months(day, 12 * years)


def us_expiry(dofd: dt.date | None, policy: Policy) -> dt.date | None:
    """US-FCRA7: reportable for 7 years from 180 days after the date of first delinquency."""
    if dofd is None:
        return None
    return add_years(dofd + dt.timedelta(days=policy.us_days_after_dofd), policy.us_years)


def cn_expiry(ended_on: dt.date | None, was_negative: bool, policy: Policy) -> dt.date | None:
    """CN-CR-5Y: negative information is kept 5 years from the day the bad behaviour ended (the end
    of the month the debt was first reported settled, closed or ended), then deleted."""
    if ended_on is None or not was_negative:
        return None
    return add_years(ended_on, policy.cn_retention_years)


def report(facts: Facts, policy: Policy) -> Report:
    days = dpd(facts)
    pboc = pboc_status(facts)
    metro2 = metro2_status(facts, days)
    dofd = date_of_first_delinquency(facts, metro2)
    last_day = month_end(facts.month)
    previous = facts.previous
    was_negative = pboc in PBOC_NEGATIVE or bool(previous and previous.was_negative)
    ended_on = previous.ended_on if previous and previous.ended_on else (last_day if pboc in "CG" else None)
    cn_expires = cn_expiry(ended_on, was_negative, policy)
    us_expires = us_expiry(dofd, policy)
    if facts.status == SETTLED:
        balance = 0  # closed by the settlement: nothing more is owed
    elif facts.status == CHARGED_OFF_STATUS:
        balance = max(facts.still_owed_fen, 0)
    else:
        balance = max(facts.balance_fen, 0)
    if metro2 in (PAID_CHARGE_OFF, PAID_CLOSED):
        past_due = 0
    elif metro2 == CHARGED_OFF:
        past_due = balance
    else:
        past_due = facts.past_due_fen
    notice = facts.notice_on
    return Report(
        pboc_status=pboc,
        pboc_history=pboc_history(facts, pboc),
        metro2_status=metro2,
        php_code=php_code(metro2, days, balance),
        payment_history=payment_history(facts),
        dofd=dofd,
        compliance_code=compliance_code(facts),
        special_comment=SETTLED_COMMENT if facts.status == SETTLED or facts.settled_comment else "",
        dpd=days,
        balance_fen=balance,
        past_due_fen=past_due,
        held_pboc=pboc in PBOC_NEGATIVE and (notice is None or notice >= facts.as_of),
        held_metro2=metro2 in METRO2_NEGATIVE
        and (notice is None or notice + dt.timedelta(days=policy.us_notice_wait_days) >= facts.as_of),
        was_negative=was_negative,
        ended_on=ended_on,
        pboc_expires_on=cn_expires,
        metro2_expires_on=us_expires,
        removed_pboc=cn_expires is not None and cn_expires < facts.as_of,
        removed_metro2=us_expires is not None and us_expires < facts.as_of,
    )


def dispute_due(opened_on: dt.date, policy: Policy) -> dt.date:
    """CN-CR-DISP: a credit-data dispute is answered in writing within 20 days."""
    return opened_on + dt.timedelta(days=policy.dispute_answer_days)

"""Concessions as pure rules: what may be asked, who may grant it, and what the customer is told.

No ORM, no clock, no settings: the operations pass everything in.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from arrears.errors import ValidationFailed
from arrears.kernel.vocabulary import ConcessionKind
from arrears.money import from_fen

# Absolute bounds whatever the authority matrix says.
MAX_EXTENSION_DAYS = 90
MAX_SETTLEMENT_PAYMENTS = 6
MAX_SETTLEMENT_HORIZON_DAYS = 180
APPROVAL_EXPIRY_DAYS = 7

EXTENSION = ConcessionKind.EXTENSION
LATE_FEE_WAIVER = ConcessionKind.LATE_FEE_WAIVER
INTEREST_WAIVER = ConcessionKind.INTEREST_WAIVER
SETTLEMENT = ConcessionKind.SETTLEMENT
KINDS = tuple(ConcessionKind)

# The authority ladder: above the maker's limit a request goes to the next role up. Customer service
# and credit assessors request like collectors; nobody is above the administrator.
LADDER: dict[str, str | None] = {
    "collector": "team_lead",
    "customer_service": "team_lead",
    "credit_assessor": "team_lead",
    "team_lead": "administrator",
    "administrator": None,
}
RANK = {"collector": 1, "customer_service": 1, "credit_assessor": 1, "team_lead": 2, "administrator": 3}


def acting_role(roles: set[str], *, superuser: bool = False) -> str | None:
    """The highest role on the ladder a person holds (a superuser acts as administrator)."""
    if superuser:
        return "administrator"
    held = [r for r in roles if r in RANK]
    return max(held, key=lambda r: (RANK[r], r)) if held else None


def may_decide(roles: set[str], to_role: str, *, superuser: bool = False) -> bool:
    """Whether someone holding `roles` may decide a request addressed to `to_role` (or below)."""
    role = acting_role(roles, superuser=superuser)
    return role is not None and RANK[role] >= RANK[to_role] and RANK[role] >= 2


@dataclasses.dataclass(frozen=True, kw_only=True)
class Limit:
    """A row of the authority matrix; None is no limit."""

    id: int
    role: str
    product_id: int | None
    min_bucket: int
    max_bucket: int
    kind: str
    max_amount_fen: int | None = None
    max_share: Decimal | None = None
    max_days: int | None = None

    def allows(self, *, amount_fen: int, base_fen: int, days: int) -> bool:
        if self.max_amount_fen is not None and amount_fen > self.max_amount_fen:
            return False
        if (
            self.max_share is not None
            and amount_fen > 0
            and (base_fen <= 0 or Decimal(amount_fen) > self.max_share * base_fen)
        ):
            return False
        return self.max_days is None or days <= self.max_days


def authority(
    limits: Sequence[Limit],
    *,
    role: str,
    product_id: int,
    bucket: int,
    kind: str,
    amount_fen: int,
    base_fen: int,
    days: int,
) -> Limit | None:
    """The matrix row that lets `role` grant this concession, or None (above authority).

    Rows for the account's product override rows for any product; among the rows that apply, the first
    (by id) that allows it is the rule recorded with the grant.
    """
    applicable = [x for x in limits if x.role == role and x.kind == kind and x.min_bucket <= bucket <= x.max_bucket]
    specific = [x for x in applicable if x.product_id == product_id]
    rows = specific or [x for x in applicable if x.product_id is None]
    for x in sorted(rows, key=lambda r: r.id):
        if x.allows(amount_fen=amount_fen, base_fen=base_fen, days=days):
            return x
    return None


# --- validation --------------------------------------------------------------------------------


def check_waiver(*, kind: str, amount_fen: int, component_fen: int, waivable_fen: int) -> None:
    """A waiver is positive and never more than the component owed nor the fees or interest charged
    and not yet waived."""
    if amount_fen <= 0:
        raise ValidationFailed("must be greater than zero", field="amount", code="must_be_positive")
    what = "late fees" if kind == LATE_FEE_WAIVER else "interest"
    limit = min(component_fen, waivable_fen)
    if amount_fen > limit:
        raise ValidationFailed(
            f"{from_fen(amount_fen)} is more than the {what} that can be waived ({from_fen(max(limit, 0))})",
            field="amount",
            code="waiver_above_waivable",
            params={"limit": f"{from_fen(max(limit, 0))}"},
        )


def check_extension(*, days: int) -> None:
    if days <= 0:
        raise ValidationFailed(
            "must be at least one day", field="days", code="out_of_range", params={"low": 1, "high": MAX_EXTENSION_DAYS}
        )
    if days > MAX_EXTENSION_DAYS:
        raise ValidationFailed(
            f"must be at most {MAX_EXTENSION_DAYS} days",
            field="days",
            code="out_of_range",
            params={"low": 1, "high": MAX_EXTENSION_DAYS},
        )


def check_settlement(
    *, amount_fen: int, balance_fen: int, payments: Sequence[tuple[dt.date, int]], business_date: dt.date
) -> None:
    """A settlement is a sum below the balance, paid in 1 to MAX_SETTLEMENT_PAYMENTS payments on
    increasing dates from today, within MAX_SETTLEMENT_HORIZON_DAYS, summing exactly to the sum."""
    if amount_fen <= 0:
        raise ValidationFailed("must be greater than zero", field="amount", code="must_be_positive")
    if amount_fen >= balance_fen:
        raise ValidationFailed(
            f"a settlement must be less than the balance ({from_fen(max(balance_fen, 0))})",
            field="amount",
            code="settlement_not_below_balance",
            params={"balance": f"{from_fen(max(balance_fen, 0))}"},
        )
    if not payments:
        raise ValidationFailed("give at least one payment date and amount", field="payments")
    if len(payments) > MAX_SETTLEMENT_PAYMENTS:
        raise ValidationFailed(f"at most {MAX_SETTLEMENT_PAYMENTS} payments", field="payments")
    previous = None
    for n, (date, fen) in enumerate(payments, start=1):
        if fen <= 0:
            raise ValidationFailed(f"payment {n}: the amount must be greater than zero", field="payments")
        if date < business_date:
            raise ValidationFailed(f"payment {n}: {date} is in the past", field="payments")
        if previous is not None and date <= previous:
            raise ValidationFailed(f"payment {n}: dates must be in increasing order", field="payments")
        previous = date
    if (payments[-1][0] - business_date).days > MAX_SETTLEMENT_HORIZON_DAYS:
        raise ValidationFailed(f"the last payment must be within {MAX_SETTLEMENT_HORIZON_DAYS} days", field="payments")
    total = sum(fen for _, fen in payments)
    if total != amount_fen:
        raise ValidationFailed(
            f"the payments sum to {from_fen(total)}, not the settlement amount {from_fen(amount_fen)}",
            field="payments",
        )


def extended_dates(due_dates: Sequence[tuple[int, dt.date]], *, days: int) -> list[tuple[int, dt.date, dt.date]]:
    """(statement, effective due date before, after) for each past-due statement."""
    return [(s, d, d + dt.timedelta(days=days)) for s, d in due_dates]


def settlement_outcome(*, amount_fen: int, paid_fen: int, last_date: dt.date, business_date: dt.date) -> str | None:
    """Judged by the cycle of `business_date` (which sees payments posted before it): settled when
    the agreed sum has been paid, lapsed the day after the last date without it, else None."""
    if paid_fen >= amount_fen:
        return "settled"
    if business_date > last_date:
        return "lapsed"
    return None


# --- what the customer is told -----------------------------------------------------------------


@dataclasses.dataclass(frozen=True, kw_only=True)
class SummaryFacts:
    kind: str
    account_tail: str
    balance_before_fen: int
    amount_fen: int = 0
    days: int = 0
    past_due_fen: int = 0
    # Extension: (due date before, after) of each overdue minimum payment.
    due_dates: tuple[tuple[dt.date, dt.date], ...] = ()
    # Settlement: (date, amount) of each payment.
    payments: tuple[tuple[dt.date, int], ...] = ()


def _y(fen: int, language: str) -> str:
    text = f"{from_fen(fen):,.2f}"
    return f"{text} 元" if language == "zh-hans" else f"CNY {text}"


_ASKED_ZH: dict[str, str] = {
    LATE_FEE_WAIVER: "减免违约金 {amount}",
    INTEREST_WAIVER: "减免利息 {amount}",
    EXTENSION: "最低还款额延期 {days} 天",
    SETTLEMENT: "以 {amount} 结清全部欠款",
}
_ASKED_EN: dict[str, str] = {
    LATE_FEE_WAIVER: "waive {amount} of late fees",
    INTEREST_WAIVER: "waive {amount} of interest",
    EXTENSION: "extend the due date of the overdue minimum payment by {days} days",
    SETTLEMENT: "settle the whole balance for {amount}",
}


def summarise_request(facts: SummaryFacts, language: str) -> str:
    """What the customer may be told while a concession awaits approval: it was asked for, it is not
    in effect, and until it is nothing changes. Never worded as done."""
    f = facts
    if f.kind not in _ASKED_EN:
        raise ValueError(f"unknown concession kind {f.kind!r}")
    if language == "zh-hans":
        asked = _ASKED_ZH[f.kind].format(amount=_y(f.amount_fen, language), days=f.days)
        return (
            f"您尾号{f.account_tail}的信用卡账户申请{asked}，已提交审批，目前尚未生效，批准后我们会通知您。"
            f"在批准之前，您的欠款和还款日期不变：目前共欠 {_y(f.balance_before_fen, language)}，"
            f"其中逾期未还的最低还款额为 {_y(f.past_due_fen, language)}，请尽快归还。"
        )
    asked = _ASKED_EN[f.kind].format(amount=_y(f.amount_fen, language), days=f.days)
    return (
        f"Your request to {asked} on your card account ending {f.account_tail} has been passed for approval; "
        "it is not in effect yet and we will tell you when it is approved. Until then nothing changes: you owe "
        f"{_y(f.balance_before_fen, language)} in total, of which {_y(f.past_due_fen, language)} is overdue "
        "minimum payment to pay as soon as you can."
    )


def summarise(facts: SummaryFacts, language: str) -> str:
    """A plain-language summary of a granted concession for the customer: what is owed now, what
    changes, what happens if a payment is missed. zh-Hans or English. Only once it is granted: a
    request awaiting approval is worded by summarise_request."""
    zh = language == "zh-hans"
    f = facts

    def y(fen: int) -> str:
        return _y(fen, language)

    if f.kind in (LATE_FEE_WAIVER, INTEREST_WAIVER):
        after = f.balance_before_fen - f.amount_fen
        if zh:
            what = "违约金" if f.kind == LATE_FEE_WAIVER else "利息"
            return (
                f"您尾号{f.account_tail}的信用卡账户已减免{what} {y(f.amount_fen)}。"
                f"减免后您目前共欠 {y(after)}（减免前 {y(f.balance_before_fen)}），"
                f"其中逾期未还的最低还款额为 {y(f.past_due_fen)}，请尽快归还。"
                "如未按时还款，账户仍将处于逾期状态，并按合同继续计收利息和违约金。"
            )
        what = "late fees" if f.kind == LATE_FEE_WAIVER else "interest"
        return (
            f"We have waived {y(f.amount_fen)} of {what} on your card account ending {f.account_tail}. "
            f"You now owe {y(after)} in total (it was {y(f.balance_before_fen)}), of which {y(f.past_due_fen)} "
            "is overdue minimum payment to pay as soon as you can. If a payment is missed, the account stays "
            "overdue and interest and late fees continue to apply under your card agreement."
        )
    if f.kind == EXTENSION:
        new_last = max((after for _, after in f.due_dates), default=None)
        if zh:
            moves = "；".join(f"原到期还款日 {b:%Y-%m-%d} 的款项改为 {a:%Y-%m-%d} 前还款" for b, a in f.due_dates)
            return (
                f"您尾号{f.account_tail}的信用卡账户逾期的最低还款额已延期 {f.days} 天：{moves}。"
                f"您目前共欠 {y(f.balance_before_fen)}，其中最低还款额 {y(f.past_due_fen)}。"
                "欠款金额不变，利息照常计收。"
                f"如在 {new_last:%Y-%m-%d} 前未还清最低还款额，账户将从该日起重新计为逾期，并按合同收取违约金。"
            )
        moves = "; ".join(f"the payment due on {b:%Y-%m-%d} is now due on {a:%Y-%m-%d}" for b, a in f.due_dates)
        return (
            f"We have extended the due date of the overdue minimum payment on your card account ending "
            f"{f.account_tail} by {f.days} days: {moves}. You owe {y(f.balance_before_fen)} in total, of which "
            f"{y(f.past_due_fen)} is the minimum payment. The amount owed does not change and interest "
            f"continues as usual. If the minimum payment is not made by {new_last:%Y-%m-%d}, the account "
            "becomes overdue again from that date and late fees apply under your card agreement."
        )
    if f.kind == SETTLEMENT:
        rest = f.balance_before_fen - f.amount_fen
        last = f.payments[-1][0] if f.payments else None
        if zh:
            plan = "；".join(f"{d:%Y-%m-%d} 前还 {y(fen)}" for d, fen in f.payments)
            return (
                f"我们同意您以 {y(f.amount_fen)} 结清尾号{f.account_tail}信用卡账户的全部欠款"
                f"（当前欠款 {y(f.balance_before_fen)}）。还款安排：{plan}。"
                f"还清 {y(f.amount_fen)} 后，其余 {y(rest)} 将予以减免，账户结清并关闭。"
                f"如在 {last:%Y-%m-%d} 前未还清 {y(f.amount_fen)}，本结清协议失效："
                "扣除您已还的金额后，全部欠款仍须偿还，利息和费用按合同照常计收。"
            )
        plan = "; ".join(f"{y(fen)} by {d:%Y-%m-%d}" for d, fen in f.payments)
        return (
            f"We accept {y(f.amount_fen)} in full and final settlement of your card account ending "
            f"{f.account_tail} (you owe {y(f.balance_before_fen)} now). Please pay: {plan}. Once "
            f"{y(f.amount_fen)} has been paid, the remaining {y(rest)} will be written off and the account "
            f"closed. If {y(f.amount_fen)} has not been paid in full by {last:%Y-%m-%d}, this settlement lapses: "
            "the whole balance stays owed, less what you have paid, and interest and fees continue under your "
            "card agreement."
        )
    raise ValueError(f"unknown concession kind {f.kind!r}")

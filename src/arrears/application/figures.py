"""The figures a person sees: one read model for every page, the API and the scenario output.

Balances by component, the past-due amount and the amount that brings an account current (with
what makes it up), the plan's balance and amount due, what was charged off and recovered since,
DPD, bucket, standing and classification, per account and summed per customer.

Pure reads, and a fixed number of queries for any number of accounts: the accounts, their unpaid
minimums, their products' parameters, their active plans and the plans' schedules. Integer fen
inside; ``yuan`` gives Decimal at the edge. The rules are in ``arrears.application.rules``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, QuerySet, Sum

from arrears.application import rules
from arrears.application.rules import Minimum, Scheduled, Unpaid
from arrears.kernel.pan import mask_pan
from arrears.kernel.vocabulary import OWED_COMPONENTS
from arrears.ledger.models import Account, AccountStatus
from arrears.money import from_fen
from arrears.plans import life
from arrears.plans.queries import active_plans
from arrears.products.models import ProductVersion
from arrears.products.rules import ProductParams, build_params
from arrears.statements.models import Statement

COMPONENTS = tuple(str(c) for c in OWED_COMPONENTS)


def yuan(fen: int) -> Decimal:
    return from_fen(fen)


@dataclasses.dataclass(frozen=True)
class PlanFigures:
    plan_id: int
    balance_fen: int  # what is left on the plan (the account's plan component)
    amount_due_fen: int  # the unpaid instalments due up to the next one falling due
    next_due_date: dt.date | None  # the first instalment falling due on or after the business date
    overdue: tuple[Unpaid, ...]  # instalments due before the business date and not fully paid


@dataclasses.dataclass(frozen=True)
class AccountFigures:
    account_id: int
    ref: str  # the account's internal reference: links and look-ups
    number: str  # the card number masked (first 6 and last 4 digits at most)
    customer_id: int
    account_status: str  # as stored: open, blocked, charged_off, closed
    principal_fen: int
    interest_fen: int
    fees_fen: int
    plan_fen: int
    costs_fen: int  # court costs awarded in a legal case (arrears.legal)
    past_due_fen: int
    overdue_minimums_fen: int  # the overdue minimums before the cap at the balance
    to_bring_current_fen: int
    to_bring_current: tuple[Unpaid, ...]  # the statements and instalments that make it up, oldest first
    charged_off_fen: int
    charged_off_on: dt.date | None
    recovered_fen: int
    plan: PlanFigures | None
    dpd: int
    bucket: int
    standing: str  # rules.CURRENT, IN_PLAN, PAST_DUE, CHARGED_OFF, CLOSED
    classification: str  # CN-CLASS: 正常 关注 次级 可疑 损失

    @property
    def balance_fen(self) -> int:
        return self.principal_fen + self.interest_fen + self.fees_fen + self.plan_fen + self.costs_fen

    @property
    def charged_off(self) -> bool:
        return self.standing == rules.CHARGED_OFF

    @property
    def past_due_capped(self) -> bool:
        """Were overdue minimums left out because they are more than the balance?"""
        return self.overdue_minimums_fen > self.past_due_fen

    @property
    def still_owed_fen(self) -> int:
        """Of a charged-off account, what was charged off less what has been recovered since (0 for others)."""
        return self.charged_off_fen - self.recovered_fen if self.charged_off else 0

    @property
    def total_owed_fen(self) -> int:
        """Everything the customer owes on the account: the balance and what is still owed after a charge-off."""
        return self.balance_fen + self.still_owed_fen

    @property
    def bucket_label(self) -> str:
        return f"M{self.bucket}"

    def components_fen(self) -> dict[str, int]:
        return {c: getattr(self, f"{c}_fen") for c in COMPONENTS}


@dataclasses.dataclass(frozen=True)
class CustomerFigures:
    customer_id: int
    accounts: tuple[AccountFigures, ...]

    def _sum(self, field: str) -> int:
        return sum(int(getattr(a, field)) for a in self.accounts)

    @property
    def principal_fen(self) -> int:
        return self._sum("principal_fen")

    @property
    def interest_fen(self) -> int:
        return self._sum("interest_fen")

    @property
    def fees_fen(self) -> int:
        return self._sum("fees_fen")

    @property
    def plan_fen(self) -> int:
        return self._sum("plan_fen")

    @property
    def costs_fen(self) -> int:
        return self._sum("costs_fen")

    @property
    def balance_fen(self) -> int:
        return self._sum("balance_fen")

    @property
    def past_due_fen(self) -> int:
        return self._sum("past_due_fen")

    @property
    def to_bring_current_fen(self) -> int:
        return self._sum("to_bring_current_fen")

    @property
    def still_owed_fen(self) -> int:
        return self._sum("still_owed_fen")

    @property
    def total_owed_fen(self) -> int:
        return self._sum("total_owed_fen")

    @property
    def charged_off_fen(self) -> int:
        return sum(a.charged_off_fen for a in self.accounts if a.charged_off)

    @property
    def recovered_fen(self) -> int:
        return sum(a.recovered_fen for a in self.accounts if a.charged_off)

    @property
    def charged_off(self) -> bool:
        return any(a.charged_off for a in self.accounts)

    @property
    def in_plan(self) -> bool:
        return any(a.plan is not None for a in self.accounts)

    @property
    def dpd(self) -> int:
        return max((a.dpd for a in self.accounts), default=0)

    @property
    def bucket(self) -> int:
        return max((a.bucket for a in self.accounts), default=0)

    @property
    def bucket_label(self) -> str:
        return f"M{self.bucket}"

    @property
    def standing(self) -> str:
        return rules.worst_standing(a.standing for a in self.accounts)

    @property
    def classification(self) -> str:
        return rules.worst_class(a.classification for a in self.accounts)

    @property
    def to_bring_current(self) -> tuple[tuple[str, Unpaid], ...]:
        """Every part of the amount to bring the customer current, with its (masked) account number."""
        parts = [(a.number, u) for a in self.accounts for u in a.to_bring_current]
        return tuple(sorted(parts, key=lambda p: (p[1].due_date, p[0], p[1].kind, p[1].ref)))


# -- reads -------------------------------------------------------------------------------------


def account_figures(account_ids: Iterable[int], *, business_date: dt.date) -> dict[int, AccountFigures]:
    """The figures of these accounts on the business date, by account id."""
    return _figures(Account.objects.filter(pk__in=list(account_ids)), business_date)


def customer_figures(customer_ids: int | Iterable[int], *, business_date: dt.date) -> dict[int, CustomerFigures]:
    """The figures of these customers (every account they hold) on the business date, by customer id."""
    ids = [customer_ids] if isinstance(customer_ids, int) else list(customer_ids)
    by_customer: dict[int, list[AccountFigures]] = defaultdict(list)
    for figures in _figures(Account.objects.filter(customer_id__in=ids), business_date).values():
        by_customer[figures.customer_id].append(figures)
    return {c: CustomerFigures(customer_id=c, accounts=tuple(by_customer[c])) for c in ids}


def _figures(accounts: QuerySet[Account], on: dt.date) -> dict[int, AccountFigures]:
    rows = list(
        accounts.order_by("id").only(
            "id",
            "number",
            "ref",
            "customer_id",
            "product_id",
            "status",
            *(f"{c}_fen" for c in COMPONENTS),
            "charged_off_on",
            "charged_off_fen",
            "recovered_fen",
        )
    )
    if not rows:
        return {}
    ids = [a.pk for a in rows]
    minimums: dict[int, list[Minimum]] = defaultdict(list)
    for account_id, statement_date, due, extended, unpaid in Statement.objects.filter(
        account_id__in=ids, minimum_unpaid_fen__gt=0
    ).values_list("account_id", "statement_date", "due_date", "extended_due_date", "minimum_unpaid_fen"):
        minimums[account_id].append(Minimum(statement_date, due, extended, unpaid))
    params = _params({a.product_id for a in rows}, on)
    plans = active_plans(ids)
    return {a.pk: _account(a, minimums[a.pk], params.get(a.product_id), plans.get(a.pk), on) for a in rows}


def _params(product_ids: set[int], on: dt.date) -> dict[int, ProductParams]:
    """Each product's parameters in force on the date (one query)."""
    result: dict[int, ProductParams] = {}
    versions = ProductVersion.objects.filter(product_id__in=product_ids, effective_from__lte=on).order_by(
        "product_id", "-effective_from"
    )
    for product_id, parameters in versions.values_list("product_id", "parameters"):
        if product_id not in result:
            result[product_id] = build_params(parameters or {})
    return result


def _account(
    a: Account, minimums: list[Minimum], params: ProductParams | None, plan: Any, on: dt.date
) -> AccountFigures:
    balance = a.principal_fen + a.interest_fen + a.fees_fen + a.plan_fen + a.costs_fen
    late = rules.overdue_minimums(minimums, business_date=on)
    past_due = rules.past_due_fen(late, balance_fen=balance)
    charged_off_on = a.charged_off_on if a.status == AccountStatus.CHARGED_OFF else None
    dpd = (
        0
        if a.status in (AccountStatus.CLOSED, AccountStatus.SETTLED)
        else rules.dpd(late, business_date=on, charged_off_on=charged_off_on)
    )
    plan_figures = _plan(plan, a.plan_fen, on) if plan is not None else None
    total, parts = rules.to_bring_current(late, plan_figures.overdue if plan_figures else (), past_due_fen=past_due)
    standing = rules.standing(account_status=a.status, dpd=dpd, in_plan=plan_figures is not None)
    bucket = (params or ProductParams()).bucket_for(dpd)
    return AccountFigures(
        account_id=a.pk,
        ref=a.ref,
        number=mask_pan(a.number),
        customer_id=a.customer_id,
        account_status=a.status,
        principal_fen=a.principal_fen,
        interest_fen=a.interest_fen,
        fees_fen=a.fees_fen,
        plan_fen=a.plan_fen,
        costs_fen=a.costs_fen,
        past_due_fen=past_due,
        overdue_minimums_fen=sum(u.amount_fen for u in late),
        to_bring_current_fen=total,
        to_bring_current=parts,
        charged_off_fen=a.charged_off_fen,
        charged_off_on=a.charged_off_on,
        recovered_fen=a.recovered_fen,
        plan=plan_figures,
        dpd=dpd,
        bucket=bucket,
        standing=standing,
        classification=rules.loan_class(bucket=bucket, standing=standing),
    )


def _plan(plan: Any, plan_fen: int, on: dt.date) -> PlanFigures:
    schedule = [Scheduled(d.n, d.due_date, d.amount_fen) for d in plan.schedule]
    paid = life.paid_into_plan(moved_fen=plan.moved_fen, charged_fen=plan.charged_fen, plan_fen=plan_fen)
    return PlanFigures(
        plan_id=plan.plan_id,
        balance_fen=plan_fen,
        amount_due_fen=min(rules.plan_amount_due(schedule, paid_fen=paid, business_date=on), max(plan_fen, 0)),
        next_due_date=next((s.due_date for s in schedule if s.due_date >= on), None),
        overdue=tuple(rules.overdue_instalments(schedule, paid_fen=paid, business_date=on)),
    )


# -- the portfolio -----------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class PortfolioRow:
    """The accounts of one bucket (or all charged-off accounts) and what they owe."""

    bucket: int
    charged_off: bool
    accounts: int
    balance_fen: int
    still_owed_fen: int  # charged off less recovered since, for the charged-off row
    classification: str

    @property
    def label(self) -> str:
        return rules.CHARGED_OFF if self.charged_off else f"M{self.bucket}"

    @property
    def owed_fen(self) -> int:
        return self.balance_fen + self.still_owed_fen


def portfolio(*, within: QuerySet[Account] | None = None) -> tuple[PortfolioRow, ...]:
    """Every account not closed (nor settled after charge-off) by bucket, charged-off accounts in a row
    of their own (one query).

    `within` narrows it to a set of accounts (a person's visible accounts, as a query, not a list);
    by default the whole book. The buckets are those the cycle gave on its last completed date; the
    amounts are the ledger's balances, with the same definitions as the account figures.
    """
    rows = (
        (Account.objects.all() if within is None else within)
        .exclude(status__in=(AccountStatus.CLOSED, AccountStatus.SETTLED))
        .values("bucket", "status")
        .annotate(
            n=Count("id"),
            balance=Sum(F("principal_fen") + F("interest_fen") + F("fees_fen") + F("plan_fen") + F("costs_fen")),
            written_off=Sum(F("charged_off_fen") - F("recovered_fen")),
        )
        .order_by("bucket")
    )
    totals: dict[tuple[bool, int], list[int]] = {}
    for r in rows:
        charged_off = r["status"] == AccountStatus.CHARGED_OFF
        key = (charged_off, 0 if charged_off else r["bucket"])
        t = totals.setdefault(key, [0, 0, 0])
        t[0] += r["n"]
        t[1] += r["balance"] or 0
        t[2] += (r["written_off"] or 0) if charged_off else 0
    result = []
    for (charged_off, bucket), (n, balance, still_owed) in sorted(totals.items()):
        standing = rules.CHARGED_OFF if charged_off else rules.PAST_DUE if bucket else rules.CURRENT
        result.append(
            PortfolioRow(
                bucket=bucket,
                charged_off=charged_off,
                accounts=n,
                balance_fen=balance,
                still_owed_fen=still_owed,
                classification=rules.loan_class(bucket=bucket, standing=standing),
            )
        )
    return tuple(result)


def most_days_past_due(
    *, business_date: dt.date, limit: int = 20, within: QuerySet[Account] | None = None
) -> list[AccountFigures]:
    """The figures of the accounts longest past due (not charged off), the longest first; `within`
    narrows them to a set of accounts, as `portfolio` does."""
    ids = list(
        (Account.objects.all() if within is None else within)
        .filter(dpd__gt=0, status__in=[AccountStatus.OPEN, AccountStatus.BLOCKED])
        .order_by("-dpd", "id")
        .values_list("id", flat=True)[:limit]
    )
    found = account_figures(ids, business_date=business_date)
    return sorted(found.values(), key=lambda f: (-f.dpd, f.account_id))

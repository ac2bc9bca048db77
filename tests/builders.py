"""Builders: valid states made through the public operations, with the cycle run only on the dates
that matter.

The daily cycle of a date d does something to an account only on a few kinds of dates: its
statement date, the day after a due date (grace kept or lost, the late fee, DPD 1), the days its DPD
crosses a bucket edge or reaches the charge-off DPD, an anniversary when the product has an annual
fee, the day after a payment, and the dates a plan instalment, a promise, a settlement or a pending
approval is judged. `advance` runs exactly those dates (and the target date), so 60 to 240 cycle
days shrink to a handful. A new cycle step that acts on dates of its own must add them to
`_dates_after`. `run_date` runs one
date whatever the dates before it, so a state built this way equals the state of a day-by-day run on
every figure a page shows (balances, statements, DPD, bucket, case, plan); only what the skipped
dates alone produce is missing (their CycleDay rows, due-date reminders, intermediate case routing).
tests/integration/test_builders.py checks that equality against a day-by-day run.

Dates in these tests: accounts open on 2026-03-01 with statement day 5 (the product default), buy on
03-10; the statement of 04-05 bills it with a due date of 04-23, so an unpaid account is 1 DPD on
04-24 and `dpd` days past due on 04-23 + dpd.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.db.models import Min
from django.db.models.functions import Coalesce

from arrears.business_days import last_day_of_month
from arrears.cases.models import Case, Queue
from arrears.concessions.models import (
    ApprovalRequest,
    ApprovalStatus,
    AuthorityRule,
    Concession,
    ConcessionStatus,
    SettlementPayment,
)
from arrears.concessions.operations import ConcessionIn, request_concession
from arrears.cycle.runner import last_completed, run_date
from arrears.ledger.models import Account, AccountStatus, Customer
from arrears.ledger.operations import AccountIn, ChargeIn, CustomerIn, create_customers, open_accounts, post_charges
from arrears.payments.models import Payment
from arrears.payments.operations import PaymentIn, post_payments
from arrears.people.models import Role, Team
from arrears.people.operations import create_staff
from arrears.plans.models import Evidence, Instalment, Plan, PlanStatus
from arrears.plans.operations import accept_plan, activate_plan, approve_plan, offer_plan, policy, propose_plan
from arrears.products.models import Product, versions_in_force
from arrears.promises.models import Promise, PromisePolicy, PromiseStatus
from arrears.statements.models import Statement
from tests.factories import make_product

ACTOR = "test"
OPENED = dt.date(2026, 3, 1)
BOUGHT = dt.date(2026, 3, 10)
FIRST_DUE = dt.date(2026, 4, 23)  # of the 04-05 statement, with the product defaults
PASSWORD = "a-long-test-password-1"
_numbers = itertools.count(1)


@dataclasses.dataclass(frozen=True, kw_only=True)
class Debtor:
    """One customer with one card account, and the case the cycle opened (None while current)."""

    customer: Customer
    account: Account
    case: Case | None


# -- people --------------------------------------------------------------------------------------


def staff(role: str = Role.COLLECTOR, *, team: Team | None = None, languages: str = "zh-hans") -> User:
    return create_staff(
        actor=ACTOR,
        username=f"{role}{next(_numbers)}",
        password=PASSWORD,
        role=role,
        teams=[team] if team else [],
        languages=languages,
    )


def team_with_queue(
    name: str | None = None, *, min_bucket: int = 1, max_bucket: int = 7, lead: User | None = None, rank: int = 100
) -> Team:
    """A team with one queue for the buckets min_bucket..max_bucket (M1-M7 by default)."""
    team = Team.objects.create(name=name or f"team{next(_numbers)}", lead=lead)
    if lead:
        team.members.add(lead)
    Queue.objects.create(name=f"queue-{team.name}", team=team, min_bucket=min_bucket, max_bucket=max_bucket, rank=rank)
    return team


# -- the cycle on the dates that matter ---------------------------------------------------------


def _next_statement_date(day: int, after: dt.date) -> dt.date:
    """The first date after `after` on which the statement of statement day `day` closes."""
    year, month = after.year, after.month
    while True:
        date = dt.date(year, month, min(day, last_day_of_month(year, month)))
        if date > after:
            return date
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def _anniversary_after(opened: dt.date, after: dt.date) -> dt.date:
    year = max(after.year, opened.year + 1)
    while True:
        day = min(opened.day, last_day_of_month(year, opened.month))
        date = dt.date(year, opened.month, day)
        if date > after:
            return date
        year += 1


def _dates_after(after: dt.date) -> set[dt.date]:
    """Every date after `after` on which the cycle changes something, given the state after `after`."""
    params = versions_in_force(after + dt.timedelta(days=1))
    dates: set[dt.date] = set()
    live = Account.objects.filter(status__in=(AccountStatus.OPEN, AccountStatus.BLOCKED))
    for product_id, day, opened in live.values_list("product_id", "statement_day", "opened_on").distinct():
        dates.add(max(_next_statement_date(day, after), _next_statement_date(day, opened)))
        p = params.get(product_id)
        if p is not None and p.annual_fee > 0:
            dates.add(_anniversary_after(opened, after))
    due = Coalesce("extended_due_date", "due_date")
    for d in (
        Statement.objects.filter(account__in=live)
        .annotate(due=due)
        .filter(due__gte=after)
        .values_list("due", flat=True)
        .distinct()
    ):
        dates.add(d + dt.timedelta(days=1))
    # DPD counts from the oldest unpaid due date: bucket edges and the charge-off DPD are crossed on
    # fixed days after it.
    anchors = (
        Statement.objects.filter(account__in=live, minimum_unpaid_fen__gt=0)
        .annotate(due=due)
        .values("account__product_id", "account_id")
        .annotate(anchor=Min("due"))
        .values_list("account__product_id", "anchor")
        .distinct()
    )
    for product_id, anchor in anchors:
        p = params.get(product_id)
        if p is None:
            continue
        for days in (1, *(edge + 1 for edge in p.bucket_edges), p.charge_off_dpd):
            dates.add(anchor + dt.timedelta(days=days))
    grace = policy().grace_days
    for due_date in Instalment.objects.filter(plan__status=PlanStatus.ACTIVE).values_list("due_date", flat=True):
        dates.update({due_date + dt.timedelta(days=1), due_date + dt.timedelta(days=grace + 1)})
    # A payment posted on day p is seen by the cycle of p + 1 (cured, plan instalment paid, settled).
    for posted in Payment.objects.filter(posting_date__gte=after).values_list("posting_date", flat=True).distinct():
        dates.add(posted + dt.timedelta(days=1))
    # A pending approval expires, and an unpaid settlement lapses, the day after its last date.
    for expires in ApprovalRequest.objects.filter(status=ApprovalStatus.PENDING).values_list("expires_on", flat=True):
        dates.add(expires + dt.timedelta(days=1))
    for last_payment in SettlementPayment.objects.filter(concession__status=ConcessionStatus.ACTIVE).values_list(
        "due_date", flat=True
    ):
        dates.add(last_payment + dt.timedelta(days=1))
    promise_policy = PromisePolicy.objects.order_by("-id").first()
    promise_grace = promise_policy.grace_days if promise_policy else 1
    for promised in Promise.objects.filter(status=PromiseStatus.OPEN).values_list("promised_date", flat=True):
        dates.add(promised + dt.timedelta(days=promise_grace + 1))
    return {d for d in dates if d > after}


def advance(*, through: dt.date, start: dt.date | None = None) -> list[dt.date]:
    """Run the cycle on every date that matters after the last completed one (or from `start`, by
    default the first account's opening date) up to `through`, and on `through` itself; returns the
    dates run."""
    last = last_completed()
    if last is not None:
        after = last
    else:
        first_open: dt.date | None = Account.objects.aggregate(d=Min("opened_on"))["d"]
        after = (start or first_open or OPENED) - dt.timedelta(days=1)
    ran = []
    # What the test did on the last date run (a payment, a concession, a plan) is seen by the next one.
    first = {after + dt.timedelta(days=1)} if last is not None else set()
    while after < through:
        after = min({through, *first, *_dates_after(after)})
        first = set()
        run_date(after)
        ran.append(after)
    return ran


# -- customers, accounts, charges and payments, in bulk ---------------------------------------------


def open_card_accounts(
    *,
    count: int = 1,
    product: Product | None = None,
    opened_on: dt.date = OPENED,
    credit_limit: str = "10000.00",
    statement_day: int | None = None,
    names: Sequence[str] = (),
    contact: Mapping[str, str] | None = None,
) -> list[Account]:
    """`count` customers with one card account each (with the `contact` fields of CustomerIn: mobile,
    email, language...), in two bulk operations."""
    last = last_completed()
    # The builders share one cycle calendar: an account opened before a date already run would
    # miss that date's statement. Build every account of a test before advancing the cycle.
    assert last is None or last < opened_on, f"the cycle already ran through {last}: open accounts first"
    product = product or make_product()
    customers = create_customers(
        actor=ACTOR,
        customers=[
            CustomerIn(name=names[i] if i < len(names) else f"客户{next(_numbers)}", **dict(contact or {}))
            for i in range(count)
        ],
    )
    return open_accounts(
        actor=ACTOR,
        accounts=[
            AccountIn(
                customer=c,
                product=product,
                number=f"63{next(_numbers):010d}",
                opened_on=opened_on,
                credit_limit=Decimal(credit_limit),
                statement_day=statement_day,
            )
            for c in customers
        ],
    )


def buy(*, accounts: Sequence[Account], amounts: Sequence[str], on: dt.date = BOUGHT, kind: str = "purchase") -> None:
    """One charge per account, all in one post_charges call."""
    post_charges(
        actor=ACTOR,
        charges=[
            ChargeIn(account_number=a.number, kind=kind, amount=Decimal(amount))
            for a, amount in zip(accounts, amounts, strict=True)
        ],
        business_date=on,
    )


def pay(*, accounts: Sequence[Account], amounts: Sequence[str], on: dt.date) -> None:
    """One payment per account, all in one post_payments call."""
    post_payments(
        actor=ACTOR,
        payments=[
            PaymentIn(account_number=a.number, amount=Decimal(amount), value_date=on, reference=f"b-{next(_numbers)}")
            for a, amount in zip(accounts, amounts, strict=True)
        ],
        business_date=on,
    )


def _debtors(accounts: Iterable[Account]) -> list[Debtor]:
    result = []
    for account in accounts:
        account.refresh_from_db()
        case = Case.objects.filter(customer_id=account.customer_id).order_by("-id").first()
        result.append(Debtor(customer=account.customer, account=account, case=case))
    return result


def _statement_balance(account: Account, on: dt.date) -> str:
    s = Statement.objects.get(account=account, statement_date=on)
    return f"{Decimal(s.new_balance_fen) / 100:.2f}"


# -- the states ------------------------------------------------------------------------------------


def current_account(
    *, through: dt.date = dt.date(2026, 5, 3), amount: str = "1000.00", product: Product | None = None, name: str = ""
) -> Debtor:
    """Bought 03-10, paid the 04-05 statement in full on 04-20 (grace kept), bought `amount` again on
    04-22: that amount is owed, unbilled until 05-05, and the account is current."""
    [account] = open_card_accounts(product=product, names=[name] if name else [])
    buy(accounts=[account], amounts=[amount])
    advance(through=dt.date(2026, 4, 20))
    pay(accounts=[account], amounts=[_statement_balance(account, dt.date(2026, 4, 5))], on=dt.date(2026, 4, 20))
    buy(accounts=[account], amounts=[amount], on=dt.date(2026, 4, 22))
    advance(through=through)
    [debtor] = _debtors([account])
    return debtor


def revolving_account(
    *,
    through: dt.date = dt.date(2026, 5, 6),
    amount: str = "1000.00",
    paid: str = "100.00",
    product: Product | None = None,
    name: str = "",
) -> Debtor:
    """Bought `amount` 03-10 and paid only `paid` (at least the minimum) on 04-20: current, but the
    grace period is lost, so the 05-05 statement charges interest and the account revolves."""
    [account] = open_card_accounts(product=product, names=[name] if name else [])
    buy(accounts=[account], amounts=[amount])
    advance(through=dt.date(2026, 4, 20))
    pay(accounts=[account], amounts=[paid], on=dt.date(2026, 4, 20))
    advance(through=through)
    [debtor] = _debtors([account])
    return debtor


def past_due(
    *,
    dpd: int = 10,
    count: int = 1,
    amounts: Sequence[str] = (),
    product: Product | None = None,
    names: Sequence[str] = (),
    contact: Mapping[str, str] | None = None,
) -> list[Debtor]:
    """`count` customers who bought on 03-10 and never paid, `dpd` days past due (counted from the
    04-23 due date of the 04-05 statement with the product defaults). Customer i bought
    1000.00 + 100.00 x i unless `amounts` says otherwise. All charges in one call; each cycle date
    run once for all of them."""
    accounts = open_card_accounts(count=count, product=product, names=names, contact=contact)
    buy(accounts=accounts, amounts=list(amounts) or [f"{1000 + 100 * i}.00" for i in range(count)])
    advance(through=_first_statement_after(accounts[0], BOUGHT))
    first_due = (
        Statement.objects.filter(account__in=accounts, new_balance_fen__gt=0).aggregate(d=Min("due_date"))["d"]
        or FIRST_DUE
    )
    advance(through=first_due + dt.timedelta(days=dpd))
    return _debtors(accounts)


def _first_statement_after(account: Account, on: dt.date) -> dt.date:
    return _next_statement_date(account.statement_day, on)


def delinquent_through(*, count: int, through: dt.date, amounts: Sequence[str] = ()) -> list[Debtor]:
    """Like `past_due`, by the date instead of the DPD (the cycle also runs on `through` when the
    accounts are not yet past due then)."""
    accounts = open_card_accounts(count=count)
    buy(accounts=accounts, amounts=list(amounts) or [f"{1000 + 100 * i}.00" for i in range(count)])
    advance(through=through)
    return _debtors(accounts)


def case_in_queue(
    *, team: Team | None = None, dpd: int = 10, amount: str = "1000.00", name: str = ""
) -> tuple[Team, User, Debtor]:
    """A team with an M1-M7 queue and a collector, and one past-due customer whose case the cycle
    routed to that queue and gave to the collector."""
    team = team or team_with_queue()
    collector = staff(team=team)
    [debtor] = past_due(dpd=dpd, amounts=[amount], names=[name] if name else [])
    return team, collector, debtor


def charged_off(*, amount: str = "1000.00", charge_off_dpd: int = 180, **parameters: Any) -> Debtor:
    """Never paid: the cycle of the date at which DPD reaches the product's charge_off_dpd writes the
    balance off (the dates between: statements, late fees and bucket edges only)."""
    product = make_product(charge_off_dpd=charge_off_dpd, **parameters)
    [debtor] = past_due(dpd=charge_off_dpd, amounts=[amount], product=product)
    assert debtor.account.status == AccountStatus.CHARGED_OFF, debtor.account.status
    return debtor


@dataclasses.dataclass(frozen=True, kw_only=True)
class InPlan:
    debtor: Debtor
    plan: Plan
    collector: User
    lead: User


def in_plan(
    *,
    on: dt.date = dt.date(2026, 5, 3),
    amount: str = "1200.00",
    instalments: int = 4,
    first_due_date: dt.date = dt.date(2026, 6, 1),
    fee_rate: str = "0.005",
    product: Product | None = None,
    name: str = "",
) -> InPlan:
    """A customer past due since 04-23 whose whole balance went into a flat-fee plan on `on`, through
    the plan doors: proposed by the collector, approved by the lead, offered, accepted on a recorded
    call and activated."""
    lead = staff(Role.TEAM_LEAD)
    team = team_with_queue(lead=lead)
    collector = staff(team=team)
    [debtor] = past_due(dpd=(on - FIRST_DUE).days, amounts=[amount], product=product, names=[name] if name else [])
    assert debtor.case is not None
    plan = propose_plan(
        actor=collector,
        case=debtor.case,
        account_number=debtor.account.number,
        scope="whole",
        method="flat_fee",
        instalments=instalments,
        first_due_date=first_due_date,
        fee_rate=Decimal(fee_rate),
        business_date=on,
    )
    if plan.status != PlanStatus.APPROVED:
        approve_plan(actor=lead, plan=plan)
    offer_plan(actor=collector, plan=plan, business_date=on)
    accept_plan(actor=collector, plan=plan, evidence=Evidence.RECORDED_CALL, evidence_ref="REC-1", business_date=on)
    activate_plan(actor=collector, plan=plan, business_date=on)
    [debtor] = _debtors([debtor.account])
    return InPlan(debtor=debtor, plan=plan, collector=collector, lead=lead)


def broken_plan(**kwargs: Any) -> InPlan:
    """`in_plan`, then nothing paid: the plan breaks on the date its `missed_to_break`-th instalment
    is missed (its due date + the policy's grace days + 1), and only the dates that matter run."""
    built = in_plan(**kwargs)
    p = policy()
    nth = built.plan.schedule.order_by("n")[p.missed_to_break - 1]
    advance(through=nth.due_date + dt.timedelta(days=p.grace_days + 1))
    built.plan.refresh_from_db()
    assert built.plan.status == PlanStatus.BROKEN, built.plan.status
    [debtor] = _debtors([built.debtor.account])
    return dataclasses.replace(built, debtor=debtor)


def settled(
    *, on: dt.date = dt.date(2026, 5, 6), amount: str = "1000.00", share: str = "0.60"
) -> tuple[Debtor, Concession]:
    """A past-due customer granted a settlement of `share` of the balance on `on` by a collector
    allowed up to that share; paid in full on `on`, settled by the cycle of the next day."""
    team = team_with_queue()
    collector = staff(team=team)
    AuthorityRule.objects.create(role=Role.COLLECTOR, kind="settlement", max_share=1 - Decimal(share))
    [debtor] = past_due(dpd=(on - FIRST_DUE).days, amounts=[amount])
    assert debtor.case is not None
    agreed = (Decimal(debtor.account.balance_fen) * Decimal(share) / 100).quantize(Decimal("0.01"))
    concession = request_concession(
        user=collector,
        case=debtor.case,
        data=ConcessionIn(
            kind="settlement",
            reason="income_loss",
            evidence="lost job, termination letter seen",
            amount=agreed,
            payments=[(on, agreed)],
        ),
        business_date=on,
    )
    pay(accounts=[debtor.account], amounts=[f"{agreed}"], on=on)
    run_date(on + dt.timedelta(days=1))
    concession.refresh_from_db()
    assert concession.status == ConcessionStatus.SETTLED, concession.status
    [debtor] = _debtors([debtor.account])
    return debtor, concession

"""The ledger door's laws under random sequences of every money operation (issue 8).

Two card accounts of two customers, past due from the first days, live through a random sequence
of operations taken through the public operations, as the application takes them: purchases and
cash advances, payments (and recoveries once charged off), reversals, late-fee and interest
waivers (some above the collector's authority, approved by the team lead), due-date extensions,
settlements (judged by the cycle), repayment plans (activated, then paid or broken by the cycle),
and cycle dates run one by one, always forward, on which accounts charge off. After every step:

- every cache column equals the sum of its entries: principal, interest, fees and plan by
  component, recovered_fen minus the recovery entries, charged_off_fen minus the charge-off entries;
- the balance is the sum of its components, and the sum of the entries of those components;
- no entry has the amount 0.

Each example runs in a transaction rolled back at its end, so every example starts from an empty
database. One hand-written example walks through every operation and state, so the test also
checks, across its examples, that each operation did take effect at least once.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import itertools
from collections import Counter, defaultdict
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.db import transaction
from django.db.models import Sum
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from arrears.cases.models import Case, CaseStatus
from arrears.concessions.models import (
    ApprovalRequest,
    ApprovalStatus,
    AuthorityRule,
    Concession,
    ConcessionStatus,
)
from arrears.concessions.operations import ConcessionIn, decide_approval, request_concession
from arrears.cycle.runner import run_date
from arrears.errors import ArrearsError, ValidationFailed
from arrears.ledger import posting
from arrears.ledger.models import Account, AccountStatus, Component, Entry, EntryKind
from arrears.ledger.operations import ChargeIn, post_charges, reverse_entry
from arrears.ledger.queries import cache_mismatches
from arrears.payments.operations import PaymentIn, post_payment
from arrears.people.models import Role
from arrears.plans.models import Evidence, Plan, PlanPolicy, PlanStatus
from arrears.plans.operations import accept_plan, activate_plan, approve_plan, offer_plan, propose_plan
from arrears.statements.models import Statement
from tests.collections_factories import staff, team_with_queue
from tests.factories import make_account, make_product, purchase

OPENED = dt.date(2026, 3, 1)
CHARGE_OFF_DPD = 20
ACCOUNTS = 2
_refs = itertools.count(1)

# What each operation, and each outcome of the cycle, is called in the coverage count.
EVERY_OUTCOME = {
    "purchase",
    "cash_advance",
    "payment",
    "recovery",
    "reversal",
    "late_fee_waiver",
    "interest_waiver",
    "approved_by_lead",
    "extension",
    "settlement_agreed",
    "settled",
    "plan_activated",
    "plan_broken",
    "charged_off",
}


# --- the operations ------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Charge:
    account: int
    kind: str  # purchase, cash_advance
    fen: int


@dataclasses.dataclass(frozen=True)
class Pay:
    account: int
    fen: int | None  # None: what is asked (a settlement's sum, an instalment, the minimum, the balance)


@dataclasses.dataclass(frozen=True)
class Reverse:
    account: int
    pick: int  # which of the account's reversible entries, counted from the latest, modulo their number


@dataclasses.dataclass(frozen=True)
class Waive:
    account: int
    kind: str  # late_fee_waiver, interest_waiver
    fen: int


@dataclasses.dataclass(frozen=True)
class Extend:
    account: int
    days: int


@dataclasses.dataclass(frozen=True)
class Settle:
    account: int
    percent: int  # of the balance
    in_days: int  # the one payment's last date, from today


@dataclasses.dataclass(frozen=True)
class PlanIt:
    account: int
    instalments: int
    first_due_in: int  # days from today


@dataclasses.dataclass(frozen=True)
class Advance:
    days: int  # cycle dates run one by one


Op = Charge | Pay | Reverse | Waive | Extend | Settle | PlanIt | Advance

accounts = st.integers(0, ACCOUNTS - 1)
operations = st.one_of(
    st.builds(Charge, accounts, st.sampled_from(["purchase", "cash_advance"]), st.integers(1, 300_000)),
    st.builds(Pay, accounts, st.none() | st.integers(1, 300_000)),
    st.builds(Reverse, accounts, st.integers(0, 50)),
    st.builds(Waive, accounts, st.sampled_from(["late_fee_waiver", "interest_waiver"]), st.integers(1, 1_500)),
    st.builds(Extend, accounts, st.integers(1, 20)),
    st.builds(Settle, accounts, st.integers(30, 95), st.integers(0, 6)),
    st.builds(PlanIt, accounts, st.integers(1, 4), st.integers(1, 20)),
    st.builds(Advance, st.integers(1, 12)),
)

# Every operation and every state, by hand. Account 0 (1,000.00) is waived its late fee in part by
# the collector and in part with the team lead's approval, extended, put in a plan whose first
# instalment (due 03-06) is missed, so the plan breaks; 20 days past 03-06 it is charged off, then
# recovers. Account 1 (2,000.00) takes a cash advance, pays its first minimum (a part of which is
# reversed), is charged interest by its second statement (04-02), falls past due on 04-04, is
# waived interest with the lead's approval and settles for 60 % of its balance.
TOUR: list[Op] = [
    Advance(3),  # 03-04: both past due since 03-03, late fees charged, cases open
    Waive(0, "late_fee_waiver", 100),
    Waive(0, "late_fee_waiver", 300),
    Extend(0, 3),
    Charge(1, "cash_advance", 50_000),
    Charge(0, "purchase", 20_000),
    Pay(1, None),
    Reverse(1, 0),
    PlanIt(0, 3, 2),
    Advance(22),  # 03-26
    Pay(0, 30_000),
    Reverse(0, 0),
    Advance(10),  # 04-05
    Waive(1, "interest_waiver", 500),
    Settle(1, 60, 1),
    Pay(1, None),
    Advance(1),
    Charge(1, "purchase", 100),  # refused: the account is closed
    Advance(1),
]


# --- the world -------------------------------------------------------------------------------------


@dataclasses.dataclass
class World:
    accounts: list[Account]
    collector: Any
    lead: Any
    today: dt.date
    applied: Counter[str]


def allow(role: str, kind: str, **limits: Any) -> None:
    AuthorityRule.objects.create(role=role, kind=kind, **limits)


def build_world(first_purchases: list[int], applied: Counter[str]) -> World:
    """Two customers who bought on the opening day; statement the next day, due the day after."""
    PlanPolicy.objects.create(grace_days=1, missed_to_break=1)
    lead = staff(Role.TEAM_LEAD)
    team = team_with_queue(lead=lead)
    collector = staff(team=team)
    for kind in ("late_fee_waiver", "interest_waiver"):
        allow(Role.COLLECTOR, kind, max_amount_fen=200)
        allow(Role.TEAM_LEAD, kind, max_amount_fen=1_000_000)
    allow(Role.COLLECTOR, "extension", max_days=10)
    allow(Role.TEAM_LEAD, "extension", max_days=30)
    allow(Role.COLLECTOR, "settlement", max_share=Decimal("0.30"))
    allow(Role.TEAM_LEAD, "settlement", max_share=Decimal("0.90"))
    product = make_product(
        statement_day=OPENED.day + 1, due_days_after_statement=1, charge_off_dpd=CHARGE_OFF_DPD, late_fee_floor="1.00"
    )
    opened = [make_account(product=product, opened_on=OPENED, name=f"客户{n}") for n in range(ACCOUNTS)]
    post_charges(
        actor="test",
        charges=[
            ChargeIn(account_number=a.number, kind=EntryKind.PURCHASE, amount=Decimal(fen) / 100)
            for a, fen in zip(opened, first_purchases, strict=True)
        ],
        business_date=OPENED,
    )
    run_date(OPENED)
    return World(opened, collector, lead, OPENED, applied)


@contextlib.contextmanager
def rolled_back() -> Iterator[None]:
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def fresh(w: World, n: int) -> Account:
    return Account.objects.get(pk=w.accounts[n].pk)


def open_case(account: Account) -> Case | None:
    return Case.objects.filter(customer_id=account.customer_id).exclude(status=CaseStatus.CLOSED).first()


def asked_fen(account: Account) -> int:
    """What the customer is asked to pay: a settlement's sum, the next instalment, the minimum past
    due, or else the balance (half what was charged off, once charged off)."""
    if account.status == AccountStatus.CHARGED_OFF:
        return account.charged_off_fen // 2
    settlement = Concession.objects.filter(account=account, kind="settlement", status=ConcessionStatus.ACTIVE).first()
    if settlement is not None:
        return settlement.amount_fen
    plan = Plan.objects.filter(account=account, status=PlanStatus.ACTIVE).first()
    if plan is not None:
        unpaid = plan.schedule.exclude(status__in=["paid", "settled", "cured"]).order_by("n").first()
        if unpaid is not None:
            return unpaid.amount_fen
    minimum = Statement.objects.filter(account=account, minimum_unpaid_fen__gt=0).aggregate(s=Sum("minimum_unpaid_fen"))
    return int(minimum["s"] or account.balance_fen)


# --- applying one operation ------------------------------------------------------------------------


def apply(w: World, op: Op) -> None:
    if isinstance(op, Advance):
        for _ in range(op.days):
            advance_one_date(w)
        return
    account = fresh(w, op.account)
    if isinstance(op, Charge):
        charge = ChargeIn(account_number=account.number, kind=op.kind, amount=Decimal(op.fen) / 100)
        if account.status == AccountStatus.OPEN:
            post_charges(actor="test", charges=[charge], business_date=w.today)
            w.applied[op.kind] += 1
        else:
            with pytest.raises(ValidationFailed):
                post_charges(actor="test", charges=[charge], business_date=w.today)
    elif isinstance(op, Pay):
        fen = op.fen if op.fen is not None else asked_fen(account)
        payment = PaymentIn(
            account_number=account.number,
            amount=Decimal(max(fen, 1)) / 100,
            value_date=w.today,
            reference=f"P{next(_refs)}",
        )
        if account.status == AccountStatus.CLOSED:
            with pytest.raises(ValidationFailed):
                post_payment(actor="test", payment=payment, business_date=w.today)
        else:
            post_payment(actor="test", payment=payment, business_date=w.today)
            w.applied["recovery" if account.status == AccountStatus.CHARGED_OFF else "payment"] += 1
    elif isinstance(op, Reverse):
        reversible = list(
            Entry.objects.filter(account=account)
            .exclude(
                kind__in=[EntryKind.REVERSAL, EntryKind.PLAN_RETURN, EntryKind.CHARGE_OFF, EntryKind.PLAN_TRANSFER]
            )
            .exclude(pk__in=Entry.objects.filter(reverses__isnull=False).values("reverses_id"))
            .order_by("id")
        )
        if reversible:
            entry = reversible[-1 - op.pick % len(reversible)]
            reverse_entry(actor="test", entry=entry, business_date=w.today, reason="posted in error")
            w.applied["reversal"] += 1
    elif isinstance(op, Waive | Extend | Settle):
        concede(w, account, op)
    elif isinstance(op, PlanIt):
        plan(w, account, op)


def advance_one_date(w: World) -> None:
    w.today += dt.timedelta(days=1)
    charged_off = Account.objects.filter(status=AccountStatus.CHARGED_OFF).count()
    broken = Plan.objects.filter(status=PlanStatus.BROKEN).count()
    settled = Concession.objects.filter(status=ConcessionStatus.SETTLED).count()

    run_date(w.today)

    w.applied["charged_off"] += Account.objects.filter(status=AccountStatus.CHARGED_OFF).count() - charged_off
    w.applied["plan_broken"] += Plan.objects.filter(status=PlanStatus.BROKEN).count() - broken
    w.applied["settled"] += Concession.objects.filter(status=ConcessionStatus.SETTLED).count() - settled
    assert_laws()


def concede(w: World, account: Account, op: Waive | Extend | Settle) -> None:
    """A concession asked by the collector; one above the collector's authority is approved by the lead.
    A request the rules refuse writes nothing (the laws are checked after it all the same)."""
    case = open_case(account)
    if case is None:
        return
    if isinstance(op, Waive):
        data = ConcessionIn(kind=op.kind, reason="income_loss", evidence="seen", amount=Decimal(op.fen) / 100)
    elif isinstance(op, Extend):
        data = ConcessionIn(kind="extension", reason="income_loss", evidence="seen", days=op.days)
    else:
        fen = account.balance_fen * op.percent // 100
        last = w.today + dt.timedelta(days=op.in_days)
        data = ConcessionIn(
            kind="settlement",
            reason="income_loss",
            evidence="seen",
            amount=Decimal(fen) / 100,
            payments=[(last, Decimal(fen) / 100)],
        )
    data = dataclasses.replace(data, account_number=account.number)
    try:
        concession = request_concession(user=w.collector, case=case, data=data, business_date=w.today)
        if concession.status == ConcessionStatus.PENDING:
            approval = ApprovalRequest.objects.get(concession=concession)
            approval = decide_approval(user=w.lead, approval_id=approval.pk, decision="approve", business_date=w.today)
            if approval.status == ApprovalStatus.APPROVED:
                w.applied["approved_by_lead"] += 1
    except ArrearsError:
        return
    concession.refresh_from_db()
    if concession.status == ConcessionStatus.APPLIED:
        w.applied[concession.kind] += 1
    elif concession.status == ConcessionStatus.ACTIVE:
        w.applied["settlement_agreed"] += 1


def plan(w: World, account: Account, op: PlanIt) -> None:
    """Proposed by the collector, approved by the lead, offered, accepted and activated at once."""
    case = open_case(account)
    if case is None:
        return
    try:
        proposed = propose_plan(
            actor=w.collector,
            case=case,
            account_number=account.number,
            scope="whole",
            method="flat_fee",
            instalments=op.instalments,
            first_due_date=w.today + dt.timedelta(days=op.first_due_in),
            fee_rate=Decimal("0.005"),
            business_date=w.today,
        )
        approve_plan(actor=w.lead, plan=proposed)
        offer_plan(actor=w.collector, plan=proposed, business_date=w.today)
        accept_plan(
            actor=w.collector,
            plan=proposed,
            evidence=Evidence.SIGNED_DOCUMENT,
            evidence_ref=f"DOC-{proposed.pk}",
            business_date=w.today,
        )
        activate_plan(actor=w.collector, plan=proposed, business_date=w.today)
    except ArrearsError:
        return
    w.applied["plan_activated"] += 1


# --- the laws ---------------------------------------------------------------------------------------


def assert_laws() -> None:
    """Summed here from the entries, independently of ledger.queries, and by ledger.queries."""
    summed: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(posting.CACHE_COLUMNS, 0))
    owed_entries: dict[int, int] = defaultdict(int)
    for account_id, kind, component, total in (
        Entry.objects.values_list("account_id", "kind", "component")
        .annotate(s=Sum("amount_fen"))
        .values_list("account_id", "kind", "component", "s")
    ):
        if component == Component.RECOVERY:
            summed[account_id]["recovered_fen"] -= total
        else:
            summed[account_id][posting.OWED[Component(component)]] += total
            owed_entries[account_id] += total
        if kind == EntryKind.CHARGE_OFF:
            summed[account_id]["charged_off_fen"] -= total
    for a in Account.objects.order_by("id"):
        cached = {c: getattr(a, c) for c in posting.CACHE_COLUMNS}
        assert cached == summed[a.pk], f"account {a.number}: cache {cached} but entries {dict(summed[a.pk])}"
        assert a.balance_fen == a.principal_fen + a.interest_fen + a.fees_fen + a.plan_fen == owed_entries[a.pk]
    locked = posting.lock(Account.objects.values_list("id", flat=True))
    for pk, balances in locked.items():
        assert balances.balance_fen == sum(balances.of(c) for c in posting.OWED) == owed_entries[pk]
    assert not Entry.objects.filter(amount_fen=0).exists()
    assert cache_mismatches() == []


# --- the tests ---------------------------------------------------------------------------------------

DB_SETTINGS = settings(
    max_examples=5,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@pytest.mark.django_db
def test_every_money_operation_in_any_order_keeps_the_cache_equal_to_the_entries() -> None:
    applied: Counter[str] = Counter()

    @DB_SETTINGS
    @given(
        first_purchases=st.lists(st.integers(10_000, 500_000), min_size=ACCOUNTS, max_size=ACCOUNTS),
        ops=st.lists(operations, max_size=25),
    )
    @example(first_purchases=[100_000, 200_000], ops=TOUR)
    def live(first_purchases: list[int], ops: list[Op]) -> None:
        with rolled_back():
            w = build_world(first_purchases, applied)
            assert_laws()
            for op in ops:
                apply(w, op)
                assert_laws()

    live()

    took_effect = {outcome for outcome, n in applied.items() if n > 0}
    assert EVERY_OUTCOME - took_effect == set(), f"never took effect: {EVERY_OUTCOME - took_effect}"


@pytest.mark.django_db
class TestTheCheckItself:
    def test_a_recovered_or_charged_off_column_that_differs_from_its_entries_is_named(self) -> None:
        product = make_product()
        honest, recovered, charged_off = (make_account(product=product) for _ in range(3))
        for account in (honest, recovered, charged_off):
            purchase(account, OPENED, "100.00")
        Account.objects.filter(pk=recovered.pk).update(recovered_fen=1)
        Account.objects.filter(pk=charged_off.pk).update(charged_off_fen=-1)

        found = cache_mismatches()

        assert [m["number"] for m in found] == [recovered.number, charged_off.number]
        assert (found[0]["recovered_fen"], found[0]["recovered_fen_entries"]) == (1, 0)
        assert (found[1]["charged_off_fen"], found[1]["charged_off_fen_entries"]) == (-1, 0)

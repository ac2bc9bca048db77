"""The whole life of a repayment plan through the daily cycle, with amounts worked by hand.

The customer bought 1,200.00 on 03-10 on a card whose statement day is the 5th and whose interest
rate is 0 (so that every amount below is the plan's own): statement 04-05 with a minimum of
120.00 due 04-23, unpaid; late fee 5 % x 120.00 = 6.00 on 04-24; on 05-03 the balance is
1,206.00 (principal 1,200.00, fees 6.00) at 10 DPD.

The plan restructures the whole balance: 4 instalments, flat_fee at 0.5 % of 1,206.00 = 6.03 a
month, principal 1,206.00 / 4 = 301.50: every instalment is 307.53, due 06-01, 07-01, 08-01,
09-01; total 1,230.12. Policy: missed 10 days after the due date, broken after 2 missed.

The cycle runs only on the dates that matter (tests.builders.advance: statement dates, the days after
due dates and payments, instalments' grace ends); test_builders checks that this leaves the state a
day-by-day run leaves, so the amounts above are those of the daily cycle.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from arrears.cases.models import Case, CaseStatus
from arrears.holds.models import Hold, HoldKind
from arrears.ledger.models import Account
from arrears.ledger.queries import cache_mismatches
from arrears.people.models import Role
from arrears.plans.models import Evidence, Plan, PlanPolicy, PlanStatus
from arrears.plans.operations import (
    accept_plan,
    activate_plan,
    approve_plan,
    offer_plan,
    payoff_amount_fen,
    propose_plan,
)
from arrears.statements.models import Statement
from tests.builders import advance
from tests.collections_factories import staff, team_with_queue
from tests.factories import make_account, make_product, pay, purchase

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 5, 3)


def statuses(plan: Plan) -> list[str]:
    return list(plan.schedule.order_by("n").values_list("status", flat=True))


def balances(account: Account) -> tuple[int, int, int, int]:
    account.refresh_from_db()
    return account.principal_fen, account.interest_fen, account.fees_fen, account.plan_fen


@pytest.fixture
def active() -> dict:
    PlanPolicy.objects.create(grace_days=10, missed_to_break=2)
    lead = staff(Role.TEAM_LEAD)
    team = team_with_queue(lead=lead)
    collector = staff(team=team)
    account = make_account(product=make_product(daily_interest_rate="0", cash_advance_daily_rate="0"), name="王小明")
    purchase(account, dt.date(2026, 3, 10), "1200.00")
    advance(through=TODAY)  # 03-05, 03-24, 04-05, 04-24 (late fee, DPD 1), 05-03
    case = Case.objects.get(customer=account.customer)
    assert balances(account) == (120000, 0, 600, 0)
    assert (account.dpd, case.status) == (10, CaseStatus.OPEN)
    plan = propose_plan(
        actor=collector,
        case=case,
        account_number=account.number,
        scope="whole",
        method="flat_fee",
        instalments=4,
        first_due_date=dt.date(2026, 6, 1),
        fee_rate=Decimal("0.005"),
        business_date=TODAY,
    )
    assert not plan.review_required
    assert [(i.amount_fen, i.principal_fen, i.fee_fen) for i in plan.schedule.order_by("n")] == [
        (30753, 30150, 603)
    ] * 4
    assert plan.total_amount_fen == 123012
    approve_plan(actor=lead, plan=plan)
    offer_plan(actor=collector, plan=plan, business_date=TODAY)
    accept_plan(
        actor=collector,
        plan=plan,
        evidence=Evidence.RECORDED_CALL,
        evidence_ref="REC-20260503-0001",
        business_date=TODAY,
    )
    activate_plan(actor=collector, plan=plan, business_date=TODAY)
    return {"plan": plan, "account": account, "case": case}


class TestActivation:
    def test_moves_the_balance_into_the_plan_settles_the_past_due_minimum_and_stops_collection(
        self, active: dict
    ) -> None:
        account, case = active["account"], active["case"]
        # 1,206.00 moved, plus instalment 1's fee 6.03 charged when its period starts.
        assert balances(account) == (0, 0, 0, 121203)
        assert Statement.objects.get(account=account, statement_date=dt.date(2026, 4, 5)).minimum_unpaid_fen == 0
        case.refresh_from_db()
        assert case.status == CaseStatus.IN_PLAN
        assert Hold.objects.filter(customer=account.customer, kind=HoldKind.PLAN, lifted_at__isnull=True).exists()
        advance(through=dt.date(2026, 5, 10))
        account.refresh_from_db()
        case.refresh_from_db()
        assert (account.dpd, account.bucket, case.status) == (0, 0, CaseStatus.IN_PLAN)
        assert cache_mismatches() == []


class TestPaidMissedCuredCompleted:
    def test_every_instalment_paid_one_of_them_after_being_missed(self, active: dict) -> None:
        account, case, plan = active["account"], active["case"], active["plan"]
        advance(through=dt.date(2026, 5, 30))
        pay(account, dt.date(2026, 5, 30), "307.53")  # instalment 1, two days early
        advance(through=dt.date(2026, 6, 2))
        assert statuses(plan) == ["paid", "scheduled", "scheduled", "scheduled"]
        # 1,212.03 - 307.53 + instalment 2's fee 6.03
        assert balances(account) == (0, 0, 0, 91053)

        advance(through=dt.date(2026, 7, 5))
        assert statuses(plan) == ["paid", "late", "scheduled", "scheduled"]
        advance(through=dt.date(2026, 7, 12))  # 11 days after 07-01
        assert statuses(plan) == ["paid", "missed", "scheduled", "scheduled"]
        case.refresh_from_db()
        assert case.status == CaseStatus.IN_PLAN  # one miss does not break it

        advance(through=dt.date(2026, 7, 20))
        pay(account, dt.date(2026, 7, 20), "307.53")
        advance(through=dt.date(2026, 7, 21))
        assert statuses(plan) == ["paid", "cured", "scheduled", "scheduled"]
        advance(through=dt.date(2026, 8, 1))
        pay(account, dt.date(2026, 8, 1), "307.53")
        advance(through=dt.date(2026, 8, 31))
        pay(account, dt.date(2026, 8, 31), "307.53")
        advance(through=dt.date(2026, 9, 2))
        plan.refresh_from_db()
        case.refresh_from_db()
        assert statuses(plan) == ["paid", "cured", "paid", "paid"]
        assert (plan.status, plan.closed_on, plan.charged_fen) == (PlanStatus.COMPLETED, dt.date(2026, 9, 1), 2412)
        assert balances(account) == (0, 0, 0, 0)
        assert case.status == CaseStatus.CLOSED
        assert not Hold.objects.filter(customer=account.customer, kind=HoldKind.PLAN, lifted_at__isnull=True).exists()
        assert cache_mismatches() == []


class TestBroken:
    def test_two_missed_instalments_break_it_and_the_case_returns_in_the_bucket_of_the_oldest(
        self, active: dict
    ) -> None:
        account, case, plan = active["account"], active["case"], active["plan"]
        advance(through=dt.date(2026, 6, 1))
        pay(account, dt.date(2026, 6, 1), "307.53")
        advance(through=dt.date(2026, 8, 11))
        assert statuses(plan) == ["paid", "missed", "late", "scheduled"]
        advance(through=dt.date(2026, 8, 12))  # instalment 3 missed: 2 missed
        plan.refresh_from_db()
        case.refresh_from_db()
        account.refresh_from_db()
        assert plan.status == PlanStatus.BROKEN
        assert statuses(plan) == ["paid", "missed", "missed", "cancelled"]
        # Left on the plan: 1,206.00 + 4 x 6.03 - 307.53 = 922.59; instalment 4's fee (not due) waived:
        # 916.56 returns: the unpaid fees of instalments 2 and 3 (12.06) to fees, 904.50 to principal.
        assert balances(account) == (90450, 0, 1206, 0)
        # Past due: instalments 2 and 3, 615.06, counted from 07-01: 42 DPD on 08-12, M2.
        broken = Statement.objects.get(account=account, explanation__plan_broken=plan.pk)
        assert (broken.due_date, broken.minimum_unpaid_fen) == (dt.date(2026, 7, 1), 61506)
        assert (account.dpd, account.bucket) == (42, 2)
        assert (case.status, case.worst_bucket, case.past_due_fen) == (CaseStatus.OPEN, 2, 61506)
        assert not Hold.objects.filter(customer=account.customer, kind=HoldKind.PLAN, lifted_at__isnull=True).exists()
        advance(through=dt.date(2026, 8, 13))
        account.refresh_from_db()
        assert account.dpd == 43
        assert cache_mismatches() == []


class TestEarlyPayoff:
    def test_paying_the_remaining_principal_pays_the_plan_off_and_waives_the_current_fee(self, active: dict) -> None:
        account, case, plan = active["account"], active["case"], active["plan"]
        advance(through=dt.date(2026, 6, 1))
        pay(account, dt.date(2026, 6, 1), "307.53")
        advance(through=dt.date(2026, 6, 15))
        plan.refresh_from_db()
        # 1,206.00 - 301.50 paid principal = 904.50; instalment 2's fee 6.03 is charged but not yet due.
        assert payoff_amount_fen(plan) == 90450
        pay(account, dt.date(2026, 6, 15), "904.50")
        advance(through=dt.date(2026, 6, 16))
        plan.refresh_from_db()
        case.refresh_from_db()
        assert (plan.status, plan.closed_on) == (PlanStatus.PAID_OFF, dt.date(2026, 6, 16))
        assert balances(account) == (0, 0, 0, 0)
        assert plan.charged_fen == 603  # instalment 1's fee only
        assert statuses(plan)[-1] == "settled"
        assert case.status == CaseStatus.CLOSED
        assert cache_mismatches() == []

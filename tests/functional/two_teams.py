"""Two teams, each with a lead, a collector and one past-due customer whose case the cycle routed to
it, with a plan offered (its document made) and a waiver waiting for the lead's approval: the world
in which a person of team A must see nothing of team B. Built through the operations.

Routing: team B's queue is matched first but takes only balances of 3,000.00 and more, so B's
customer (5,000.00) goes to team B and A's (1,000.00) falls through to team A's queue."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

from django.contrib.auth.models import User

from arrears.cases.models import Case, Queue
from arrears.concessions.models import ApprovalRequest, AuthorityRule
from arrears.concessions.operations import ConcessionIn, request_concession
from arrears.contacts.models import Handoff
from arrears.contacts.operations import hand_off
from arrears.ledger.models import Account, Customer
from arrears.people.models import Role, Team
from arrears.plans.models import Plan, PlanStatus
from arrears.plans.operations import approve_plan, offer_plan, propose_plan
from tests.builders import past_due, staff, team_with_queue

TODAY = dt.date(2026, 5, 3)  # 10 days past the 04-23 due date


@dataclasses.dataclass(frozen=True, kw_only=True)
class Side:
    team: Team
    lead: User
    collector: User
    customer: Customer
    account: Account
    case: Case
    plan: Plan
    approval: ApprovalRequest
    handoff: Handoff

    def secrets(self) -> dict[str, str]:
        """What of this side's customer must never reach a person of the other team."""
        return {
            "customer name": self.customer.name,
            "mobile": self.customer.mobile,
            "national id": self.customer.national_id,
            "account number": self.account.number,
        }


@dataclasses.dataclass(frozen=True, kw_only=True)
class World:
    a: Side
    b: Side


def two_teams() -> World:
    lead_a, lead_b = staff(Role.TEAM_LEAD), staff(Role.TEAM_LEAD)
    team_a = team_with_queue(lead=lead_a)
    team_b = team_with_queue(lead=lead_b, rank=50)
    Queue.objects.filter(team=team_b).update(min_balance_fen=300_000)
    collector_a, collector_b = staff(team=team_a), staff(team=team_b)
    AuthorityRule.objects.create(role=Role.COLLECTOR, kind="late_fee_waiver", max_amount_fen=200)
    AuthorityRule.objects.create(role=Role.TEAM_LEAD, kind="late_fee_waiver", max_amount_fen=1000)
    debtors = past_due(dpd=(TODAY - dt.date(2026, 4, 23)).days, count=2, amounts=["1000.00", "5000.00"])
    contact = {  # distinct and recognisable, so that a leak is found by its text
        0: {"name": "甲方客户赵六", "mobile": "13800001111", "national_id": "110105199001011111"},
        1: {"name": "乙方客户钱七", "mobile": "13900002222", "national_id": "110105199002022222"},
    }
    sides = []
    for i, (team, lead, collector) in enumerate(((team_a, lead_a, collector_a), (team_b, lead_b, collector_b))):
        debtor = debtors[i]
        Customer.objects.filter(pk=debtor.customer.pk).update(**contact[i])
        case = Case.objects.select_related("customer").get(pk=debtor.case.pk if debtor.case else 0)
        assert case.team_id == team.pk, (i, case.team_id, team.pk)
        plan = propose_plan(
            actor=collector,
            case=case,
            account_number=debtor.account.number,
            scope="whole",
            method="flat_fee",
            instalments=4,
            first_due_date=dt.date(2026, 6, 1),
            fee_rate=Decimal("0.005"),
            business_date=TODAY,
        )
        if plan.status != PlanStatus.APPROVED:
            approve_plan(actor=lead, plan=plan)
        offer_plan(actor=collector, plan=plan, business_date=TODAY)
        concession = request_concession(
            user=collector,
            case=case,
            data=ConcessionIn(
                kind="late_fee_waiver", reason="illness", evidence="hospital certificate", amount=Decimal("5.00")
            ),
            business_date=TODAY,
        )
        approval = ApprovalRequest.objects.get(concession=concession)
        handoff = hand_off(user=collector, case=case, to_role="customer_service", comment="客户质疑违约金")
        sides.append(
            Side(
                team=team,
                lead=lead,
                collector=collector,
                customer=Customer.objects.get(pk=debtor.customer.pk),
                account=Account.objects.get(pk=debtor.account.pk),
                case=case,
                plan=Plan.objects.get(pk=plan.pk),
                approval=approval,
                handoff=handoff,
            )
        )
    return World(a=sides[0], b=sides[1])

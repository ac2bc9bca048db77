"""A team's month, built through the operations for the lead's figures.

Ten customers bought on 03-10 and never paid: on 05-13 all ten are M1 (DPD 20) in the team's queue.
On 05-13 the collector takes promises from five of them (to pay 05-14) and, on 05-14, reaches four
of them by phone (three right-party contacts, one no answer). On 05-14 seven pay 500.00 each (more
than their past-due amount and the 05-05 statement's minimum): they are current again; three of
the promise-makers kept, two broke.
The three who never pay reach DPD 50 (M2) by 06-12. On 06-12 the collector asks for a late-fee
waiver above their authority: one approval request waits for the lead.

Worked figures for the period (05-13, 06-12]: M1 -> M2 3 of 10 = 30.00%, cure 7 of 10 = 70.00%,
collected 3,500.00, promises kept 3 of 5 = 60.00%, contacts 4 with 3 right-party = 75.00%.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

from django.contrib.auth.models import User

from arrears.cases.models import Case
from arrears.concessions.operations import ConcessionIn, request_concession
from arrears.contacts.models import Channel, Party, Result
from arrears.contacts.operations import ContactIn, record_contact
from arrears.kernel import clock
from arrears.people.models import Role, Team
from arrears.promises.operations import take_promise
from tests.builders import Debtor, advance, past_due, pay, staff, team_with_queue

START = dt.date(2026, 5, 13)
END = dt.date(2026, 6, 12)
PAID = "500.00"


@dataclasses.dataclass(frozen=True)
class TeamMonth:
    team: Team
    lead: User
    collector: User
    debtors: list[Debtor]
    other_lead: User


def team_month() -> TeamMonth:
    lead = staff(Role.TEAM_LEAD)
    team = team_with_queue(lead=lead, rank=1)
    collector = staff(team=team)
    # Another team and its lead: none of their figures are this lead's.
    other_lead = staff(Role.TEAM_LEAD)
    team_with_queue(lead=other_lead, rank=2, min_bucket=5)  # never matched by these M1 cases
    debtors = past_due(dpd=20, count=10)
    assert all(d.case is not None and d.case.team_id == team.pk for d in debtors)
    cases = [d.case for d in debtors]
    Case.objects.filter(pk__in=[c.pk for c in cases if c]).update(collector=collector)
    for d in debtors[:3] + debtors[7:9]:  # three payers and two who will not pay
        assert d.case is not None
        take_promise(
            user=collector,
            case=d.case,
            amount=Decimal(d.case.past_due_fen) / 100,
            promised_date=START + dt.timedelta(days=1),
            business_date=START,
        )
    at = clock.start_of(START + dt.timedelta(days=1)) + dt.timedelta(hours=10)
    for i, d in enumerate(debtors[:4]):
        assert d.case is not None
        rpc = i < 3
        record_contact(
            user=collector,
            case=d.case,
            data=ContactIn(
                channel=Channel.PHONE,
                party=Party.CARDHOLDER if rpc else Party.NONE,
                result=Result.RIGHT_PARTY if rpc else Result.NO_ANSWER,
            ),
            at=at,
            decision={"allowed": True},
        )
    pay(accounts=[d.account for d in debtors[:7]], amounts=[PAID] * 7, on=START + dt.timedelta(days=1))
    advance(through=END)
    last = debtors[9]
    assert last.case is not None
    request_concession(
        user=collector,
        case=last.case,
        data=ConcessionIn(
            kind="late_fee_waiver", reason="illness", evidence="hospital letter seen", amount=Decimal("5.00")
        ),
        business_date=END,
    )
    return TeamMonth(team=team, lead=lead, collector=collector, debtors=debtors, other_lead=other_lead)

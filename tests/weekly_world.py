"""A small portfolio for the weekly report (arrears.insight.weekly), built through the operations
with the cycle run only on the dates that matter.

Week ending Sunday 2026-05-24: the period (05-17, 05-24]; the week before (05-10, 05-17].
Four customers bought 1,000.00 + 100.00 x i on 03-10 and did not pay the 04-05 statement (due
04-23): 17 DPD at the close of 05-10, 24 at 05-17 (M1), 31 at 05-24 (M2 unless they paid).

Teams and people (each with the language of their pages):
- North, led by `lead_n` (en): collectors `c1` (en; cases d0, d1) and `c2` (zh-hans; case d2);
- South, led by `lead_s` (zh-hans): collector `c3` (no e-mail address; case d3);
- `manager` (zh-hans), a collections manager: every team.

The week before: c1 called d0 once, no answer (05-12).
The week: c1 called d0 and d1 (right party both, 05-18) and d1 again (no answer, 05-20); c2 called
d2 twice (right party, then no answer, 05-18); c3 called d3 once (right party, 05-18).
c1 took a promise from d0 on 05-18 for 05-19; d0 paid 500.00 on 05-19 (more than past due): kept,
and d0 is current again. c2 wrote a note with prohibited wording (a breach) on 05-20, and a complaint
naming c2 was closed as upheld on 05-21.

Hand-worked, the week:
- North: accounts d0, d1, d2 all M1 at the close of 05-17; at 05-24 d0 is M0, d1 and d2 M2:
  roll M1→M2 = 2/3 = 66.67 %, cure = 1/3 = 33.33 %; attempts 5, reached 3, right party 3 (60.00 %);
  promises 1, kept 1 of 1 judged (100.00 %); collected 500.00; no complaint holds: 0.00 per 1,000.
- South: d3 M1 → M2: roll 100.00 %, cure 0.00 %; 1 attempt, right party (100.00 %); no promise (—).
- The week before, North: M1 → M1 for all three: roll 0.00 %, cure 0.00 %; 1 attempt, 0 right party.
Scorecards (no quality reviews yet: not reviewed):
- c1: RPC 2/3, kept 1/1, amount 500.00 / 500.00 = 1. Weights without quality: 20, 25, 20 of 65;
  the amount's 30.77 is capped at 20, RPC and kept share 80 as 20:25 (35.56, 44.44):
  2/3 x 35.5556 + 44.4444 + 20 = 88.148 -> 88.15, rank 1.
- c2: RPC 1/2, kept none judged, amount 0 / 500.00 = 0. RPC 20 and amount 20 of 40: the amount's 50
  is capped at 20, RPC gets 80: 0.5 x 80 + 0 = 40.00; a breach (10) and an upheld complaint (15):
  15.00, rank 2.
- c3: RPC 1/1, nothing kept or collected in South: amount left out (nobody collected), RPC takes
  all 100 points: 100.00, rank 1 in South.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

from django.contrib.auth.models import User

from arrears.cases.models import Case
from arrears.complaints.models import Complaint, ComplaintStatus, Outcome, RootCause
from arrears.contacts.models import Channel, Note, Party, Result
from arrears.contacts.operations import ContactIn, add_note, record_contact
from arrears.kernel import clock
from arrears.people.models import Profile, Role, Team
from arrears.promises.operations import take_promise
from tests.builders import Debtor, advance, past_due, pay, staff, team_with_queue

WEEK = dt.date(2026, 5, 24)
START = WEEK - dt.timedelta(days=7)


@dataclasses.dataclass
class World:
    north: Team
    south: Team
    lead_n: User
    lead_s: User
    manager: User
    c1: User
    c2: User
    c3: User
    debtors: list[Debtor]


def _person(user: User, *, username: str, language: str, email: str) -> User:
    User.objects.filter(pk=user.pk).update(username=username, email=email)
    Profile.objects.filter(user=user).update(language=language)
    user.refresh_from_db()
    return user


def _assign(debtors: list[Debtor], owners: list[tuple[Team, User]]) -> None:
    for d, (team, collector) in zip(debtors, owners, strict=True):
        assert d.case is not None
        Case.objects.filter(pk=d.case.pk).update(team=team, collector=collector)
        d.case.refresh_from_db()


def _call(user: User, case: Case, day: dt.date, *, rpc: bool, hour: int = 10) -> None:
    record_contact(
        user=user,
        case=case,
        data=ContactIn(
            channel=Channel.PHONE,
            party=Party.CARDHOLDER if rpc else Party.NONE,
            result=Result.RIGHT_PARTY if rpc else Result.NO_ANSWER,
        ),
        at=clock.start_of(day) + dt.timedelta(hours=hour),
        decision={"allowed": True},
    )


def build() -> World:
    lead_n = _person(staff(Role.TEAM_LEAD), username="lead_n", language="en", email="lead.n@bank.example")
    lead_s = _person(staff(Role.TEAM_LEAD), username="lead_s", language="zh-hans", email="lead.s@bank.example")
    manager = _person(
        staff(Role.COLLECTIONS_MANAGER), username="manager", language="zh-hans", email="manager@bank.example"
    )
    north = team_with_queue("North", lead=lead_n, rank=1)
    south = team_with_queue("South", lead=lead_s, rank=2)
    c1 = _person(staff(team=north), username="c1", language="en", email="c1@bank.example")
    c2 = _person(staff(team=north), username="c2", language="zh-hans", email="c2@bank.example")
    c3 = _person(staff(team=south), username="c3", language="zh-hans", email="")
    debtors = past_due(dpd=17, count=4)  # 04-23 + 17 = 05-10
    _assign(debtors, [(north, c1), (north, c1), (north, c2), (south, c3)])
    cases = [d.case for d in debtors]
    assert all(cases)
    _call(c1, cases[0], dt.date(2026, 5, 12), rpc=False)  # type: ignore[arg-type]
    advance(through=dt.date(2026, 5, 18))
    for c in cases:
        assert c is not None
        c.refresh_from_db()
    d0, d1, d2, d3 = cases
    assert d0 and d1 and d2 and d3
    _call(c1, d0, dt.date(2026, 5, 18), rpc=True)
    _call(c1, d1, dt.date(2026, 5, 18), rpc=True, hour=11)
    _call(c2, d2, dt.date(2026, 5, 18), rpc=True)
    _call(c2, d2, dt.date(2026, 5, 18), rpc=False, hour=15)
    _call(c3, d3, dt.date(2026, 5, 18), rpc=True)
    d0.refresh_from_db()
    take_promise(
        user=c1,
        case=d0,
        amount=Decimal(d0.past_due_fen) / 100,
        promised_date=dt.date(2026, 5, 19),
        business_date=dt.date(2026, 5, 18),
    )
    advance(through=dt.date(2026, 5, 19))
    pay(accounts=[debtors[0].account], amounts=["500.00"], on=dt.date(2026, 5, 19))
    _call(c1, d1, dt.date(2026, 5, 20), rpc=False)
    note = add_note(user=c2, case=d2, text="这个老赖根本不想还钱")
    assert note.flagged
    Note.objects.filter(pk=note.pk).update(at=clock.start_of(dt.date(2026, 5, 20)) + dt.timedelta(hours=9))
    complaint = Complaint.objects.create(
        customer=debtors[2].customer,
        case=d2,
        received_on=dt.date(2026, 5, 19),
        channel="phone",
        category="wording",
        severity="medium",
        description="called me names",
        status=ComplaintStatus.CLOSED,
        due_on=dt.date(2026, 6, 3),
        opened_by_actor="test",
        opened_at=clock.start_of(dt.date(2026, 5, 19)),
        outcome=Outcome.UPHELD,
        root_cause=RootCause.STAFF_CONDUCT,
        closed_on=dt.date(2026, 5, 21),
    )
    complaint.staff.add(c2)
    advance(through=WEEK + dt.timedelta(days=1))
    # The cycle routes open cases by queue rank (both queues take M1-M7): put d3 back in South.
    _assign(debtors[3:], [(south, c3)])
    return World(north, south, lead_n, lead_s, manager, c1, c2, c3, debtors)

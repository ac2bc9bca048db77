"""The KPI loaders (arrears.insight.facts) on a small portfolio built through the operations, with
the cycle run only on the dates that matter, and the KPIs they give, worked by hand; they agree with
the lead's figures, the agencies' performance and the recovery vintages.

Six customers bought 1,000.00 + 100.00 x i on 03-10 and did not pay the 04-05 statement (due 04-23):
all six are M1 at the close of 05-12. A strategy with two arms (champion, challenger) enrolled them
on 04-24. In the period (05-12, 06-12]:

- 05-13: promises from d0, d1, d3 (to pay 05-14), each for the case's past-due amount;
- 05-13: d5 is placed with the agency acme (commission 10 % from M1); a complaint hold is set on
  d5's customer on 05-20 (the complaint concerns acme);
- 05-14: four calls, to d0 ... d3: three right-party contacts and one no answer;
- 05-14: d0, d1, d2 pay 500.00 each (more than past due: current again from 05-15); acme reports
  100.00 collected from d5, which the bank confirms on 05-14;
- d3, d4 never pay: M2 by 06-12.

Hand-worked: owed at the close of 05-12, each purchase plus 3.3 % of interest (7,747.50 in all);
flow M1 -> M2 = 3 / 6 (d3, d4, and d5, whom 100.00 did not bring current); cure = 3 / 6 (d0, d1,
d2); liquidation of M1 = 1,600.00 / 7,747.50; promise rate = 3 promises / 3 right-party contacts = 1;
kept 2 of 3 (d3 broke);
contacts 4, right-party 3 (0.75); acme: placed d5's balance, collected 100.00, commission 10.00;
complaints: 1 in 4 contacts = 250 per 1,000; days to cure: 04-24 (into M1) to 05-15 = 21 days each.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext

from arrears.agencies import operations as agencies
from arrears.agencies.models import Placement
from arrears.agencies.queries import performance
from arrears.application.team_figures import team_figures
from arrears.cases.models import Case
from arrears.contacts.models import Channel, Party, Result
from arrears.contacts.operations import ContactIn, record_contact
from arrears.delinquency.chargeoff import recovery_vintages
from arrears.holds.models import HoldKind
from arrears.holds.operations import set_hold
from arrears.insight import kpis
from arrears.insight.facts import load
from arrears.kernel import clock
from arrears.ledger.models import Account, Entry, EntryKind
from arrears.people.models import Role
from arrears.promises.models import Promise
from arrears.promises.operations import take_promise
from arrears.strategy.models import Enrolment
from arrears.strategy.operations import approve_version, draft_version, make_live
from tests.agency_world import agency
from tests.builders import advance, charged_off, past_due, pay, staff, team_with_queue

pytestmark = pytest.mark.django_db

ON = dt.date(2026, 3, 1)
START = dt.date(2026, 5, 12)  # the period is (05-12, 06-12]
END = dt.date(2026, 6, 12)
ARMS = """
arms:
  - code: champion
    percent: 50
  - code: challenger
    percent: 50
segments:
  - code: collections
    when: {dpd: {min: 1}, not_flags: [charged_off]}
    path:
      - {day: 30, action: call_queue}
"""


def world() -> dict[str, Any]:
    version = draft_version(actor="maker", code="kpi", definition=ARMS, effective_from=ON, business_date=ON)
    approve_version(actor="checker", version=version, business_date=ON)
    make_live(actor="checker", strategy=version.strategy)
    lead = staff(Role.TEAM_LEAD)
    team = team_with_queue(lead=lead, rank=1)
    collector = staff(team=team)
    debtors = past_due(dpd=19, count=6)  # 04-23 + 19 = 05-12
    Case.objects.filter(pk__in=[d.case.pk for d in debtors if d.case]).update(collector=collector)
    advance(through=START + dt.timedelta(days=1))  # 05-13
    day = START + dt.timedelta(days=1)
    for d in (debtors[0], debtors[1], debtors[3]):
        assert d.case is not None
        d.case.refresh_from_db()
        amount = Decimal(d.case.past_due_fen) / 100
        take_promise(
            user=collector, case=d.case, amount=amount, promised_date=day + dt.timedelta(days=1), business_date=day
        )
    admin = staff(Role.ADMINISTRATOR)
    acme = agency("acme", tiers={1: "0.10"})
    placement = agencies.place_by_hand(user=admin, account=debtors[5].account, agency=acme, business_date=day)
    acme_user = staff(Role.AGENCY_USER)
    agencies.add_agency_user(actor="admin", user=acme_user, agency=acme)
    at = clock.start_of(day + dt.timedelta(days=1)) + dt.timedelta(hours=10)
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
    paid_on = day + dt.timedelta(days=1)
    advance(through=paid_on)
    pay(accounts=[d.account for d in debtors[:3]], amounts=["500.00"] * 3, on=paid_on)
    collection = agencies.report_collection(
        user=acme_user,
        placement=placement,
        amount=Decimal("100.00"),
        paid_on=paid_on,
        reference="acme-1",
        business_date=paid_on,
    )
    agencies.confirm_collection(user=admin, collection=collection, business_date=paid_on)
    complaint_on = dt.date(2026, 5, 20)
    advance(through=complaint_on)
    set_hold(
        user=admin, customer=debtors[5].customer, kind=HoldKind.COMPLAINT, reason="投诉催收方式", starts_on=complaint_on
    )
    advance(through=END)
    return {"debtors": debtors, "lead": lead, "team": team, "collector": collector, "acme": acme}


def owed(account: Account, on: dt.date) -> int:
    """What the account owed at the close of `on`, summed here in Python from its entries."""
    return sum(
        e.amount_fen
        for e in Entry.objects.filter(account=account, posting_date__lte=on)
        if e.kind != EntryKind.CHARGE_OFF
    )


def test_loaders_and_kpis_on_a_small_portfolio() -> None:
    w = world()
    debtors = w["debtors"]
    accounts = [d.account for d in debtors]
    for a in accounts:
        a.refresh_from_db()
    with CaptureQueriesContext(connection) as queries:
        facts = load(start=START, end=END)
    assert len(queries) == 17  # a fixed number (one more a month) whatever the number of accounts

    by_id = {t.account_id: t for t in facts.transitions}
    mine = [by_id[a.pk] for a in accounts]
    assert [t.start_state for t in mine] == [1] * 6
    assert [t.end_state for t in mine] == [0, 0, 0, 2, 2, 2]
    # Owed at the close of 05-12: each purchase plus the 3.3 % of interest the ledger holds by then.
    assert [t.start_owed_fen for t in mine] == [1033_00, 1136_30, 1239_60, 1342_90, 1446_20, 1549_50]
    assert [t.start_owed_fen for t in mine] == [owed(a, START) for a in accounts]
    assert [t.collected_fen for t in mine] == [500_00] * 3 + [0, 0, 100_00]

    m = kpis.roll_matrix(facts.transitions)
    assert m.counts == {(1, 0): 3, (1, 2): 3}
    assert m.balances == {(1, 0): 3408_90, (1, 2): 4338_60}  # 1033 + 1136.30 + 1239.60; the rest
    assert kpis.flow_rates(m)[1] == Decimal("0.5000")  # d3, d4, d5 of 6
    assert kpis.flow_rates(m, "balance")[1] == Decimal("0.5600")  # 4338.60 / 7747.50 = 0.55999
    assert kpis.cure_rate(m) == Decimal("0.5000")  # d0, d1, d2 of 6
    liquidation = kpis.liquidation_rates(facts.transitions)[1]
    # 3 x 500.00 + 100.00 collected over 7,747.50 owed at start = 0.206518...
    assert (liquidation.accounts, liquidation.start_owed_fen, liquidation.collected_fen) == (6, 7747_50, 1600_00)
    assert liquidation.rate == Decimal("0.2065")

    # Month over month: at the close of 05-31 the payers are current, the others 38 days past due (M2).
    may, june = (START, dt.date(2026, 5, 31)), (dt.date(2026, 5, 31), END)
    months = kpis.monthly_roll_matrices(facts.months)
    assert list(months) == [may, june]
    assert months[may].counts == {(1, 0): 3, (1, 2): 3}
    assert months[june].counts == {(0, 0): 3, (2, 2): 3}

    c = kpis.contact_rates(facts.contacts)
    assert (c.attempts, c.reached, c.right_party, c.rpc_rate) == (4, 3, 3, Decimal("0.7500"))
    promised = Promise.objects.filter(case__customer__in=[debtors[i].customer for i in (0, 1, 3)])
    amounts = dict(promised.values_list("case__customer_id", "amount_fen"))
    p = kpis.promise_rates(facts.promises, facts.contacts, start=START, end=END)
    assert (p.taken, p.right_party, p.promise_rate) == (3, 3, Decimal("1.0000"))
    assert (p.judged, p.kept, p.kept_rate) == (3, 2, Decimal("0.6667"))
    a0, a1, a3 = (amounts[debtors[i].customer.pk] for i in (0, 1, 3))
    assert (p.kept_fen, p.judged_fen) == (a0 + a1, a0 + a1 + a3)

    [acme] = kpis.agency_performance(facts.placements, facts.contacts, facts.complaints).values()
    placed = Placement.objects.get(account=accounts[5]).balance_fen
    assert (acme.agency, acme.placements, acme.placed_fen, acme.collected_fen) == ("acme", 1, placed, 100_00)
    assert placed == 1549_50  # what d5 owed when placed on 05-13
    assert acme.commission_fen == 10_00 and acme.liquidation_rate == Decimal("0.0645")  # 100 / 1549.50
    assert (acme.complaints, acme.contacts, acme.complaints_per_1000) == (1, 0, None)
    assert kpis.complaints_per_thousand(len(facts.complaints), c.attempts) == Decimal("250.00")

    cures = [f for f in facts.cures if f.account_id in {a.pk for a in accounts[:3]}]
    assert [(f.delinquent_on, f.cured_on) for f in cures] == [(dt.date(2026, 4, 24), dt.date(2026, 5, 15))] * 3
    assert kpis.average_days_to_cure(cures) == Decimal("21.00")

    # Every account carries its dimensions: the team, the collector, the queue, the product and its arm.
    arms = dict(Enrolment.objects.values_list("account_id", "arm"))
    assert {mine[i].keys.arm for i in range(6)} <= {"champion", "challenger"}
    assert [t.keys.arm for t in mine] == [arms[a.pk] for a in accounts]
    assert {t.keys.team for t in mine} == {w["team"].name}
    assert {t.keys.collector for t in mine[:5]} == {w["collector"].username}
    r = kpis.report(facts, "arm")
    for arm, group in r.items():
        members = [t for t in mine if t.keys.arm == arm]
        assert group["roll_matrix"]["count"]["M1"] == {
            kpis.state_name(s): sum(1 for t in members if t.end_state == s) for s in {t.end_state for t in members}
        }

    # One definition: the lead's page (period (05-13, 06-12]) and the agencies' performance agree.
    lead = team_figures(w["lead"], today=END)
    theirs = load(start=lead.start, end=lead.end)
    m2 = kpis.roll_matrix(theirs.transitions)
    assert kpis.flow_rates(m2)[1] == kpis.ratio(lead.rolls[1].rolled, lead.rolls[1].accounts)
    assert kpis.cure_rate(m2) == kpis.ratio(lead.cured, lead.delinquent_at_start)
    c2 = kpis.contact_rates(theirs.contacts)
    assert (c2.attempts, c2.right_party) == (lead.contacts, lead.right_party)
    p2 = kpis.promise_rates(theirs.promises, theirs.contacts, start=lead.start, end=lead.end)
    assert (p2.judged, p2.kept) == (lead.promises_due, lead.promises_kept)
    assert sum(t.collected_fen for t in theirs.transitions) == lead.collected_fen
    [perf] = performance(on=END)
    assert (perf.placed_fen, perf.collected_fen, perf.complaints) == (acme.placed_fen, acme.collected_fen, 1)
    assert perf.liquidation_rate == acme.liquidation_rate


def test_recovery_by_vintage_agrees_with_the_recovery_vintages() -> None:
    debtor = charged_off(amount="1000.00")
    account = Account.objects.get(pk=debtor.account.pk)
    assert account.charged_off_on is not None
    day = account.charged_off_on + dt.timedelta(days=1)
    advance(through=day)
    pay(accounts=[account], amounts=["100.00"], on=day)
    end = day + dt.timedelta(days=40)
    advance(through=end)
    facts = load(start=day - dt.timedelta(days=1), end=end)
    [fact] = facts.charge_offs
    assert (fact.charged_off_on, fact.charged_off_fen) == (account.charged_off_on, account.charged_off_fen)
    assert fact.recoveries == ((day, 100_00),)
    [v] = kpis.recovery_by_vintage(facts.charge_offs, as_of=end)
    [theirs] = recovery_vintages(business_date=end)
    assert (v.month, v.accounts, v.charged_off_fen) == (theirs.month, theirs.accounts, theirs.charged_off_fen)
    assert v.cumulative_fen == theirs.cumulative_fen
    assert v.recovered_fen == 100_00
    # The charged-off account: in the charged-off state, its liquidation is the recovery over what it still owed.
    [t] = [t for t in facts.transitions if t.account_id == account.pk]
    assert t.start_state == kpis.CHARGED_OFF and t.start_owed_fen == account.charged_off_fen
    assert kpis.liquidation_rates(facts.transitions)[kpis.CHARGED_OFF].rate == kpis.ratio(100_00, t.start_owed_fen)
    settled_fen = Entry.objects.filter(account=account).aggregate(s=Sum("amount_fen"))["s"]
    assert t.end_owed_fen == account.charged_off_fen - 100_00 and settled_fen is not None


def test_the_command_prints_json_and_csv_and_names_a_bad_option() -> None:
    past_due(dpd=5, count=2)
    out = io.StringIO()
    call_command("kpi", "--from", "2026-04-24", "--to", "2026-04-28", "--by", "product", stdout=out)
    report = json.loads(out.getvalue())
    assert report["by"] == "product" and report["from"] == "2026-04-24"
    [group] = report["groups"].values()
    assert group["roll_matrix"]["count"] == {"M0": {"M1": 2}}
    assert group["flow_rates"]["count"]["M0"] == "1.0000"
    out = io.StringIO()
    call_command("kpi", "--from", "2026-04-24", "--to", "2026-04-28", "--format", "csv", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0] == "group,kpi,detail,value"
    assert "all,flow_rates,count/M0,1.0000" in lines
    assert "all,cure_rate,count," in lines  # no rate: an empty cell
    for args, option in (
        (["--from", "2026-13-01", "--to", "2026-04-28"], "--from"),
        (["--from", "2026-04-24", "--to", "28/04/2026"], "--to"),
        (["--from", "0001-01-01", "--to", "2026-04-28"], "--from"),  # the day before it does not exist
        (["--from", "2026-04-24", "--to", "9999-12-31"], "--to"),
        (["--from", "2026-04-28", "--to", "2026-04-24"], "--to"),
        (["--from", "2026-04-24", "--to", "2026-04-28", "--by", "region"], "--by"),
        (["--from", "2026-04-24", "--to", "2026-04-28", "--format", "xml"], "--format"),
    ):
        with pytest.raises(CommandError, match=option):
            call_command("kpi", *args)

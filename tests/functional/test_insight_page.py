"""The manager's insight page (/insight/): its figures are the KPIs `arrears kpi` prints for the same
period; the page, the CSV and the XLSX agree; a lead sees only their own teams, a collector nothing;
a bad filter is a message naming the field, not a 500; exports are audited. Also the lead's page
draws the same heat map and funnel.

The world is the team month of tests/team_month.py (ten M1 accounts on 05-13 in team A: five
promises taken on 05-13, three kept; four contacts on 05-14, three right-party; seven pay on 05-14;
three reach M2 by 06-12), with three of its cases (d7, d8, d9: two broken promises, no contact, no
payment) moved to the other lead's team B. For the days 05-13 ... 06-12, worked by hand:
all: 10 accounts, cure 7/10 = 70.00 %, roll M1 -> M2 3/10 = 30.00 %, right-party 3/4 = 75.00 %,
promises 5 (of 3 right-party contacts: 166.67 %), kept 3/5 = 60.00 %;
team A: 7 accounts, cure 7/7, roll 0/7, 4 attempts, 3 promises, all kept;
team B: 3 accounts, cure 0/3, roll 3/3, no attempt, 2 promises, none kept.
"""

from __future__ import annotations

import io
import json
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from arrears.audit.models import AuditEntry
from arrears.cases.models import Case
from arrears.cycle.business_date import open_date
from arrears.people.models import Role, Team
from tests.builders import staff
from tests.functional.test_lead_page import client_for, csv_sections, tables_of
from tests.team_month import END, team_month

pytestmark = pytest.mark.django_db

PERIOD = "from=2026-05-13&to=2026-06-12"


@pytest.fixture
def world(db: None) -> Any:
    month = team_month()
    other = Team.objects.get(lead=month.other_lead)
    moved = [d.case.pk for d in month.debtors[7:10] if d.case]
    Case.objects.filter(pk__in=moved).update(team=other)
    open_date(END)
    return month, other, staff(Role.COLLECTIONS_MANAGER)


def kpi(*args: str) -> dict[str, Any]:
    out = io.StringIO()
    call_command("kpi", "--from", "2026-05-13", "--to", "2026-06-12", *args, stdout=out)
    groups: dict[str, Any] = json.loads(out.getvalue())["groups"]
    return groups


def pct(value: str | None) -> str:
    """A KPI fraction as the page's exported percentage (two decimals)."""
    return "" if value is None else f"{Decimal(value) * 100:.2f}"


def values(table: dict[str, Any]) -> list[list[str]]:
    return [[c["value"] for c in row] for row in table["rows"]]


def test_the_figures_are_the_kpis_and_the_exports_hold_the_same(world: Any) -> None:
    month, other, manager = world
    client = client_for(manager)
    page = client.get(f"/en/insight/?{PERIOD}&by=team&basis=count")
    assert page.status_code == 200
    t = tables_of(page.content.decode())

    everything = kpi()["all"]
    headline = {row[0]["text"]: row[1]["value"] for row in t["t-headline"]["rows"]}
    assert headline == {
        "Accounts": "10",
        "Cure rate %": pct(everything["cure_rate"]["count"]) == "70.00" and "70.00",
        "Roll M1→M2 %": pct(everything["flow_rates"]["count"]["M1"]) == "30.00" and "30.00",
        "Kept rate by count %": pct(everything["promises"]["kept_rate"]) == "60.00" and "60.00",
        "Kept rate by amount %": pct(everything["promises"]["kept_rate_amount"]),
        "Right-party contacts per attempt %": pct(everything["contacts"]["rpc_rate"]) == "75.00" and "75.00",
        "Complaints per 1,000 contacts": "0.00",
        "Average days to cure": f"{Decimal(everything['average_days_to_cure']):.2f}",
    }

    by_team = kpi("--by", "team")
    assert set(by_team) == {month.team.name, other.name}
    rows = {r[0]: r for r in values(t["t-grouped"])}
    assert set(rows) == set(by_team)
    for name, k in by_team.items():
        assert rows[name][1] == str(k["accounts"])
        assert rows[name][2] == pct(k["cure_rate"]["count"])
        assert rows[name][3] == pct(k["flow_rates"]["count"]["M1"])
        assert rows[name][5:8] == [
            str(k["contacts"]["attempts"]),
            str(k["contacts"]["right_party"]),
            pct(k["contacts"]["rpc_rate"]),
        ]
        assert rows[name][8] == str(k["promises"]["taken"])
        assert rows[name][10] == pct(k["promises"]["kept_rate"])
    assert rows[month.team.name][1:4] == ["7", "100.00", "0.00"]
    assert rows[other.name][1:4] == ["3", "0.00", "100.00"]

    # The roll matrix: M1 -> M0 7 (70.00 %), M1 -> M2 3 (30.00 %), as `arrears kpi` counts it.
    matrix = {(r[0], r[1]): (r[2], r[3]) for r in values(t["t-matrix"])}
    assert matrix[("M1", "M0")] == (str(everything["roll_matrix"]["count"]["M1"]["M0"]), "70.00")
    assert matrix[("M1", "M2")] == ("3", "30.00")
    heat = page.content.decode()
    assert 'data-level="7"' in heat and 'data-level="3"' in heat
    # The funnel: 4 attempts, 3 right-party, 5 promises, 3 kept.
    assert values(t["funnel-table"]) == [
        ["Attempts", "4", ""],
        ["Right-party contacts", "3", "75.00"],
        ["Promises", "5", "166.67"],
        ["Kept", "3", "60.00"],
    ]

    exported = client.get(f"/en/insight/export.csv?{PERIOD}&by=team&basis=count")
    assert exported.status_code == 200
    sections = csv_sections(exported.content.decode("utf-8"))
    assert sections[0][0] == ["By Team"]
    assert sections[0][1] == t["t-grouped"]["headers"]
    assert sections[0][2:] == values(t["t-grouped"])
    assert sections[1][2:] == values(t["t-matrix"])
    book = load_workbook(io.BytesIO(client.get(f"/en/insight/export.xlsx?{PERIOD}&by=team&basis=count").content))
    sheet = [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]
    assert [str(c) for c in sheet[0]] == t["t-grouped"]["headers"]
    for got, shown in zip(sheet[1:], values(t["t-grouped"]), strict=True):
        assert [
            ("" if v is None else f"{Decimal(str(v)):.2f}" if "." in s else str(v))
            for v, s in zip(got, shown, strict=True)
        ] == shown
    audited = AuditEntry.objects.filter(action="insight.export").order_by("id")
    assert [(e.actor, e.after["format"], e.object_id) for e in audited] == [
        (manager.username, "csv", "all"),
        (manager.username, "xlsx", "all"),
    ]


def test_by_balance_and_the_forecast_agree_with_the_kpis(world: Any) -> None:
    _, _, manager = world
    t = tables_of(client_for(manager).get(f"/en/insight/?{PERIOD}&by=collector&basis=balance").content.decode())
    everything = kpi()["all"]
    assert {row[0]["text"]: row[1]["value"] for row in t["t-headline"]["rows"]}["Cure rate %"] == pct(
        everything["cure_rate"]["balance"]
    )
    balances = everything["roll_matrix"]["balance_fen"]["M1"]
    matrix = {(r[0], r[1]): r[2] for r in values(t["t-matrix"])}
    assert matrix[("M1", "M2")] == f"{Decimal(balances['M2']) / 100:.2f}"
    # The default period (six whole months and this one) has three whole months before May: a
    # forecast for March, April and May, each with its total; and next month's.
    t = tables_of(client_for(manager).get("/en/insight/").content.decode())
    totals = [r for r in t["t-forecast-errors"]["rows"] if r[1]["text"] == "Total"]
    assert [r[0]["text"] for r in totals] == ["2026-03", "2026-04", "2026-05"]
    ahead = {r[0]["text"]: r for r in t["t-forecast"]["rows"]}
    assert set(ahead) >= {"M0", "M1", "M2", "Charged off", "Total"}


def test_a_lead_sees_only_their_teams_and_a_collector_nothing(world: Any) -> None:
    month, other, _ = world
    text = client_for(month.lead).get(f"/en/insight/?{PERIOD}").content.decode()
    t = tables_of(text)
    assert [r[0] for r in values(t["t-grouped"])] == [month.team.name]
    assert other.name not in text
    assert {row[0]["text"]: row[1]["value"] for row in t["t-headline"]["rows"]}["Accounts"] == "7"
    t = tables_of(client_for(month.other_lead).get(f"/en/insight/?{PERIOD}").content.decode())
    assert [r[0] for r in values(t["t-grouped"])] == [other.name]
    csv_text = client_for(month.other_lead).get(f"/en/insight/export.csv?{PERIOD}").content.decode()
    assert month.team.name not in csv_text and other.name in csv_text
    assert AuditEntry.objects.get(action="insight.export").object_id == other.name
    collector = client_for(month.collector)
    for path in ("/insight/", "/insight/export.csv", "/insight/export.xlsx"):
        assert collector.get(path).status_code == 403


@pytest.mark.parametrize(
    ("query", "field", "words"),
    [
        ("from=2026-06-12&to=2026-05-01", "To", "must not be before the first day"),
        ("from=12/05/2026", "From", "give a date like"),
        ("from=2020-01-01&to=2026-06-12", "From", "at most 24 months"),
        ("by=customer", "Group by", "must be one of team, collector"),
        ("basis=yuan", "Basis", "must be one of count, balance"),
    ],
)
def test_a_bad_filter_is_a_message_naming_the_field(world: Any, query: str, field: str, words: str) -> None:
    client = client_for(world[2])
    page = client.get(f"/en/insight/?{query}")
    assert page.status_code == 200
    text = page.content.decode()
    assert 'id="filter-error"' in text and f"{field}: " in text and words in text
    assert 'id="t-grouped"' not in text
    assert client.get(f"/en/insight/export.csv?{query}").status_code == 400
    assert not AuditEntry.objects.filter(action="insight.export").exists()
    zh = client.get(f"/insight/?{query}")
    assert zh.status_code == 200 and 'id="filter-error"' in zh.content.decode()


def test_the_page_costs_a_fixed_number_of_queries(world: Any) -> None:
    """insight.facts.load: about a dozen queries, one more per month of the period (seven here)."""
    client = client_for(world[2])
    client.get("/insight/")
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/insight/").status_code == 200
    print("insight page queries:", len(queries))
    assert len(queries) <= 40, len(queries)


def test_the_leads_page_draws_the_heat_map_and_the_funnel(world: Any) -> None:
    """The lead's period is (05-13, 06-12]: team A's seven accounts, all M1 at the start, cured
    (M0 or paid); four attempts, three right-party; the promises were taken on 05-13, before it."""
    month, _, _ = world
    text = client_for(month.lead).get("/en/team/").content.decode()
    t = tables_of(text)
    assert values(t["funnel-table"]) == [
        ["Attempts", "4", ""],
        ["Right-party contacts", "3", "75.00"],
        ["Promises", "0", "0.00"],
        ["Kept", "0", ""],
    ]
    assert 'id="heat-map"' in text and 'href="/en/insight/"' in text


def test_the_group_without_a_value_is_named_in_the_pages_language(world: Any) -> None:
    # By collector, the accounts nobody called form the group without one (as the browser test shows in English).
    client = client_for(world[2])
    zh = tables_of(client.get(f"/insight/?{PERIOD}&by=collector").content.decode())
    en = tables_of(client.get(f"/en/insight/?{PERIOD}&by=collector").content.decode())
    assert values(zh["t-grouped"])[0][0] == "（无）"
    assert values(en["t-grouped"])[0][0] == "(none)"

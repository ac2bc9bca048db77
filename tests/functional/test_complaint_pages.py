"""The complaints register's doors: registering from a case page's form and through the API, another
team's complaint answering 404 like an unknown one, a collector who may register but not close, the lead's
summary and the agencies' page with the complaints per 1,000 contacts."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client

from arrears.agencies import operations as agencies
from arrears.cases.models import Case
from arrears.complaints.models import Complaint, ComplaintStatus
from arrears.contacts.models import Contact
from arrears.contacts.operations import ContactIn, record_contact
from arrears.cycle import business_date
from arrears.people.models import Role
from tests.collections_factories import PASSWORD, delinquent_customers, staff, team_with_queue
from tests.conftest import FROZEN_NOW

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 5, 3)


@pytest.fixture(autouse=True)
def _business_day(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(business_date, "current", lambda: TODAY)


def signed_in(user: Any) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def call(collector: Any, case: Case, minutes: int = 0, source: str = "workbench") -> Contact:
    return record_contact(
        user=collector,
        case=case,
        at=FROZEN_NOW - dt.timedelta(hours=2, minutes=minutes),
        data=ContactIn(channel="phone", party="cardholder", result="right_party_contact"),
        decision={},
        source=source,
    )


@pytest.fixture
def world() -> dict[str, Any]:
    lead = staff(Role.TEAM_LEAD)
    team = team_with_queue(lead=lead)
    collector = staff(team=team)
    mine, theirs = delinquent_customers(2)
    Case.objects.filter(pk=mine.pk).update(team=team, collector=collector)
    Case.objects.filter(pk=theirs.pk).update(team=team_with_queue(), collector=staff())
    mine.refresh_from_db()
    return {"lead": lead, "collector": collector, "case": mine, "theirs": theirs, "contact": call(collector, mine)}


def test_a_collector_registers_from_the_case_picking_the_contacts_but_may_not_close(world: dict[str, Any]) -> None:
    client = signed_in(world["collector"])
    case: Case = world["case"]
    form = client.get(f"/complaints/new/?case={case.pk}").content.decode()
    assert f'name="contacts" value="{world["contact"].pk}"' in form
    assert "登记投诉" in form
    answer = client.post(
        "/complaints/new/",
        {
            "case": case.pk,
            "category": "contact_frequency",
            "severity": "high",
            "channel": "phone",
            "received_on": "2026-05-02",
            "description": "一天内接到五次电话",
            "contacts": [world["contact"].pk],
            "staff": [world["collector"].pk],
            "hold_channels": ["phone"],
        },
    )
    complaint = Complaint.objects.get()
    assert answer.status_code == 302 and answer["Location"] == f"/complaints/{complaint.pk}/"
    assert (complaint.severity, complaint.received_on, complaint.due_on) == (
        "high",
        dt.date(2026, 5, 2),
        TODAY.replace(day=12),
    )
    assert list(complaint.contacts.all()) == [world["contact"]]
    assert complaint.holds.get().channels == ["phone"]
    page = client.get(f"/complaints/{complaint.pk}/").content.decode()
    assert "一天内接到五次电话" in page and 'id="close-complaint"' not in page
    client.post(f"/complaints/{complaint.pk}/", {"action": "close", "outcome": "upheld", "root_cause": "process"})
    assert Complaint.objects.get().status == ComplaintStatus.OPEN


def test_bad_input_on_the_form_is_shown_and_registers_nothing(world: dict[str, Any]) -> None:
    client = signed_in(world["collector"])
    case: Case = world["case"]
    theirs = call(staff(), world["theirs"])
    for changes in ({"contacts": [theirs.pk]}, {"category": "rudeness"}, {"description": ""}, {"received_on": "05/02"}):
        body = {"case": case.pk, "category": "wording", "severity": "low", "channel": "phone", "description": "措辞"}
        answer = client.post("/en/complaints/new/", body | changes)
        assert answer.status_code == 200
        assert 'class="card error"' in answer.content.decode()
    assert not Complaint.objects.exists()
    assert client.post("/complaints/new/", {"case": world["theirs"].pk}).status_code == 404
    assert client.get(f"/complaints/new/?case={world['theirs'].pk}").status_code == 404


def test_the_api_registers_and_reads_and_another_teams_complaint_is_not_found(world: dict[str, Any]) -> None:
    client = signed_in(world["collector"])
    body = {
        "case": world["case"].pk,
        "category": "collection_conduct",
        "severity": "medium",
        "channel": "regulator",
        "description": "监管转办：催收人员态度恶劣",
        "contacts": [world["contact"].pk],
        "staff": [world["collector"].username],
    }
    answer = client.post("/api/v1/complaints", json.dumps(body), content_type="application/json")
    assert answer.status_code == 201, answer.content
    out = answer.json()
    assert (out["severity"], out["due_on"], out["contacts"], out["staff"]) == (
        "critical",  # referred by the regulator
        "2026-05-08",
        [world["contact"].pk],
        [world["collector"].username],
    )
    assert client.get(f"/api/v1/complaints/{out['id']}").json()["description"] == body["description"]

    stranger = signed_in(staff(team=team_with_queue()))
    unknown = stranger.get("/api/v1/complaints/987654321")
    other = stranger.get(f"/api/v1/complaints/{out['id']}")
    assert other.status_code == unknown.status_code == 404
    assert stranger.get(f"/complaints/{out['id']}/").status_code == 404
    theirs = body | {"case": world["theirs"].pk, "contacts": []}
    assert client.post("/api/v1/complaints", json.dumps(theirs), content_type="application/json").status_code == 404
    bad = client.post(
        "/api/v1/complaints", json.dumps(body | {"category": "rudeness"}), content_type="application/json"
    )
    assert bad.status_code == 422 and bad.json()["field"] == "category"
    assert Complaint.objects.count() == 1
    agent = signed_in(staff(Role.CREDIT_ASSESSOR))
    assert agent.post("/api/v1/complaints", json.dumps(body), content_type="application/json").status_code == 403


def test_the_lead_closes_and_sees_the_summary_in_both_languages(world: dict[str, Any]) -> None:
    collector = signed_in(world["collector"])
    for category, received in (("wording", "2026-04-01"), ("service", "2026-05-03")):
        collector.post(
            "/complaints/new/",
            {
                "case": world["case"].pk,
                "category": category,
                "severity": "low",
                "channel": "letter",
                "received_on": received,
                "description": "客户来信",
            },
        )
    lead = signed_in(world["lead"])
    team = lead.get("/team/").content.decode()
    assert 'id="complaints-open"' in team
    assert team.count('href="/complaints/?status=open">2<') == 1
    assert 'href="/complaints/?overdue=1">1<' in team  # the one received 04-01 was due 04-16
    english = lead.get("/en/team/").content.decode()
    assert "wording" in english and "Open complaints" in english
    listed = lead.get("/complaints/?overdue=1").content.decode()
    late = Complaint.objects.get(category="wording")
    assert f'id="complaint-row-{late.pk}"' in listed and "超期" in listed
    assert "complaint-row-" + str(Complaint.objects.get(category="service").pk) not in listed

    missing = lead.post(f"/en/complaints/{late.pk}/", {"action": "close", "outcome": "upheld", "root_cause": ""})
    assert "Root cause" in missing.content.decode()
    assert Complaint.objects.get(pk=late.pk).status == ComplaintStatus.OPEN
    lead.post(f"/complaints/{late.pk}/", {"action": "close", "outcome": "partly_upheld", "root_cause": "wording"})
    assert Complaint.objects.get(pk=late.pk).status == ComplaintStatus.CLOSED


def test_the_agencies_page_shows_complaints_per_1000_contacts(world: dict[str, Any]) -> None:
    alpha = agencies.create_agency(actor="admin", code="alpha", name="甲催收有限公司")
    agencies.create_agency(actor="admin", code="beta", name="乙催收有限公司")
    for minute in range(4):
        call(world["collector"], world["case"], minutes=minute + 1, source="agency:alpha")
    signed_in(world["collector"]).post(
        "/complaints/new/",
        {
            "case": world["case"].pk,
            "category": "agency_conduct",
            "severity": "medium",
            "channel": "phone",
            "description": "委外催收员言语威胁",
            "agency": "alpha",
        },
    )
    assert Complaint.objects.get().agency == alpha
    page = signed_in(world["lead"]).get("/agencies/").content.decode()
    rows = {code: page.split(f'<span class="muted">{code}</span>')[1].split("</tr>")[0] for code in ("alpha", "beta")}
    assert '<td class="num complaints-registered">1</td>' in rows["alpha"]
    assert '<td class="num complaints-rate">250.00</td>' in rows["alpha"]  # 1 x 1,000 / 4 contacts
    assert '<td class="num complaints-registered">0</td>' in rows["beta"]
    assert '<td class="num complaints-rate">—</td>' in rows["beta"]  # no contacts, no rate

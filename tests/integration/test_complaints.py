"""The complaints register (arrears.complaints): registering with bad input changes nothing, closing needs
an outcome and a root cause, a complaint about contact holds the channels it names until it is closed,
and the complaint rate per 1,000 contacts by agency and by collector (the worked example)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from arrears.agencies import operations as agencies
from arrears.audit.models import AuditEntry
from arrears.cases.models import Case
from arrears.complaints import rules
from arrears.complaints.models import Complaint, ComplaintStatus
from arrears.complaints.operations import close_complaint, register_complaint, start_investigation
from arrears.complaints.queries import complaint_for, lead_summary, per_agency, per_collector, visible_complaints
from arrears.contacts.models import Contact
from arrears.contacts.operations import ContactIn, record_contact
from arrears.errors import Conflict, NotFound, NotPermitted, ValidationFailed
from arrears.holds.models import Hold, HoldKind
from arrears.people.models import Role
from tests.collections_factories import delinquent_customers, staff, team_with_queue
from tests.conftest import FROZEN_NOW

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 5, 3)


def call(collector: Any, case: Case, *, minutes: int = 0, source: str = "workbench") -> Contact:
    return record_contact(
        user=collector,
        case=case,
        at=FROZEN_NOW - dt.timedelta(days=1, minutes=minutes),
        data=ContactIn(channel="phone", party="cardholder", result="right_party_contact"),
        decision={},
        source=source,
    )


@pytest.fixture
def world() -> dict[str, Any]:
    team = team_with_queue()
    collector = staff(team=team)
    mine, other = delinquent_customers(2)
    Case.objects.filter(pk__in=[mine.pk, other.pk]).update(team=team, collector=collector)
    mine.refresh_from_db()
    other.refresh_from_db()
    return {
        "collector": collector,
        "service": staff(Role.CUSTOMER_SERVICE),
        "case": mine,
        "other": other,
        "contact": call(collector, mine),
        "others_contact": call(collector, other),
    }


def register(w: dict[str, Any], **changes: Any) -> Complaint:
    case = w["case"]
    arguments: dict[str, Any] = {
        "actor": w["collector"].username,
        "opened_by": w["collector"],
        "customer": case.customer,
        "account": case.customer.accounts.get(),
        "case": case,
        "category": "contact_frequency",
        "severity": "medium",
        "channel": "phone",
        "description": "客户投诉一天内接到五次催收电话",
        "business_date": TODAY,
        "contacts": [w["contact"]],
        "staff": [w["collector"]],
    }
    return register_complaint(**(arguments | changes))


def test_a_complaint_is_registered_due_by_its_severity_and_audited(world: dict[str, Any]) -> None:
    complaint = register(world)
    assert complaint.status == ComplaintStatus.OPEN
    assert complaint.due_on == TODAY + dt.timedelta(days=15)
    assert list(complaint.contacts.all()) == [world["contact"]]
    assert list(complaint.staff.all()) == [world["collector"]]
    entry = AuditEntry.objects.get(action="complaint.register")
    assert (entry.actor, entry.object_id, entry.after["category"], entry.after["contacts"]) == (
        world["collector"].username,
        str(complaint.pk),
        "contact_frequency",
        [world["contact"].pk],
    )
    critical = register(world, severity="critical")
    assert critical.due_on == TODAY + dt.timedelta(days=5)
    referred = register(world, severity="low", channel="regulator")  # referred by the regulator: critical
    assert (referred.severity, referred.due_on) == ("critical", TODAY + dt.timedelta(days=5))


def test_the_portal_registers_as_the_cardholder_without_a_member_of_staff(world: dict[str, Any]) -> None:
    complaint = register(
        world, actor=f"cardholder:{world['case'].customer_id}", opened_by=None, channel="portal", contacts=[], staff=[]
    )
    assert complaint.opened_by is None and complaint.opened_by_actor.startswith("cardholder:")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"category": "rudeness"}, "category"),
        ({"severity": "urgent"}, "severity"),
        ({"channel": "fax"}, "channel"),
        ({"description": "   "}, "description"),
        ({"description": "长" * 4001}, "description"),
        ({"received_on": TODAY + dt.timedelta(days=1)}, "received_on"),
        ({"actor": ""}, "actor"),
        ({"hold_channels": ["pigeon"]}, "hold_channels"),
        ({"hold_channels": ["phone"], "category": "fees_and_interest"}, "hold_channels"),
        ({"hold_channels": ["phone"], "opened_by": None}, "hold_channels"),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_nothing_changes(
    world: dict[str, Any], changes: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValidationFailed) as refused:
        register(world, **changes)
    assert refused.value.field == field
    assert Complaint.objects.count() == 0
    assert not Hold.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="complaint.").exists()


def test_anything_of_another_customer_is_refused(world: dict[str, Any]) -> None:
    other: Case = world["other"]
    for changes, field in (
        ({"contacts": [world["contact"], world["others_contact"]]}, "contacts"),
        ({"case": other}, "case"),
        ({"account": other.customer.accounts.get()}, "account"),
    ):
        with pytest.raises(ValidationFailed) as refused:
            register(world, **changes)
        assert refused.value.field == field
    assert Complaint.objects.count() == 0


def test_closing_needs_an_outcome_and_a_root_cause_and_a_collector_may_not_close(world: dict[str, Any]) -> None:
    complaint = register(world)
    service = world["service"]
    closing: dict[str, Any] = {
        "user": service,
        "complaint": complaint,
        "outcome": "upheld",
        "root_cause": "staff_conduct",
        "root_cause_note": "",
        "business_date": TODAY,
    }
    for changes, field in (
        ({"root_cause": ""}, "root_cause"),
        ({"outcome": ""}, "outcome"),
        ({"root_cause": "bad luck"}, "root_cause"),
        ({"outcome": "maybe"}, "outcome"),
        ({"root_cause": "other", "root_cause_note": " "}, "root_cause_note"),
    ):
        with pytest.raises(ValidationFailed) as refused:
            close_complaint(**(closing | changes))
        assert refused.value.field == field
    with pytest.raises(NotPermitted):
        close_complaint(**(closing | {"user": world["collector"]}))
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.OPEN and complaint.root_cause == ""

    start_investigation(user=service, complaint=complaint)
    closed = close_complaint(**(closing | {"root_cause_note": "拨打频率超出规定", "business_date": TODAY}))
    closed.refresh_from_db()
    assert (closed.status, closed.outcome, closed.root_cause, closed.closed_by, closed.closed_on) == (
        "closed",
        "upheld",
        "staff_conduct",
        service,
        TODAY,
    )
    assert [e.action for e in AuditEntry.objects.filter(object_type="complaint").order_by("id")] == [
        "complaint.register",
        "complaint.investigate",
        "complaint.close",
    ]
    with pytest.raises(Conflict):
        close_complaint(**closing)


def test_a_complaint_about_contact_holds_its_channels_until_it_is_closed(world: dict[str, Any]) -> None:
    complaint = register(world, hold_channels=["phone", "sms"])
    hold = Hold.objects.get()
    assert (hold.kind, hold.channels, hold.customer_id, hold.lifted_at) == (
        HoldKind.COMPLAINT,
        ["phone", "sms"],
        complaint.customer_id,
        None,
    )
    close_complaint(
        user=world["service"],
        complaint=complaint,
        outcome="not_upheld",
        root_cause="no_fault",
        root_cause_note="",
        business_date=TODAY,
    )
    hold.refresh_from_db()
    assert hold.lifted_at is not None and hold.lifted_by == world["service"]


def test_another_teams_complaint_is_not_found(world: dict[str, Any]) -> None:
    complaint = register(world)
    stranger = staff(team=team_with_queue())
    with pytest.raises(NotFound):
        complaint_for(stranger, complaint.pk)
    assert complaint_for(world["collector"], complaint.pk) == complaint
    assert complaint_for(world["service"], complaint.pk) == complaint  # customer service sees every team's
    assert not visible_complaints(staff(Role.AGENCY_USER)).exists()
    for unknown in (0, -1, 2**63, complaint.pk + 1000):
        with pytest.raises(NotFound):
            complaint_for(world["service"], unknown)


def test_the_complaint_rate_worked_example() -> None:
    assert rules.per_thousand(3, 1250) == Decimal("2.40")
    assert rules.per_thousand(1, 3) == Decimal("333.33")
    assert rules.per_thousand(2, 3) == Decimal("666.67")  # half-up
    assert rules.per_thousand(0, 40) == Decimal("0.00")
    assert rules.per_thousand(5, 0) is None


def test_complaints_per_1000_contacts_by_agency_and_by_collector(world: dict[str, Any]) -> None:
    alpha = agencies.create_agency(actor="admin", code="alpha", name="甲催收有限公司")
    case, collector = world["case"], world["collector"]
    for minute in range(8):  # the agency's 8 contacts; the collector has 2 of their own already
        call(collector, case, minutes=minute + 1, source="agency:alpha")
    register(world, category="agency_conduct", agency=alpha, staff=[])
    register(world, category="agency_conduct", agency=alpha)
    # Received before the period: counted in the whole history, not in the period.
    register(world, agency=alpha, received_on=dt.date(2026, 4, 1))

    everything = per_agency()
    assert (everything["alpha"].complaints, everything["alpha"].contacts) == (3, 8)
    assert everything["alpha"].per_thousand == Decimal("375.00")  # 3 x 1,000 / 8
    period = per_agency(start=dt.date(2026, 5, 1), end=dt.date(2026, 5, 4))
    assert (period["alpha"].complaints, period["alpha"].contacts, period["alpha"].per_thousand) == (
        2,
        8,
        Decimal("250.00"),
    )
    assert "alpha" not in per_agency(start=dt.date(2026, 5, 4))  # nothing yet in a later period

    by_person = per_collector()[collector.pk]
    # 10 contacts recorded with the collector's name (2 own, 8 dialled for the agency) and named in 2 complaints.
    assert (by_person.complaints, by_person.contacts, by_person.per_thousand) == (2, 10, Decimal("200.00"))


def test_the_leads_summary_counts_open_overdue_and_by_category(world: dict[str, Any]) -> None:
    lead = staff(Role.TEAM_LEAD)
    world["case"].team.members.add(lead)
    register(world, received_on=dt.date(2026, 4, 1))  # due 04-16: overdue
    register(world, category="wording")
    closed = register(world, category="service")
    close_complaint(
        user=world["service"],
        complaint=closed,
        outcome="upheld",
        root_cause="process",
        root_cause_note="",
        business_date=TODAY,
    )
    summary = lead_summary(lead, today=TODAY)
    assert (summary.open, summary.overdue) == (2, 1)
    assert [(code, n) for code, _, n in summary.by_category] == [("contact_frequency", 1), ("wording", 1)]
    assert lead_summary(staff(Role.TEAM_LEAD), today=TODAY).open == 0  # another lead sees none of them

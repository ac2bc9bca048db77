"""Hand a case to customer service and get it back; callbacks come first in the queue."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from arrears.application.contacts import record_contact
from arrears.cases.models import Case
from arrears.cases.operations import next_case
from arrears.contacts.models import Callback, Handoff
from arrears.contacts.operations import ContactIn, hand_off, schedule_callback
from arrears.cycle.business_date import current
from arrears.kernel import clock
from arrears.people.models import Role
from tests.collections_factories import PASSWORD, delinquent_customers, staff, team_with_queue

pytestmark = pytest.mark.django_db


class TestHandoff:
    def test_customer_service_answers_a_handed_off_case_and_gives_it_back(self) -> None:
        team = team_with_queue()
        collector = staff(team=team)
        [case] = delinquent_customers(1)
        hand_off(user=collector, case=case, to_role="customer_service", comment="客户质疑违约金")
        service = staff(Role.CUSTOMER_SERVICE)
        client = Client()
        client.login(username=service.username, password=PASSWORD)
        page = client.get("/handoffs/")
        assert "客户质疑违约金" in page.content.decode()
        handoff = Handoff.objects.get()
        response = client.post("/handoffs/", {"handoff": handoff.pk, "comment": "违约金计算无误，已向客户解释"})
        assert response.status_code == 302
        handoff.refresh_from_db()
        assert (handoff.taken_by, handoff.return_comment) == (service, "违约金计算无误，已向客户解释")

    def test_a_collector_cannot_open_the_hand_off_inbox(self) -> None:
        collector = staff(team=team_with_queue())
        client = Client()
        client.login(username=collector.username, password=PASSWORD)
        assert client.get("/handoffs/").status_code == 403


class TestCallbacks:
    def test_a_due_callback_comes_before_more_urgent_cases_and_a_contact_answers_it(self) -> None:
        team = team_with_queue()
        collector = staff(team=team)
        small, large = delinquent_customers(2)  # the second has the larger balance: more urgent
        schedule_callback(user=collector, case=small, due_at=clock.now() + dt.timedelta(minutes=1))
        later = clock.now() + dt.timedelta(minutes=5)
        assert next_case(user=collector, business_date=current(), now=later).pk == small.pk
        record_contact(
            user=collector,
            case=small,
            at=later,
            data=ContactIn(channel="phone", party="cardholder", result="right_party_contact"),
        )
        assert Callback.objects.get().done_at == later
        assert Case.objects.get(pk=small.pk).next_callback_at is None
        assert next_case(user=collector, business_date=current(), now=later).pk == large.pk


class TestNotes:
    def test_a_note_with_prohibited_wording_is_kept_and_flagged_for_review(self) -> None:
        from arrears.contacts.operations import add_note

        collector = staff(team=team_with_queue())
        [case] = delinquent_customers(1)
        calm = add_note(user=collector, case=case, text="客户称下周发工资后还款")
        rude = add_note(user=collector, case=case, text="这个老赖根本不想还钱")
        assert (calm.flagged, rude.flagged) == (False, True)

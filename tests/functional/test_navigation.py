"""The main navigation: each person sees the pages their roles may open, and each inbox with the number
of items waiting there, the same number its page lists, counted in a few queries whatever the size."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from arrears.application.inboxes import Navigation, held_by, navigation
from arrears.cases.models import Case
from arrears.concessions.operations import ConcessionIn, request_concession
from arrears.contacts.operations import hand_off
from arrears.cycle.business_date import open_date
from arrears.interfaces.web.context_processors import HELD_KEY
from arrears.people.models import Role
from arrears.plans.operations import propose_plan
from tests.builders import PASSWORD, past_due, staff, team_with_queue
from tests.functional.two_teams import TODAY, World, two_teams

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> World:
    open_date(TODAY)
    return two_teams()


def nav(user: Any) -> Navigation:
    return navigation(user, lambda: TODAY)


def login(user: Any) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def a_plan_waiting_for_its_lead() -> tuple[Any, Case]:
    """A team whose collector proposed a plan that waits for the team lead; returns the lead and the case."""
    open_date(TODAY)
    lead = staff(Role.TEAM_LEAD)
    collector = staff(team=team_with_queue(lead=lead))
    [debtor] = past_due(dpd=(TODAY - dt.date(2026, 4, 23)).days, count=1, amounts=["1000.00"])
    assert debtor.case is not None
    case = Case.objects.get(pk=debtor.case.pk)
    propose_plan(
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
    return lead, case


class TestWhatEachRoleSees:
    def test_a_lead_sees_their_teams_approval_waiting(self, world: World) -> None:
        assert nav(world.a.lead) == Navigation(
            team=True, approvals=1, plans=0, insight=True, disputes=True, complaints=True, quality=True
        )
        assert nav(world.b.lead) == Navigation(
            team=True, approvals=1, plans=0, insight=True, disputes=True, complaints=True, quality=True
        )

    def test_a_lead_sees_the_plan_their_team_proposed_and_another_lead_does_not(self) -> None:
        lead, _ = a_plan_waiting_for_its_lead()
        assert nav(lead) == Navigation(
            team=True, approvals=0, plans=1, insight=True, disputes=True, complaints=True, quality=True
        )
        assert nav(staff(Role.TEAM_LEAD)).plans == 0

    def test_a_collector_sees_no_inbox_and_no_team_page(self, world: World) -> None:
        assert nav(world.a.collector) == Navigation()

    def test_customer_service_sees_every_open_hand_off_to_their_role(self, world: World) -> None:
        assert nav(staff(Role.CUSTOMER_SERVICE)) == Navigation(handoffs=2, disputes=True, complaints=True)

    def test_a_credit_assessor_sees_plans_to_review_and_hand_offs_to_assessors(self, world: World) -> None:
        hand_off(user=world.a.collector, case=world.a.case, to_role="credit_assessor", comment="收入证明待核实")
        assert nav(staff(Role.CREDIT_ASSESSOR)) == Navigation(plans=0, handoffs=1)

    def test_a_collections_manager_sees_the_insight_page_and_the_links_follow_the_pages_roles(
        self, world: World
    ) -> None:
        from arrears.application import inboxes
        from arrears.complaints.queries import CLOSERS
        from arrears.interfaces.web.disputes import LIST_ROLES
        from arrears.quality.queries import REVIEWERS

        assert nav(staff(Role.COLLECTIONS_MANAGER)) == Navigation(insight=True)
        assert nav(staff(Role.ADMINISTRATOR)).insight is True
        assert (inboxes.COMPLAINT_ROLES, inboxes.DISPUTE_ROLES) == (CLOSERS, LIST_ROLES)
        assert inboxes.QUALITY_ROLES == REVIEWERS

    def test_strategy_managers_and_administrators_see_the_score_models_and_follow_the_promoters(
        self, world: World
    ) -> None:
        from arrears.application import inboxes
        from arrears.scoring.operations import PROMOTERS

        assert nav(staff(Role.STRATEGY_MANAGER)) == Navigation(strategies=True, scoring=True)
        assert nav(staff(Role.ADMINISTRATOR)).scoring is True
        assert nav(staff(Role.COLLECTIONS_MANAGER)).scoring is False
        assert set(PROMOTERS) == inboxes.SCORING_ROLES

    def test_a_compliance_officer_sees_the_audit_trail(self, world: World) -> None:
        assert nav(staff(Role.COMPLIANCE_OFFICER)).audit is True

    def test_a_decided_or_returned_item_leaves_the_count(self, world: World) -> None:
        from arrears.concessions.operations import decide_approval
        from arrears.contacts.operations import return_handoff

        decide_approval(
            user=world.a.lead, approval_id=world.a.approval.pk, decision="approve", comment="", business_date=TODAY
        )
        return_handoff(user=staff(Role.CUSTOMER_SERVICE), handoff=world.a.handoff, comment="已解释")

        assert nav(world.a.lead).approvals == 0
        assert nav(staff(Role.CUSTOMER_SERVICE)).handoffs == 1


class TestTheCountsAreThePagesLists:
    def test_the_approvals_count_matches_the_inbox(self, world: World) -> None:
        approvals = login(world.a.lead).get("/approvals/")
        assert approvals.context["nav"].approvals == len(approvals.context["rows"]) == 1
        assert '<span class="count" title="待您审批">1</span>' in approvals.content.decode()

    def test_the_plans_count_matches_the_inbox(self) -> None:
        lead, _ = a_plan_waiting_for_its_lead()
        plans = login(lead).get("/plans/inbox/")
        assert plans.context["nav"].plans == len(plans.context["to_review"]) + len(plans.context["to_approve"]) == 1

    def test_hand_off_count_matches_the_page(self, world: World) -> None:
        response = login(staff(Role.CUSTOMER_SERVICE)).get("/en/handoffs/")
        assert response.context["nav"].handoffs == len(response.context["handoffs"]) == 2
        assert '<span class="count" title="open hand-offs">2</span>' in response.content.decode()

    def test_a_collectors_page_links_no_inbox(self, world: World) -> None:
        page = login(world.a.collector).get("/work/").content.decode()
        assert 'id="nav-approvals"' not in page and 'id="nav-plans"' not in page and 'id="nav-handoffs"' not in page
        assert 'href="/team/"' not in page and 'href="/audit/"' not in page


class TestCost:
    def test_a_collectors_navigation_is_one_query_and_none_once_their_roles_are_known(self, world: World) -> None:
        with CaptureQueriesContext(connection) as first:
            nav(world.a.collector)
        held = held_by(world.a.collector)
        with CaptureQueriesContext(connection) as again:
            assert navigation(world.a.collector, lambda: TODAY, held=held) == Navigation()
        assert (len(first), len(again)) == (1, 0)

    def test_pages_keep_the_roles_a_minute_and_then_read_them_again(
        self, world: World, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        from arrears.kernel import clock

        client = login(world.a.collector)
        client.get("/work/")
        assert client.session[HELD_KEY]["roles"] == ["collector"]
        world.a.collector.groups.add(Group.objects.get(name=Role.TEAM_LEAD))
        assert 'href="/team/"' not in client.get("/work/").content.decode()  # kept: no query for the roles
        later = clock.now() + dt.timedelta(minutes=2)
        monkeypatch.setattr(clock, "now", lambda: later)
        assert 'href="/team/"' in client.get("/work/").content.decode()

    def test_more_waiting_items_cost_no_more_queries(self, world: World) -> None:
        def counted() -> int:
            with CaptureQueriesContext(connection) as queries:
                nav(world.a.lead)
            return len(queries)

        few = counted()
        for n in range(3):
            request_concession(
                user=world.a.collector,
                case=world.a.case,
                data=ConcessionIn(
                    kind="late_fee_waiver", reason="illness", evidence=f"证明{n}", amount=Decimal("4.00")
                ),
                business_date=TODAY,
            )
        assert nav(world.a.lead).approvals == 4
        assert counted() == few <= 6

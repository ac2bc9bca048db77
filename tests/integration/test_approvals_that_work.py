"""Approvals that work (issue 10, item 4): a request above authority says it was sent up and to whom
(in the audit trail, on the page, in the API); a waiver still waiting for approval is never worded to
the customer as done; the demo seeds an authority matrix within which a lead approves."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from arrears import demo
from arrears.audit.models import AuditEntry
from arrears.concessions import rules
from arrears.concessions.models import ApprovalRequest, ApprovalStatus, AuthorityRule, Concession, ConcessionStatus
from arrears.concessions.operations import ConcessionIn, decide_approval, request_concession
from arrears.concessions.queries import approver_for, awaiting, summary_for_customer
from arrears.cycle.business_date import open_date
from arrears.errors import ValidationFailed
from arrears.interfaces.web.concessions import decided, granted_or_sent, status_line
from arrears.ledger.models import Account
from arrears.people.models import Role
from tests.collections_factories import PASSWORD, delinquent_customers, staff, team_with_queue

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 5, 6)


def allow(role: str, kind: str, *, amount: str | None = None, days: int | None = None) -> AuthorityRule:
    return AuthorityRule.objects.create(
        role=role, kind=kind, max_amount_fen=int(Decimal(amount) * 100) if amount else None, max_days=days
    )


@pytest.fixture
def w() -> dict[str, Any]:
    open_date(DAY)
    lead = staff(Role.TEAM_LEAD)
    team = team_with_queue(lead=lead)
    collector = staff(team=team)
    admin = staff(Role.ADMINISTRATOR)
    [case] = delinquent_customers(1, through=DAY)
    case.refresh_from_db()
    allow(Role.COLLECTOR, "late_fee_waiver", amount="2.00")
    lead_rule = allow(Role.TEAM_LEAD, "late_fee_waiver", amount="5.00")
    allow(Role.ADMINISTRATOR, "late_fee_waiver")
    return {"case": case, "team": team, "collector": collector, "lead": lead, "admin": admin, "lead_rule": lead_rule}


def waive(w: dict[str, Any], amount: str, user: Any = None) -> Concession:
    data = ConcessionIn(kind="late_fee_waiver", reason="illness", evidence="certificate", amount=Decimal(amount))
    return request_concession(user=user or w["collector"], case=w["case"], data=data, business_date=DAY)


def login(user: Any) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


class TestNothingIsWordedAsDoneUntilItIsDone:
    def test_a_waiver_awaiting_approval_is_worded_as_a_request_and_as_done_once_approved(
        self, w: dict[str, Any]
    ) -> None:
        c = waive(w, "5.00")

        assert c.status == ConcessionStatus.PENDING
        assert "已减免" not in c.summary_zh and "We have waived" not in c.summary_en
        assert "申请减免违约金 5.00 元" in c.summary_zh and "尚未生效" in c.summary_zh
        assert "request to waive CNY 5.00 of late fees" in c.summary_en and "not in effect yet" in c.summary_en
        assert summary_for_customer(c).text == c.summary_zh  # the customer may be told it was asked for

        decide_approval(user=w["lead"], approval_id=c.approval.pk, decision="approve", business_date=DAY)

        c.refresh_from_db()
        assert c.status == ConcessionStatus.APPLIED
        assert "已减免违约金 5.00 元" in c.summary_zh and "We have waived CNY 5.00 of late fees" in c.summary_en

    def test_a_rejected_request_has_nothing_to_tell_the_customer(self, w: dict[str, Any]) -> None:
        c = waive(w, "5.00")
        decide_approval(user=w["lead"], approval_id=c.approval.pk, decision="reject", comment="no", business_date=DAY)
        c.refresh_from_db()
        with pytest.raises(ValidationFailed):
            summary_for_customer(c)

    @pytest.mark.parametrize("kind", rules.KINDS)
    def test_no_request_wording_says_it_is_done(self, kind: str) -> None:
        facts = rules.SummaryFacts(
            kind=kind, account_tail="1234", balance_before_fen=100_000, amount_fen=500, days=20, past_due_fen=10_000
        )
        zh, en = rules.summarise_request(facts, "zh-hans"), rules.summarise_request(facts, "en")
        for done in ("已减免", "已延期", "我们同意", "将予以减免"):
            assert done not in zh
        for done in ("We have", "We accept", "will be written off"):
            assert done not in en
        assert "尚未生效" in zh and "not in effect yet" in en

    def test_the_status_says_awaiting_whom_and_only_a_grant_reads_as_applied(self, w: dict[str, Any]) -> None:
        c = waive(w, "5.00")
        with translation.override("zh-hans"):
            line = status_line(c, awaiting(c.approval))
            assert "待" in line and w["lead"].username in line and "尚未生效" in line
        with translation.override("en"):
            line = status_line(c, awaiting(c.approval))
            assert line.startswith("requested, awaiting approval by Team lead") and w["lead"].username in line
            granted = waive(w, "0.50")
            assert status_line(granted) == "approved and applied"


class TestSentUpAndToWhom:
    def test_a_request_above_the_makers_authority_names_the_lead_in_the_audit_and_the_message(
        self, w: dict[str, Any]
    ) -> None:
        c = waive(w, "5.00")

        entry = AuditEntry.objects.get(action="approval.request", object_id=str(c.approval.pk))
        assert (entry.after["to_role"], entry.after["to_user"]) == (Role.TEAM_LEAD, w["lead"].username)
        with translation.override("en"):
            message = granted_or_sent(c)
        assert "awaiting approval by Team lead" in message and w["lead"].username in message
        assert "not in effect yet" in message

    def test_a_lead_approving_above_her_authority_is_told_it_went_to_the_administrator(self, w: dict[str, Any]) -> None:
        c = waive(w, "5.00")
        AuthorityRule.objects.filter(pk=w["lead_rule"].pk).update(max_amount_fen=300)

        approval = decide_approval(
            user=w["lead"], approval_id=c.approval.pk, decision="approve", comment="ok", business_date=DAY
        )

        assert (approval.status, approval.to_role) == (ApprovalStatus.PENDING, Role.ADMINISTRATOR)
        entry = AuditEntry.objects.get(action="approval.escalate", object_id=str(approval.pk))
        assert entry.actor == w["lead"].username
        assert (entry.after["from_role"], entry.after["to_role"], entry.after["to_user"]) == (
            Role.TEAM_LEAD,
            Role.ADMINISTRATOR,
            w["admin"].username,
        )
        assert entry.after["reason"] == "above the approver's authority"
        with translation.override("en"):
            message = decided(approval, "approve")
        assert message.startswith("Above your authority:") and "Administrator" in message
        assert w["admin"].username in message
        assert Account.objects.get(customer_id=w["case"].customer_id).fees_fen == 500  # nothing waived yet

    def test_the_person_is_named_only_when_one_holds_the_role(self, w: dict[str, Any]) -> None:
        assert approver_for(Role.ADMINISTRATOR, w["team"].pk) == w["admin"]
        staff(Role.ADMINISTRATOR)
        assert approver_for(Role.ADMINISTRATOR, w["team"].pk) is None  # two: the role alone is named
        assert approver_for(Role.TEAM_LEAD, None) is None

    def test_a_lead_may_send_a_request_up_within_her_authority(self, w: dict[str, Any]) -> None:
        c = waive(w, "5.00")
        approval = decide_approval(
            user=w["lead"], approval_id=c.approval.pk, decision="send_up", comment="large", business_date=DAY
        )
        assert (approval.status, approval.to_role) == (ApprovalStatus.PENDING, Role.ADMINISTRATOR)
        entry = AuditEntry.objects.get(action="approval.escalate", object_id=str(approval.pk))
        assert entry.after["reason"] == "sent up by the approver"
        assert Concession.objects.get(pk=c.pk).status == ConcessionStatus.PENDING


class TestOnThePagesAndTheApi:
    def test_the_collector_is_told_on_the_page_it_awaits_the_lead_and_the_case_shows_it_pending(
        self, w: dict[str, Any]
    ) -> None:
        form = {"kind": "late_fee_waiver", "amount": "5.00", "reason": "illness", "evidence": "x", "account": ""}
        collector = login(w["collector"])
        page = collector.post(f"/cases/{w['case'].pk}/concessions/", form, follow=True).content.decode()

        c = Concession.objects.get()
        assert c.status == ConcessionStatus.PENDING
        assert "超出您的权限" in page and f"主管（{w['lead'].username}）" in page and "尚未生效" in page
        section = page[page.index(f'id="concession-{c.pk}"') :]
        section = section[: section.index("</div>")]
        assert "已减免" not in section and "badge-warn" in section and "尚未生效" in section

        english = collector.get(f"/en/cases/{w['case'].pk}/?tab=concession").content.decode()
        section = english[english.index(f'id="concession-{c.pk}"') :]
        section = section[: section.index("</div>")]
        assert "requested, awaiting approval by Team lead" in section and w["lead"].username in section
        assert "We have waived" not in section and "not in effect yet" in section

    def test_the_lead_approves_in_the_inbox_and_sees_it_applied_at_once(self, w: dict[str, Any]) -> None:
        c = waive(w, "5.00")
        lead = login(w["lead"])
        inbox = lead.get("/approvals/").content.decode()
        row = inbox[inbox.index(f'id="approval-{c.approval.pk}"') :]
        row = row[: row.index("</tr>")]
        assert "主管" in row and "badge-ok" in row  # within the lead's authority
        assert w["collector"].username in row and "5.00" in row and f'id="send-up-{c.approval.pk}"' in row
        name = w["case"].customer.name
        assert name not in row and name[:1] in row  # the customer's name is masked

        page = lead.post("/approvals/", {"approval": c.approval.pk, "decision": "approve"}, follow=True)
        text = page.content.decode()
        assert "已生效" in text or "已批准" in text
        assert f'id="decided-{c.approval.pk}"' in text
        assert Concession.objects.get(pk=c.pk).status == ConcessionStatus.APPLIED

    def test_the_api_says_whom_a_request_awaits_and_that_an_approval_went_up(self, w: dict[str, Any]) -> None:
        collector = login(w["collector"])
        body = {"kind": "late_fee_waiver", "reason": "illness", "evidence": "x", "amount": "5.00"}
        r = collector.post(
            f"/api/v1/cases/{w['case'].pk}/concessions",
            body,
            content_type="application/json",
        )
        assert r.status_code == 202, r.content
        out = r.json()
        assert (out["status"], out["awaiting_role"], out["awaiting_user"]) == (
            "pending",
            Role.TEAM_LEAD,
            w["lead"].username,
        )
        assert f"待主管（{w['lead'].username}）审批" in out["message"] and "尚未生效" in out["message"]
        assert out["status_text"] == f"已申请，待主管（{w['lead'].username}）审批，尚未生效"
        assert "已减免" not in out["summary"]["zh-hans"]

        AuthorityRule.objects.filter(pk=w["lead_rule"].pk).update(max_amount_fen=300)
        lead = login(w["lead"])
        approval = ApprovalRequest.objects.get()
        r = lead.post(
            f"/api/v1/approvals/{approval.pk}/decision",
            {"decision": "approve", "comment": "ok"},
            content_type="application/json",
        )
        assert r.status_code == 200, r.content
        out = r.json()
        assert (out["status"], out["to_role"], out["awaiting_user"]) == (
            "pending",
            Role.ADMINISTRATOR,
            w["admin"].username,
        )
        assert out["message"] == f"超出您的权限：违约金减免 5.00 元 已上报，现待管理员（{w['admin'].username}）审批。"


class TestTheDemoMatrix:
    def test_the_demo_seeds_a_matrix_within_which_a_lead_approves(self) -> None:
        open_date(DAY)
        demo.ensure_demo_users(business_date=DAY)
        assert AuthorityRule.objects.filter(role=Role.COLLECTOR).exists()
        assert AuthorityRule.objects.filter(role=Role.TEAM_LEAD).exists()
        assert AuthorityRule.objects.filter(role=Role.ADMINISTRATOR).exists()
        demo.ensure_demo_users(business_date=DAY)  # idempotent
        assert AuthorityRule.objects.count() == len(demo.DEMO_AUTHORITY)

        [case] = delinquent_customers(1, through=DAY)
        from django.contrib.auth.models import User

        from arrears.people.models import Team

        team = Team.objects.get(name="催收一组")
        case.team = team
        case.save(update_fields=["team"])
        collector, lead = User.objects.get(username="collector"), User.objects.get(username="lead")
        data = ConcessionIn(kind="extension", reason="illness", evidence="hospital certificate", days=20)
        c = request_concession(user=collector, case=case, data=data, business_date=DAY)
        assert c.status == ConcessionStatus.PENDING  # 20 days is above a collector's 7
        assert awaiting(c.approval) is not None and awaiting(c.approval).user == lead  # type: ignore[union-attr]

        decide_approval(user=lead, approval_id=c.approval.pk, decision="approve", business_date=DAY)

        c.refresh_from_db()
        assert c.status == ConcessionStatus.APPLIED  # within the lead's authority: not escalated
        assert c.approval.to_role == Role.TEAM_LEAD
        assert not AuditEntry.objects.filter(action="approval.escalate").exists()


class TestThePlansInbox:
    def test_a_plan_shows_whose_authority_it_is_within_and_is_worded_as_not_agreed_yet(self, w: dict[str, Any]) -> None:
        from arrears.plans.models import PlanPolicy
        from arrears.plans.operations import propose_plan

        account = Account.objects.get(customer_id=w["case"].customer_id)
        PlanPolicy.objects.create(review_above_instalments=12, review_above_fen=100_000_00, lead_max_fen=100_000_00)
        plan = propose_plan(
            actor=w["collector"],
            case=w["case"],
            account_number=account.number,
            scope="whole",
            method="equal_payment",
            instalments=6,
            first_due_date=dt.date(2026, 6, 1),
            business_date=DAY,
        )
        lead = login(w["lead"])
        inbox = lead.get("/plans/inbox/").content.decode()
        row = inbox[inbox.index(f'id="approve-row-{plan.pk}"') :]
        row = row[: row.index("</tr>")]
        assert "等额本息" in row and "equal_payment" not in row
        assert "已提议，待主管审批，尚未达成" in row and "badge-ok" in row and f'id="approve-{plan.pk}"' in row
        assert w["case"].customer.name not in row

        PlanPolicy.objects.create(review_above_instalments=12, review_above_fen=100_000_00, lead_max_fen=100)
        inbox = lead.get("/en/plans/inbox/").content.decode()
        row = inbox[inbox.index(f'id="approve-row-{plan.pk}"') :]
        row = row[: row.index("</tr>")]
        assert "proposed, awaiting approval by Administrator: not agreed yet" in row
        assert "Above your authority: it waits for the administrator." in row and f'id="approve-{plan.pk}"' not in row

        case_page = lead.get(f"/cases/{w['case'].pk}/?tab=plan").content.decode()
        section = case_page[case_page.index(f'id="plan-{plan.pk}"') :]
        assert "已提议，待管理员审批，尚未达成" in section[: section.index("</p>")]


class TestCost:
    def test_pending_requests_cost_the_case_page_and_the_inbox_no_query_each(self, w: dict[str, Any]) -> None:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        def count(client: Client, path: str) -> int:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(path).status_code == 200
            return len(queries)

        collector, lead = login(w["collector"]), login(w["lead"])
        waive(w, "3.00")
        page = f"/cases/{w['case'].pk}/"
        collector.get(page), lead.get("/approvals/")  # warm the caches
        one = (count(collector, page), count(lead, "/approvals/"))
        for _ in range(4):
            waive(w, "3.00")
        assert (count(collector, page), count(lead, "/approvals/")) == one

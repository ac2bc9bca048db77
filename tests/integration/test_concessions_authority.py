"""Delegated authority: limits, approval requests up the ladder, maker-checker, expiry, team budgets
(also two approvals at once, in two threads on a real database)."""

from __future__ import annotations

import datetime as dt
import threading
import time
from decimal import Decimal
from typing import Any

import pytest
from django.db import OperationalError, connection

from arrears.audit.models import AuditEntry
from arrears.concessions.models import (
    ApprovalRequest,
    ApprovalStatus,
    AuthorityRule,
    Concession,
    ConcessionStatus,
    TeamBudget,
)
from arrears.concessions.operations import ConcessionIn, decide_approval, expire_approvals, request_concession
from arrears.concessions.queries import inbox
from arrears.errors import BudgetExhausted, ConcessionExceedsAuthority, NotPermitted, ValidationFailed
from arrears.ledger.models import Account
from arrears.ledger.queries import cache_mismatches
from arrears.people.models import Role
from tests.collections_factories import delinquent_customers, staff, team_with_queue

DAY = dt.date(2026, 5, 6)


def allow(role: str, kind: str, *, amount: str | None = None, days: int | None = None) -> AuthorityRule:
    return AuthorityRule.objects.create(
        role=role, kind=kind, max_amount_fen=int(Decimal(amount) * 100) if amount else None, max_days=days
    )


def build(customers: int = 1) -> dict[str, Any]:
    lead = staff(Role.TEAM_LEAD)
    team = team_with_queue(lead=lead)
    collector = staff(team=team)
    admin = staff(Role.ADMINISTRATOR)
    cases = delinquent_customers(customers, through=DAY)
    for case in cases:
        case.refresh_from_db()
    rules = {
        "collector": allow(Role.COLLECTOR, "late_fee_waiver", amount="2.00"),
        "lead": allow(Role.TEAM_LEAD, "late_fee_waiver", amount="5.00"),
        "admin": allow(Role.ADMINISTRATOR, "late_fee_waiver"),
    }
    allow(Role.COLLECTOR, "extension", days=10)
    allow(Role.TEAM_LEAD, "extension", days=30)
    return {
        "cases": cases,
        "case": cases[0],
        "collector": collector,
        "lead": lead,
        "admin": admin,
        "team": team,
        "rules": rules,
    }


def waive(w: dict[str, Any], amount: str, *, user: Any = None, case: Any = None) -> Concession:
    data = ConcessionIn(
        kind="late_fee_waiver", reason="illness", evidence="hospital certificate 2026-04-20", amount=Decimal(amount)
    )
    return request_concession(user=user or w["collector"], case=case or w["case"], data=data, business_date=DAY)


def fees(case: Any) -> int:
    return Account.objects.get(customer_id=case.customer_id).fees_fen


@pytest.mark.django_db
class TestAuthority:
    def test_within_the_limit_it_applies_at_once_citing_the_matrix_row(self) -> None:
        w = build()
        c = waive(w, "2.00")
        assert c.status == ConcessionStatus.APPLIED and c.rule_id == w["rules"]["collector"].pk
        assert fees(w["case"]) == 300
        assert not ApprovalRequest.objects.exists()

    def test_a_collector_above_the_limit_creates_an_approval_request_and_nothing_is_waived(self) -> None:
        w = build()
        c = waive(w, "5.00")

        assert c.status == ConcessionStatus.PENDING
        approval = ApprovalRequest.objects.get(concession=c)
        assert (approval.to_role, approval.maker, approval.expires_on) == (
            Role.TEAM_LEAD,
            w["collector"],
            DAY + dt.timedelta(days=7),
        )
        assert fees(w["case"]) == 500
        assert list(inbox(w["lead"], DAY)) == [approval]
        assert list(inbox(w["collector"], DAY)) == []

        decide_approval(
            user=w["lead"], approval_id=approval.pk, decision="approve", comment="certificate seen", business_date=DAY
        )

        c.refresh_from_db()
        assert c.status == ConcessionStatus.APPLIED and c.rule_id == w["rules"]["lead"].pk
        assert fees(w["case"]) == 0
        grant = AuditEntry.objects.get(action="concession.grant", object_id=str(c.pk))
        assert grant.after["approval"] == approval.pk and grant.after["rule"] == w["rules"]["lead"].pk
        assert cache_mismatches() == []

    def test_nobody_approves_their_own_request(self) -> None:
        w = build()
        # A lead's own request above the lead's limit goes to an administrator...
        c = waive(w, "5.00", user=w["lead"])
        assert c.status == ConcessionStatus.APPLIED  # 5.00 is within the lead's limit
        allow(Role.TEAM_LEAD, "extension", days=30)
        data = ConcessionIn(kind="extension", reason="illness", evidence="hospital", days=60)
        mine = request_concession(user=w["lead"], case=w["case"], data=data, business_date=DAY)
        approval = ApprovalRequest.objects.get(concession=mine)
        assert approval.to_role == Role.ADMINISTRATOR
        # ...and the lead cannot decide it, not even as an approver of the case's team.
        with pytest.raises(NotPermitted) as error:
            decide_approval(user=w["lead"], approval_id=approval.pk, decision="approve", business_date=DAY)
        assert error.value.field == "approval"
        assert ApprovalRequest.objects.get(pk=approval.pk).status == ApprovalStatus.PENDING
        assert list(inbox(w["lead"], DAY)) == []

    def test_a_collector_cannot_approve_and_a_rejection_needs_a_comment(self) -> None:
        w = build()
        approval = waive(w, "5.00").approval
        other = staff(team=w["team"])
        with pytest.raises(NotPermitted):
            decide_approval(user=other, approval_id=approval.pk, decision="approve", business_date=DAY)
        with pytest.raises(ValidationFailed) as error:
            decide_approval(user=w["lead"], approval_id=approval.pk, decision="reject", business_date=DAY)
        assert error.value.field == "comment"
        decide_approval(
            user=w["lead"], approval_id=approval.pk, decision="reject", comment="no evidence", business_date=DAY
        )
        assert Concession.objects.get(approval=approval).status == ConcessionStatus.REJECTED
        assert fees(w["case"]) == 500

    def test_above_the_approvers_limit_it_passes_up_to_the_administrator(self) -> None:
        w = build()
        approval = waive(w, "5.00").approval
        AuthorityRule.objects.filter(pk=w["rules"]["lead"].pk).update(max_amount_fen=300)

        decide_approval(user=w["lead"], approval_id=approval.pk, decision="approve", comment="agree", business_date=DAY)

        approval.refresh_from_db()
        assert (approval.status, approval.to_role) == (ApprovalStatus.PENDING, Role.ADMINISTRATOR)
        assert approval.history[0]["by"] == w["lead"].username
        assert fees(w["case"]) == 500
        decide_approval(user=w["admin"], approval_id=approval.pk, decision="approve", comment="ok", business_date=DAY)
        assert Concession.objects.get(approval=approval).rule_id == w["rules"]["admin"].pk
        assert fees(w["case"]) == 0

    def test_above_everyones_authority_it_is_refused(self) -> None:
        w = build()
        AuthorityRule.objects.filter(pk=w["rules"]["admin"].pk).update(max_amount_fen=100)
        before = Concession.objects.count()
        with pytest.raises(ConcessionExceedsAuthority):
            waive(w, "5.00", user=w["admin"])
        assert Concession.objects.count() == before

    def test_a_pending_request_expires_after_seven_days(self) -> None:
        w = build()
        approval = waive(w, "5.00").approval
        later = DAY + dt.timedelta(days=8)
        assert list(inbox(w["lead"], later)) == []  # judged on read
        with pytest.raises(ValidationFailed, match="expired"):
            decide_approval(user=w["lead"], approval_id=approval.pk, decision="approve", business_date=later)
        assert ApprovalRequest.objects.get(pk=approval.pk).status == ApprovalStatus.EXPIRED
        assert Concession.objects.get(approval=approval).status == ConcessionStatus.EXPIRED
        assert fees(w["case"]) == 500

    def test_the_cycle_expires_pending_requests(self) -> None:
        w = build()
        approval = waive(w, "5.00").approval
        assert expire_approvals(DAY + dt.timedelta(days=7)) == 0
        assert expire_approvals(DAY + dt.timedelta(days=8)) == 1
        assert ApprovalRequest.objects.get(pk=approval.pk).status == ApprovalStatus.EXPIRED


@pytest.mark.django_db
class TestTeamBudget:
    def test_the_budget_is_spent_and_cannot_be_overspent(self) -> None:
        w = build(2)
        budget = TeamBudget.objects.create(team=w["team"], month=DAY.replace(day=1), limit_fen=300)
        waive(w, "2.00", case=w["cases"][0])
        assert TeamBudget.objects.get(pk=budget.pk).spent_fen == 200
        with pytest.raises(BudgetExhausted) as error:
            waive(w, "2.00", case=w["cases"][1])
        assert error.value.field == "amount"
        assert TeamBudget.objects.get(pk=budget.pk).spent_fen == 200
        assert fees(w["cases"][1]) == 550  # 5 % of the second customer's 110.00 minimum, untouched

    def test_an_approval_is_refused_when_the_budget_ran_out_meanwhile(self) -> None:
        w = build(2)
        TeamBudget.objects.create(team=w["team"], month=DAY.replace(day=1), limit_fen=600)
        approval = waive(w, "5.00", case=w["cases"][0]).approval
        waive(w, "2.00", case=w["cases"][1])
        with pytest.raises(BudgetExhausted):
            decide_approval(user=w["lead"], approval_id=approval.pk, decision="approve", business_date=DAY)
        assert ApprovalRequest.objects.get(pk=approval.pk).status == ApprovalStatus.PENDING
        assert TeamBudget.objects.get().spent_fen == 200


def _retrying_when_sqlite_is_locked(call: Any) -> Any:
    """The in-memory SQLite test database reports a shared-cache table lock instead of waiting."""
    deadline = time.monotonic() + 30
    while True:
        try:
            return call()
        except OperationalError as exc:
            if connection.vendor != "sqlite" or "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.005)


@pytest.mark.django_db(transaction=True)
class TestTwoApprovalsAtOnce:
    def test_two_requests_approved_at_the_same_moment_never_overspend_the_budget(self) -> None:
        w = build(2)
        # 8.00 left: each 5.00 waiver fits alone, the two together do not.
        TeamBudget.objects.create(team=w["team"], month=DAY.replace(day=1), limit_fen=800)
        second_lead = staff(Role.TEAM_LEAD, team=w["team"])
        approvals = [waive(w, "5.00", case=case).approval for case in w["cases"]]
        barrier = threading.Barrier(2)
        results: list[Any] = [None, None]

        def approve(i: int, user: Any) -> None:
            try:
                barrier.wait(timeout=10)
                _retrying_when_sqlite_is_locked(
                    lambda: decide_approval(
                        user=user, approval_id=approvals[i].pk, decision="approve", comment="ok", business_date=DAY
                    )
                )
                results[i] = "approved"
            except Exception as exc:
                results[i] = exc
            finally:
                connection.close()

        threads = [threading.Thread(target=approve, args=(i, u)) for i, u in enumerate([w["lead"], second_lead])]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)

        assert sorted(type(r).__name__ for r in results) == ["BudgetExhausted", "str"], results
        budget = TeamBudget.objects.get()
        assert budget.spent_fen == 500 <= budget.limit_fen
        assert Concession.objects.filter(status=ConcessionStatus.APPLIED).count() == 1
        assert ApprovalRequest.objects.filter(status=ApprovalStatus.PENDING).count() == 1
        assert cache_mismatches() == []

"""Scoping: what the probe of issue 9 found, each now a regression test, and the reads of personal
data audited on every door.

- The home page listed the worst accounts of the whole portfolio, with names and numbers, to any
  login, and its bucket table was portfolio-wide: now both are over the accounts the person may see.
- Approval ids could be enumerated (another team's request answered 403 or 422 where an unknown one
  answered 404): now every id the person cannot see, out of range ones included, answers alike.
- Reads of customer data through the API and the account page were not audited: now every door
  records who read what.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from arrears.application import figures
from arrears.audit.models import AuditEntry
from arrears.cases.queries import visible_accounts
from arrears.concessions.models import ApprovalRequest, ApprovalStatus
from arrears.cycle import business_date
from arrears.people.models import Role
from tests.builders import PASSWORD, staff
from tests.conftest import FROZEN_NOW
from tests.functional.two_teams import TODAY, World, two_teams

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _business_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(business_date, "current", lambda: TODAY)


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: Any) -> Iterator[World]:
    """Built once for the module, in a transaction rolled back after its last test (each test runs in
    a savepoint inside it), as tests/functional/test_figures_consistency.py does."""
    from arrears.kernel import clock

    with django_db_blocker.unblock(), pytest.MonkeyPatch.context() as patch:
        patch.setattr(clock, "now", lambda: FROZEN_NOW)
        patch.setattr(business_date, "current", lambda: TODAY)
        with transaction.atomic():
            yield two_teams()
            transaction.set_rollback(True)


def login(user: Any) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def reads(action: str, actor: Any) -> list[str]:
    return list(
        AuditEntry.objects.filter(action=action, actor=actor.get_username())
        .order_by("id")
        .values_list("object_id", flat=True)
    )


class TestHomePage:
    def test_a_collector_sees_only_the_worst_accounts_and_buckets_of_their_team(self, world: World) -> None:
        page = login(world.a.collector).get("/")

        text = page.content.decode()
        assert world.a.customer.name in text and world.a.account.masked_number in text
        assert (
            world.b.customer.name not in text
            and world.b.account.masked_number not in text
            and world.b.account.number not in text
        )
        assert sum(b["n"] for b in page.context["buckets"]) == 1
        assert [w["f"].account_id for w in page.context["worst"]] == [world.a.account.pk]

    def test_a_team_lead_sees_their_teams_and_a_compliance_officer_the_whole_book(self, world: World) -> None:
        lead = login(world.b.lead).get("/")
        officer = login(staff(Role.COMPLIANCE_OFFICER)).get("/")

        assert [w["f"].account_id for w in lead.context["worst"]] == [world.b.account.pk]
        assert {w["f"].account_id for w in officer.context["worst"]} >= {world.a.account.pk, world.b.account.pk}
        assert sum(b["n"] for b in officer.context["buckets"]) == sum(r.accounts for r in figures.portfolio())

    def test_the_scoped_portfolio_is_the_whole_books_rows_narrowed_in_one_query(self, world: World) -> None:
        with CaptureQueriesContext(connection) as queries:
            rows = figures.portfolio(within=visible_accounts(world.a.collector))
        assert [(r.label, r.accounts, r.balance_fen) for r in rows] == [
            (f"M{world.a.account.bucket}", 1, world.a.account.balance_fen)
        ]
        assert len([q for q in queries if "ledger_account" in q["sql"]]) == 1

    def test_the_worst_accounts_shown_are_audited_as_read(self, world: World) -> None:
        login(world.a.collector).get("/")
        assert reads("account.read", world.a.collector)[-1:] == [str(world.a.account.pk)]


def _blank(body: dict[str, Any], value: object) -> dict[str, Any]:
    return {k: (v.replace(str(value), "<id>") if isinstance(v, str) else v) for k, v in body.items()}


OUT_OF_RANGE = (0, -1, 2**31, 2**63, 2**64, 987_654_321)


class TestApprovalIdsCannotBeEnumerated:
    @pytest.mark.parametrize("who", ["collector", "lead"])
    def test_another_teams_request_reads_exactly_as_an_unknown_or_out_of_range_id(self, world: World, who: str) -> None:
        client = login(getattr(world.a, who))
        theirs = world.b.approval.pk

        answers = {i: client.get(f"/api/v1/approvals/{i}") for i in (theirs, *OUT_OF_RANGE)}

        assert {r.status_code for r in answers.values()} == {404}
        assert len({json.dumps(_blank(r.json(), i)) for i, r in answers.items()}) == 1
        assert answers[theirs].json()["field"] == "approval"

    @pytest.mark.parametrize("who", ["collector", "lead"])
    def test_deciding_another_teams_request_is_refused_as_an_unknown_one_and_changes_nothing(
        self, world: World, who: str
    ) -> None:
        client = login(getattr(world.a, who))
        theirs = world.b.approval.pk

        answers = {
            i: client.post(
                f"/api/v1/approvals/{i}/decision",
                data=json.dumps({"decision": "approve", "comment": "probe"}),
                content_type="application/json",
            )
            for i in (theirs, *OUT_OF_RANGE)
        }

        assert {r.status_code for r in answers.values()} == {404}, {i: r.content for i, r in answers.items()}
        assert len({json.dumps(_blank(r.json(), i)) for i, r in answers.items()}) == 1
        assert ApprovalRequest.objects.get(pk=theirs).status == ApprovalStatus.PENDING

    def test_the_approvals_page_words_another_teams_request_as_an_unknown_one(self, world: World) -> None:
        client = login(world.a.lead)
        theirs = world.b.approval.pk
        pages = {
            i: client.post("/approvals/", {"approval": str(i), "decision": "approve"}, follow=True)
            for i in (theirs, 987_654_321, -1, "abc")
        }
        errors = {i: [str(m) for m in p.context["messages"]] for i, p in pages.items()}

        assert {p.status_code for p in pages.values()} == {200}
        assert len({json.dumps(m) for m in errors.values()}) == 1, errors
        assert ApprovalRequest.objects.get(pk=theirs).status == ApprovalStatus.PENDING

    def test_the_request_is_still_read_by_its_maker_and_its_own_teams_lead(self, world: World) -> None:
        theirs = world.b.approval.pk
        assert login(world.b.collector).get(f"/api/v1/approvals/{theirs}").status_code == 200
        assert login(world.b.lead).get(f"/api/v1/approvals/{theirs}").status_code == 200


class TestReadsAreAudited:
    def test_each_api_detail_records_its_object_read_by_the_person_through_its_door(self, world: World) -> None:
        a = world.a
        client = login(a.collector)
        doors = {
            f"/api/v1/cases/{a.case.pk}": ("case.read", a.case.pk),
            f"/api/v1/accounts/{a.account.ref}": ("account.read", a.account.pk),
            f"/api/v1/plans/{a.plan.pk}": ("plan.read", a.plan.pk),
            f"/api/v1/plans/{a.plan.pk}/document": ("plan.read", a.plan.pk),
            f"/api/v1/approvals/{a.approval.pk}": ("approval.read", a.approval.pk),
        }
        for path, (action, object_id) in doors.items():
            before = AuditEntry.objects.count()
            assert client.get(path).status_code == 200, path
            [entry] = AuditEntry.objects.order_by("-id")[: AuditEntry.objects.count() - before]
            assert (entry.action, entry.object_id, entry.actor) == (action, str(object_id), a.collector.username)
            assert entry.after["door"].startswith("api-v1:"), entry.after

    def test_each_page_records_what_it_showed(self, world: World) -> None:
        a = world.a
        client = login(a.collector)
        assert client.get(f"/accounts/{a.account.ref}/").status_code == 200
        assert client.get(f"/plans/{a.plan.pk}/document/").status_code == 200
        assert client.get(f"/cases/{a.case.pk}/").status_code == 200
        assert client.get("/work/").status_code == 200

        assert reads("account.read", a.collector)[-1] == str(a.account.pk)
        assert reads("plan.read", a.collector)[-1] == str(a.plan.pk)
        assert reads("customer.view", a.collector)[-1] == str(a.customer.pk)
        entry = AuditEntry.objects.filter(action="case.read", actor=a.collector.username).latest("id")
        assert entry.after == {"door": "web:workbench"}

    def test_a_list_records_one_entry_per_case_shown_in_one_insert(self, world: World) -> None:
        officer = staff(Role.COMPLIANCE_OFFICER)
        client = login(officer)

        with CaptureQueriesContext(connection) as queries:
            shown = [c["id"] for c in client.get("/api/v1/cases").json()]

        assert len(shown) >= 2
        assert sorted(reads("case.read", officer)) == sorted(str(i) for i in shown)
        inserts = [
            q for q in queries if q["sql"].lstrip().upper().startswith("INSERT") and "audit_auditentry" in q["sql"]
        ]
        assert len(inserts) == 1

    def test_an_id_not_found_records_no_read(self, world: World) -> None:
        before = AuditEntry.objects.filter(actor=world.a.collector.username).count()
        client = login(world.a.collector)
        assert client.get(f"/api/v1/cases/{world.b.case.pk}").status_code == 404
        assert client.get(f"/api/v1/plans/{world.b.plan.pk}").status_code == 404
        assert AuditEntry.objects.filter(actor=world.a.collector.username).count() == before


class TestDialerExport:
    @pytest.fixture(autouse=True)
    def _out(self, tmp_path: Path) -> None:
        self.out = tmp_path / "campaign.csv"

    def export(self, *args: str) -> str:
        at = "2026-05-03T10:00:00+08:00"
        call_command("dialer", "export", "--at", at, "--out", str(self.out), *args, stderr=io.StringIO())
        return self.out.read_text(encoding="utf-8")

    def test_a_team_lead_exports_only_their_teams_cases_audited_under_their_name(self, world: World) -> None:
        csv_text = self.export("--as", world.a.lead.username)

        assert world.a.customer.name in csv_text and world.b.customer.name not in csv_text
        assert reads("case.export", world.a.lead)[-1:] == [str(world.a.case.pk)]

    def test_another_teams_campaign_is_not_found_and_a_collector_may_not_export(self, world: World) -> None:
        with pytest.raises(CommandError, match="no team"):
            self.export("--as", world.a.lead.username, "--team", str(world.b.team.pk))
        with pytest.raises(CommandError, match="only a team lead or an administrator"):
            self.export("--as", world.a.collector.username)
        with pytest.raises(CommandError, match="no active user"):
            self.export("--as", "nobody")

    def test_an_administrator_exports_every_team(self, world: World) -> None:
        csv_text = self.export("--as", staff(Role.ADMINISTRATOR).username)
        assert world.a.customer.name in csv_text and world.b.customer.name in csv_text

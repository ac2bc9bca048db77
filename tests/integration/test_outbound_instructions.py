"""Host-feed mode: what Arrears decides that moves money goes to the card host as outbound instructions
(arrears.ledger.outbound; docs/host-instructions.md).

The world is built in own-ledger mode (tests.builders: the customer bought 1,000.00 on 03-10 and never
paid; on 05-06 fees 5.00, interest 28.00, principal 1,000.00, DPD 13); then the bank is in host-feed
mode and each money move the people decide is followed to its instructions.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from arrears.concessions.models import AuthorityRule, ConcessionStatus
from arrears.concessions.operations import ConcessionIn, request_concession
from arrears.cycle import business_date
from arrears.ledger import posting
from arrears.ledger.models import Entry, EntryKind, InstructionStatus, OutboundInstruction
from arrears.people.models import Role
from arrears.plans.models import Evidence, PlanPolicy, PlanStatus
from arrears.plans.operations import accept_plan, activate_plan, approve_plan, offer_plan, propose_plan
from tests.builders import advance
from tests.collections_factories import PASSWORD, delinquent_customers, staff, team_with_queue
from tests.factories import pay

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 5, 6)
HOST = override_settings(ARREARS_LEDGER_MODE="host_feed")


@pytest.fixture
def world() -> dict[str, Any]:
    lead = staff(Role.TEAM_LEAD)
    team = team_with_queue(lead=lead)
    collector = staff(team=team)
    [case] = delinquent_customers(1, through=DAY)
    AuthorityRule.objects.create(role=Role.COLLECTOR, kind="late_fee_waiver", max_amount_fen=5000)
    AuthorityRule.objects.create(role=Role.COLLECTOR, kind="settlement", max_share=Decimal("0.50"))
    PlanPolicy.objects.create(grace_days=10, missed_to_break=2)
    assert not OutboundInstruction.objects.exists()  # built in own-ledger mode
    return {"case": case, "account": case.customer.accounts.get(), "collector": collector, "lead": lead}


def instructed(**entry_filter: Any) -> list[tuple[str, str, int, dt.date, str]]:
    """The instructions of the entries the filter selects, as (kind, component, amount, date, status)."""
    entries = Entry.objects.filter(**entry_filter).values_list("id", flat=True)
    return sorted(
        OutboundInstruction.objects.filter(entry_id__in=entries).values_list(
            "kind", "component", "amount_fen", "business_date", "status"
        )
    )


def as_entries(**entry_filter: Any) -> list[tuple[str, str, int, dt.date, str]]:
    return sorted(
        (kind, component, fen, day, InstructionStatus.PENDING)
        for kind, component, fen, day in Entry.objects.filter(**entry_filter).values_list(
            "kind", "component", "amount_fen", "posting_date"
        )
    )


class TestEachMoneyMoveIsAnInstruction:
    def test_a_payment_is_instructed_by_component_with_the_signs_of_its_entries(self, world: dict[str, Any]) -> None:
        with HOST:
            pay(world["account"], DAY, "50.00", reference="PORTAL-1")

        # fees first, then interest, then principal (CN-ALLOC); a payment lowers what is owed
        assert instructed(reference="PORTAL-1") == [
            (EntryKind.PAYMENT, "fees", -500, DAY, "pending"),
            (EntryKind.PAYMENT, "interest", -2800, DAY, "pending"),
            (EntryKind.PAYMENT, "principal", -1700, DAY, "pending"),
        ]
        instruction = OutboundInstruction.objects.get(component="fees")
        assert instruction.account_id == world["account"].pk and instruction.entry.reference == "PORTAL-1"

    def test_a_payment_through_the_api_is_instructed_too(
        self, world: dict[str, Any], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(business_date, "current", lambda: DAY)
        world["collector"].user_permissions.add(Permission.objects.get(codename="add_payment"))
        client = Client()
        assert client.login(username=world["collector"].username, password=PASSWORD)
        body = {"account": world["account"].number, "amount": "10.00", "reference": "API-1"}

        with HOST:
            response = client.post("/api/v1/payments", json.dumps(body), content_type="application/json")

        assert response.status_code == 201
        assert instructed(reference="API-1") == [
            (EntryKind.PAYMENT, "fees", -500, DAY, "pending"),
            (EntryKind.PAYMENT, "interest", -500, DAY, "pending"),
        ]

    def test_a_fee_waiver_is_one_instruction_lowering_the_fees(self, world: dict[str, Any]) -> None:
        data = ConcessionIn(kind="late_fee_waiver", reason="income_loss", evidence="letter seen", amount=Decimal("5"))
        with HOST:
            concession = request_concession(user=world["collector"], case=world["case"], data=data, business_date=DAY)

        assert concession.status == ConcessionStatus.APPLIED
        assert instructed(pk=concession.details["entry"]) == [(EntryKind.FEE_WAIVER, "fees", -500, DAY, "pending")]
        assert OutboundInstruction.objects.count() == 1

    def test_a_plan_activation_moves_the_balance_into_the_plan_at_the_host_too(self, world: dict[str, Any]) -> None:
        account = world["account"]
        before = set(Entry.objects.values_list("id", flat=True))
        with HOST:
            plan = propose_plan(
                actor=world["collector"],
                case=world["case"],
                account_number=account.number,
                scope="whole",
                method="flat_fee",
                instalments=3,
                first_due_date=DAY + dt.timedelta(days=10),
                fee_rate=Decimal("0.005"),
                business_date=DAY,
            )
            approve_plan(actor=world["lead"], plan=plan)
            offer_plan(actor=world["collector"], plan=plan, business_date=DAY)
            accept_plan(
                actor=world["collector"],
                plan=plan,
                evidence=Evidence.SIGNED_DOCUMENT,
                evidence_ref="DOC-1",
                business_date=DAY,
            )
            activate_plan(actor=world["collector"], plan=plan, business_date=DAY)

        plan.refresh_from_db()
        assert plan.status == PlanStatus.ACTIVE
        new = {"account": account, "posting_date": DAY}
        rows = instructed(**new)
        assert rows and rows == as_entries(**new)
        assert not OutboundInstruction.objects.filter(entry_id__in=before).exists()
        moved = {component: fen for kind, component, fen, *_ in rows if kind == EntryKind.PLAN_TRANSFER}
        assert moved["fees"] == -500 and moved["interest"] == -2800 and moved["principal"] == -100000
        account.refresh_from_db()
        assert sum(fen for _, _, fen, _, _ in rows) == account.balance_fen - 103300  # the plan's fee

    def test_a_settlement_paid_sends_the_payment_and_the_write_off(self, world: dict[str, Any]) -> None:
        account = world["account"]
        data = ConcessionIn(
            kind="settlement",
            reason="income_loss",
            evidence="letter seen",
            amount=Decimal("619.80"),
            payments=[(DAY + dt.timedelta(days=4), Decimal("619.80"))],
        )
        with HOST:
            concession = request_concession(user=world["collector"], case=world["case"], data=data, business_date=DAY)
            pay(account, DAY, "619.80", reference="AGENCY-7")
            advance(through=DAY + dt.timedelta(days=1))

        concession.refresh_from_db()
        assert concession.status == ConcessionStatus.SETTLED
        assert sum(row[2] for row in instructed(reference="AGENCY-7")) == -61980
        assert instructed(reference=f"concession:{concession.pk}:write_off") == [
            (EntryKind.ADJUSTMENT, "principal", -41320, DAY + dt.timedelta(days=1), "pending")
        ]

    def test_own_ledger_mode_writes_no_instruction_and_no_more_statements(self, world: dict[str, Any]) -> None:
        line = posting.Line(
            account_id=world["account"].pk, kind=EntryKind.PAYMENT, component="fees", amount_fen=-100, posting_date=DAY
        )
        with CaptureQueriesContext(connection) as own:
            posting.post([line])
        with HOST, CaptureQueriesContext(connection) as host:
            posting.post([line])

        assert OutboundInstruction.objects.count() == 1
        assert len(host.captured_queries) == len(own.captured_queries) + 1  # the instructions' one INSERT

    def test_the_feeds_own_host_sync_entries_are_not_sent_back(self, world: dict[str, Any]) -> None:
        lines = [
            posting.Line(account_id=world["account"].pk, kind=kind, component="fees", amount_fen=-100, posting_date=DAY)
            for kind in (EntryKind.HOST_SYNC, EntryKind.FEE_WAIVER)
        ]
        with HOST:
            posting.post(lines)

        assert list(OutboundInstruction.objects.values_list("kind", flat=True)) == [EntryKind.FEE_WAIVER]


def test_on_a_sqlite_without_returning_the_entries_are_found_above_the_highest_id(
    world: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("the path for SQLite before 3.35; PostgreSQL always has RETURNING")
    monkeypatch.setattr(connection.features, "can_return_columns_from_insert", False)
    with HOST:
        pay(world["account"], DAY, "50.00", reference="OLD-SQLITE")

    assert instructed(reference="OLD-SQLITE") == as_entries(reference="OLD-SQLITE")
    assert OutboundInstruction.objects.count() == 3

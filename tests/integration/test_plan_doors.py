"""Plans through their doors: maker-checker, the assessor's review, evidence, bad input, the document."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from arrears.audit.models import AuditEntry
from arrears.cases.models import Case
from arrears.cycle.business_date import open_date
from arrears.errors import ValidationFailed
from arrears.ledger.queries import cache_mismatches
from arrears.people.models import Role
from arrears.plans.models import Evidence, Plan, PlanPolicy, PlanStatus
from arrears.plans.operations import (
    accept_plan,
    activate_plan,
    add_recording,
    approve_plan,
    offer_plan,
    propose_plan,
    review_plan,
)
from tests.builders import advance
from tests.collections_factories import staff, team_with_queue
from tests.factories import make_account, make_product, purchase

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 5, 3)


@pytest.fixture(autouse=True)
def _today(db: None) -> None:
    """The bank is on TODAY, the business date these cases live in."""
    open_date(TODAY)


@pytest.fixture
def world() -> dict[str, Any]:
    PlanPolicy.objects.create(review_above_instalments=12, review_above_fen=5_000_000, missed_to_break=2)
    lead = staff(Role.TEAM_LEAD)
    team = team_with_queue(lead=lead)
    collector = staff(team=team)
    assessor = staff(Role.CREDIT_ASSESSOR)
    account = make_account(product=make_product(daily_interest_rate="0"), name="王小明")
    purchase(account, dt.date(2026, 3, 10), "1200.00")
    advance(through=TODAY)  # 03-05, 03-24, 04-05, 04-24 (late fee, DPD 1), 05-03
    case = Case.objects.get(customer=account.customer)
    return {
        "lead": lead,
        "collector": collector,
        "assessor": assessor,
        "account": account,
        "case": case,
        "other_lead": staff(Role.TEAM_LEAD, team=team),
    }


def propose(w: dict[str, Any], **over: Any) -> Plan:
    args: dict[str, Any] = {
        "scope": "whole",
        "method": "equal_principal",
        "instalments": 6,
        "first_due_date": dt.date(2026, 6, 1),
        "annual_rate": Decimal("0.12"),
    }
    args.update(over)
    return propose_plan(
        actor=over.pop("actor", w["collector"]),
        case=w["case"],
        account_number=w["account"].number,
        business_date=TODAY,
        **{k: v for k, v in args.items() if k != "actor"},
    )


class TestMakerChecker:
    def test_the_proposer_cannot_approve_even_as_a_lead(self, world: dict[str, Any]) -> None:
        plan = propose(world, actor=world["lead"])
        with pytest.raises(ValidationFailed) as exc:
            approve_plan(actor=world["lead"], plan=plan)
        assert exc.value.field == "actor"
        plan.refresh_from_db()
        assert plan.status == PlanStatus.PROPOSED
        approve_plan(actor=world["other_lead"], plan=plan)
        assert plan.status == PlanStatus.APPROVED

    def test_a_collector_cannot_approve(self, world: dict[str, Any]) -> None:
        plan = propose(world)
        with pytest.raises(ValidationFailed, match="role"):
            approve_plan(actor=staff(), plan=plan)

    def test_a_long_plan_needs_the_assessors_review_before_the_lead_approves(self, world: dict[str, Any]) -> None:
        plan = propose(world, instalments=24)
        assert plan.review_required and plan.review_reasons == ["more than 12 instalments"]
        with pytest.raises(ValidationFailed, match="credit assessor must review"):
            approve_plan(actor=world["lead"], plan=plan)
        review_plan(actor=world["assessor"], plan=plan, approve=True, comment="affordable: 22% of income")
        approve_plan(actor=world["lead"], plan=plan)
        assert (plan.status, plan.reviewed_by, plan.approved_by) == (
            PlanStatus.APPROVED,
            world["assessor"],
            world["lead"],
        )

    def test_a_large_plan_needs_the_review_too(self, world: dict[str, Any]) -> None:
        PlanPolicy.objects.create(review_above_fen=100_000)  # 1,000.00: the newest policy is in force
        plan = propose(world)
        assert plan.review_reasons == ["more than 1000.00"]

    def test_a_short_small_plan_goes_straight_to_the_lead(self, world: dict[str, Any]) -> None:
        plan = propose(world)
        assert not plan.review_required
        approve_plan(actor=world["lead"], plan=plan)
        assert plan.status == PlanStatus.APPROVED


class TestEvidence:
    def test_an_oral_plan_without_a_recording_cannot_be_activated(self, world: dict[str, Any]) -> None:
        plan = propose(world)
        approve_plan(actor=world["lead"], plan=plan)
        offer_plan(actor=world["collector"], plan=plan, business_date=TODAY)
        accept_plan(actor=world["collector"], plan=plan, evidence=Evidence.RECORDED_CALL, business_date=TODAY)
        with pytest.raises(ValidationFailed, match="recording") as exc:
            activate_plan(actor=world["collector"], plan=plan, business_date=TODAY)
        assert exc.value.field == "evidence_ref"
        world["account"].refresh_from_db()
        assert (world["account"].plan_fen, plan.status) == (0, PlanStatus.ACCEPTED)
        add_recording(actor=world["collector"], plan=plan, recording_ref="REC-0001")
        activate_plan(actor=world["collector"], plan=plan, business_date=TODAY)
        assert plan.status == PlanStatus.ACTIVE
        assert cache_mismatches() == []

    def test_a_signed_document_needs_its_reference(self, world: dict[str, Any]) -> None:
        plan = propose(world)
        approve_plan(actor=world["lead"], plan=plan)
        offer_plan(actor=world["collector"], plan=plan, business_date=TODAY)
        with pytest.raises(ValidationFailed) as exc:
            accept_plan(actor=world["collector"], plan=plan, evidence=Evidence.SIGNED_DOCUMENT, business_date=TODAY)
        assert exc.value.field == "evidence_ref"


class TestBadInput:
    @pytest.mark.parametrize(
        ("over", "field"),
        [
            ({"instalments": 61}, "instalments"),
            ({"first_due_date": dt.date(2026, 5, 1)}, "first_due_date"),
            ({"annual_rate": Decimal("-0.01")}, "annual_rate"),
            ({"method": "balloon"}, "method"),
            ({"scope": "some"}, "scope"),
        ],
    )
    def test_is_refused_naming_the_field_and_nothing_changes(
        self, world: dict[str, Any], over: dict[str, Any], field: str
    ) -> None:
        audit = AuditEntry.objects.count()
        with pytest.raises(ValidationFailed) as exc:
            propose(world, **over)
        assert exc.value.field == field
        assert Plan.objects.count() == 0
        assert AuditEntry.objects.count() == audit

    def test_the_api_answers_422_naming_the_field(self, world: dict[str, Any]) -> None:
        client = Client()
        client.force_login(world["collector"])
        body = {
            "account": world["account"].number,
            "scope": "whole",
            "method": "equal_payment",
            "instalments": 61,
            "first_due_date": "2026-06-01",
            "annual_rate": "0.12",
        }
        r = client.post(f"/api/v1/cases/{world['case'].pk}/plans", json.dumps(body), content_type="application/json")
        assert r.status_code == 422
        assert r.json()["field"] == "instalments"
        assert "60" in r.json()["message"]
        assert Plan.objects.count() == 0


class TestApi:
    def test_the_life_of_a_plan_through_the_api(self, world: dict[str, Any]) -> None:
        collector, lead = Client(), Client()
        collector.force_login(world["collector"])
        lead.force_login(world["lead"])
        body = {
            "account": world["account"].number,
            "scope": "whole",
            "method": "flat_fee",
            "instalments": 4,
            "first_due_date": "2026-06-01",
            "fee_rate": "0.005",
        }
        r = collector.post(f"/api/v1/cases/{world['case'].pk}/plans", json.dumps(body), content_type="application/json")
        assert r.status_code == 201, r.content
        plan = r.json()
        assert [i["amount"] for i in plan["schedule"]] == ["307.53"] * 4
        r = collector.post(f"/api/v1/plans/{plan['id']}/approve", "{}", content_type="application/json")
        assert (r.status_code, r.json()["field"]) == (422, "actor")
        r = lead.post(f"/api/v1/plans/{plan['id']}/approve", "{}", content_type="application/json")
        assert r.json()["status"] == "approved"
        r = collector.post(f"/api/v1/plans/{plan['id']}/offer")
        assert r.json()["document"] is True and "307.53" in r.json()["summary"]["zh-hans"]
        r = collector.post(
            f"/api/v1/plans/{plan['id']}/accept",
            json.dumps({"evidence": "portal_click", "evidence_ref": "portal-77"}),
            content_type="application/json",
        )
        assert r.json()["status"] == "accepted"
        r = collector.post(f"/api/v1/plans/{plan['id']}/activate")
        assert r.json()["status"] == "active"
        pdf = collector.get(f"/api/v1/plans/{plan['id']}/document")
        assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


def pdf_text(data: bytes, tmp_path: Any) -> str:
    path = tmp_path / "plan.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True).stdout


class TestDocument:
    def test_the_chinese_document_names_the_customer_and_every_cn_plan_item(
        self, world: dict[str, Any], tmp_path: Any
    ) -> None:
        plan = propose(world, method="flat_fee", instalments=4, annual_rate=Decimal(0), fee_rate=Decimal("0.005"))
        approve_plan(actor=world["lead"], plan=plan)
        offer_plan(actor=world["collector"], plan=plan, business_date=TODAY)
        text = pdf_text(bytes(plan.document_pdf), tmp_path)
        assert plan.document_language == "zh-hans"
        for item in (
            "王小明",
            world["account"].masked_number,  # the card number, masked (PCI DSS)
            "欠款余额",
            "1206.00",  # the balance
            "币种",
            "CNY",  # the currency
            "还款计划",
            "2026-06-01",
            "2026-09-01",
            "307.53",
            "1230.12",  # schedule and amounts
            "费用与利息",
            "不再计收信用卡循环利息",  # whether fees and interest run
            "不向本行或其他机构申请新的信用卡",  # the undertaking: no new card until settled
            "持卡人的权利",
            "持卡人的义务",
            "违约责任",
        ):  # rights, duties, default
            assert item in text.replace(" ", "") or item in text, item
        assert world["account"].number not in text.replace(" ", "")

    def test_an_english_customer_gets_it_in_english(self, world: dict[str, Any], tmp_path: Any) -> None:
        customer = world["account"].customer
        customer.language = "en"
        customer.save()
        plan = propose(world)
        approve_plan(actor=world["lead"], plan=plan)
        offer_plan(actor=world["collector"], plan=plan, business_date=TODAY)
        text = pdf_text(bytes(plan.document_pdf), tmp_path)
        for item in (
            "Balance and currency",
            "CNY",
            "Schedule and amounts",
            "Fees and interest",
            "no new credit card",
            "rights",
            "duties",
            "Default",
        ):
            assert item in text, item
        assert "what is left returns to your card account" in plan.summary["en"]

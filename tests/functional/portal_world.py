"""Two cardholders for the portal's tests, past due since 04-23, each with a plan offered and a letter sent,
and the steps of signing in through the real one-time code (read from the SMS adapter's outbox)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.test import Client

from arrears.application.outreach import approve_template, create_template, send_message
from arrears.cycle.business_date import open_date
from arrears.ledger.models import Account, Customer
from arrears.outreach.models import Message
from arrears.people.models import Role
from arrears.plans.models import Plan
from arrears.plans.operations import approve_plan, offer_plan, propose_plan
from arrears.portal.rules import national_id_check
from tests.builders import past_due, staff, team_with_queue

TODAY = dt.date(2026, 5, 3)


def national_id(n: int) -> str:
    first = f"11010119900101{n:03d}"
    return first + national_id_check(first)


@dataclasses.dataclass(frozen=True)
class Holder:
    customer: Customer
    account: Account
    national_id: str
    mobile: str
    plan: Plan
    letter: Message

    @property
    def last_four(self) -> str:
        return self.account.number[-4:]


def build(settings: Any, tmp_path: Path, *, languages: tuple[str, str] = ("zh-hans", "zh-hans")) -> list[Holder]:
    settings.ARREARS_SMS_OUTBOX = str(tmp_path / "outbox.jsonl")
    open_date(TODAY)
    lead = staff(Role.TEAM_LEAD)
    team = team_with_queue(lead=lead)
    collector = staff(team=team)
    debtors = past_due(dpd=(TODAY - dt.date(2026, 4, 23)).days, count=2)
    author, officer = staff(Role.COMPLIANCE_OFFICER), staff(Role.COMPLIANCE_OFFICER)
    for language in set(languages):
        template = create_template(
            user=author, code="letter", channel="letter", language=language, body="{{ name }}：\n请尽快还款。"
        )
        approve_template(user=officer, template=template, business_date=TODAY)
    holders = []
    for i, debtor in enumerate(debtors):
        nid, mobile = national_id(i + 1), f"1380013800{i}"
        Customer.objects.filter(pk=debtor.customer.pk).update(
            national_id=nid, mobile=mobile, address=f"北京市朝阳区建国路 {i + 1} 号", language=languages[i]
        )
        assert debtor.case is not None
        plan = propose_plan(
            actor=collector,
            case=debtor.case,
            account_number=debtor.account.number,
            scope="whole",
            method="flat_fee",
            instalments=4,
            first_due_date=dt.date(2026, 6, 1),
            fee_rate=Decimal("0.005"),
            business_date=TODAY,
        )
        approve_plan(actor=lead, plan=plan)
        offer_plan(actor=collector, plan=plan, business_date=TODAY)
        customer = Customer.objects.get(pk=debtor.customer.pk)
        letter = send_message(
            actor="test", customer=customer, channel="letter", template_code="letter", business_date=TODAY
        )
        plan.refresh_from_db()
        holders.append(Holder(customer, debtor.account, nid, mobile, plan, letter))
    return holders


def outbox(settings: Any) -> list[dict[str, str]]:
    path = Path(settings.ARREARS_SMS_OUTBOX)
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def last_code(settings: Any, mobile: str) -> str:
    texts = [m["text"] for m in outbox(settings) if m["to"] == mobile]
    assert texts, f"no SMS to {mobile}"
    found = re.search(r"\b(\d{6})\b", texts[-1])
    assert found, texts[-1]
    return found.group(1)


def ask_code(client: Client, holder: Holder, prefix: str = "") -> Any:
    return client.post(f"{prefix}/portal/login/", {"last_four": holder.last_four, "national_id": holder.national_id})


def sign_in(settings: Any, holder: Holder, client: Client | None = None) -> Client:
    client = client or Client()
    assert ask_code(client, holder).status_code == 302
    response = client.post("/portal/login/code/", {"code": last_code(settings, holder.mobile)})
    assert response.status_code == 302 and response["Location"].endswith("/portal/"), response
    return client

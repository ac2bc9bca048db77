"""The disputes' pages and API through Django's test client: opening from the case page, the annotation
and the disputed amount on the case and account pages, the detail page's evidence pack (pdftotext),
maker and checker, the lead's SLA section, another team's dispute 404, and every word of the pages in
the page's language."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from arrears.cycle import business_date
from arrears.disputes.models import Dispute
from arrears.ledger.models import Entry, EntryKind
from arrears.people.models import Role
from tests.builders import PASSWORD, staff
from tests.functional.test_translations_complete import chinese_strings, data_names, english_words, visible_text
from tests.functional.two_teams import TODAY, World, two_teams

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _business_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(business_date, "current", lambda: TODAY)


@pytest.fixture
def world() -> World:
    return two_teams()


def client_of(user: Any) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def _pdf_text(tmp_path: Path, pdf: bytes) -> str:
    path = tmp_path / "pack.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def test_open_from_the_case_page_decide_and_read_it_in_both_languages(world: World, tmp_path: Path) -> None:
    a = world.a
    purchase = Entry.objects.get(account=a.account, kind=EntryKind.PURCHASE)
    collector, service, lead = client_of(a.collector), client_of(staff(Role.CUSTOMER_SERVICE)), client_of(a.lead)
    case_path = f"/cases/{a.case.pk}/"
    assert 'id="dispute-form"' in collector.get(case_path).content.decode()

    refused = collector.post(
        "/disputes/open/",
        {"account": a.account.ref, "kind": "fee", "entry": purchase.pk, "reason": "x", "channel": "phone",
         "next": case_path},
        follow=True,
    )  # fmt: skip
    assert "对账单交易或费用" in refused.content.decode() and not Dispute.objects.exists()  # the field, by its label

    answer = collector.post(
        "/disputes/open/",
        {"account": a.account.ref, "kind": "statement_line", "entry": purchase.pk, "amount": "300.00",
         "reason": "只消费了700元", "channel": "phone", "next": case_path},
    )  # fmt: skip
    dispute = Dispute.objects.get()
    assert answer.status_code == 302 and answer["Location"] == f"/disputes/{dispute.pk}/"

    page = collector.get(case_path).content.decode()
    assert 'id="dispute-annotation"' in page and f'data-dispute="{dispute.pk}"' in page
    assert 'id="fig-disputed"' in page and "300.00" in page  # the amount not to demand, on the summary
    assert "CN-HOLD-DISPUTE" in page  # the gate's note on the channels
    assert f'data-dispute="{dispute.pk}"' in collector.get(f"/accounts/{a.account.ref}/").content.decode()

    pack = collector.get(f"/disputes/{dispute.pk}/evidence.pdf")
    assert pack["Content-Type"] == "application/pdf"
    text = _pdf_text(tmp_path, pack.content)
    assert "异议证据材料" in text and "purchase" in text and "只消费了700元" in text

    # The maker proposes, the maker cannot decide, another person decides.
    service.post(f"/disputes/{dispute.pk}/", {"action": "propose", "outcome": "upheld", "reasons": "商户已退款"})
    dispute.refresh_from_db()
    assert dispute.status == "proposed"
    assert 'id="decide-form"' not in service.get(f"/disputes/{dispute.pk}/").content.decode()
    service.post(f"/disputes/{dispute.pk}/", {"action": "approve"})
    assert Dispute.objects.get().status == "proposed"
    assert 'id="decide-form"' in lead.get(f"/disputes/{dispute.pk}/").content.decode()
    lead.post(f"/en/disputes/{dispute.pk}/", {"action": "approve"})
    dispute.refresh_from_db()
    assert dispute.status == "upheld" and dispute.resolution["credited_fen"] == 30000

    names = data_names() | {"只消费了700元", "商户已退款"}
    en = visible_text(lead.get(f"/en/disputes/{dispute.pk}/").content.decode())  # shows the English message too
    zh = visible_text(lead.get(f"/disputes/{dispute.pk}/").content.decode())
    assert not english_words(zh, names), english_words(zh, names)
    assert not chinese_strings(en, names), chinese_strings(en, names)
    for path in ("/disputes/?show=all", "/team/"):
        assert not english_words(visible_text(lead.get(path).content.decode()), names)
        assert not chinese_strings(visible_text(lead.get("/en" + path).content.decode()), names)


def test_the_lead_page_shows_open_breached_and_due_soon(world: World) -> None:
    a = world.a
    purchase = Entry.objects.get(account=a.account, kind=EntryKind.PURCHASE)
    lead = client_of(a.lead)
    lead.post(
        "/disputes/open/",
        {"account": a.account.ref, "kind": "statement_line", "entry": purchase.pk, "reason": "r", "channel": "email"},
    )
    Dispute.objects.update(due_on=TODAY)  # due today: within three days
    page = lead.get("/team/").content.decode()
    assert 'id="sla-open"' in page
    assert "3 天内到期: 1" in page
    Dispute.objects.update(due_on=TODAY.replace(day=1), sla_breached=True)
    page = lead.get("/en/team/").content.decode()
    assert "Past the answer date: 1" in page
    assert "late" in page


def test_the_api_opens_proposes_decides_and_another_team_gets_404(world: World) -> None:
    a, b = world.a, world.b
    purchase = Entry.objects.get(account=a.account, kind=EntryKind.PURCHASE)
    service, lead = client_of(staff(Role.CUSTOMER_SERVICE)), client_of(a.lead)
    created = service.post(
        "/api/v1/disputes",
        json.dumps({"account": a.account.ref, "kind": "statement_line", "entry": purchase.pk, "amount": "1,50",
                    "reason": "r", "channel": "phone"}),
        content_type="application/json",
    )  # fmt: skip
    assert created.status_code == 422 and created.json()["field"] == "amount"
    created = service.post(
        "/api/v1/disputes",
        json.dumps({"account": a.account.ref, "kind": "statement_line", "entry": purchase.pk, "amount": "150.00",
                    "reason": "r", "channel": "phone"}),
        content_type="application/json",
    )  # fmt: skip
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["amount"], body["hold"], body["status"]) == ("150.00", "amount", "open")
    url = f"/api/v1/disputes/{body['id']}"
    assert client_of(b.collector).get(url).status_code == 404
    assert (
        client_of(b.lead).post(url + "/decision", {"approve": True}, content_type="application/json").status_code == 404
    )
    assert client_of(a.collector).get(url).status_code == 200
    proposed = service.post(
        url + "/proposal", {"outcome": "rejected", "reasons": "ok"}, content_type="application/json"
    )
    assert proposed.status_code == 200 and proposed.json()["status"] == "proposed"
    own = service.post(url + "/decision", {"approve": True}, content_type="application/json")
    assert own.status_code == 403
    done = lead.post(url + "/decision", {"approve": True}, content_type="application/json")
    assert done.status_code == 200 and done.json()["status"] == "rejected" and done.json()["resolution"]["letter"]
    again = lead.post(url + "/decision", {"approve": True}, content_type="application/json")
    assert again.status_code == 409

"""The legal officer's pages through Django's test client: who may open them, referring an account,
advancing a case, errors naming the field, the case page (360) showing the legal stage, and every
word of the legal case page in the page's language."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from arrears.cycle.business_date import open_date
from arrears.interfaces.web.concessions import masked_name
from arrears.legal.models import LegalCase
from arrears.people.models import Role
from tests import builders
from tests.builders import PASSWORD
from tests.functional.test_translations_complete import chinese_strings, english_words, visible_text

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 2)


def client_of(user: Any) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


@pytest.fixture
def world() -> dict[str, Any]:
    debtor = builders.charged_off(amount="1000.00")
    open_date(TODAY)
    return {"debtor": debtor, "officer": builders.staff(Role.LEGAL_OFFICER), "collector": builders.staff()}


def test_refer_advance_and_read_in_both_languages(world: dict[str, Any]) -> None:
    officer, debtor = world["officer"], world["debtor"]
    client = client_of(officer)
    assert client.get("/legal/").status_code == 200
    missing = client.post("/legal/", {"account": "nobody", "kind": "lawsuit"}, follow=True)
    assert "卡号或账户编号" in missing.content.decode() and not LegalCase.objects.exists()
    answer = client.post("/legal/", {"account": debtor.account.ref, "kind": "lawsuit"})
    case = LegalCase.objects.get()
    assert answer.status_code == 302 and answer["Location"] == f"/legal/cases/{case.pk}/"

    no_court = client.post(f"/legal/cases/{case.pk}/", {"action": "advance", "stage": "filing", "on": "2026-11-02"})
    assert no_court.status_code == 200 and "法院" in no_court.content.decode()
    assert LegalCase.objects.get().stage == "referral"
    done = client.post(
        f"/legal/cases/{case.pk}/",
        {"action": "advance", "stage": "filing", "on": "2026-11-02", "court": "朝阳区人民法院", "case_number": "A1"},
    )
    assert done.status_code == 302 and LegalCase.objects.get().stage == "filing"
    bad_date = client.post(f"/legal/cases/{case.pk}/", {"action": "demand", "on": "tomorrow", "channel": "letter"})
    assert bad_date.status_code == 200 and LegalCase.objects.get().demands.count() == 0

    # What the data holds, shown as it is: the customer's name (masked too), the court, the language picker.
    names = {
        debtor.customer.name,
        masked_name(debtor.customer.name),
        "朝阳区人民法院",
        officer.username,
        "A1",
        "简体中文",
    }
    zh = client.get(f"/legal/cases/{case.pk}/").content.decode()
    assert "诉讼时效" in zh and "2029" in zh and 'id="advance-form"' in zh
    assert english_words(visible_text(zh), names) == set()
    en = client.get(f"/en/legal/cases/{case.pk}/").content.decode()
    assert "Limitation period" in en and "Suable until" in en
    assert chinese_strings(visible_text(en), names) == set()
    for path in ("/legal/", "/en/legal/"):
        text = client.get(path).content.decode()
        assert f'id="legal-row-{case.pk}"' in text


def test_only_legal_officers_and_unknown_ids_are_404(world: dict[str, Any]) -> None:
    from arrears.legal.operations import refer

    case = refer(account=world["debtor"].account, date=TODAY, by=world["officer"])
    collector = client_of(world["collector"])
    for path in ("/legal/", f"/legal/cases/{case.pk}/"):
        assert collector.get(path).status_code == 403
        assert collector.post(path, {"action": "advance", "stage": "closed", "on": "2026-11-02"}).status_code == 403
    assert LegalCase.objects.get().stage == "referral"
    assert client_of(world["officer"]).get("/legal/cases/987654321/").status_code == 404
    assert 'id="nav-legal"' in client_of(world["officer"]).get("/legal/").content.decode()
    assert 'id="nav-legal"' not in collector.get("/work/").content.decode()


def test_the_case_page_shows_the_legal_stage() -> None:
    _team, collector, debtor = builders.case_in_queue(dpd=100)
    officer = builders.staff(Role.LEGAL_OFFICER)
    from arrears.legal.operations import refer

    assert debtor.case is not None
    client = client_of(collector)
    assert 'id="legal-action"' not in client.get(f"/cases/{debtor.case.pk}/").content.decode()
    refer(account=debtor.account, date=dt.date(2026, 8, 1), by=officer, kind="payment_order")
    text = client.get(f"/cases/{debtor.case.pk}/").content.decode()
    assert 'id="legal-action"' in text and "支付令" in text and "移交" in text

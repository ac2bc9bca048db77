"""The guided call on the case page: one form whose outcome decides what is saved with it, the rules
shown before saving, masked numbers resolved on the server, and "save and next account"."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from arrears.cases.models import Case
from arrears.contacts.models import Callback, Contact, FinancialSituation, Handoff
from arrears.cycle.business_date import open_date
from arrears.kernel import clock
from arrears.promises.models import Promise
from tests.collections_factories import PASSWORD, delinquent_customers, staff, team_with_queue

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 5, 3)
BEIJING = ZoneInfo("Asia/Shanghai")
MORNING = dt.datetime(2026, 5, 3, 10, 0, tzinfo=BEIJING)
MOBILE, HOME = "13912345678", "02155557777"


@pytest.fixture
def world(db: None, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    open_date(TODAY)
    monkeypatch.setattr(clock, "now", lambda: MORNING)
    team = team_with_queue()
    collector = staff(team=team)
    cases = delinquent_customers(2, through=TODAY)
    for case in cases:
        case.customer.mobile, case.customer.home_phone = MOBILE, HOME
        case.customer.save()
    Case.objects.filter(pk__in=[c.pk for c in cases]).update(collector=collector, team=team)
    client = Client()
    assert client.login(username=collector.username, password=PASSWORD)
    return {"client": client, "cases": cases, "collector": collector}


def call(**fields: str) -> dict[str, str]:
    return {
        "action": "call",
        "channel": "phone",
        "direction": "outbound",
        "address": "",
        "party": "cardholder",
        "result": "right_party_contact",
        "disposition": "",
        "duration_seconds": "120",
        **fields,
    }


def text(response: Any) -> str:
    return str(response.content.decode())


class TestThePage:
    def test_the_page_never_holds_a_full_number_and_offers_them_masked(self, world: dict[str, Any]) -> None:
        case = world["cases"][0]
        page = text(world["client"].get(f"/cases/{case.pk}/"))
        assert MOBILE not in page and HOME not in page
        assert re.search(r'<option value="home_phone">[^<]*021\*\*\*\*7777</option>', page)
        assert 'id="summary"' in page and 'class="summary' in page and 'id="call-panel"' in page

    def test_the_promise_rules_are_shown_beside_the_fields_before_saving(self, world: dict[str, Any]) -> None:
        case = world["cases"][0]
        page = text(world["client"].get(f"/en/cases/{case.pk}/"))
        minimum = re.search(r'id="promise-minimum">At least ([\d,.]+)', page)
        latest = re.search(r'id="promise-latest">On or before (.+?) \(', page)
        assert minimum and latest
        # The policy: half the past-due amount, at most 14 days ahead.
        assert minimum.group(1) == f"{case.past_due_fen / 2 / 100:,.2f}"
        assert latest.group(1) == "17 May 2026"  # the English pages' date format

    def test_the_identification_script_is_in_the_customers_language(self, world: dict[str, Any]) -> None:
        case = world["cases"][0]
        page = text(world["client"].get(f"/en/cases/{case.pk}/"))  # an English page, a Chinese customer
        script = re.search(r'<p class="script" id="ident-script" lang="zh-Hans">([^<]+)</p>', page)
        assert script and "本人" in script.group(1) and case.customer.name in script.group(1)


class TestSaving:
    def test_a_promise_on_the_home_phone_is_saved_with_the_full_number_and_the_promise(
        self, world: dict[str, Any]
    ) -> None:
        case = world["cases"][0]
        r = world["client"].post(
            f"/cases/{case.pk}/",
            call(
                address="home_phone",
                offer="promise",
                disposition="promise",
                promise_amount=f"{case.past_due_fen / 100:.2f}",
                promise_date="2026-05-08",
                reason="income_loss",
            ),
        )
        assert r.status_code == 302 and r["Location"] == f"/cases/{case.pk}/"
        contact = Contact.objects.get(case=case)
        assert contact.address == HOME and contact.disposition == "promise"
        assert Promise.objects.get(case=case).promised_date == dt.date(2026, 5, 8)

    def test_a_promise_below_the_minimum_is_refused_beside_the_amount_and_nothing_is_saved(
        self, world: dict[str, Any]
    ) -> None:
        case = world["cases"][0]
        r = world["client"].post(
            f"/en/cases/{case.pk}/",
            call(disposition="promise", offer="promise", promise_amount="1.00", promise_date="2026-05-08"),
        )
        assert r.status_code == 200
        page = text(r)
        amount_field = page.index('name="promise_amount"')
        error = page.index("must be at least", amount_field)
        assert error - amount_field < 1500  # beside the field, not at the top of the page
        assert not Contact.objects.exists() and not Promise.objects.exists()

    def test_the_outcome_decides_the_fields_a_callback_needs_its_time(self, world: dict[str, Any]) -> None:
        case = world["cases"][0]
        r = world["client"].post(f"/en/cases/{case.pk}/", call(disposition="callback"))
        assert r.status_code == 200 and "A callback outcome needs the time to call back." in text(r)
        assert not Contact.objects.exists()

        r = world["client"].post(f"/cases/{case.pk}/", call(disposition="callback", callback_at="2026-05-04T15:00"))
        assert r.status_code == 302
        assert Callback.objects.get(case=case).due_at == dt.datetime(2026, 5, 4, 15, 0, tzinfo=BEIJING)

    def test_the_situation_and_the_hand_off_are_saved_with_the_call(self, world: dict[str, Any]) -> None:
        case = world["cases"][0]
        r = world["client"].post(
            f"/cases/{case.pk}/",
            call(
                disposition="hardship_claimed",
                reason="illness",
                monthly_income="6000.00",
                monthly_expenses="5500.00",
                dependants="2",
                ability="unable",
                willingness="willing",
                offer="plan",
                hand_to="credit_assessor",
                hand_comment="请评估分期",
            ),
        )
        assert r.status_code == 302 and r["Location"] == f"/cases/{case.pk}/?tab=plan"
        situation = FinancialSituation.objects.get(case=case)
        assert (situation.monthly_income_fen, situation.dependants) == (6000_00, 2)
        assert Handoff.objects.get(case=case).to_role == "credit_assessor"

    def test_a_refused_part_saves_nothing(self, world: dict[str, Any]) -> None:
        case = world["cases"][0]
        r = world["client"].post(f"/en/cases/{case.pk}/", call(hand_to="credit_assessor", hand_comment=" "))
        assert r.status_code == 200
        assert not Contact.objects.exists() and not Handoff.objects.exists()

    def test_save_and_next_account_goes_to_the_next_case_of_the_queue(self, world: dict[str, Any]) -> None:
        first, second = world["cases"]
        r = world["client"].post(f"/cases/{first.pk}/", call(go="next", disposition="refuses_to_pay"))
        assert r.status_code == 302 and r["Location"] == f"/cases/{second.pk}/"
        assert Case.objects.get(pk=second.pk).lease_holder == world["collector"]

    def test_with_htmx_a_refusal_gives_the_panel_back_and_a_save_redirects(self, world: dict[str, Any]) -> None:
        case = world["cases"][0]
        hx = {"HTTP_HX_REQUEST": "true"}
        r = world["client"].post(f"/en/cases/{case.pk}/", call(disposition="callback"), **hx)
        assert r.status_code == 200 and text(r).startswith('<section class="card" id="call-panel"')
        r = world["client"].post(f"/cases/{case.pk}/", call(disposition="refuses_to_pay"), **hx)
        assert r.status_code == 204 and r["HX-Redirect"] == f"/cases/{case.pk}/"


class TestDialLimit:
    def test_the_dial_limit_refusal_names_the_number_masked(self, world: dict[str, Any]) -> None:
        case = world["cases"][0]
        Contact.objects.bulk_create(
            Contact(
                case=case,
                collector=world["collector"],
                at=MORNING - dt.timedelta(minutes=10 * (k + 1)),
                channel="phone",
                address=MOBILE,
                party="none",
                result="no_answer",
            )
            for k in range(6)
        )
        for path in (f"/cases/{case.pk}/", f"/en/cases/{case.pk}/"):
            r = world["client"].post(path, call(party="none", result="no_answer"))
            page = text(r)
            assert r.status_code == 200 and "CN-DIALS" in page
            assert MOBILE not in page and "139****5678" in page
        assert Contact.objects.filter(case=case).count() == 6


class TestTabs:
    def test_each_tab_reads_only_its_own_rows_and_htmx_gets_only_the_tab(self, world: dict[str, Any]) -> None:
        case = world["cases"][0]
        client = world["client"]
        full = text(client.get(f"/cases/{case.pk}/?tab=history"))
        assert 'id="payments-table"' in full and 'id="summary"' in full
        part = text(client.get(f"/cases/{case.pk}/?tab=history", HTTP_HX_REQUEST="true"))
        assert 'id="payments-table"' in part and 'id="summary"' not in part
        assert 'id="concession-form"' in text(client.get(f"/cases/{case.pk}/?tab=concession"))
        assert 'id="plan-form"' in text(client.get(f"/cases/{case.pk}/?tab=plan"))
        assert 'id="payments-table"' not in text(client.get(f"/cases/{case.pk}/"))

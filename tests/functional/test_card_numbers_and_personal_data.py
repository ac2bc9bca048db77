"""Card numbers are PANs: every page, letter, export and API answer shows them masked, URLs and
look-ups use the account's internal reference, and the full value (card number, phone, national ID)
goes only to a role that needs it, through an audited reveal with a reason."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from arrears.application.dialer import export_csv
from arrears.application.outreach import approve_template, create_template, send_message
from arrears.audit.models import AuditEntry
from arrears.contacts.models import Contact
from arrears.cycle.business_date import open_date
from arrears.ledger.models import Account, Customer
from arrears.people.models import Role
from tests.collections_factories import PASSWORD, delinquent_customers, staff, team_with_queue

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 5, 3)
PAN = "6225881234567890"
MASKED_PAN = "622588******7890"
MOBILE = "13812345678"
MASKED_MOBILE = "138****5678"
NATIONAL_ID = "110105199001011234"
SECRETS = (PAN, MOBILE, NATIONAL_ID)


@pytest.fixture
def world(db: None) -> dict[str, Any]:
    open_date(TODAY)
    team = team_with_queue()
    collector = staff(team=team)
    outsider = staff(team=team_with_queue())
    [case] = delinquent_customers(1, through=TODAY)
    customer = case.customer
    Customer.objects.filter(pk=customer.pk).update(
        name="王小明", mobile=MOBILE, national_id=NATIONAL_ID, address="北京市朝阳区建国路 88 号"
    )
    account = customer.accounts.get()
    Account.objects.filter(pk=account.pk).update(number=PAN)
    account.refresh_from_db()
    case.refresh_from_db()
    return {
        "case": case,
        "account": account,
        "collector": collector,
        "outsider": outsider,
        "service": staff(Role.CUSTOMER_SERVICE),
        "assessor": staff(Role.CREDIT_ASSESSOR),
    }


def login(user: Any) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def assert_no_secret(content: bytes | str) -> None:
    text = content.decode() if isinstance(content, bytes) else content
    for secret in SECRETS:
        assert secret not in text, secret


class TestMaskedEverywhere:
    @pytest.mark.parametrize("role", ["collector", "service"])
    def test_the_360_page_holds_neither_the_card_number_nor_the_phone_nor_the_national_id(
        self, world: dict[str, Any], role: str
    ) -> None:
        response = login(world[role]).get(f"/cases/{world['case'].pk}/")
        assert response.status_code == 200
        assert_no_secret(response.content)
        text = response.content.decode()
        assert MASKED_PAN in text and MASKED_MOBILE in text and "110***********1234" in text
        assert f'href="/accounts/{world["account"].ref}/"' in text

    def test_the_account_page_shows_the_card_number_masked_and_is_found_by_its_reference(
        self, world: dict[str, Any]
    ) -> None:
        client = login(world["service"])
        response = client.get(f"/accounts/{world['account'].ref}/")
        assert response.status_code == 200
        assert_no_secret(response.content)
        assert MASKED_PAN in response.content.decode()
        assert client.get(f"/accounts/{PAN}/").status_code == 404  # the card number is no key

    def test_the_portfolio_page_lists_the_worst_accounts_masked_and_linked_by_reference(
        self, world: dict[str, Any]
    ) -> None:
        response = login(world["service"]).get("/")
        assert response.status_code == 200
        assert_no_secret(response.content)

    def test_the_api_names_the_account_by_its_reference_and_masks_the_card_number(self, world: dict[str, Any]) -> None:
        client = login(world["collector"])
        response = client.get(f"/api/v1/accounts/{world['account'].ref}")
        assert response.status_code == 200
        assert response.json()["ref"] == world["account"].ref
        assert response.json()["number"] == MASKED_PAN
        assert_no_secret(response.content)
        assert client.get(f"/api/v1/accounts/{PAN}").status_code == 404

    @pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils' pdftotext")
    def test_the_collection_letter_prints_the_card_number_masked(self, world: dict[str, Any], tmp_path: Path) -> None:
        author, officer = staff(Role.COMPLIANCE_OFFICER), staff(Role.COMPLIANCE_OFFICER)
        template = create_template(
            user=author, code="letter", channel="letter", language="zh-hans", body="{{ name }}：\n请尽快还款。"
        )
        approve_template(user=officer, template=template, business_date=TODAY)
        message = send_message(
            actor="test", customer=world["case"].customer, channel="letter", template_code="letter", business_date=TODAY
        )
        pdf = tmp_path / "letter.pdf"
        pdf.write_bytes(bytes(message.document))
        text = subprocess.run(
            ["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout.replace(" ", "")
        assert MASKED_PAN in text
        assert_no_secret(text)

    def test_the_dialer_export_carries_no_card_number(self, world: dict[str, Any]) -> None:
        out = io.StringIO()
        export_csv(out, at=dt.datetime(2026, 5, 3, 2, 0, tzinfo=dt.UTC))
        rows = list(csv.reader(io.StringIO(out.getvalue())))
        assert any(MOBILE in row for row in rows)  # the dialer dials the number: the one field it must have
        assert PAN not in out.getvalue()

    def test_the_audit_trail_never_holds_the_full_card_number(self, world: dict[str, Any]) -> None:
        login(world["collector"]).post("/", {"q": PAN})
        login(world["service"]).post(
            f"/accounts/{world['account'].ref}/reveal/", {"field": "number", "reason": "客户来电核实身份"}
        )
        for entry in AuditEntry.objects.all():
            assert PAN not in json.dumps([entry.object_id, entry.before, entry.after], ensure_ascii=False)


class TestSearch:
    def test_a_search_by_card_number_posts_and_opens_the_account_by_its_reference(self, world: dict[str, Any]) -> None:
        response = login(world["collector"]).post("/", {"q": PAN})
        assert response.status_code == 302
        assert response["Location"] == f"/accounts/{world['account'].ref}/"
        entry = AuditEntry.objects.get(action="account.search")
        assert entry.actor == world["collector"].username and entry.object_id == world["account"].ref
        assert entry.after == {"by": "number", "query": MASKED_PAN, "found": True}

    def test_a_search_by_reference_in_any_case_opens_the_account(self, world: dict[str, Any]) -> None:
        response = login(world["collector"]).post("/", {"q": f" {world['account'].ref.lower()} "})
        assert response["Location"] == f"/accounts/{world['account'].ref}/"

    def test_an_account_one_may_not_see_answers_like_one_that_does_not_exist(self, world: dict[str, Any]) -> None:
        client = login(world["outsider"])
        hidden, missing = client.post("/", {"q": PAN}), client.post("/", {"q": "6225880000000000"})
        assert hidden.status_code == missing.status_code == 200

        def without_token(response: Any) -> str:
            # The CSRF token and the CSP nonce differ between any two answers.
            return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"|nonce="[^"]+"', "", response.content.decode())

        assert without_token(hidden) == without_token(missing)
        assert_no_secret(hidden.content)
        assert [e.after["found"] for e in AuditEntry.objects.filter(action="account.search")] == [False, False]

    def test_a_card_number_in_the_url_finds_nothing(self, world: dict[str, Any]) -> None:
        response = login(world["collector"]).get(f"/?q={PAN}")
        assert response.status_code == 200
        assert not AuditEntry.objects.filter(action="account.search").exists()


class TestReveal:
    def test_customer_service_reveals_the_card_number_with_a_reason_and_it_is_audited(
        self, world: dict[str, Any]
    ) -> None:
        ref = world["account"].ref
        response = login(world["service"]).post(
            f"/accounts/{ref}/reveal/", {"field": "number", "reason": "客户来电核实身份"}
        )
        assert response.status_code == 200
        assert PAN in response.content.decode()
        assert response["Cache-Control"] == "no-store"
        entry = AuditEntry.objects.get(action="personal_data.reveal")
        assert (entry.actor, entry.object_type, entry.object_id) == (world["service"].username, "account", ref)
        assert entry.after == {"field": "number", "reason": "客户来电核实身份", "account": ref}

    def test_a_collector_may_reveal_the_phone_but_not_the_card_number(self, world: dict[str, Any]) -> None:
        client = login(world["collector"])
        url = f"/accounts/{world['account'].ref}/reveal/"
        phone = client.post(url, {"field": "phone", "reason": "手工拨号"})
        assert phone.status_code == 200 and MOBILE in phone.content.decode()
        refused = client.post(url, {"field": "number", "reason": "想看"})
        assert refused.status_code == 403 and PAN not in refused.content.decode()
        assert list(
            AuditEntry.objects.filter(action="personal_data.reveal").values_list("after__field", flat=True)
        ) == ["phone"]

    def test_the_reveal_needs_a_reason_and_reveals_nothing_without_one(self, world: dict[str, Any]) -> None:
        response = login(world["service"]).post(
            f"/accounts/{world['account'].ref}/reveal/", {"field": "number", "reason": "  "}, follow=True
        )
        assert_no_secret(response.content)
        assert not AuditEntry.objects.filter(action="personal_data.reveal").exists()

    def test_the_reveal_is_offered_only_to_roles_that_may_use_it(self, world: dict[str, Any]) -> None:
        page = f"/cases/{world['case'].pk}/"
        offered = login(world["service"]).get(page).content.decode()
        assert 'data-reveal="phone"' in offered and 'data-reveal="national_id"' in offered
        assert 'data-reveal="national_id"' not in login(world["collector"]).get(page).content.decode()
        assert "data-reveal" not in login(world["assessor"]).get(page).content.decode()

    def test_the_api_reveals_to_a_permitted_role_and_refuses_the_others(self, world: dict[str, Any]) -> None:
        url = f"/api/v1/accounts/{world['account'].ref}/reveal"

        def reveal(user: Any, body: dict[str, str]) -> Any:
            return login(user).post(url, data=json.dumps(body), content_type="application/json")

        ok = reveal(world["service"], {"field": "national_id", "reason": "投诉核查"})
        assert ok.status_code == 200 and ok.json() == {
            "ref": world["account"].ref,
            "field": "national_id",
            "value": NATIONAL_ID,
        }
        assert ok["Cache-Control"] == "no-store"
        refused = reveal(world["assessor"], {"field": "number", "reason": "核查"})
        assert refused.status_code == 403 and refused.json()["code"] == "not_permitted"
        unseen = reveal(world["outsider"], {"field": "phone", "reason": "核查"})
        assert unseen.status_code == 404 and unseen.json()["code"] == "not_found"
        no_reason = reveal(world["service"], {"field": "number"})
        assert no_reason.status_code == 422 and no_reason.json()["field"] == "reason"
        bad_field = reveal(world["service"], {"field": "password", "reason": "核查"})
        assert bad_field.status_code == 422 and bad_field.json()["field"] == "field"
        for response in (refused, unseen, no_reason, bad_field):
            assert_no_secret(response.content)
        entries = AuditEntry.objects.filter(action="personal_data.reveal")
        assert [(e.actor, e.object_type, e.after["field"]) for e in entries] == [
            (world["service"].username, "customer", "national_id")
        ]


def test_a_contact_recorded_from_the_360_page_without_a_number_uses_the_customers_mobile(
    world: dict[str, Any],
) -> None:
    response = login(world["collector"]).post(
        f"/cases/{world['case'].pk}/",
        {
            "action": "contact",
            "channel": "phone",
            "direction": "outbound",
            "address": "",
            "party": "none",
            "result": "no_answer",
            "disposition": "",
            "duration_seconds": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Contact.objects.get(case=world["case"]).address == MOBILE

"""The agency portal and API, as an agency's user and as the bank's staff.

IDOR: an agency user reaches no account that is not placed with their agency now: another agency's,
a recalled one, one never placed and an unknown id answer alike (404, the same body once the id is
blanked), on the pages and on every API operation, and nothing of those customers is in any answer.
The fence: an agency user reaches none of the bank's pages or API, and the bank's collectors none of
the agency's."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.test import Client

from arrears.agencies.models import Collection, CollectionStatus, Placement
from arrears.contacts.models import Contact
from arrears.cycle import business_date
from arrears.kernel import clock
from arrears.payments.models import Payment
from arrears.promises.models import Promise
from tests.agency_world import MORNING, NIGHT, TODAY, AgencyWorld, agency_world
from tests.builders import PASSWORD

pytestmark = pytest.mark.django_db
UNKNOWN_ID = 987_654_321
CSRF = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]*"|nonce="[^"]*"')


@pytest.fixture(autouse=True)
def _today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(business_date, "current", lambda: TODAY)
    monkeypatch.setattr(clock, "now", lambda: MORNING)


@pytest.fixture
def world() -> AgencyWorld:
    return agency_world()


def client_of(user: Any) -> Client:
    client = Client(raise_request_exception=False)
    assert client.login(username=user.username, password=PASSWORD)
    return client


def blanked(body: bytes, *ids: object) -> bytes:
    """The answer without its CSRF token and nonce, and with the id blanked where it is quoted (in a
    path, or as a number in a message)."""
    body = CSRF.sub(b"", body)
    for i in ids:
        body = re.sub(rb"(?<![0-9])" + str(i).encode() + rb"(?![0-9])", b"ID", body) if len(str(i)) > 3 else body
        body = body.replace(f"/{i}/".encode(), b"/ID/").replace(f" {i}".encode(), b" ID")
    return body


def post_json(client: Client, path: str, body: dict[str, Any]) -> Any:
    return client.post(path, data=json.dumps(body), content_type="application/json")


class TestAgencyUserSeesOnlyWhatIsPlacedWithItNow:
    def test_pages(self, world: AgencyWorld) -> None:
        client = client_of(world.alpha_user)
        portal = client.get("/agency/")
        assert portal.status_code == 200
        text = portal.content.decode()
        assert world.placed.customer.name in text
        assert world.placed.customer.mobile not in text and "138****0000" in text  # masked
        assert world.placed.account.number not in text
        for other in (world.elsewhere, world.recalled, world.never):
            assert not any(secret in text for secret in world.secrets(other))

        own = client.get(f"/agency/accounts/{world.placed.account.pk}/")
        assert own.status_code == 200
        assert world.placed.account.number not in own.content.decode()
        unknown = client.get(f"/agency/accounts/{UNKNOWN_ID}/")
        assert unknown.status_code == 404
        for other in (world.elsewhere, world.recalled, world.never):
            pk = other.account.pk
            for method in ("get", "post"):
                answer = getattr(client, method)(f"/agency/accounts/{pk}/", {"action": "contact"})
                alike = getattr(client, method)(f"/agency/accounts/{UNKNOWN_ID}/", {"action": "contact"})
                assert answer.status_code == 404, (method, pk)
                assert blanked(answer.content, pk) == blanked(alike.content, UNKNOWN_ID)
                assert not any(secret in answer.content.decode() for secret in world.secrets(other))

    def test_api(self, world: AgencyWorld) -> None:
        client = client_of(world.alpha_user)
        listed = client.get("/api/v1/agency/placements")
        assert listed.status_code == 200
        assert [p["account_id"] for p in listed.json()] == [world.placed.account.pk]
        assert listed.json()[0]["mobile"] == "138****0000"
        assert listed.json()[0]["number"] != world.placed.account.number

        bodies = {
            "contacts": {"channel": "phone", "party": "cardholder", "result": "right_party_contact"},
            "promises": {"amount": "100.00", "promised_date": "2026-05-10"},
            "payments": {"amount": "100.00", "paid_on": "2026-05-03", "reference": "X1"},
        }
        theirs = [world.placement(d).pk for d in (world.elsewhere, world.recalled)]
        for what, body in bodies.items():
            alike = post_json(client, f"/api/v1/agency/placements/{UNKNOWN_ID}/{what}", body)
            assert alike.status_code == 404
            for pk in theirs:
                answer = post_json(client, f"/api/v1/agency/placements/{pk}/{what}", body)
                assert answer.status_code == 404, (what, pk)
                assert blanked(answer.content, pk) == blanked(alike.content, UNKNOWN_ID)
        assert Contact.objects.filter(source__startswith="agency:").count() == 0
        assert Promise.objects.count() == 0 and Collection.objects.count() == 0

        # The same operations on the placement of its own agency are served.
        mine = world.placement(world.placed).pk
        for what, body in bodies.items():
            assert post_json(client, f"/api/v1/agency/placements/{mine}/{what}", body).status_code == 201, what

    def test_after_a_recall_the_agency_sees_nothing(self, world: AgencyWorld) -> None:
        client = client_of(world.alpha_user)
        placement = world.placement(world.placed)
        assert client.get(f"/agency/accounts/{world.placed.account.pk}/").status_code == 200
        recalled = post_json(client_of(world.admin), f"/api/v1/agencies/placements/{placement.pk}/recall", {})
        assert recalled.status_code == 200 and recalled.json()["recall_reason"] == "by_hand"
        assert client.get(f"/agency/accounts/{world.placed.account.pk}/").status_code == 404
        assert client.get("/api/v1/agency/placements").json() == []
        assert world.placed.customer.name not in client.get("/agency/").content.decode()
        body = {"channel": "phone", "party": "cardholder", "result": "no_answer"}
        assert post_json(client, f"/api/v1/agency/placements/{placement.pk}/contacts", body).status_code == 404

    def test_another_agency_sees_only_its_own(self, world: AgencyWorld) -> None:
        client = client_of(world.beta_user)
        assert [p["account_id"] for p in client.get("/api/v1/agency/placements").json()] == [world.elsewhere.account.pk]
        assert client.get(f"/agency/accounts/{world.placed.account.pk}/").status_code == 404


class TestTheFence:
    def test_an_agency_user_reaches_none_of_the_banks_pages_or_api(self, world: AgencyWorld) -> None:
        client = client_of(world.alpha_user)
        case = world.placed.case
        assert case is not None
        for path in (
            "/",
            "/work/",
            f"/cases/{case.pk}/",
            f"/accounts/{world.placed.account.ref}/",
            "/team/",
            "/insight/",
            "/agencies/",
            "/agencies/alpha/remittance/2026-05/",
            "/audit/",
        ):
            assert client.get(path).status_code == 404, path
        for path in ("/api/v1/cases", f"/api/v1/cases/{case.pk}", f"/api/v1/accounts/{world.placed.account.ref}"):
            answer = client.get(path)
            assert (answer.status_code, answer.json()["code"]) == (404, "not_found"), path
        assert post_json(client, f"/api/v1/cases/{case.pk}/contacts", {}).status_code == 404

    def test_an_agency_users_token_reaches_only_the_agency_api(self, world: AgencyWorld) -> None:
        from arrears.people.operations import issue_token

        _, token = issue_token(actor="admin", user=world.alpha_user, name="agency system", scopes=["read", "write"])
        client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
        assert [p["account_id"] for p in client.get("/api/v1/agency/placements").json()] == [world.placed.account.pk]
        case = world.placed.case
        assert case is not None
        for path in ("/api/v1/cases", f"/api/v1/cases/{case.pk}", f"/api/v1/accounts/{world.placed.account.ref}"):
            answer = client.get(path)
            assert (answer.status_code, answer.json()["code"]) == (404, "not_found"), path

    def test_the_banks_staff_reach_none_of_the_agency_portal(self, world: AgencyWorld) -> None:
        for user in (world.collector, world.admin):
            client = client_of(user)
            assert client.get("/agency/").status_code == 403
            assert client.get(f"/agency/accounts/{world.placed.account.pk}/").status_code == 404
            assert client.get("/api/v1/agency/placements").status_code == 403
        assert client_of(world.collector).get("/agencies/").status_code == 403

    def test_sign_in_lands_an_agency_user_on_the_portal(self, world: AgencyWorld) -> None:
        client = Client()
        answer = client.post("/login/", {"username": world.alpha_user.username, "password": PASSWORD})
        assert answer.status_code == 302 and answer["Location"] == "/agency/"


class TestPortalWork:
    def test_contact_refused_at_night_then_recorded_promise_and_payment(
        self, world: AgencyWorld, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        client = client_of(world.alpha_user)
        page = f"/agency/accounts/{world.placed.account.pk}/"
        contact = {"action": "contact", "channel": "phone", "party": "cardholder", "result": "right_party_contact"}
        monkeypatch.setattr(clock, "now", lambda: NIGHT)
        refused = client.post(page, contact, follow=True)
        assert "CN-HOURS" in refused.content.decode()
        assert Contact.objects.filter(source="agency:alpha").count() == 0
        monkeypatch.setattr(clock, "now", lambda: MORNING)
        client.post(page, contact)
        client.post(page, {"action": "promise", "amount": "200.00", "promised_date": "2026-05-10"})
        client.post(page, {"action": "payment", "amount": "1,000.00", "paid_on": "2026-05-03", "reference": "RC-1"})
        assert Contact.objects.filter(source="agency:alpha").count() == 1
        assert Promise.objects.filter(taken_by=world.alpha_user).count() == 1
        [collection] = Collection.objects.all()
        assert (collection.amount_fen, collection.status) == (100_000, CollectionStatus.REPORTED)

        bank = client_of(world.admin)
        assert "RC-1" in bank.get("/agencies/").content.decode()
        bank.post("/agencies/", {"collection": collection.pk, "decision": "confirm"})
        collection.refresh_from_db()
        assert collection.status == CollectionStatus.CONFIRMED
        assert Payment.objects.get(reference="alpha:RC-1").source == "agency:alpha"
        statement = bank.get("/en/agencies/alpha/remittance/2026-05/").content.decode()
        assert "1,000.00" in statement and "100.00" in statement  # M1 at 10 %
        csv_text = bank.get("/agencies/alpha/remittance/2026-05.csv").content.decode()
        assert csv_text.splitlines()[-1] == "total,,,,,,1000.00,100.00"
        assert bank.get("/agencies/alpha/remittance/2026-13/").status_code == 404

    def test_bad_input_is_refused_with_its_field(self, world: AgencyWorld) -> None:
        client = client_of(world.alpha_user)
        mine = world.placement(world.placed).pk
        answer = post_json(
            client,
            f"/api/v1/agency/placements/{mine}/payments",
            {"amount": "1e2", "paid_on": "2026-05-03", "reference": "A"},
        )
        assert (answer.status_code, answer.json()["field"]) == (422, "amount")
        answer = post_json(
            client,
            f"/api/v1/agency/placements/{mine}/payments",
            {"amount": "10.00", "paid_on": "2026-05-04", "reference": "A"},
        )
        assert (answer.status_code, answer.json()["field"]) == (422, "paid_on")
        answer = post_json(
            client,
            f"/api/v1/agency/placements/{mine}/contacts",
            {"channel": "fax", "party": "cardholder", "result": "busy"},
        )
        assert (answer.status_code, answer.json()["field"]) == (422, "channel")
        assert Collection.objects.count() == 0 and Contact.objects.count() == 0

    def test_place_by_hand_through_the_api(self, world: AgencyWorld) -> None:
        bank = client_of(world.admin)
        body = {"account": world.never.account.number, "agency": "beta", "days": 30}
        answer = post_json(bank, "/api/v1/agencies/placements", body)
        assert answer.status_code == 201
        assert answer.json()["expires_on"] == "2026-06-02"
        assert answer.json()["account"] != world.never.account.number
        assert post_json(bank, "/api/v1/agencies/placements", body).json()["code"] == "not_placeable"
        assert Placement.objects.filter(account=world.never.account, recalled_on__isnull=True).count() == 1
        collector = client_of(world.collector)
        assert post_json(collector, "/api/v1/agencies/placements", body).status_code == 403

    def test_place_by_hand_on_the_page(self, world: AgencyWorld) -> None:
        bank = client_of(world.admin)
        form = {"action": "place", "account": world.never.account.number, "agency": "alpha", "days": "30"}
        answer = bank.post("/en/agencies/", form, follow=True)
        assert "Placed until 2 Jun 2026." in answer.content.decode()
        assert Placement.objects.get(account=world.never.account, recalled_on__isnull=True).agency == world.alpha
        again = bank.post("/en/agencies/", form, follow=True).content.decode()
        assert "this account cannot be placed: already placed" in again
        assert client_of(world.collector).post("/agencies/", form).status_code == 403

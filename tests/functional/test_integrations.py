"""Systems call the integration endpoints with signed requests: who may call what, replay and retry
protection, and the audit trail naming the system (and the agent, for the dialer's calls)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client

from arrears.audit.models import AuditEntry
from arrears.cases.models import Case
from arrears.contacts.models import Contact
from arrears.cycle.business_date import open_date
from arrears.holds.models import ChannelOptOut
from arrears.integrations.models import IntegrationKind, SeenSignature
from arrears.integrations.operations import revoke_integration, rotate_secret
from arrears.kernel import clock
from arrears.people.models import ApiToken, Role
from tests.collections_factories import PASSWORD, delinquent_customers, staff, team_with_queue
from tests.signed import System, system

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 5, 3)
DIALER = "/api/v1/outreach/dialer/results"
DELIVERY = "/api/v1/outreach/delivery"
SMS_REPLIES = "/api/v1/outreach/sms-replies"
PAYMENTS = "/api/v1/gateway/payments"
CARD_HOST = "/api/v1/card-host/transactions"


@pytest.fixture(autouse=True)
def _business_today(db: None) -> None:
    open_date(TODAY)


@pytest.fixture
def floor() -> dict[str, Any]:
    """A team with its collector and one customer's case, and another team with its own collector."""
    team = team_with_queue()
    collector = staff(team=team)
    [case] = delinquent_customers(1, through=TODAY)
    case.customer.mobile = "13800138000"
    case.customer.save()
    return {"team": team, "collector": collector, "case": case, "outsider": staff(team=team_with_queue())}


@pytest.fixture
def dialer() -> System:
    return system("dialer-1", IntegrationKind.DIALER)


def call(case: Case, agent: str, **row: Any) -> dict[str, Any]:
    return {
        "case_id": case.pk,
        "number": "13800138000",
        "at": "2026-05-03T09:30:00+08:00",
        "outcome": "conversation",
        "duration_seconds": 60,
        "agent": agent,
        **row,
    }


def now() -> int:
    return int(clock.now().timestamp())


class TestSignature:
    def test_a_signed_request_from_the_dialer_records_the_call_with_the_agent_and_the_system(
        self, floor: dict[str, Any], dialer: System
    ) -> None:
        agent = floor["collector"].username
        response = dialer.post(DIALER, {"rows": [call(floor["case"], agent)]})
        assert response.status_code == 201, response.content
        assert response.json() == {"imported": 1, "flagged": 0}
        contact = Contact.objects.get()
        assert contact.collector == floor["collector"] and contact.source == "dialer"
        entry = AuditEntry.objects.get(action="contact.dialer_import")
        assert entry.actor == "integration:dialer-1" and entry.after["agent"] == agent

    def test_a_request_signed_with_another_secret_is_refused_and_changes_nothing(
        self, floor: dict[str, Any], dialer: System
    ) -> None:
        forger = System(dialer.integration, "ais_" + "0" * 64)
        response = forger.post(DIALER, {"rows": [call(floor["case"], floor["collector"].username)]})
        assert response.status_code == 401
        assert response.json()["code"] == "signature_invalid"
        assert Contact.objects.count() == 0

    def test_a_body_changed_after_signing_is_refused(self, floor: dict[str, Any], dialer: System) -> None:
        signed = json.dumps({"rows": [call(floor["case"], floor["collector"].username)]}).encode()
        sent = json.dumps({"rows": [call(floor["case"], floor["collector"].username, duration_seconds=1)]})
        headers = dialer.headers(DIALER, signed, key="k1")
        response = Client().post(DIALER, data=sent, content_type="application/json", headers=headers)
        assert response.status_code == 401 and Contact.objects.count() == 0

    def test_an_unknown_integration_answers_exactly_like_a_bad_signature(
        self, floor: dict[str, Any], dialer: System
    ) -> None:
        body = {"rows": [call(floor["case"], floor["collector"].username)]}
        stranger = dialer.post(DIALER, body, headers={"X-Arrears-Integration": "nobody"})
        forged = System(dialer.integration, "ais_wrong").post(DIALER, body)
        assert stranger.status_code == forged.status_code == 401
        assert stranger.json() == forged.json()

    @pytest.mark.parametrize("offset", [-301, 301, -(10**9)])
    def test_a_timestamp_more_than_five_minutes_from_the_server_clock_is_refused(
        self, floor: dict[str, Any], dialer: System, offset: int
    ) -> None:
        response = dialer.post(
            DIALER, {"rows": [call(floor["case"], floor["collector"].username)]}, timestamp=now() + offset
        )
        assert response.status_code == 401
        assert (response.json()["code"], response.json()["field"]) == ("timestamp_out_of_window", "X-Arrears-Timestamp")

    @pytest.mark.parametrize("offset", [-299, 299])
    def test_a_timestamp_within_five_minutes_is_accepted(
        self, floor: dict[str, Any], dialer: System, offset: int
    ) -> None:
        response = dialer.post(
            DIALER, {"rows": [call(floor["case"], floor["collector"].username)]}, timestamp=now() + offset
        )
        assert response.status_code == 201

    @pytest.mark.parametrize("stamp", ["1.5e9", "999999999999", "-1", "１７７７７７３６００"])
    def test_a_timestamp_that_is_not_whole_seconds_near_now_is_refused(
        self, floor: dict[str, Any], dialer: System, stamp: str
    ) -> None:
        response = dialer.post(DIALER, {"rows": []}, headers={"X-Arrears-Timestamp": stamp})
        assert response.status_code == 401 and response.json()["code"] == "timestamp_out_of_window"

    @pytest.mark.parametrize("signature", ["é" * 64, "A" * 64, "0" * 63, ""])
    def test_a_malformed_signature_is_refused_as_a_bad_one(
        self, floor: dict[str, Any], dialer: System, signature: str
    ) -> None:
        response = dialer.post(DIALER, {"rows": []}, headers={"X-Arrears-Signature": signature})
        assert response.status_code == 401 and response.json()["code"] == "signature_invalid"

    def test_a_signed_request_sent_twice_is_a_replay_and_recorded_once(
        self, floor: dict[str, Any], dialer: System
    ) -> None:
        body = json.dumps({"rows": [call(floor["case"], floor["collector"].username)]}).encode()
        headers = dialer.headers(DIALER, body, key="call-1")
        first = Client().post(DIALER, data=body, content_type="application/json", headers=headers)
        again = Client().post(DIALER, data=body, content_type="application/json", headers=headers)
        assert (first.status_code, again.status_code) == (201, 401)
        assert again.json()["code"] == "signature_replayed"
        assert Contact.objects.count() == 1

    def test_signatures_are_forgotten_once_their_timestamp_has_left_the_window(
        self, floor: dict[str, Any], dialer: System, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        dialer.post(SMS_REPLIES, {"from_number": "1", "text": "hi"})
        assert SeenSignature.objects.count() == 1
        later = clock.now() + dt.timedelta(minutes=11)
        monkeypatch.setattr(clock, "now", lambda: later)
        dialer.post(SMS_REPLIES, {"from_number": "1", "text": "hi"})
        assert SeenSignature.objects.count() == 1  # the new one only

    def test_a_missing_request_key_is_refused_once_the_signature_is_checked(
        self, floor: dict[str, Any], dialer: System
    ) -> None:
        response = dialer.post(DIALER, {"rows": [call(floor["case"], floor["collector"].username)]}, key="")
        assert response.status_code == 422
        assert (response.json()["code"], response.json()["field"]) == ("required", "Idempotency-Key")
        assert Contact.objects.count() == 0

    def test_a_revoked_integration_is_refused(self, floor: dict[str, Any], dialer: System) -> None:
        revoke_integration(actor="test", name=dialer.name)
        response = dialer.post(DIALER, {"rows": [call(floor["case"], floor["collector"].username)]})
        assert response.status_code == 401 and Contact.objects.count() == 0

    def test_after_a_rotation_only_the_new_secret_signs(self, floor: dict[str, Any], dialer: System) -> None:
        _, secret = rotate_secret(actor="test", name=dialer.name)
        row = call(floor["case"], floor["collector"].username)
        assert dialer.post(DIALER, {"rows": [row]}).status_code == 401
        assert System(dialer.integration, secret).post(DIALER, {"rows": [row]}).status_code == 201


class TestIdempotency:
    def test_a_retry_with_the_same_key_gets_the_first_response_and_the_calls_are_recorded_once(
        self, floor: dict[str, Any], dialer: System
    ) -> None:
        body = {"rows": [call(floor["case"], floor["collector"].username)]}
        first = dialer.post(DIALER, body, key="batch-7")
        # A retry is signed afresh, a second or more later: a new timestamp, a new signature.
        retry = dialer.post(DIALER, body, key="batch-7", timestamp=now() + 1)
        assert (first.status_code, retry.status_code) == (201, 201)
        assert first.content == retry.content
        assert (first["Idempotent-Replayed"], retry["Idempotent-Replayed"]) == ("false", "true")
        assert Contact.objects.count() == 1
        assert AuditEntry.objects.filter(action="contact.dialer_import").count() == 1

    def test_the_same_key_with_another_body_is_a_conflict(self, floor: dict[str, Any], dialer: System) -> None:
        agent = floor["collector"].username
        dialer.post(DIALER, {"rows": [call(floor["case"], agent)]}, key="batch-8")
        other = dialer.post(DIALER, {"rows": [call(floor["case"], agent, duration_seconds=5)]}, key="batch-8")
        assert other.status_code == 409 and other.json()["code"] == "idempotency_key_reused"
        assert Contact.objects.count() == 1

    def test_a_refusal_is_an_answer_too_and_a_retry_gets_it_again(self, floor: dict[str, Any], dialer: System) -> None:
        body = {"rows": [call(floor["case"], floor["outsider"].username)]}
        first = dialer.post(DIALER, body, key="batch-9")
        retry = dialer.post(DIALER, body, key="batch-9", timestamp=now() + 1)
        assert first.status_code == retry.status_code == 422 and first.content == retry.content

    def test_keys_are_per_integration(self, floor: dict[str, Any], dialer: System) -> None:
        other = system("dialer-2", IntegrationKind.DIALER)
        agent = floor["collector"].username
        assert dialer.post(DIALER, {"rows": [call(floor["case"], agent)]}, key="same").status_code == 201
        late = call(floor["case"], agent, at="2026-05-03T09:40:00+08:00")
        assert other.post(DIALER, {"rows": [late]}, key="same").status_code == 201
        assert Contact.objects.count() == 2


class TestWhoMayCall:
    @pytest.mark.parametrize("path", [DIALER, DELIVERY, SMS_REPLIES, PAYMENTS, CARD_HOST])
    def test_a_staff_session_and_a_staff_token_get_401(self, floor: dict[str, Any], path: str) -> None:
        admin = staff(Role.ADMINISTRATOR)
        admin.is_superuser = True
        admin.save()
        session = Client()
        assert session.login(username=admin.username, password=PASSWORD)
        _, token = ApiToken.issue(user=admin, name="probe")
        body = json.dumps({"rows": [], "from_number": "13800138000", "text": "TD"})
        by_session = session.post(path, data=body, content_type="application/json")
        by_token = Client().post(
            path, data=body, content_type="application/json", headers={"Authorization": f"Bearer {token}"}
        )
        assert (by_session.status_code, by_token.status_code) == (401, 401)
        assert ChannelOptOut.objects.count() == 0

    @pytest.mark.parametrize(
        ("kind", "path"),
        [
            (IntegrationKind.DIALER, SMS_REPLIES),
            (IntegrationKind.DIALER, DELIVERY),
            (IntegrationKind.SMS_GATEWAY, DIALER),
            (IntegrationKind.EMAIL_PROVIDER, SMS_REPLIES),
            (IntegrationKind.PAYMENT_GATEWAY, CARD_HOST),
            (IntegrationKind.CARD_HOST, PAYMENTS),
            (IntegrationKind.SMS_GATEWAY, PAYMENTS),
        ],
    )
    def test_an_integration_of_another_kind_gets_403(self, floor: dict[str, Any], kind: str, path: str) -> None:
        response = system("some-system", kind).post(path, {"from_number": "13800138000", "text": "TD"})
        assert response.status_code == 403
        assert (response.json()["code"], response.json()["field"]) == (
            "wrong_integration_kind",
            "X-Arrears-Integration",
        )
        assert ChannelOptOut.objects.count() == 0


class TestDialer:
    def test_an_agent_of_another_team_is_refused_and_nothing_is_imported(
        self, floor: dict[str, Any], dialer: System
    ) -> None:
        rows = [
            call(floor["case"], floor["collector"].username),
            call(floor["case"], floor["outsider"].username, at="2026-05-03T09:45:00+08:00"),
        ]
        response = dialer.post(DIALER, {"rows": rows})
        assert response.status_code == 422
        assert [(e["row"], e["field"]) for e in response.json()["errors"]] == [(2, "agent")]
        assert Contact.objects.count() == 0

    @pytest.mark.parametrize("agent", ["nobody", "", "inactive"])
    def test_a_conversation_must_name_an_active_agent_who_exists(
        self, floor: dict[str, Any], dialer: System, agent: str
    ) -> None:
        if agent == "inactive":
            floor["collector"].is_active = False
            floor["collector"].save()
            agent = floor["collector"].username
        response = dialer.post(DIALER, {"rows": [call(floor["case"], agent)]})
        assert response.status_code == 422
        assert [(e["row"], e["field"]) for e in response.json()["errors"]] == [(1, "agent")]

    def test_the_lead_of_the_team_may_be_the_agent_and_an_unanswered_dial_needs_none(
        self, floor: dict[str, Any], dialer: System
    ) -> None:
        lead = staff(Role.TEAM_LEAD)
        floor["team"].lead = lead
        floor["team"].save()
        rows = [call(floor["case"], lead.username), call(floor["case"], "", outcome="unanswered", duration_seconds=0)]
        assert dialer.post(DIALER, {"rows": rows}).status_code == 201
        assert sorted(str(c.collector) for c in Contact.objects.all()) == sorted([lead.username, "None"])

    @pytest.mark.parametrize(
        ("at", "field"),
        [
            ("2026-05-03T10:06:00+08:00", "at"),  # six minutes ahead of the clock
            ("2026-04-26T09:00:00+08:00", "at"),  # more than seven days ago
            ("0001-01-01T00:00:00+08:00", "at"),
            ("9999-12-31T23:00:00-08:00", "at"),
        ],
    )
    def test_a_call_in_the_future_or_older_than_seven_days_is_refused(
        self, floor: dict[str, Any], dialer: System, at: str, field: str
    ) -> None:
        response = dialer.post(DIALER, {"rows": [call(floor["case"], floor["collector"].username, at=at)]})
        assert response.status_code == 422
        assert [(e["row"], e["field"]) for e in response.json()["errors"]] == [(1, field)]

    @pytest.mark.parametrize(
        ("row", "field"),
        [
            ({"duration_seconds": 10**12}, "duration_seconds"),
            ({"duration_seconds": -5}, "duration_seconds"),
            ({"number": "1" * 121}, "number"),
            ({"outcome": "shouted"}, "outcome"),
            ({"case_id": 10**15}, "case_id"),
        ],
    )
    def test_bad_rows_answer_422_never_500(
        self, floor: dict[str, Any], dialer: System, row: dict[str, Any], field: str
    ) -> None:
        good = call(floor["case"], floor["collector"].username)
        response = dialer.post(DIALER, {"rows": [good, {**good, **row}]})
        assert response.status_code == 422, response.content
        assert [(e["row"], e["field"]) for e in response.json()["errors"]] == [(2, field)]
        assert Contact.objects.count() == 0

    def test_an_empty_batch_is_refused(self, floor: dict[str, Any], dialer: System) -> None:
        response = dialer.post(DIALER, {"rows": []})
        assert response.status_code == 422 and response.json()["field"] == "rows"


class TestSmsAndDelivery:
    def test_the_answer_to_an_sms_reply_does_not_tell_whether_the_number_is_a_customers(
        self, floor: dict[str, Any]
    ) -> None:
        gateway = system("sms-1", IntegrationKind.SMS_GATEWAY)
        customer = gateway.post(SMS_REPLIES, {"from_number": "13800138000", "text": "TD"})
        stranger = gateway.post(SMS_REPLIES, {"from_number": "13900000000", "text": "TD"})
        chatter = gateway.post(SMS_REPLIES, {"from_number": "13800138000", "text": "hello"})
        assert customer.status_code == stranger.status_code == chatter.status_code == 200
        assert customer.content == stranger.content == chatter.content
        optout = ChannelOptOut.objects.get()
        assert optout.customer == floor["case"].customer and optout.channel == "sms"
        assert AuditEntry.objects.get(action="optout.record").actor == "integration:sms-1"

    def test_a_provider_records_delivery_of_its_own_channel_only(self, floor: dict[str, Any]) -> None:
        from arrears.outreach.models import Message

        customer = floor["case"].customer
        common = {
            "customer": customer,
            "body": "b",
            "decision": {},
            "created_at": clock.now(),
            "created_by": "t",
            "status": "sent",
        }
        Message.objects.create(channel="sms", address=customer.mobile, provider_ref="sms-42", **common)
        Message.objects.create(channel="email", address="a@b.example", provider_ref="mail-42", **common)
        sms = system("sms-1", IntegrationKind.SMS_GATEWAY)
        mail = system("mail-1", IntegrationKind.EMAIL_PROVIDER)
        assert sms.post(DELIVERY, {"provider_ref": "mail-42", "status": "delivered"}).status_code == 404
        assert mail.post(DELIVERY, {"provider_ref": "sms-42", "status": "delivered"}).status_code == 404
        done = sms.post(DELIVERY, {"provider_ref": "sms-42", "status": "delivered"})
        assert done.status_code == 200 and done.json() == {"provider_ref": "sms-42", "status": "delivered"}
        assert mail.post(DELIVERY, {"provider_ref": "mail-42", "status": "bounced"}).status_code == 200
        assert dict(Message.objects.values_list("provider_ref", "status")) == {
            "sms-42": "delivered",
            "mail-42": "bounced",
        }
        actors = set(AuditEntry.objects.filter(action="message.delivery").values_list("actor", flat=True))
        assert actors == {"integration:sms-1", "integration:mail-1"}

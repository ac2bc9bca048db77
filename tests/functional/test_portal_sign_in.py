"""The portal's sign-in: the card's last four digits and the national ID, a one-time code by SMS, its own
session; codes expire and are single-use; wrong codes lock the identity and are audited; staff and portal
sessions open only their own doors."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from arrears.audit.models import AuditEntry
from arrears.kernel import clock
from arrears.portal.models import PortalSession, SignInCode
from tests.builders import PASSWORD, staff
from tests.conftest import FROZEN_NOW
from tests.functional.portal_world import Holder, ask_code, build, last_code, outbox, sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def holders(db: None, settings: Any, tmp_path: Path) -> list[Holder]:
    return build(settings, tmp_path)


def at(monkeypatch: pytest.MonkeyPatch, minutes: float) -> None:
    monkeypatch.setattr(clock, "now", lambda: FROZEN_NOW + dt.timedelta(minutes=minutes))


def same_page(one: bytes, other: bytes) -> bool:
    """Equal but for the per-response CSRF token and CSP nonce."""

    def plain(content: bytes) -> str:
        return re.sub(r'(value|nonce)="[^"]{20,}"', "", content.decode())

    return plain(one) == plain(other)


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


class TestSignIn:
    def test_the_code_goes_by_sms_to_the_mobile_on_file_and_opens_a_portal_session(
        self, holders: list[Holder], settings: Any
    ) -> None:
        a = holders[0]
        client = Client()
        response = ask_code(client, a)
        assert response.status_code == 302 and response["Location"] == "/portal/login/code/"
        [sms] = outbox(settings)
        assert sms["to"] == a.mobile and "验证码" in sms["text"]
        response = client.post("/portal/login/code/", {"code": last_code(settings, a.mobile)})
        assert response.status_code == 302
        cookie = response.cookies[settings.ARREARS_PORTAL_COOKIE]
        assert cookie["httponly"] and cookie["samesite"] == "Lax"
        session = PortalSession.objects.get()
        assert session.customer_id == a.customer.pk and len(session.token_hash) == 64
        assert cookie.value not in session.token_hash  # only its hash is stored
        home = client.get("/portal/")
        assert home.status_code == 200
        assert a.last_four in home.content.decode() and a.account.number not in home.content.decode()
        assert AuditEntry.objects.filter(action="portal.sign_in", actor=f"cardholder:{a.customer.pk}").exists()
        assert AuditEntry.objects.filter(action="portal.code_sent", object_id=str(a.customer.pk)).exists()

    def test_an_identity_that_names_no_one_gets_the_same_answer_and_no_code(
        self, holders: list[Holder], settings: Any
    ) -> None:
        a = holders[0]
        real, unknown = Client(), Client()
        one = ask_code(real, a)
        other = unknown.post("/portal/login/", {"last_four": "0000", "national_id": a.national_id})
        assert (one.status_code, one["Location"]) == (other.status_code, other["Location"])
        assert same_page(real.get("/portal/login/code/").content, unknown.get("/portal/login/code/").content)
        assert len(outbox(settings)) == 1
        assert unknown.post("/portal/login/code/", {"code": "123456"}).status_code == 422
        assert AuditEntry.objects.filter(action="portal.code_unknown").count() == 1

    def test_a_malformed_id_is_refused_naming_the_field(self, holders: list[Holder]) -> None:
        response = Client().post("/portal/login/", {"last_four": "12a4", "national_id": "110101199001010010"})
        assert response.status_code == 422
        assert "卡号后四位" in response.content.decode() or "last four" in response.content.decode()
        bad_check = holders[0].national_id[:17] + ("0" if holders[0].national_id[17] != "0" else "1")
        response = Client().post("/portal/login/", {"last_four": holders[0].last_four, "national_id": bad_check})
        assert response.status_code == 422 and not SignInCode.objects.exists()

    def test_the_id_is_normalised_spaces_and_a_lower_case_x(self, holders: list[Holder], settings: Any) -> None:
        a = holders[0]
        spaced = " ".join([a.national_id[:6], a.national_id[6:14], a.national_id[14:].lower()])
        client = Client()
        client.post("/portal/login/", {"last_four": f" {a.last_four} ", "national_id": spaced})
        assert outbox(settings)[-1]["to"] == a.mobile


class TestCodes:
    def test_a_code_is_single_use(self, holders: list[Holder], settings: Any) -> None:
        a = holders[0]
        client = Client()
        ask_code(client, a)
        token = client.cookies["arrears_portal_code"].value
        code = last_code(settings, a.mobile)
        assert client.post("/portal/login/code/", {"code": code}).status_code == 302
        again = Client()
        again.cookies["arrears_portal_code"] = token
        assert again.post("/portal/login/code/", {"code": code}).status_code == 422
        assert PortalSession.objects.count() == 1

    def test_a_code_expires_after_five_minutes(
        self, holders: list[Holder], settings: Any, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        a = holders[0]
        client = Client()
        ask_code(client, a)
        at(monkeypatch, 5)
        response = client.post("/portal/login/code/", {"code": last_code(settings, a.mobile)})
        assert response.status_code == 422 and not PortalSession.objects.exists()

    def test_a_code_takes_three_tries_at_most(self, holders: list[Holder], settings: Any) -> None:
        a = holders[0]
        client = Client()
        ask_code(client, a)
        code = last_code(settings, a.mobile)
        for _ in range(3):
            assert client.post("/portal/login/code/", {"code": wrong(code)}).status_code == 422
        assert client.post("/portal/login/code/", {"code": code}).status_code == 422
        assert not PortalSession.objects.exists()


class TestLockout:
    def test_five_wrong_codes_lock_the_identity_for_thirty_minutes_and_are_audited(
        self, holders: list[Holder], settings: Any, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        a = holders[0]
        client = Client()
        for attempt in range(5):
            at(monkeypatch, attempt)
            if attempt % 3 == 0:
                ask_code(client, a)
            code = last_code(settings, a.mobile)
            assert client.post("/portal/login/code/", {"code": wrong(code)}).status_code == 422
        at(monkeypatch, 6)
        locked = ask_code(Client(REMOTE_ADDR="10.0.0.9"), a)  # another address: the identity is locked
        assert locked.status_code == 409 and "锁定" in locked.content.decode()
        assert AuditEntry.objects.filter(action="portal.sign_in_failed").count() == 5
        assert AuditEntry.objects.filter(action="portal.locked", object_id=str(a.customer.pk)).count() == 1
        at(monkeypatch, 4 + 31)
        assert sign_in(settings, a).get("/portal/").status_code == 200

    def test_too_many_codes_asked_for_are_refused(self, holders: list[Holder], settings: Any) -> None:
        a = holders[0]
        for _ in range(3):
            assert ask_code(Client(), a).status_code == 302
        assert ask_code(Client(), a).status_code == 409
        assert len(outbox(settings)) == 3


class TestSessions:
    def test_the_session_ends_after_fifteen_idle_minutes_and_eight_hours_at_most(
        self, holders: list[Holder], settings: Any, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        client = sign_in(settings, holders[0])
        at(monkeypatch, 14)
        assert client.get("/portal/").status_code == 200
        at(monkeypatch, 14 + 15)
        assert client.get("/portal/")["Location"] == "/portal/login/"
        at(monkeypatch, 0)
        client = sign_in(settings, holders[1])
        active_until = FROZEN_NOW + dt.timedelta(hours=8, minutes=-5)  # busy all along: never idle
        PortalSession.objects.filter(ended_at__isnull=True).update(seen_at=active_until)
        at(monkeypatch, 8 * 60)
        assert client.get("/portal/").status_code == 302
        assert PortalSession.objects.get(customer=holders[1].customer).end_reason == "expired"

    def test_signing_out_ends_the_session(self, holders: list[Holder], settings: Any) -> None:
        client = sign_in(settings, holders[0])
        cookie = client.cookies[settings.ARREARS_PORTAL_COOKIE].value
        client.post("/portal/logout/")
        replay = Client()
        replay.cookies[settings.ARREARS_PORTAL_COOKIE] = cookie
        assert replay.get("/portal/").status_code == 302
        assert AuditEntry.objects.filter(action="portal.sign_out").count() == 1


class TestSeparateFromStaff:
    def test_a_staff_session_opens_no_portal_page_nor_the_portal_api(self, holders: list[Holder]) -> None:
        client = Client()
        assert client.login(username=staff().username, password=PASSWORD)
        assert client.get("/portal/")["Location"] == "/portal/login/"
        assert client.get(f"/portal/statements/{holders[0].plan.pk}/").status_code == 302
        assert client.get("/portal/api/v1/accounts").status_code == 401

    def test_a_portal_session_opens_no_staff_page_nor_the_staff_api(self, holders: list[Holder], settings: Any) -> None:
        client = sign_in(settings, holders[0])
        assert client.get("/work/").status_code == 302
        assert "/login/" in client.get("/")["Location"]
        assert client.get(f"/api/v1/accounts/{holders[0].account.ref}").status_code == 401
        bearer = client.cookies[settings.ARREARS_PORTAL_COOKIE].value
        staff_api = Client().get(f"/api/v1/accounts/{holders[0].account.ref}", HTTP_AUTHORIZATION=f"Bearer {bearer}")
        assert staff_api.status_code == 401
        portal_api = Client().get("/portal/api/v1/accounts", HTTP_AUTHORIZATION=f"Bearer {bearer}")
        assert portal_api.status_code == 200 and portal_api.json()[0]["ref"] == holders[0].account.ref
        asked = Client().post(
            "/portal/api/v1/questions",
            {"category": "fee", "question": "为什么有滞纳金？"},
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {bearer}",
        )
        assert asked.status_code == 201 and asked.json()["outcome"] == "open"
        browser = Client(enforce_csrf_checks=True)
        browser.cookies[settings.ARREARS_PORTAL_COOKIE] = bearer
        no_csrf = browser.post(
            "/portal/api/v1/questions", {"category": "fee", "question": "?"}, content_type="application/json"
        )
        assert (no_csrf.status_code, no_csrf.json()["code"]) == (403, "csrf_failed")

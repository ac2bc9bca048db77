"""Sign-in throttling: five failures for one user name, or from one address, within fifteen minutes lock
sign-in for fifteen minutes, on the pages' login and the admin's; a locked sign-in is refused even with
the right password and says when to try again, in the page's language; failures and locks are audited
without the password; a success clears the name's failures."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client

from arrears.audit.models import AuditEntry
from arrears.kernel import clock
from arrears.logins.models import LoginFailure
from arrears.people.models import Role
from tests.builders import PASSWORD, staff
from tests.conftest import FROZEN_NOW

pytestmark = pytest.mark.django_db
WRONG = "not-the-password"


def sign_in(client: Client, username: str, password: str, *, url: str = "/en/login/", address: str = "10.0.0.1") -> Any:
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR=address)


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def at(monkeypatch: pytest.MonkeyPatch, after: dt.timedelta) -> None:
    monkeypatch.setattr(clock, "now", lambda: FROZEN_NOW + after)


def test_five_failures_lock_the_name_even_for_the_right_password_and_say_until_when() -> None:
    user = staff(Role.COLLECTOR)
    client = Client()
    for _ in range(4):
        assert "did not match" in sign_in(client, user.username, WRONG).content.decode()
    fifth = sign_in(client, user.username, WRONG).content.decode()
    assert "locked until 3 May 2026 10:15 (in 15 minutes)" in fifth  # 02:00 UTC is 10:00 in Shanghai

    response = sign_in(client, user.username, PASSWORD)
    assert response.status_code == 200 and not signed_in(client)
    assert "Too many failed sign-ins" in response.content.decode()


def test_the_lock_is_worded_in_chinese_on_the_chinese_page() -> None:
    user = staff(Role.COLLECTOR)
    client = Client()
    for _ in range(5):
        response = sign_in(client, user.username, WRONG, url="/login/")
    assert "登录已锁定至 2026年5月3日 10:15" in response.content.decode()


def test_the_lock_ends_after_fifteen_minutes(monkeypatch: pytest.MonkeyPatch) -> None:
    user = staff(Role.COLLECTOR)
    client = Client()
    for _ in range(5):
        sign_in(client, user.username, WRONG)
    at(monkeypatch, dt.timedelta(minutes=14, seconds=59))
    sign_in(client, user.username, PASSWORD)
    assert not signed_in(client)
    at(monkeypatch, dt.timedelta(minutes=15))
    assert sign_in(client, user.username, PASSWORD).status_code == 302
    assert signed_in(client)


def test_failures_spread_beyond_the_window_do_not_lock(monkeypatch: pytest.MonkeyPatch) -> None:
    user = staff(Role.COLLECTOR)
    client = Client()
    for n in range(8):
        at(monkeypatch, dt.timedelta(minutes=4 * n))  # never five within fifteen minutes
        sign_in(client, user.username, WRONG)
    assert sign_in(client, user.username, PASSWORD).status_code == 302


def test_a_success_clears_the_names_failures() -> None:
    user = staff(Role.COLLECTOR)
    for _ in range(4):
        sign_in(Client(), user.username, WRONG)
    assert sign_in(Client(), user.username, PASSWORD).status_code == 302
    for _ in range(4):
        sign_in(Client(), user.username, WRONG)
    client = Client()
    assert sign_in(client, user.username, PASSWORD).status_code == 302 and signed_in(client)


def test_five_failures_from_one_address_lock_every_name_from_it_but_not_other_addresses() -> None:
    user = staff(Role.COLLECTOR)
    for n in range(5):
        sign_in(Client(), f"guess{n}", WRONG, address="192.0.2.7")
    refused = sign_in(Client(), user.username, PASSWORD, address="192.0.2.7")
    assert "Too many failed sign-ins" in refused.content.decode()
    assert sign_in(Client(), user.username, PASSWORD, address="192.0.2.8").status_code == 302


def test_unknown_names_lock_like_real_ones_so_a_lock_reveals_nothing() -> None:
    client = Client()
    for n in range(5):
        response = sign_in(client, "nobody-here", WRONG, address=f"198.51.100.{n}")
    assert "Too many failed sign-ins" in response.content.decode()


def test_the_admin_login_is_throttled_too() -> None:
    admin = staff(Role.ADMINISTRATOR)
    client = Client()
    for _ in range(5):
        sign_in(client, admin.username, WRONG, url="/en/admin/login/")
    response = sign_in(client, admin.username, PASSWORD, url="/en/admin/login/")
    assert response.status_code == 200 and not signed_in(client)
    assert "Too many failed sign-ins" in response.content.decode()


def test_failures_and_the_lock_are_audited_without_the_password() -> None:
    user = staff(Role.COLLECTOR)
    for _ in range(5):
        sign_in(Client(), user.username, WRONG, address="203.0.113.5")
    sign_in(Client(), user.username, PASSWORD, address="203.0.113.5")  # refused while locked: no new failure

    entries = AuditEntry.objects.filter(object_type="login", object_id=user.username).order_by("id")
    assert [e.action for e in entries] == ["login.failed"] * 5 + ["login.locked", "login.locked"]
    assert entries[0].after == {"address": "203.0.113.5", "door": "web"}
    assert {e.after["scope"] for e in entries if e.action == "login.locked"} == {"username", "address"}
    everything = json.dumps([[e.actor, e.object_id, e.before, e.after] for e in AuditEntry.objects.all()])
    assert WRONG not in everything and PASSWORD not in everything
    assert LoginFailure.objects.count() == 5


def test_the_limits_are_settings(settings: Any) -> None:
    settings.ARREARS_LOGIN_FAILURES_PER_USERNAME = 2
    user = staff(Role.COLLECTOR)
    for n in range(2):
        sign_in(Client(), user.username, WRONG, address=f"198.51.100.{n}")
    assert "Too many failed sign-ins" in sign_in(Client(), user.username, PASSWORD).content.decode()


def test_old_failures_are_purged(monkeypatch: pytest.MonkeyPatch) -> None:
    sign_in(Client(), "someone", WRONG)
    at(monkeypatch, dt.timedelta(hours=1))
    sign_in(Client(), "someone-else", WRONG)
    assert list(LoginFailure.objects.values_list("username", flat=True)) == ["someone-else"]

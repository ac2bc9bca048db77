"""Safe defaults on every response: no traceback ever (a friendly page in both languages, JSON under
/api/), the security headers, a CSP whose nonce is the only way a script or style block runs, no caching
of personal data, and sessions that end when idle and after at most ARREARS_SESSION_MAX_HOURS."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import path
from ninja import NinjaAPI

from arrears import urls as arrears_urls
from arrears.interfaces.api.errors import install
from arrears.kernel import clock
from arrears.people.models import ApiToken, Role
from tests.builders import PASSWORD, staff
from tests.conftest import FROZEN_NOW

pytestmark = pytest.mark.django_db
SECRET_DETAIL = "the database password is hunter2"


def page_that_fails(request: HttpRequest) -> HttpResponse:
    raise RuntimeError(SECRET_DETAIL)


failing_api = NinjaAPI(urls_namespace="failing-api", docs_url=None)
install(failing_api)


@failing_api.get("/fails")
def api_that_fails(request: HttpRequest) -> Any:
    raise RuntimeError(SECRET_DETAIL)


# This module is also the URLconf of the tests that need a failing view (pytest.mark.urls).
handler500 = arrears_urls.handler500
urlpatterns = [path("fails/", page_that_fails), path("api/failing/", failing_api.urls), *arrears_urls.urlpatterns]


def signed_in(role: str = Role.TEAM_LEAD) -> Client:
    user = staff(role)
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


class TestNoTraceback:
    @pytest.mark.urls(__name__)
    @pytest.mark.parametrize("language", ["zh-hans", "en"])
    def test_a_page_that_fails_answers_a_friendly_page_in_both_languages(self, language: str) -> None:
        client = Client(raise_request_exception=False, headers={"accept-language": language})
        response = client.get("/fails/")
        assert response.status_code == 500
        text = response.content.decode()
        assert "出错了" in text and "Something went wrong" in text
        assert SECRET_DETAIL not in text and "Traceback" not in text and "RuntimeError" not in text
        assert response["Content-Type"].startswith("text/html")

    @pytest.mark.urls(__name__)
    def test_an_api_operation_that_fails_answers_json_with_a_stable_code(self) -> None:
        response = Client(raise_request_exception=False).get("/api/failing/fails")
        assert response.status_code == 500
        assert response.json() == {
            "code": "server_error",
            "field": None,
            "message": "something went wrong on our side; it has been logged",
        }
        assert SECRET_DETAIL not in response.content.decode()

    def test_debug_is_off(self, settings: Any) -> None:
        from django.conf import settings as live

        assert live.DEBUG is False


class TestHeaders:
    def test_every_kind_of_response_carries_the_security_headers(self) -> None:
        client = signed_in()
        for url in ["/login/", "/", "/en/", "/api/v1/cases", "/api/v1/nowhere", "/no-such-page/"]:
            response = client.get(url)
            assert response["X-Content-Type-Options"] == "nosniff", url
            assert response["Referrer-Policy"] == "same-origin", url
            assert response["X-Frame-Options"] == "DENY", url
            assert response["Cross-Origin-Opener-Policy"] == "same-origin", url
            assert "camera=()" in response["Permissions-Policy"], url
            assert "default-src 'self'" in response["Content-Security-Policy"], url
            assert "frame-ancestors 'none'" in response["Content-Security-Policy"], url
            assert "no-store" in response["Cache-Control"], url

    def test_the_only_scripts_and_style_blocks_on_a_page_carry_this_responses_nonce(self) -> None:
        client = signed_in()
        first, second = client.get("/"), client.get("/")
        nonces = [re.search(r"'nonce-([^']+)'", r["Content-Security-Policy"]) for r in (first, second)]
        assert nonces[0] and nonces[1] and nonces[0].group(1) != nonces[1].group(1)
        html = first.content.decode()
        tags = re.findall(r"<(?:script|style)\b[^>]*>", html)
        assert tags and all(f'nonce="{nonces[0].group(1)}"' in tag for tag in tags)
        assert "'unsafe-inline'" not in first["Content-Security-Policy"].split("style-src-attr")[0]
        assert not re.search(r"\son[a-z]+\s*=", html), "an inline event handler would be blocked by the CSP"

    def test_the_api_schema_and_its_docs_are_for_signed_in_staff_only(self) -> None:
        for url in ("/api/docs", "/api/openapi.json"):
            response = Client().get(url)
            assert response.status_code == 302 and "/login/" in response["Location"], url
        assert signed_in().get("/api/openapi.json").status_code == 200

    def test_the_api_docs_load_swagger_from_our_static_files_under_a_self_only_policy(self) -> None:
        response = signed_in().get("/api/docs")
        assert response.status_code == 200
        html = response.content.decode()
        assert "/static/ninja/swagger-ui-bundle.js" in html and "cdn.jsdelivr.net" not in html
        policy = response["Content-Security-Policy"]
        assert "http" not in policy and "'unsafe-inline'" not in policy and "script-src 'self';" in policy
        assert response["X-Frame-Options"] == "DENY"


class TestSessionLimits:
    def _at(self, monkeypatch: pytest.MonkeyPatch, after: dt.timedelta) -> None:
        monkeypatch.setattr(clock, "now", lambda: FROZEN_NOW + after)

    def test_a_session_idle_longer_than_the_limit_ends_with_a_message(self, monkeypatch: pytest.MonkeyPatch) -> None:
        client = signed_in()
        assert client.get("/en/").status_code == 200
        self._at(monkeypatch, dt.timedelta(minutes=29))
        assert client.get("/en/").status_code == 200  # activity: the idle time starts again
        self._at(monkeypatch, dt.timedelta(minutes=29 + 30))
        response = client.get("/en/", follow=True)
        assert response.redirect_chain[-1][0].startswith("/en/login/")
        assert "signed out after 30 minutes without activity" in response.content.decode()

    def test_the_idle_limit_is_worded_in_chinese_too(self, monkeypatch: pytest.MonkeyPatch) -> None:
        client = signed_in()
        client.get("/")
        self._at(monkeypatch, dt.timedelta(minutes=31))
        response = client.get("/", follow=True)
        assert "30 分钟" in response.content.decode()

    def test_an_active_session_still_ends_after_the_absolute_limit(self, monkeypatch: pytest.MonkeyPatch) -> None:
        client = signed_in()
        for minutes in range(0, 12 * 60, 20):
            self._at(monkeypatch, dt.timedelta(minutes=minutes))
            assert client.get("/en/").status_code == 200, minutes
        self._at(monkeypatch, dt.timedelta(hours=12))
        response = client.get("/en/", follow=True)
        assert response.redirect_chain[-1][0].startswith("/en/login/")
        assert "at most 12 hours" in response.content.decode()

    def test_the_limits_are_settings(self, monkeypatch: pytest.MonkeyPatch, settings: Any) -> None:
        settings.ARREARS_SESSION_IDLE_MINUTES = 5
        client = signed_in()
        client.get("/en/")
        self._at(monkeypatch, dt.timedelta(minutes=6))
        assert client.get("/en/").status_code == 302

    def test_an_idle_session_no_longer_opens_the_api(self, monkeypatch: pytest.MonkeyPatch) -> None:
        client = signed_in()
        assert client.get("/api/v1/cases").status_code == 200
        self._at(monkeypatch, dt.timedelta(hours=1))
        assert client.get("/api/v1/cases").status_code == 401

    def test_bearer_tokens_are_not_sessions_and_keep_working(self, monkeypatch: pytest.MonkeyPatch) -> None:
        _, token = ApiToken.issue(user=staff(Role.TEAM_LEAD), name="t")
        client = Client(headers={"authorization": f"Bearer {token}"})
        assert client.get("/api/v1/cases").status_code == 200
        self._at(monkeypatch, dt.timedelta(hours=13))
        assert client.get("/api/v1/cases").status_code == 200

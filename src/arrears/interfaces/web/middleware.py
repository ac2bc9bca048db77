"""Two middlewares every request passes: the security headers, and the session's idle and absolute limits."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext

from arrears.kernel import clock

Handler = Callable[[HttpRequest], HttpResponse]

# Pages: scripts and the one style block only with this response's nonce; style attributes (the bars'
# widths) stay allowed, since they cannot run code.
PAGE_POLICY = (
    "default-src 'self'; script-src 'self' 'nonce-{nonce}'; style-src 'self' 'nonce-{nonce}'; "
    "style-src-attr 'unsafe-inline'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
# /api/docs: django-ninja serves Swagger UI from its CDN with an inline start-up script while "ninja" is
# not an installed app. Once the assets are bundled (ninja's static files), this can become PAGE_POLICY.
DOCS_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; img-src 'self' data: https://django-ninja.dev; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
DOCS_VIEW = "openapi-view"


def security_headers(get_response: Handler) -> Handler:
    """CSP with a nonce per response (templates: `nonce="{{ request.csp_nonce }}"`), Permissions-Policy,
    and no caching of anything dynamic: pages and API answers carry personal data. Django's
    SecurityMiddleware and XFrameOptionsMiddleware add nosniff, Referrer-Policy, COOP and X-Frame-Options."""

    def middleware(request: HttpRequest) -> HttpResponse:
        nonce = secrets.token_urlsafe(18)
        request.csp_nonce = nonce  # type: ignore[attr-defined]
        response = get_response(request)
        match = getattr(request, "resolver_match", None)
        policy = DOCS_POLICY if match is not None and match.url_name == DOCS_VIEW else PAGE_POLICY
        response.setdefault("Content-Security-Policy", policy.format(nonce=nonce))
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        response.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        response.setdefault("X-Content-Type-Options", "nosniff")
        response.setdefault("Referrer-Policy", "same-origin")
        if not response.has_header("Cache-Control"):
            response.headers["Cache-Control"] = "no-store"
        return response

    return middleware


STARTED, SEEN = "arrears_started_at", "arrears_seen_at"
# The last activity is written back at most once a minute, not on every request.
SEEN_GRANULARITY = dt.timedelta(minutes=1)


def session_timeouts(get_response: Handler) -> Handler:
    """A signed-in session ends after ARREARS_SESSION_IDLE_MINUTES without a request and
    ARREARS_SESSION_MAX_HOURS after it began; the request then goes on signed out (pages send it to
    the login, the API answers 401) with a message saying why."""

    def middleware(request: HttpRequest) -> HttpResponse:
        session = request.session
        if SESSION_KEY in session:
            now = clock.now()
            started = _instant(session.get(STARTED)) or now
            seen = _instant(session.get(SEEN)) or now
            idle = dt.timedelta(minutes=settings.ARREARS_SESSION_IDLE_MINUTES)
            longest = dt.timedelta(hours=settings.ARREARS_SESSION_MAX_HOURS)
            if now - seen >= idle or now - started >= longest:
                logout(request)
                messages.info(request, _ended_message(idle=now - seen >= idle))
            else:
                if STARTED not in session:
                    session[STARTED] = started.isoformat()
                if SEEN not in session or now - seen >= SEEN_GRANULARITY:
                    session[SEEN] = now.isoformat()
        return get_response(request)

    return middleware


def _instant(value: object) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return dt.datetime.fromisoformat(value)
    except ValueError:
        return None


def _ended_message(*, idle: bool) -> str:
    if idle:
        return gettext("You were signed out after %(minutes)s minutes without activity. Please sign in again.") % {
            "minutes": settings.ARREARS_SESSION_IDLE_MINUTES
        }
    return gettext("You were signed out: a session lasts at most %(hours)s hours. Please sign in again.") % {
        "hours": settings.ARREARS_SESSION_MAX_HOURS
    }

"""The middlewares every request passes: the security headers, the session's idle and absolute limits, the
language a browser chose for addresses that name none, and the fence around an agency's users."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import Resolver404, get_script_prefix, get_urlconf, is_valid_path, resolve
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language_from_path, gettext

from arrears.interfaces.web.context_processors import held
from arrears.kernel import clock
from arrears.people.models import Role

Handler = Callable[[HttpRequest], HttpResponse]

# Pages: scripts and the one style block only with this response's nonce; style attributes (the bars'
# widths) stay allowed, since they cannot run code.
PAGE_POLICY = (
    "default-src 'self'; script-src 'self' 'nonce-{nonce}'; style-src 'self' 'nonce-{nonce}'; "
    "style-src-attr 'unsafe-inline'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
# /api/docs: Swagger UI from django-ninja's own static files ("ninja" is an installed app), its start-up
# script a file too: self only, nothing inline, nothing from another origin.
DOCS_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
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


def preferred_language(get_response: Handler) -> Handler:
    """An address without a language prefix is the default language's (zh-Hans). A browser whose
    language cookie names another language (chosen in the header, or set at sign-in from the profile) is
    sent to the same page under that language's prefix, so the choice sticks on every address: typed,
    bookmarked, or a redirect that names no language. Only for reading (GET, HEAD) and only where the
    prefixed address exists (not /api/ or /static/)."""

    languages = dict(settings.LANGUAGES)

    def middleware(request: HttpRequest) -> HttpResponse:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        if (
            request.method in ("GET", "HEAD")
            and chosen in languages
            and chosen != settings.LANGUAGE_CODE
            and get_language_from_path(request.path_info) is None
        ):
            prefixed = f"/{chosen}{request.path_info}"
            with translation.override(chosen):  # a language prefix resolves only in its own language
                exists = is_valid_path(prefixed, get_urlconf())
            if exists:
                query = request.META.get("QUERY_STRING", "")
                target = get_script_prefix().rstrip("/") + prefixed + (f"?{query}" if query else "")
                response: HttpResponse = HttpResponseRedirect(target)
                patch_vary_headers(response, ("Cookie",))
                return response
        return get_response(request)

    return middleware


# What an agency's user may reach: the agency portal, its API, signing in and out and the language.
AGENCY_PAGES = frozenset({"agency-portal", "agency-account", "login", "logout", "set_language"})
AGENCY_API = "/api/v1/agency/"


def agency_fence(get_response: Handler) -> Handler:
    """An agency's user (role agency_user) reaches the agency portal and nothing else of the bank's:
    every other page is a 404, every other API path a JSON 404, alike for what exists and what does not."""

    def middleware(request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or user.is_superuser:
            return get_response(request)
        # The roles the navigation keeps in the session (a minute at most): no query of its own on a page.
        roles = held(request)
        if roles is None or Role.AGENCY_USER not in roles.roles:
            return get_response(request)
        path = request.path_info
        if path.startswith("/api/"):
            if path.startswith(AGENCY_API):
                return get_response(request)
            body = {"code": "not_found", "field": None, "message": "not found, or not one you can see"}
            return JsonResponse(body, status=404)
        try:
            name = resolve(path).url_name
        except Resolver404:
            name = None
        if name in AGENCY_PAGES:
            return get_response(request)
        raise Http404(gettext("This page is not part of the agency portal."))

    return middleware

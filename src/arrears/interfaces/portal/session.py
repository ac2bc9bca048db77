"""The portal's session: its own cookie (never Django's staff session), read on every portal page and API call.

A portal page is reached only through `cardholder_page`, which resolves the cookie to a live `PortalSession`
and hands the view the signed-in customer; with none, the page sends the browser to the portal's sign-in.
A staff session opens no portal page (this cookie is the only key), and a portal session opens no staff page
(those ask Django's authentication, which knows nothing of it)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from arrears.ledger.models import Customer
from arrears.portal import operations
from arrears.portal.models import PortalSession

CHALLENGE_COOKIE = "arrears_portal_code"


def set_cookie(response: HttpResponse, name: str, value: str, *, max_age: int | None) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path="/",
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def session_of(request: HttpRequest) -> PortalSession | None:
    return operations.session_for(request.COOKIES.get(settings.ARREARS_PORTAL_COOKIE, ""))


def customer_of(request: HttpRequest) -> Customer:
    return request.portal_session.customer  # type: ignore[attr-defined,no-any-return]


def cardholder_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def page(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        session = session_of(request)
        if session is None:
            response = redirect("portal:login")
            if settings.ARREARS_PORTAL_COOKIE in request.COOKIES:
                response.delete_cookie(settings.ARREARS_PORTAL_COOKIE, path="/")
            return response
        request.portal_session = session  # type: ignore[attr-defined]
        return view(request, *args, **kwargs)

    return page

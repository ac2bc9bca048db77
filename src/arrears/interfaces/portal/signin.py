"""Signing in to the portal: the card's last four digits and the national ID, then the one-time code."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import rotate_token
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from arrears.errors import ArrearsError, Conflict
from arrears.interfaces.portal.session import CHALLENGE_COOKIE, session_of, set_cookie
from arrears.interfaces.web import formatting
from arrears.interfaces.web.errors import error_text
from arrears.interfaces.web.forms_login import client_address
from arrears.kernel import clock
from arrears.portal import operations


def _problem(exc: ArrearsError) -> str:
    if isinstance(exc, Conflict) and exc.code == "sign_in_locked":
        until = dt.datetime.fromisoformat(str(exc.params["until"]))
        return gettext("Too many wrong codes: signing in is locked until %(time)s. Please try again then.") % {
            "time": formatting.instant(until.astimezone(clock.bank_zone()))
        }
    return error_text(exc)


def login(request: HttpRequest) -> HttpResponse:
    if session_of(request) is not None:
        return redirect("portal:home")
    errors: dict[str, str] = {}
    problem, status = "", 200
    typed = {"last_four": request.POST.get("last_four", "")}
    if request.method == "POST":
        try:
            asked = operations.request_code(
                last_four=request.POST.get("last_four", ""),
                national_id=request.POST.get("national_id", ""),
                address=client_address(request),
            )
        except Conflict as exc:
            problem, status = _problem(exc), exc.status
        except ArrearsError as exc:
            errors[exc.field or ""], status = error_text(exc), exc.status
        else:
            response = redirect("portal:code")
            set_cookie(response, CHALLENGE_COOKIE, asked.token, max_age=settings.ARREARS_PORTAL_CODE_MINUTES * 60)
            return response
    return render(
        request,
        "arrears/portal/login.html",
        {"errors": errors, "problem": problem, "typed": typed},
        status=status,
    )


def code(request: HttpRequest) -> HttpResponse:
    token = request.COOKIES.get(CHALLENGE_COOKIE, "")
    if not token:
        return redirect("portal:login")
    problem, status = "", 200
    if request.method == "POST":
        try:
            signed = operations.verify_code(
                token=token,
                code=request.POST.get("code", ""),
                address=client_address(request),
                user_agent=request.headers.get("User-Agent", ""),
            )
        except ArrearsError as exc:
            problem, status = _problem(exc), exc.status
        else:
            rotate_token(request)
            response = redirect("portal:home")
            set_cookie(
                response, settings.ARREARS_PORTAL_COOKIE, signed.token, max_age=settings.ARREARS_PORTAL_MAX_HOURS * 3600
            )
            response.delete_cookie(CHALLENGE_COOKIE, path="/")
            return response
    return render(
        request,
        "arrears/portal/code.html",
        {"problem": problem, "minutes": settings.ARREARS_PORTAL_CODE_MINUTES},
        status=status,
    )


@require_POST
def logout(request: HttpRequest) -> HttpResponse:
    operations.sign_out(token=request.COOKIES.get(settings.ARREARS_PORTAL_COOKIE, ""))
    response = redirect("portal:login")
    response.delete_cookie(settings.ARREARS_PORTAL_COOKIE, path="/")
    return response

"""The sign-in forms (the pages' and the admin's), throttled: a locked user name or address is refused
before the password is looked at, with the time sign-in opens again; failures and successes are reported
to arrears.logins."""

from __future__ import annotations

import datetime as dt
import ipaddress
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest
from django.utils.translation import gettext

from arrears.interfaces.web import formatting
from arrears.kernel import clock
from arrears.logins import operations as logins


def client_address(request: HttpRequest | None) -> str | None:
    """The client's address: REMOTE_ADDR, or the header ARREARS_CLIENT_ADDRESS_HEADER names behind a proxy."""
    if request is None:
        return None
    value = str(request.META.get(settings.ARREARS_CLIENT_ADDRESS_HEADER, "")).strip()
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def locked_message(until: dt.datetime) -> str:
    now = clock.now()
    minutes = max(1, -(-int((until - now).total_seconds()) // 60))
    return gettext(
        "Too many failed sign-ins: signing in is locked until %(time)s (in %(minutes)s minutes). Try again then."
    ) % {"time": formatting.instant(until.astimezone(clock.bank_zone())), "minutes": minutes}


class Throttled:
    """Mixed into an AuthenticationForm (request, cleaned_data, clean)."""

    door = "web"
    request: HttpRequest | None
    cleaned_data: dict[str, Any]
    locked_message: str = ""

    def clean(self) -> dict[str, Any]:
        username, password = self.cleaned_data.get("username"), self.cleaned_data.get("password")
        if username is None or not password:
            return super().clean()  # type: ignore[misc,no-any-return]
        address = client_address(self.request)
        until = logins.locked_until(username=username, address=address)
        if until is None:
            try:
                cleaned: dict[str, Any] = super().clean()  # type: ignore[misc]
            except forms.ValidationError:
                until = logins.failed(username=username, address=address, door=self.door)
                if until is None:
                    raise
            else:
                logins.succeeded(username=username)
                return cleaned
        self.locked_message = locked_message(until)
        raise forms.ValidationError(self.locked_message, code="locked")


class LoginForm(Throttled, AuthenticationForm):
    door = "web"


class AdminLoginForm(Throttled, AdminAuthenticationForm):
    door = "admin"

"""Signing in and the language of the pages.

Sign-in lands each person on the page their work starts from (LANDING, first role that matches):
a collector on the workbench, a team lead on the team page, a credit assessor on the plans inbox,
customer service on the hand-offs, a compliance officer on the audit trail, an administrator on the
portfolio. A `next` address (a page that sent them to sign in) wins over the landing page.

The language chosen in the header is kept twice: in Django's language cookie (this browser) and on the
person's profile (their next sign-in, on any browser, sets the cookie again). An unprefixed address is
the default language's; a browser whose cookie names another language is sent to that language's
address (arrears.interfaces.web.middleware.preferred_language)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import translation
from django.utils.translation import get_language_from_path
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from arrears.interfaces.web.forms_login import LoginForm
from arrears.people.models import Role
from arrears.people.operations import choose_page_language, page_language, roles_of

LANDING = (
    (Role.COLLECTOR, "workbench"),
    (Role.TEAM_LEAD, "team"),
    (Role.CREDIT_ASSESSOR, "plans-inbox"),
    (Role.CUSTOMER_SERVICE, "handoffs"),
    (Role.COMPLIANCE_OFFICER, "audit"),
    (Role.ADMINISTRATOR, "home"),
    (Role.AGENCY_USER, "agency-portal"),
)


def landing(user: Any) -> str:
    """The name of the page `user` starts from after signing in."""
    if user.is_superuser:
        return "home"
    roles = roles_of(user)
    return next((page for role, page in LANDING if role in roles), "workbench")


def set_language_cookie(response: HttpResponse, language: str) -> None:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


class SignIn(LoginView):
    template_name = "arrears/login.html"
    authentication_form = LoginForm

    def form_valid(self, form: Any) -> HttpResponse:
        chosen = page_language(form.get_user())
        if chosen:
            translation.activate(chosen)  # the landing address is the chosen language's
            self.request.LANGUAGE_CODE = chosen
        response = super().form_valid(form)
        if chosen:
            set_language_cookie(response, chosen)
        return response

    def get_default_redirect_url(self) -> str:
        return reverse(landing(self.request.user))


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Django's set_language (the cookie, and the same page in the new language), and for a signed-in
    person the choice kept on their profile.

    Django finds "the same page in the new language" by resolving `next` in the active language; this
    address has no prefix, so the active language is always the default one and an English `next`
    (/en/...) would not resolve and be kept as it is: English after choosing Chinese. It is resolved in
    the language its own prefix names instead."""
    nxt = request.POST.get("next", request.GET.get("next", ""))
    with translation.override(get_language_from_path(urlsplit(nxt).path) or settings.LANGUAGE_CODE):
        response = django_set_language(request)
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        choose_page_language(request.user, language)
    return response

"""The portal's pages, included under /portal/ (and /en/portal/) by arrears.urls."""

from __future__ import annotations

from django.urls import URLPattern, path

from arrears.interfaces.portal import pages, signin

urlpatterns: list[URLPattern] = [
    path("", pages.home, name="portal-home"),
    path("login/", signin.login, name="portal-login"),
    path("login/code/", signin.code, name="portal-code"),
    path("logout/", signin.logout, name="portal-logout"),
    path("statements/", pages.statements, name="portal-statements"),
    path("statements/<int:statement_id>/", pages.statement, name="portal-statement"),
    path("plans/", pages.plans, name="portal-plans"),
    path("plans/<int:plan_id>/", pages.plan, name="portal-plan"),
    path("plans/<int:plan_id>/document.pdf", pages.plan_document, name="portal-plan-document"),
    path("plans/<int:plan_id>/accept/", pages.plan_accept, name="portal-plan-accept"),
    path("promise/", pages.promise, name="portal-promise"),
    path("contact/", pages.contact, name="portal-contact"),
    path("letters/", pages.letters, name="portal-letters"),
    path("letters/<int:message_id>.pdf", pages.letter, name="portal-letter"),
]

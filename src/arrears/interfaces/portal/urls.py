"""The portal's pages, included under /portal/ (and /en/portal/) by arrears.urls."""

from __future__ import annotations

from django.urls import URLPattern, path

from arrears.interfaces.portal import pages, signin

app_name = "portal"
urlpatterns: list[URLPattern] = [
    path("", pages.home, name="home"),
    path("login/", signin.login, name="login"),
    path("login/code/", signin.code, name="code"),
    path("logout/", signin.logout, name="logout"),
    path("statements/", pages.statements, name="statements"),
    path("statements/<int:statement_id>/", pages.statement, name="statement"),
    path("plans/", pages.plans, name="plans"),
    path("plans/<int:plan_id>/", pages.plan, name="plan"),
    path("plans/<int:plan_id>/document.pdf", pages.plan_document, name="plan-document"),
    path("plans/<int:plan_id>/accept/", pages.plan_accept, name="plan-accept"),
    path("promise/", pages.promise, name="promise"),
    path("contact/", pages.contact, name="contact"),
    path("question/", pages.question, name="question"),
    path("disputes/", pages.disputes, name="disputes"),
    path("pay/", pages.pay, name="pay"),
    path("surveys/<int:survey_id>/", pages.survey, name="survey"),
    path("letters/", pages.letters, name="letters"),
    path("letters/<int:message_id>.pdf", pages.letter, name="letter"),
]

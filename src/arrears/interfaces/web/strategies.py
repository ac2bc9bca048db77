"""The strategy manager's page: strategies and their versions, a definition, a new draft (YAML,
validated: an error names its path), approval by another manager, and what the strategy did on a date
per segment, arm, action and outcome."""

from __future__ import annotations

import datetime as dt
from typing import Any, NoReturn

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from arrears.cycle import business_date
from arrears.errors import ArrearsError, NotFound, ValidationFailed
from arrears.interfaces.web.errors import error_line
from arrears.people.models import Role
from arrears.people.operations import roles_of
from arrears.strategy.models import Strategy, StrategyAction, StrategyVersion
from arrears.strategy.operations import approve, draft, missing_templates


def _forbidden() -> NoReturn:
    raise PermissionDenied(_("This page is for strategy managers."))


def may_manage(user: Any) -> bool:
    return bool(user.is_superuser or Role.STRATEGY_MANAGER in roles_of(user))


def _date(text: str, field: str, default: dt.date) -> dt.date:
    if not text.strip():
        return default
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise ValidationFailed("give a date as YYYY-MM-DD", field=field, code="not_a_date") from None


def _version(text: str) -> StrategyVersion:
    version = (
        StrategyVersion.objects.select_related("strategy").filter(pk=int(text)).first()
        if text.isascii() and text.isdecimal()
        else None
    )
    if version is None:
        raise NotFound("no such strategy version", field="version")
    return version


@login_required
def strategies_page(request: HttpRequest) -> HttpResponse:
    if not may_manage(request.user):
        _forbidden()
    today = business_date.current()
    form = {"code": "", "effective_from": "", "definition": ""}
    problem = ""
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "approve":
                version = approve(
                    user=request.user, version=_version(request.POST.get("version", "")), business_date=today
                )
                messages.success(
                    request,
                    _("Version %(v)d of %(code)s approved; in force from %(day)s.")
                    % {"v": version.version, "code": version.strategy.code, "day": version.effective_from},
                )
                return redirect("strategies")
            form = {k: request.POST.get(k, "") for k in form}
            version = draft(
                user=request.user,
                code=form["code"].strip(),
                definition=form["definition"],
                effective_from=_date(form["effective_from"], "effective_from", today),
                business_date=today,
            )
            messages.success(
                request,
                _("Version %(v)d of %(code)s drafted: another strategy manager approves it.")
                % {"v": version.version, "code": version.strategy.code},
            )
            return redirect(f"{request.path}?version={version.pk}")
        except ArrearsError as exc:
            messages.error(request, error_line(exc))
            problem = exc.message
    shown = None
    if request.GET.get("version"):
        try:
            shown = _version(request.GET["version"])
        except NotFound:
            shown = None
    try:
        on = _date(request.GET.get("date", ""), "date", today)
    except ValidationFailed as exc:
        messages.error(request, error_line(exc))
        on = today
    done = list(
        StrategyAction.objects.filter(business_date=on)
        .values("segment", "arm", "kind", "outcome")
        .annotate(n=Count("id"))
        .order_by("segment", "arm", "kind", "outcome")
    )
    strategies = list(Strategy.objects.order_by("code").prefetch_related("versions"))
    return render(
        request,
        "arrears/strategy/page.html",
        {
            "strategies": strategies,
            "shown": shown,
            "missing": missing_templates(shown.definition) if shown else [],
            "form": form,
            "problem": problem,
            "on": on,
            "done": done,
            "me": request.user.get_username(),
        },
    )

"""A collector's own scorecard and weekly report (/insight/mine/, /insight/mine/weekly.pdf), and a
lead's or a collections manager's weekly report of their teams (/insight/weekly.pdf). A collector
sees only their own figures; a lead only the teams they lead (another team is not found); a
collections manager every team. Each PDF downloaded is audited (report.weekly.download)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseNotAllowed
from django.shortcuts import render
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET

from arrears.audit.operations import record
from arrears.errors import ValidationFailed
from arrears.insight.scorecards import AMOUNT, KEPT, QUALITY, RIGHT_PARTY, Scorecard
from arrears.insight.weekly import (
    COLLECTOR,
    LEAD,
    MANAGER,
    CollectorWeek,
    last_sunday_before,
    parse_week,
    pdf_name,
    recipient_of,
    report_for,
    week_figures,
)
from arrears.insight.weekly_pdf import number, percent
from arrears.insight.weekly_pdf import render as render_pdf
from arrears.interfaces.web.context_processors import business_date_of
from arrears.interfaces.web.errors import error_line
from arrears.people.models import Role, Team
from arrears.people.operations import roles_of


def _week(request: HttpRequest) -> tuple[dt.date, str]:
    """The week asked for (?week=YYYY-MM-DD, a Sunday before the business date), else the last
    Sunday before the business date, with the error line when the one asked for was refused."""
    today = business_date_of(request)
    try:
        return parse_week(request.GET.get("week", ""), today), ""
    except ValidationFailed as exc:
        return last_sunday_before(today), error_line(exc)


def _name(user: Any) -> str:
    return str(user.get_full_name() or user.get_username())


def _pdf(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@dataclasses.dataclass(frozen=True)
class Measure:
    label: str
    value: str
    weight: str
    points: str


def measures(card: Scorecard) -> list[Measure]:
    labels = {
        QUALITY: pgettext("scorecard", "Quality review"),
        RIGHT_PARTY: pgettext("scorecard", "Right-party-contact rate"),
        KEPT: pgettext("scorecard", "Promises kept"),
        AMOUNT: pgettext("scorecard", "Amount collected (relative, capped)"),
    }
    rows = []
    for m, label in labels.items():
        part = card.parts.get(m)
        weight = card.weights.get(m, Decimal(0))
        unreviewed = m == QUALITY and card.inputs.quality is None
        value = pgettext("scorecard", "not reviewed") if unreviewed else percent(part)
        points = number(part * weight) if part is not None and weight else "—"
        rows.append(Measure(label, value, number(weight), points))
    return rows


@login_required
@require_GET
def mine_page(request: HttpRequest) -> HttpResponse:
    """The signed-in person's own scorecard and week (a collector in a team); leads and managers get
    the link to their teams' report."""
    week, error = _week(request)
    figures = week_figures(week)
    own: CollectorWeek | None = figures.collectors.get(request.user.get_username())
    roles = roles_of(request.user)
    return render(
        request,
        "arrears/insight/mine.html",
        {
            "week": week,
            "week_start": week - dt.timedelta(days=6),
            "error": error,
            "own": own,
            "measures": measures(own.card) if own else [],
            "rows": _figure_rows(own) if own else [],
            "leads": bool(roles & {Role.TEAM_LEAD, Role.COLLECTIONS_MANAGER}) or request.user.is_superuser,
        },
    )


def _figure_rows(own: CollectorWeek) -> list[tuple[str, str, str]]:
    this, prev = own.this, own.previous
    return [
        (pgettext("scorecard", "Contact attempts"), str(this.attempts), str(prev.attempts)),
        (pgettext("scorecard", "Right-party contacts"), str(this.right_party), str(prev.right_party)),
        (pgettext("scorecard", "Promises taken"), str(this.promises), str(prev.promises)),
        (pgettext("scorecard", "Promises kept"), str(this.kept), str(prev.kept)),
        (pgettext("scorecard", "Roll rate M1→M2"), percent(this.roll_m1_m2), percent(prev.roll_m1_m2)),
        (pgettext("scorecard", "Cure rate"), percent(this.cure), percent(prev.cure)),
        (pgettext("scorecard", "Right-party-contact rate"), percent(this.rpc_rate), percent(prev.rpc_rate)),
        (pgettext("scorecard", "Kept rate"), percent(this.kept_rate), percent(prev.kept_rate)),
    ]


@login_required
@require_GET
def mine_pdf(request: HttpRequest) -> HttpResponse:
    """The signed-in collector's own weekly report (PDF, in the page's language)."""
    week, error = _week(request)
    if error:
        return HttpResponseBadRequest(error, content_type="text/plain; charset=utf-8")
    figures = week_figures(week)
    username = request.user.get_username()
    if username not in figures.collectors:
        raise Http404(pgettext("scorecard", "You have no scorecard: only collectors in a team have one."))
    recipient = recipient_of(request.user, kind=COLLECTOR)
    data = render_pdf(report_for(figures, recipient, name=_name(request.user)))
    record(actor=username, action="report.weekly.download", object_type="user", object_id=username,
           after={"week_ending": week, "kind": COLLECTOR})  # fmt: skip
    return _pdf(data, pdf_name(week, username))


@login_required
def team_pdf(request: HttpRequest) -> HttpResponse:
    """The weekly report of the teams the person leads (a collections manager: every team; ?team=<id>
    narrows it to one; a team they do not lead is not found, as an unknown one)."""
    roles = roles_of(request.user)
    manager = request.user.is_superuser or Role.COLLECTIONS_MANAGER in roles
    if not manager and Role.TEAM_LEAD not in roles:
        raise PermissionDenied(pgettext("scorecard", "This report is for team leads and collections managers."))
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    teams = Team.objects.all() if manager else Team.objects.filter(lead=request.user.pk)
    wanted = request.GET.get("team", "")
    if wanted:
        if not (wanted.isascii() and wanted.isdecimal() and 0 < int(wanted) < 2**63):
            raise Http404(pgettext("scorecard", "No such team of yours."))
        teams = teams.filter(pk=int(wanted))
    names = list(teams.order_by("name").values_list("name", flat=True))
    if not names:
        raise Http404(pgettext("scorecard", "No such team of yours."))
    week, error = _week(request)
    if error:
        return HttpResponseBadRequest(error, content_type="text/plain; charset=utf-8")
    kind = MANAGER if manager and not wanted else LEAD
    recipient = recipient_of(request.user, kind=kind, teams=names)
    username = request.user.get_username()
    data = render_pdf(report_for(week_figures(week), recipient, name=_name(request.user)))
    record(actor=username, action="report.weekly.download", object_type="user", object_id=username,
           after={"week_ending": week, "kind": kind, "teams": names})  # fmt: skip
    return _pdf(data, pdf_name(week, "teams" if len(names) > 1 else f"team-{teams.get().pk}"))

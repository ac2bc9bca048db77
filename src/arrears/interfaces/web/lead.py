"""The team lead's page: the team's figures with charts, the collectors' day, reassignment, and the
figures exported to CSV and XLSX (the same tables the page shows, audited as team.export)."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
from collections import Counter
from decimal import Decimal
from typing import Any, NoReturn

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from arrears.application.reads import record_request_reads
from arrears.application.team_figures import TeamFigures, team_figures, teams_led_by
from arrears.audit.operations import record
from arrears.cases.models import Case, CaseStatus
from arrears.cases.operations import reassign
from arrears.complaints.queries import lead_summary
from arrears.concessions.models import ConcessionKind
from arrears.contacts.models import Contact, Result
from arrears.cycle import business_date
from arrears.errors import ArrearsError, ValidationFailed
from arrears.inquiries.queries import csat
from arrears.insight.board import Funnel
from arrears.interfaces.web.charts import Chart, chart
from arrears.interfaces.web.errors import error_line
from arrears.interfaces.web.workbench import _posted_id, _with_figures
from arrears.kernel import clock
from arrears.money import from_fen
from arrears.people.models import Role
from arrears.people.operations import roles_of
from arrears.promises.models import Promise, PromiseStatus

HUNDRED = Decimal(100)


# -- the tables: one source for the page, the CSV and the XLSX ------------------------------------


@dataclasses.dataclass(frozen=True)
class Cell:
    kind: str  # amount (yuan), rate (percent), number (two decimals), count, date, text
    value: Any

    @property
    def numeric(self) -> bool:
        return self.kind in {"amount", "rate", "number", "count"}

    @property
    def text(self) -> str:
        """As the page shows it: amounts with separators and two decimals, rates with a % sign."""
        if self.value is None:
            return "—"
        if self.kind in {"amount", "number"}:
            return f"{self.value:,.2f}"
        if self.kind == "rate":
            return f"{self.value:.2f}%"
        if self.kind == "date":
            return formats.date_format(self.value, "DATE_FORMAT")
        return str(self.value)

    @property
    def raw(self) -> str:
        """As the CSV writes it: a plain number with two decimals for amounts and rates."""
        if self.value is None:
            return ""
        if self.kind in {"amount", "rate", "number"}:
            return f"{self.value:.2f}"
        if self.kind == "date":
            return str(self.value.isoformat())
        return unformula(str(self.value))

    @property
    def sheet_value(self) -> Any:
        """As the XLSX holds it: numbers and dates as such, text never read as a formula."""
        return unformula(self.value) if isinstance(self.value, str) else self.value


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def unformula(text: str) -> str:
    """Text a spreadsheet would run as a formula (a team named "=HYPERLINK(...)") kept as text."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


@dataclasses.dataclass(frozen=True)
class Header:
    text: str
    numeric: bool = False


@dataclasses.dataclass(frozen=True)
class Table:
    id: str
    title: str
    headers: list[Header]
    rows: list[list[Cell]]

    def columns(self, id: str, indexes: list[int]) -> Table:
        return Table(
            id=id,
            title=self.title,
            headers=[self.headers[i] for i in indexes],
            rows=[[row[i] for i in indexes] for row in self.rows],
        )


def _day(day: dt.date) -> str:
    return formats.date_format(day, "DATE_FORMAT")


def _yuan(fen: int) -> Cell:
    return Cell("amount", from_fen(fen))


def tables(f: TeamFigures) -> list[Table]:
    """The figures as four tables, headed in the active language."""
    summary = Table(
        id="t-summary",
        title=pgettext("team figures", "Summary for the period"),
        headers=[Header(pgettext("team figures", "Measure")), Header(pgettext("team figures", "Value"), numeric=True)],
        rows=[
            [Cell("text", label), cell]
            for label, cell in [
                (pgettext("team figures", "Period from"), Cell("date", f.start + dt.timedelta(days=1))),
                (pgettext("team figures", "Period to"), Cell("date", f.end)),
                (pgettext("team figures", "Accounts in arrears at the start"), Cell("count", f.delinquent_at_start)),
                (pgettext("team figures", "Cured (current at the end)"), Cell("count", f.cured)),
                (pgettext("team figures", "Cure rate %"), Cell("rate", f.cure_rate)),
                (pgettext("team figures", "Collected (yuan)"), _yuan(f.collected_fen)),
                (pgettext("team figures", "Promises due"), Cell("count", f.promises_due)),
                (pgettext("team figures", "Promises kept"), Cell("count", f.promises_kept)),
                (pgettext("team figures", "Promises kept %"), Cell("rate", f.kept_rate)),
                (pgettext("team figures", "Contacts"), Cell("count", f.contacts)),
                (pgettext("team figures", "Right-party contacts"), Cell("count", f.right_party)),
                (pgettext("team figures", "Right-party contact rate %"), Cell("rate", f.rpc_rate)),
                (pgettext("team figures", "Approvals waiting"), Cell("count", f.pending_count)),
            ]
        ],
    )
    rolls = Table(
        id="t-rolls",
        title=pgettext("team figures", "Roll rates between buckets"),
        headers=[
            Header(pgettext("team figures", "From bucket")),
            Header(pgettext("team figures", "To bucket")),
            Header(pgettext("team figures", "Accounts at the start"), numeric=True),
            Header(pgettext("team figures", "Rolled"), numeric=True),
            Header(pgettext("team figures", "Roll rate %"), numeric=True),
        ],
        rows=[
            [
                Cell("text", f"M{r.from_bucket}"),
                Cell("text", f"M{r.to_bucket}"),
                Cell("count", r.accounts),
                Cell("count", r.rolled),
                Cell("rate", r.rate),
            ]
            for r in f.rolls
        ],
    )
    weeks = Table(
        id="t-weeks",
        title=pgettext("team figures", "Weekly trends"),
        headers=[
            Header(pgettext("team figures", "Week from")),
            Header(pgettext("team figures", "Week to")),
            Header(pgettext("team figures", "Collected (yuan)"), numeric=True),
            Header(pgettext("team figures", "Contacts"), numeric=True),
            Header(pgettext("team figures", "Right-party contacts"), numeric=True),
            Header(pgettext("team figures", "Right-party contact rate %"), numeric=True),
            Header(pgettext("team figures", "Promises due"), numeric=True),
            Header(pgettext("team figures", "Promises kept"), numeric=True),
            Header(pgettext("team figures", "Promises kept %"), numeric=True),
        ],
        rows=[
            [
                Cell("date", w.start),
                Cell("date", w.end),
                _yuan(w.collected_fen),
                Cell("count", w.contacts),
                Cell("count", w.right_party),
                Cell("rate", w.rpc_rate),
                Cell("count", w.promises_due),
                Cell("count", w.promises_kept),
                Cell("rate", w.kept_rate),
            ]
            for w in f.weeks
        ],
    )
    roles = dict(Role.choices)
    kinds = dict(ConcessionKind.choices)
    pending = Table(
        id="t-pending",
        title=pgettext("team figures", "Approvals waiting"),
        headers=[
            Header(pgettext("team figures", "Request")),
            Header(_("Case")),
            Header(_("Concession")),
            Header(pgettext("team figures", "Amount (yuan)"), numeric=True),
            Header(pgettext("team figures", "Approver role")),
            Header(pgettext("team figures", "Requested on")),
            Header(pgettext("team figures", "Expires on")),
        ],
        rows=[
            [
                Cell("text", f"#{p.id}"),
                Cell("text", f"#{p.case_id}"),
                Cell("text", str(kinds.get(p.kind, p.kind))),
                _yuan(p.amount_fen),
                Cell("text", str(roles.get(p.to_role, p.to_role))),
                Cell("date", p.requested_on),
                Cell("date", p.expires_on),
            ]
            for p in f.pending
        ],
    )
    return [summary, rolls, weeks, pending]


def charts(f: TeamFigures, t: list[Table]) -> list[tuple[Chart, Table]]:
    """The four charts, each with the slice of the tables it draws."""
    rolls, weeks = t[1], t[2]
    week_names = [w.end.strftime("%m-%d") for w in f.weeks]
    week_axis = pgettext("team figures", "Week ending")

    def texts(table: Table, column: int) -> list[str]:
        return [row[column].text for row in table.rows]

    return [
        (
            chart(
                id="chart-rolls",
                caption=pgettext("team figures", "Roll rates between buckets, %(start)s to %(end)s")
                % {"start": _day(f.start + dt.timedelta(days=1)), "end": _day(f.end)},
                x_label=_("Bucket"),
                y_label=pgettext("team figures", "Roll rate %"),
                categories=[f"M{r.from_bucket}→M{r.to_bucket}" for r in f.rolls],
                series=[(pgettext("team figures", "Roll rate %"), [r.rate for r in f.rolls], texts(rolls, 4))],
                fixed_top=HUNDRED,
            ),
            rolls,
        ),
        (
            chart(
                id="chart-collected",
                caption=pgettext("team figures", "Amounts collected by week"),
                x_label=week_axis,
                y_label=pgettext("team figures", "Collected (yuan)"),
                categories=week_names,
                series=[
                    (
                        pgettext("team figures", "Collected (yuan)"),
                        [from_fen(w.collected_fen) for w in f.weeks],
                        texts(weeks, 2),
                    )
                ],
            ),
            weeks.columns("t-collected", [0, 1, 2]),
        ),
        (
            chart(
                id="chart-kept",
                caption=pgettext("team figures", "Promises kept by week"),
                x_label=week_axis,
                y_label=pgettext("team figures", "Promises kept %"),
                categories=week_names,
                series=[(pgettext("team figures", "Promises kept %"), [w.kept_rate for w in f.weeks], texts(weeks, 8))],
                kind="line",
                fixed_top=HUNDRED,
            ),
            weeks.columns("t-kept", [0, 1, 6, 7, 8]),
        ),
        (
            chart(
                id="chart-contacts",
                caption=pgettext("team figures", "Contacts and right-party contacts by week"),
                x_label=week_axis,
                y_label=pgettext("team figures", "Contacts"),
                categories=week_names,
                series=[
                    (pgettext("team figures", "Contacts"), [Decimal(w.contacts) for w in f.weeks], texts(weeks, 3)),
                    (
                        pgettext("team figures", "Right-party contacts"),
                        [Decimal(w.right_party) for w in f.weeks],
                        texts(weeks, 4),
                    ),
                ],
            ),
            weeks.columns("t-contacts", [0, 1, 3, 4, 5]),
        ),
    ]


# -- the page --------------------------------------------------------------------------------------


def _is_lead(user: Any) -> bool:
    return bool(user.is_superuser or Role.TEAM_LEAD in roles_of(user))


def _forbidden() -> NoReturn:
    raise PermissionDenied(_("This page is for team leads."))


def _collectors(teams: Any, cases: Any, today: dt.date) -> list[dict[str, Any]]:
    week_start = today - dt.timedelta(days=today.weekday())
    tz_today, tz_week = clock.start_of(today), clock.start_of(week_start)
    members = User.objects.filter(teams__in=teams).distinct().order_by("username")
    contacts = Contact.objects.filter(case__team__in=teams)
    promises = Promise.objects.filter(case__team__in=teams)

    def per_collector(qs: Any, field: str) -> dict[int, int]:
        return dict(qs.values(field).annotate(n=Count("id")).values_list(field, "n"))

    load = per_collector(cases, "collector")
    day_contacts = per_collector(contacts.filter(at__gte=tz_today), "collector")
    week_contacts = per_collector(contacts.filter(at__gte=tz_week), "collector")
    day_rpc = per_collector(contacts.filter(at__gte=tz_today, result=Result.RIGHT_PARTY), "collector")
    week_rpc = per_collector(contacts.filter(at__gte=tz_week, result=Result.RIGHT_PARTY), "collector")
    week_promises = per_collector(promises.filter(taken_on__gte=week_start), "taken_by")
    week_kept = per_collector(promises.filter(taken_on__gte=week_start, status=PromiseStatus.KEPT), "taken_by")
    return [
        {
            "user": m,
            "cases": load.get(m.pk, 0),
            "contacts_today": day_contacts.get(m.pk, 0),
            "contacts_week": week_contacts.get(m.pk, 0),
            "rpc_today": day_rpc.get(m.pk, 0),
            "rpc_week": week_rpc.get(m.pk, 0),
            "promises_week": week_promises.get(m.pk, 0),
            "kept_week": week_kept.get(m.pk, 0),
        }
        for m in members
    ]


@login_required
def team_page(request: HttpRequest) -> HttpResponse:
    from arrears.interfaces.web.insight import basis_label, funnel_view, heat_map

    if not _is_lead(request.user):
        _forbidden()
    teams = teams_led_by(request.user)
    cases = Case.objects.filter(team__in=teams).exclude(status=CaseStatus.CLOSED)
    if request.method == "POST":
        ids = [int(x) for x in request.POST.getlist("cases") if x.isascii() and x.isdecimal()]
        collector = User.objects.filter(pk=_posted_id(request, "collector")).first()
        try:
            if collector is None:
                raise ValidationFailed("choose a collector", field="collector", code="required")
            n = reassign(actor=request.user, case_ids=ids, collector=collector, visible=cases)
            messages.success(request, _("%(n)d case(s) reassigned to %(who)s.") % {"n": n, "who": collector})
            return redirect("team")
        except ArrearsError as exc:
            messages.error(request, error_line(exc))
    today = business_date.current()
    figures = team_figures(request.user, today=today)
    t = tables(figures)
    by_bucket = Counter(
        dict(cases.values_list("worst_bucket").annotate(n=Count("id")).values_list("worst_bucket", "n"))
    )
    page = Paginator(cases.select_related("customer", "collector").order_by("-priority", "id"), 50).get_page(
        request.GET.get("page")
    )
    page.object_list = _with_figures(list(page.object_list))
    record_request_reads(request, object_type="case", ids=[c.pk for c in page.object_list])
    return render(
        request,
        "arrears/team.html",
        {
            "teams": figures.teams,
            "figures": figures,
            "summary": t[0],
            "headline": [t[0].rows[i] for i in (4, 5, 8, 11, 12)],
            "period_from": _day(figures.start + dt.timedelta(days=1)),
            "period_to": _day(figures.end),
            "pending": t[3],
            "charts": charts(figures, t),
            "open_by_bucket": [(f"M{b}", by_bucket.get(b, 0)) for b in range(8)],
            "rows": _collectors(teams, cases, today),
            "page": page,
            "members": User.objects.filter(teams__in=teams).distinct().order_by("username"),
            "csat": csat(
                start=figures.start + dt.timedelta(days=1),
                end=figures.end + dt.timedelta(days=1),
                teams=teams.values_list("pk", flat=True),
            ),
            "complaints": lead_summary(request.user, today=today),
            "heat": heat_map(
                "heat-map",
                pgettext("insight", "Roll matrix (%(basis)s), %(start)s to %(end)s")
                % {
                    "basis": basis_label("count"),
                    "start": (figures.start + dt.timedelta(days=1)).isoformat(),
                    "end": figures.end.isoformat(),
                },
                figures.matrix,
                "count",
            ),
            "funnel": funnel_view(
                "funnel",
                pgettext("insight", "From attempts to kept promises"),
                Funnel(
                    attempts=figures.contacts,
                    right_party=figures.right_party,
                    promises=figures.promises_taken,
                    kept=figures.promises_taken_kept,
                ),
            ),
        },
    )


# -- the exports -------------------------------------------------------------------------------


def _export(request: HttpRequest, kind: str) -> tuple[TeamFigures, list[Table]] | None:
    if not _is_lead(request.user):
        return None
    figures = team_figures(request.user, today=business_date.current())
    record(
        actor=request.user.get_username(),
        action="team.export",
        object_type="team",
        object_id=",".join(str(pk) for pk in teams_led_by(request.user).order_by("pk").values_list("pk", flat=True)),
        after={"format": kind, "teams": figures.teams, "end": figures.end.isoformat()},
    )
    return figures, tables(figures)


def _filename(figures: TeamFigures, ext: str) -> str:
    return f"team-{figures.end.isoformat()}.{ext}"


def csv_response(tables: list[Table], filename: str) -> HttpResponse:
    """The tables one under another, each with its title and headers (UTF-8 with a BOM for Excel)."""
    out = io.StringIO()
    writer = csv.writer(out)
    for table in tables:
        writer.writerow([unformula(table.title)])
        writer.writerow([unformula(h.text) for h in table.headers])
        writer.writerows([c.raw for c in row] for row in table.rows)
        writer.writerow([])
    response = HttpResponse("\ufeff" + out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHEET_NAME_FORBIDDEN = str.maketrans({c: " " for c in "[]:*?/\\"})


def xlsx_response(tables: list[Table], filename: str) -> HttpResponse:
    """A sheet a table (names made unique), amounts and rates with two decimals, dates as dates."""
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    used: set[str] = set()
    for table in tables:
        name = table.title.translate(SHEET_NAME_FORBIDDEN)[:31]
        while name in used:
            name = name[:29] + f"_{len(used)}"
        used.add(name)
        sheet = book.create_sheet(name)
        sheet.append([unformula(h.text) for h in table.headers])
        for row in table.rows:
            sheet.append([c.sheet_value for c in row])
            for cell, c in zip(sheet[sheet.max_row], row, strict=True):
                if c.kind in {"amount", "rate", "number"}:
                    cell.number_format = "#,##0.00"
                elif c.kind == "date":
                    cell.number_format = "yyyy-mm-dd"
        for column, header in zip(sheet.columns, table.headers, strict=True):
            sheet.column_dimensions[column[0].column_letter].width = max(12, len(header.text) * 2)
    out = io.BytesIO()
    book.save(out)
    response = HttpResponse(out.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def export_csv(request: HttpRequest) -> HttpResponse:
    found = _export(request, "csv")
    if found is None:
        _forbidden()
    figures, t = found
    return csv_response(t, _filename(figures, "csv"))


@login_required
def export_xlsx(request: HttpRequest) -> HttpResponse:
    found = _export(request, "xlsx")
    if found is None:
        _forbidden()
    figures, t = found
    return xlsx_response(t, _filename(figures, "xlsx"))

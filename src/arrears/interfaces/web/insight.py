"""The manager's insight page (/insight/): the collection KPIs (arrears.insight.kpis) for a period,
grouped by a dimension, with their trends, the roll matrix as a heat map, the funnel from attempts
to kept promises, recovery after charge-off and the roll-rate forecast; and the grouped table, the
roll matrix and the forecast exported to CSV and XLSX (audited as insight.export).

Collections managers, administrators and superusers see every team; a team lead sees the teams they
lead (the facts whose team is one of theirs); anyone else gets 403. Every figure comes from
`insight.facts.load` (set-based) and the pure KPI functions: the page adds no SQL of its own.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from collections.abc import Callable
from decimal import Decimal
from typing import Any, NoReturn

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from arrears.application.team_figures import teams_led_by
from arrears.audit.operations import record
from arrears.cycle import business_date
from arrears.errors import ArrearsError, ValidationFailed
from arrears.insight import board, forecast, kpis
from arrears.insight.facts import load
from arrears.interfaces.web.charts import Chart, chart
from arrears.interfaces.web.errors import error_line
from arrears.interfaces.web.lead import Cell, Header, Table, csv_response, xlsx_response
from arrears.money import from_fen
from arrears.people.models import Role
from arrears.people.operations import roles_of

HUNDRED = Decimal(100)
BASES = ("count", "balance")
MAX_MONTHS = 24
ALL_TEAMS_ROLES = {Role.COLLECTIONS_MANAGER, Role.ADMINISTRATOR}


def may_see(user: Any) -> bool:
    """Managers, administrators, superusers and team leads open the page."""
    if not user.is_authenticated:
        return False
    return bool(user.is_superuser or roles_of(user) & (ALL_TEAMS_ROLES | {Role.TEAM_LEAD}))


def scope(user: Any) -> list[str] | None:
    """None: every team; else the names of the teams this person leads."""
    if user.is_superuser or roles_of(user) & ALL_TEAMS_ROLES:
        return None
    return list(teams_led_by(user).order_by("name").values_list("name", flat=True))


# -- the filters -----------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Filters:
    first: dt.date  # the first day shown; the period is (first - 1, last]
    last: dt.date
    by: str
    basis: str

    @property
    def query(self) -> str:
        return f"from={self.first.isoformat()}&to={self.last.isoformat()}&by={self.by}&basis={self.basis}"


def default_filters(today: dt.date) -> Filters:
    """Six whole months before the business date's month, and this month up to the business date."""
    month = today.replace(day=1)
    for _i in range(6):
        month = (month - dt.timedelta(days=1)).replace(day=1)
    return Filters(first=month, last=today, by="team", basis="count")


# The dates the filters accept: far enough from year 1 and year 9999 that the month before the
# period and the forecast's month after it are still dates (beyond them: a 500 before).
EARLIEST = dt.date(1970, 1, 1)


def _date(text: str, field: str, today: dt.date) -> dt.date:
    try:
        day = dt.date.fromisoformat(text.strip())
    except ValueError:
        raise ValidationFailed(f"{text!r} is not a date like 2026-06-15", field=field, code="not_a_date") from None
    latest = dt.date(today.year + 1, 12, 31)
    if not EARLIEST <= day <= latest:
        raise ValidationFailed(
            f"{day} is not from {EARLIEST} to {latest}",
            field=field,
            code="out_of_range",
            params={"low": EARLIEST, "high": latest},
        )
    return day


def parse_filters(params: Any, today: dt.date) -> Filters:
    """The GET filters, each defaulting to `default_filters`; a bad one is a ValidationFailed naming it."""
    d = default_filters(today)
    first = _date(params["from"], "from", today) if params.get("from", "").strip() else d.first
    last = _date(params["to"], "to", today) if params.get("to", "").strip() else d.last
    if last < first:
        raise ValidationFailed(
            f"{last} is before {first}", field="to", code="period_end_before_start", params={"date": first}
        )
    if (last.year - first.year) * 12 + last.month - first.month >= MAX_MONTHS:
        raise ValidationFailed(
            f"at most {MAX_MONTHS} months", field="from", code="period_too_long", params={"months": MAX_MONTHS}
        )
    by = params.get("by", "").strip() or d.by
    if by not in kpis.DIMENSIONS:
        raise ValidationFailed(
            f"{by!r} is not one of {', '.join(kpis.DIMENSIONS)}",
            field="by",
            code="not_a_choice",
            params={"values": ", ".join(kpis.DIMENSIONS)},
        )
    basis = params.get("basis", "").strip() or d.basis
    if basis not in BASES:
        raise ValidationFailed(
            f"{basis!r} is not one of {', '.join(BASES)}",
            field="basis",
            code="not_a_choice",
            params={"values": ", ".join(BASES)},
        )
    return Filters(first=first, last=last, by=by, basis=basis)


# -- the figures -----------------------------------------------------------------------------------


def state_label(state: int) -> str:
    if state == kpis.CHARGED_OFF:
        return pgettext("insight", "Charged off")
    if state == kpis.PAID:
        return pgettext("insight", "Paid")
    return f"M{state}"


def pct(value: Decimal | None) -> Cell:
    """A KPI fraction as a percentage cell (two decimals, exact: fractions have four)."""
    return Cell("rate", None if value is None else value * HUNDRED)


def yuan(fen: int) -> Cell:
    return Cell("amount", from_fen(fen))


@dataclasses.dataclass(frozen=True)
class Insight:
    filters: Filters
    facts: kpis.Facts
    teams: list[str] | None

    @property
    def start(self) -> dt.date:
        return self.facts.start

    @property
    def end(self) -> dt.date:
        return self.facts.end


def insight(user: Any, f: Filters) -> Insight:
    teams = scope(user)
    facts = load(start=f.first - dt.timedelta(days=1), end=f.last)
    if teams is not None:
        facts = board.only_teams(facts, teams)
    return Insight(filters=f, facts=facts, teams=teams)


def headline(i: Insight) -> Table:
    facts = i.facts
    matrix = kpis.roll_matrix(facts.transitions)
    c = kpis.contact_rates(facts.contacts)
    p = kpis.promise_rates(facts.promises, facts.contacts, start=facts.start, end=facts.end)
    days = kpis.average_days_to_cure(facts.cures)
    basis = i.filters.basis
    return Table(
        id="t-headline",
        title=pgettext("insight", "Headline figures"),
        headers=[Header(pgettext("insight", "Measure")), Header(pgettext("insight", "Value"), numeric=True)],
        rows=[
            [Cell("text", pgettext("insight", "Accounts")), Cell("count", len(facts.transitions))],
            [Cell("text", pgettext("insight", "Cure rate %")), pct(kpis.cure_rate(matrix, basis))],
            [Cell("text", pgettext("insight", "Roll M1→M2 %")), pct(kpis.flow_rates(matrix, basis)[1])],
            [Cell("text", pgettext("insight", "Kept rate by count %")), pct(p.kept_rate)],
            [Cell("text", pgettext("insight", "Kept rate by amount %")), pct(p.kept_rate_amount)],
            [Cell("text", pgettext("insight", "Right-party contacts per attempt %")), pct(c.rpc_rate)],
            [
                Cell("text", pgettext("insight", "Complaints per 1,000 contacts")),
                Cell("number", kpis.complaints_per_thousand(len(facts.complaints), c.attempts)),
            ],
            [Cell("text", pgettext("insight", "Average days to cure")), Cell("number", days)],
        ],
    )


def liquidation(i: Insight) -> Table:
    return Table(
        id="t-liquidation",
        title=pgettext("insight", "Liquidation by bucket"),
        headers=[
            Header(pgettext("insight", "Bucket at the start")),
            Header(pgettext("insight", "Accounts"), numeric=True),
            Header(pgettext("insight", "Owed at the start (yuan)"), numeric=True),
            Header(pgettext("insight", "Collected (yuan)"), numeric=True),
            Header(pgettext("insight", "Liquidation rate %"), numeric=True),
        ],
        rows=[
            [
                Cell("text", state_label(s)),
                Cell("count", q.accounts),
                yuan(q.start_owed_fen),
                yuan(q.collected_fen),
                pct(q.rate),
            ]
            for s, q in kpis.liquidation_rates(i.facts.transitions).items()
        ],
    )


def grouped(i: Insight) -> Table:
    """Every KPI of each group of the chosen dimension."""
    basis = i.filters.basis
    rows = []
    for name, part in kpis.split(i.facts, i.filters.by).items():
        matrix = kpis.roll_matrix(part.transitions)
        c = kpis.contact_rates(part.contacts)
        p = kpis.promise_rates(part.promises, part.contacts, start=part.start, end=part.end)
        collected = sum(t.collected_fen for t in part.transitions)
        rows.append(
            [
                Cell("text", pgettext("insight", "(none)") if name == kpis.NONE else name),
                Cell("count", len(part.transitions)),
                pct(kpis.cure_rate(matrix, basis)),
                pct(kpis.flow_rates(matrix, basis)[1]),
                yuan(collected),
                Cell("count", c.attempts),
                Cell("count", c.right_party),
                pct(c.rpc_rate),
                Cell("count", p.taken),
                pct(p.promise_rate),
                pct(p.kept_rate),
                pct(p.kept_rate_amount),
                Cell("count", len(part.complaints)),
                Cell("number", kpis.complaints_per_thousand(len(part.complaints), c.attempts)),
                Cell("number", kpis.average_days_to_cure(part.cures)),
            ]
        )
    n = basis_label(basis)
    return Table(
        id="t-grouped",
        title=pgettext("insight", "By %(dimension)s") % {"dimension": dimension_label(i.filters.by)},
        headers=[
            Header(dimension_label(i.filters.by)),
            Header(pgettext("insight", "Accounts"), numeric=True),
            Header(pgettext("insight", "Cure rate %% (%(basis)s)") % {"basis": n}, numeric=True),
            Header(pgettext("insight", "Roll M1→M2 %% (%(basis)s)") % {"basis": n}, numeric=True),
            Header(pgettext("insight", "Collected (yuan)"), numeric=True),
            Header(pgettext("insight", "Attempts"), numeric=True),
            Header(pgettext("insight", "Right-party contacts"), numeric=True),
            Header(pgettext("insight", "Right-party contacts per attempt %"), numeric=True),
            Header(pgettext("insight", "Promises taken"), numeric=True),
            Header(pgettext("insight", "Promise rate %"), numeric=True),
            Header(pgettext("insight", "Kept rate by count %"), numeric=True),
            Header(pgettext("insight", "Kept rate by amount %"), numeric=True),
            Header(pgettext("insight", "Complaints"), numeric=True),
            Header(pgettext("insight", "Complaints per 1,000 contacts"), numeric=True),
            Header(pgettext("insight", "Average days to cure"), numeric=True),
        ],
        rows=rows,
    )


def dimension_label(by: str) -> str:
    return {
        "team": pgettext("insight", "Team"),
        "collector": pgettext("insight", "Collector"),
        "segment": pgettext("insight", "Segment"),
        "product": pgettext("insight", "Product"),
        "arm": pgettext("insight", "Champion/challenger arm"),
        "queue": pgettext("insight", "Queue"),
    }[by]


def basis_label(basis: str) -> str:
    return pgettext("insight", "by count") if basis == "count" else pgettext("insight", "by balance")


# -- the heat map and the funnel (shared with the lead's page) -------------------------------------


@dataclasses.dataclass(frozen=True)
class HeatCell:
    value: Cell  # the count, or the balance in yuan
    rate: Decimal | None  # the share of its row, a fraction
    level: int  # 0 ... 10: the colour's intensity

    @property
    def rate_text(self) -> str:
        return "—" if self.rate is None else f"{self.rate * HUNDRED:.2f}%"

    @property
    def opacity(self) -> str:
        return f"{self.level / 10:.1f}"

    @property
    def dark(self) -> bool:
        return self.level >= 6


@dataclasses.dataclass(frozen=True)
class HeatMap:
    id: str
    caption: str
    columns: list[str]
    rows: list[tuple[str, Cell, list[HeatCell]]]  # from-state, row total, cells


def heat_map(id: str, caption: str, cells: dict[tuple[int, int], int], basis: str) -> HeatMap:
    """The roll matrix as a table whose cells are coloured by their share of the row (the numbers
    are text: value and share); only the states that occur, in the order M0 ... M7, charged off, paid."""
    states = [s for s in kpis.STATES if any(s in cell for cell, v in cells.items() if v)]
    froms = [s for s in states if any(a == s and v for (a, _), v in cells.items())]
    rows = []
    for a in froms:
        total = sum(v for (x, _), v in cells.items() if x == a)
        out = []
        for b in states:
            v = cells.get((a, b), 0)
            rate = kpis.ratio(v, total)
            value = yuan(v) if basis == "balance" else Cell("count", v)
            out.append(HeatCell(value=value, rate=rate, level=int((rate or 0) * 10 + Decimal("0.5"))))
        rows.append((state_label(a), yuan(total) if basis == "balance" else Cell("count", total), out))
    return HeatMap(id=id, caption=caption, columns=[state_label(b) for b in states], rows=rows)


def matrix_table(i: Insight) -> Table:
    basis = i.filters.basis
    matrix = kpis.roll_matrix(i.facts.transitions)
    rates = kpis.roll_rates(matrix, basis)
    unit = pgettext("insight", "Balance at the start (yuan)") if basis == "balance" else pgettext("insight", "Accounts")
    return Table(
        id="t-matrix",
        title=pgettext("insight", "Roll matrix"),
        headers=[
            Header(pgettext("insight", "State at the start")),
            Header(pgettext("insight", "State at the end")),
            Header(unit, numeric=True),
            Header(pgettext("insight", "Roll rate %"), numeric=True),
        ],
        rows=[
            [
                Cell("text", state_label(a)),
                Cell("text", state_label(b)),
                yuan(v) if basis == "balance" else Cell("count", v),
                pct(rates[a, b]),
            ]
            for (a, b), v in sorted(matrix.cells(basis).items())
        ],
    )


@dataclasses.dataclass(frozen=True)
class FunnelBar:
    label: str
    count: int
    ratio: Decimal | None
    x: float
    y: float
    width: float

    @property
    def ratio_text(self) -> str:
        return "" if self.ratio is None else f"{self.ratio * HUNDRED:.2f}%"


@dataclasses.dataclass(frozen=True)
class FunnelView:
    id: str
    caption: str
    bars: list[FunnelBar]
    table: Table
    width: int = 600
    height: int = 200


def funnel_view(id: str, caption: str, f: board.Funnel) -> FunnelView:
    """The funnel as SVG bars centred and narrowing with the counts (their width proportional to the
    first step's), each labelled with its count and its ratio to the step before."""
    labels = {
        "attempts": pgettext("insight", "Attempts"),
        "right_party": pgettext("insight", "Right-party contacts"),
        "promises": pgettext("insight", "Promises"),
        "kept": pgettext("insight", "Kept"),
    }
    steps = f.steps
    widest = max([n for _, n, _ in steps] + [1])
    full, centre = 260.0, 330.0
    bars = []
    for k, (step, n, r) in enumerate(steps):
        w = round(max(full * n / widest, 2.0), 1)
        bars.append(FunnelBar(label=labels[step], count=n, ratio=r, x=round(centre - w / 2, 1), y=10 + 46 * k, width=w))
    table = Table(
        id=f"{id}-table",
        title=caption,
        headers=[
            Header(pgettext("insight", "Step")),
            Header(pgettext("insight", "Count"), numeric=True),
            Header(pgettext("insight", "Of the step before %"), numeric=True),
        ],
        rows=[[Cell("text", b.label), Cell("count", b.count), pct(b.ratio)] for b in bars],
    )
    return FunnelView(id=id, caption=caption, bars=bars, table=table)


# -- trends, vintages and the forecast -------------------------------------------------------------


def _month_name(a: dt.date, b: dt.date) -> str:
    return f"{b:%Y-%m}"


def trends(i: Insight) -> tuple[Chart, Table]:
    months = board.trends(i.facts, i.filters.basis)
    table = Table(
        id="t-trends",
        title=pgettext("insight", "Monthly trends"),
        headers=[
            Header(pgettext("insight", "Month")),
            Header(pgettext("insight", "Roll M1→M2 %"), numeric=True),
            Header(pgettext("insight", "Cure rate %"), numeric=True),
            Header(pgettext("insight", "Kept rate by count %"), numeric=True),
            Header(pgettext("insight", "Right-party contacts per attempt %"), numeric=True),
        ],
        rows=[
            [Cell("text", _month_name(m.start, m.end)), pct(m.roll_m1_m2), pct(m.cure), pct(m.kept), pct(m.rpc)]
            for m in months
        ],
    )

    def col(k: int) -> tuple[list[Decimal | None], list[str]]:
        return [r[k].value for r in table.rows], [r[k].text for r in table.rows]

    names = [table.headers[k].text for k in range(1, 5)]
    c = chart(
        id="chart-trends",
        caption=pgettext("insight", "Monthly trends (%(basis)s)") % {"basis": basis_label(i.filters.basis)},
        x_label=pgettext("insight", "Month"),
        y_label="%",
        categories=[r[0].text for r in table.rows],
        series=[(names[k - 1], *col(k)) for k in range(1, 5)],
        kind="line",
        fixed_top=HUNDRED,
    )
    return c, table


def vintages(i: Insight) -> Table:
    return Table(
        id="t-vintages",
        title=pgettext("insight", "Recovery after charge-off by vintage"),
        headers=[
            Header(pgettext("insight", "Vintage")),
            Header(pgettext("insight", "Accounts"), numeric=True),
            Header(pgettext("insight", "Charged off (yuan)"), numeric=True),
            Header(pgettext("insight", "Recovered (yuan)"), numeric=True),
            Header(pgettext("insight", "Recovery rate %"), numeric=True),
        ],
        rows=[
            [
                Cell("text", f"{v.month:%Y-%m}"),
                Cell("count", v.accounts),
                yuan(v.charged_off_fen),
                yuan(v.recovered_fen),
                pct(kpis.ratio(v.recovered_fen, v.charged_off_fen)),
            ]
            for v in kpis.recovery_by_vintage(i.facts.charge_offs, as_of=i.facts.end)
        ],
    )


def forecast_tables(i: Insight) -> tuple[Table, Table, Chart | None]:
    """Next month's balances by state, and the past months' forecasts against what happened."""
    nxt = forecast.next_month(i.facts.months, i.facts.transitions)
    rows = []
    if nxt is not None:
        rows = [[Cell("text", state_label(s)), yuan(nxt.start[s]), yuan(nxt.forecast[s])] for s in forecast.STATES]
        rows.append([Cell("text", pgettext("insight", "Total")), yuan(nxt.start_total), yuan(nxt.forecast_total)])
    ahead = Table(
        id="t-forecast",
        title=pgettext("insight", "Roll-rate forecast of next month's balances"),
        headers=[
            Header(pgettext("insight", "State")),
            Header(pgettext("insight", "Balance now (yuan)"), numeric=True),
            Header(pgettext("insight", "Forecast in a month (yuan)"), numeric=True),
        ],
        rows=rows,
    )
    checks = forecast.backtest(i.facts.months, i.facts.transitions)
    past = []
    for c in checks:
        for s in forecast.STATES:
            past.append(
                [
                    Cell("text", f"{c.end:%Y-%m}"),
                    Cell("text", state_label(s)),
                    yuan(c.forecast[s]),
                    yuan(c.actual[s]),
                    yuan(c.error(s)),
                    pct(c.error_rate(s)),
                ]
            )
        past.append(
            [
                Cell("text", f"{c.end:%Y-%m}"),
                Cell("text", pgettext("insight", "Total")),
                yuan(c.forecast_total),
                yuan(c.actual_total),
                yuan(c.total_error),
                pct(c.total_error_rate),
            ]
        )
    errors = Table(
        id="t-forecast-errors",
        title=pgettext("insight", "Past forecasts against what happened"),
        headers=[
            Header(pgettext("insight", "Month")),
            Header(pgettext("insight", "State")),
            Header(pgettext("insight", "Forecast (yuan)"), numeric=True),
            Header(pgettext("insight", "Actual (yuan)"), numeric=True),
            Header(pgettext("insight", "Error (yuan)"), numeric=True),
            Header(pgettext("insight", "Error %"), numeric=True),
        ],
        rows=past,
    )
    drawn = None
    if checks:
        drawn = chart(
            id="chart-forecast",
            caption=pgettext("insight", "Forecast and actual total balance by month"),
            x_label=pgettext("insight", "Month"),
            y_label=pgettext("insight", "Balance (yuan)"),
            categories=[f"{c.end:%Y-%m}" for c in checks],
            series=[
                (
                    pgettext("insight", "Forecast (yuan)"),
                    [from_fen(c.forecast_total) for c in checks],
                    [yuan(c.forecast_total).text for c in checks],
                ),
                (
                    pgettext("insight", "Actual (yuan)"),
                    [from_fen(c.actual_total) for c in checks],
                    [yuan(c.actual_total).text for c in checks],
                ),
            ],
        )
    return ahead, errors, drawn


# -- the page and the exports ----------------------------------------------------------------------


def _forbidden() -> NoReturn:
    raise PermissionDenied(_("This page is for collections managers and team leads."))


def _for_managers_by_get(view: Callable[[HttpRequest], HttpResponse]) -> Callable[[HttpRequest], HttpResponse]:
    """Who may see the page first (403 to anyone else, whatever the method), then GET only."""

    @functools.wraps(view)
    def checked(request: HttpRequest) -> HttpResponse:
        if not may_see(request.user):
            _forbidden()
        if request.method not in ("GET", "HEAD"):
            return HttpResponseNotAllowed(["GET", "HEAD"])
        return view(request)

    return checked


@login_required
@_for_managers_by_get
def insight_page(request: HttpRequest) -> HttpResponse:
    if not may_see(request.user):
        _forbidden()
    today = business_date.current()
    context: dict[str, Any] = {
        "dimensions": [(d, dimension_label(d)) for d in kpis.DIMENSIONS],
        "bases": [(b, basis_label(b)) for b in BASES],
    }
    try:
        f = parse_filters(request.GET, today)
    except ArrearsError as exc:
        context.update(error=error_line(exc), form=request.GET, filters=default_filters(today))
        return render(request, "arrears/insight.html", context)
    i = insight(request.user, f)
    matrix = kpis.roll_matrix(i.facts.transitions)
    trend_chart, trend_table = trends(i)
    ahead, errors, forecast_chart = forecast_tables(i)
    context.update(
        filters=f,
        form={"from": f.first.isoformat(), "to": f.last.isoformat(), "by": f.by, "basis": f.basis},
        teams=i.teams,
        headline=headline(i),
        liquidation=liquidation(i),
        grouped=grouped(i),
        heat=heat_map(
            "heat-map",
            pgettext("insight", "Roll matrix (%(basis)s), %(start)s to %(end)s")
            % {"basis": basis_label(f.basis), "start": f.first.isoformat(), "end": f.last.isoformat()},
            dict(matrix.cells(f.basis)),
            f.basis,
        ),
        matrix=matrix_table(i),
        funnel=funnel_view("funnel", pgettext("insight", "From attempts to kept promises"), board.funnel(i.facts)),
        trend_chart=trend_chart,
        trend_table=trend_table,
        vintages=vintages(i),
        ahead=ahead,
        errors=errors,
        forecast_chart=forecast_chart,
    )
    return render(request, "arrears/insight.html", context)


def export_tables(i: Insight) -> list[Table]:
    """What the exports hold: the grouped table, the roll matrix and the forecast (ahead and past)."""
    ahead, errors, _chart = forecast_tables(i)
    return [grouped(i), matrix_table(i), ahead, errors]


def _export(request: HttpRequest, kind: str) -> tuple[Filters, list[Table]] | HttpResponse:
    if not may_see(request.user):
        _forbidden()
    try:
        f = parse_filters(request.GET, business_date.current())
    except ArrearsError as exc:
        return HttpResponse(error_line(exc), status=400, content_type="text/plain; charset=utf-8")
    i = insight(request.user, f)
    record(
        actor=request.user.get_username(),
        action="insight.export",
        object_type="insight",
        object_id="all" if i.teams is None else ",".join(i.teams),
        after={"format": kind, "from": f.first.isoformat(), "to": f.last.isoformat(), "by": f.by, "basis": f.basis},
    )
    return f, export_tables(i)


def _filename(f: Filters, ext: str) -> str:
    return f"insight-{f.first.isoformat()}-{f.last.isoformat()}.{ext}"


@login_required
@_for_managers_by_get
def export_csv(request: HttpRequest) -> HttpResponse:
    found = _export(request, "csv")
    if isinstance(found, HttpResponse):
        return found
    f, t = found
    return csv_response(t, _filename(f, "csv"))


@login_required
@_for_managers_by_get
def export_xlsx(request: HttpRequest) -> HttpResponse:
    found = _export(request, "xlsx")
    if isinstance(found, HttpResponse):
        return found
    f, t = found
    return xlsx_response(t, _filename(f, "xlsx"))

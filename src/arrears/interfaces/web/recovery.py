"""After charge-off on the pages: the charged-off position of an account (the 360 page and the
account page), and the recovery rate by vintage of charge-off (/recovery/vintages/, team leads,
strategy managers and administrators; a team lead sees the accounts of the teams they lead)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from arrears.application.team_figures import teams_led_by
from arrears.cases.models import Case
from arrears.cycle import business_date
from arrears.delinquency.chargeoff import Position, Vintage, charged_off_positions, recovery_vintages
from arrears.delinquency.rules import ComponentPosition
from arrears.interfaces.web.charts import chart
from arrears.interfaces.web.lead import Cell, Header, Table
from arrears.ledger.models import Account, AccountStatus, Component
from arrears.money import from_fen
from arrears.people.models import Role
from arrears.people.operations import roles_of

HUNDRED = Decimal(100)
MAX_MONTHS = 24  # the curve's months since charge-off shown on the page


@dataclasses.dataclass(frozen=True)
class PositionView:
    """A charged-off position as the page shows it: one row per component, labelled, and the totals."""

    account_id: int
    settled: bool
    rows: list[tuple[str, ComponentPosition]]
    position: Position


def positions_view(account_ids: Iterable[int]) -> dict[int, PositionView]:
    """The positions of the accounts that were charged off (no query when none of them was)."""
    ids = list(account_ids)
    if not ids:
        return {}
    return {
        pk: PositionView(
            account_id=pk,
            settled=p.status == AccountStatus.SETTLED,
            rows=[(str(Component(c).label), part) for c, part in p.rows()],
            position=p,
        )
        for pk, p in charged_off_positions(ids).items()
    }


def _may_see(user: Any) -> bool:
    roles = roles_of(user)
    return bool(user.is_superuser or Role.TEAM_LEAD in roles or Role.STRATEGY_MANAGER in roles)


def _within(user: Any) -> QuerySet[Account] | None:
    """The whole book for an administrator or a strategy manager; a team lead's teams' accounts."""
    if user.is_superuser or Role.STRATEGY_MANAGER in roles_of(user):
        return None
    teams = teams_led_by(user)
    return Account.objects.filter(customer_id__in=Case.objects.filter(team__in=teams).values("customer_id"))


def _rate(value: Decimal) -> Cell:
    return Cell("rate", value * HUNDRED)


def vintage_table(vintages: list[Vintage], months: int) -> Table:
    headers = [
        Header(pgettext("recovery", "Vintage (month of charge-off)")),
        Header(_("Accounts"), numeric=True),
        Header(_("Charged off"), numeric=True),
        Header(pgettext("recovery", "Recovered to date"), numeric=True),
        Header(pgettext("recovery", "Recovery rate"), numeric=True),
        *(Header(pgettext("recovery", "Month %(n)s") % {"n": k}, numeric=True) for k in range(months)),
    ]
    rows = []
    for v in vintages:
        curve = [_rate(r) for r in v.rates[:months]]
        curve += [Cell("rate", None)] * (months - len(curve))
        rows.append(
            [
                Cell("text", f"{v.month:%Y-%m}"),
                Cell("count", v.accounts),
                Cell("amount", from_fen(v.charged_off_fen)),
                Cell("amount", from_fen(v.recovered_fen)),
                _rate(v.rate),
                *curve,
            ]
        )
    return Table(
        id="vintages", title=pgettext("recovery", "Recovery rate by vintage of charge-off"), headers=headers, rows=rows
    )


@login_required
def vintages_page(request: HttpRequest) -> HttpResponse:
    if not _may_see(request.user):
        raise PermissionDenied(_("This page is for team leads and strategy managers."))
    vintages = recovery_vintages(business_date=business_date.current(), within=_within(request.user))
    months = min(max((len(v.cumulative_fen) for v in vintages), default=1), MAX_MONTHS)
    table = vintage_table(vintages, months)
    figure = chart(
        id="chart-vintages",
        caption=pgettext("recovery", "Recovery rate by vintage of charge-off"),
        x_label=pgettext("recovery", "Vintage (month of charge-off)"),
        y_label=pgettext("recovery", "Recovery rate %"),
        categories=[f"{v.month:%Y-%m}" for v in vintages],
        series=[
            (
                pgettext("recovery", "Recovery rate %"),
                [v.rate * HUNDRED for v in vintages],
                [f"{v.rate * HUNDRED:.2f}%" for v in vintages],
            )
        ],
        fixed_top=HUNDRED if any(v.rate > Decimal("0.5") for v in vintages) else None,
        tick_text="{:,.1f}",
    )
    summary = table.columns("vintages-summary", [0, 1, 2, 3, 4])
    return render(
        request,
        "arrears/recovery/vintages.html",
        {"here": "recovery", "vintages": vintages, "table": table, "chart": figure, "summary": summary},
    )

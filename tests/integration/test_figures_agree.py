"""Review of issue 13: one world, one period, one team — the same figures wherever they are shown.

The weekly report's week ending 2026-05-24 is the period (05-17, 05-24], which `arrears kpi` and the
insight page (and its CSV export) call from=2026-05-18 to=2026-05-24. For North (hand-worked in
tests/weekly_world.py): roll M1→M2 2/3, cure 1/3, 5 attempts, 3 right party (60 %), 1 promise kept of 1
judged, 500.00 collected; South: roll 1/1, cure 0, RPC 1/1, no promise judged (no rate).
The lead's /team/ page is left out on purpose: its figures are over the 30 days to the business date
(labelled so on the page), not a chosen period."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.test import Client

from arrears.insight.weekly import week_figures
from tests.builders import PASSWORD
from tests.weekly_world import WEEK, build

pytestmark = pytest.mark.django_db

PERCENT = Decimal("0.01")


def pct(rate: Decimal | None) -> str:
    """A fraction as the pages show it: a percentage, two decimals (rates are already half-up to 4)."""
    return "" if rate is None else str((rate * 100).quantize(PERCENT))


def frac(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)


def test_the_weekly_report_arrears_kpi_and_the_insight_export_agree() -> None:
    build()
    week = week_figures(WEEK)
    out = io.StringIO()
    call_command("kpi", "--from", "2026-05-18", "--to", "2026-05-24", "--by", "team", stdout=out)
    kpi = json.loads(out.getvalue())["groups"]
    manager = Client()
    assert manager.login(username="manager", password=PASSWORD)
    response = manager.get("/insight/export.csv?from=2026-05-18&to=2026-05-24&by=team&basis=count")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode().lstrip("\ufeff"))))
    page = {row[0]: row for row in rows[2:4]}  # the grouped table: title, header, then a row per team
    assert set(page) == set(kpi) == set(week.teams) == {"North", "South"}
    for team, weekly in week.teams.items():
        f, k, p = weekly.this, kpi[team], page[team]
        assert f.roll_m1_m2 == frac(k["flow_rates"]["count"]["M1"])
        assert f.cure == frac(k["cure_rate"]["count"])
        assert (f.attempts, f.right_party) == (k["contacts"]["attempts"], k["contacts"]["right_party"])
        assert f.rpc_rate == frac(k["contacts"]["rpc_rate"])
        assert (f.promises, f.judged, f.kept) == (
            k["promises"]["taken"],
            k["promises"]["judged"],
            k["promises"]["kept"],
        )
        assert f.kept_rate == frac(k["promises"]["kept_rate"])
        assert f.collected_fen == k["liquidation"]["M1"]["collected_fen"]
        assert f.complaints == k["complaints"]
        # the page's cells: cure, roll, collected, attempts, right party, RPC %, promises, …, kept %
        assert p[2:9] == [
            pct(f.cure),
            pct(f.roll_m1_m2),
            f"{Decimal(f.collected_fen) / 100:.2f}",
            str(f.attempts),
            str(f.right_party),
            pct(f.rpc_rate),
            str(f.promises),
        ]
        assert p[10] == pct(f.kept_rate)
    north = week.teams["North"].this
    assert (north.roll_m1_m2, north.cure, north.rpc_rate, north.collected_fen) == (
        Decimal("0.6667"),
        Decimal("0.3333"),
        Decimal("0.6"),
        50_000,
    )
    assert page["North"][2:9] == ["33.33", "66.67", "500.00", "5", "3", "60.00", "1"]
    assert page["South"][10] == ""  # no promise judged: no rate, not 0

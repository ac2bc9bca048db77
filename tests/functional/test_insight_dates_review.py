"""Review of issue 13: dates near year 1 or year 9999 in the insight filters, the weekly report's week
and `arrears report weekly --week-ending` ended in OverflowError (a 500, a traceback). Now they are
refused naming the field, and nothing is recorded."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.http import QueryDict
from django.test import Client
from django.utils import translation
from django.utils.html import escape

from arrears.audit.models import AuditEntry
from arrears.cycle import business_date
from arrears.errors import ValidationFailed
from arrears.interfaces.web.errors import error_line
from arrears.interfaces.web.insight import parse_filters
from tests.builders import PASSWORD
from tests.quality_world import DAY, QualityWorld, quality_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(monkeypatch: pytest.MonkeyPatch) -> QualityWorld:
    monkeypatch.setattr(business_date, "current", lambda: DAY)
    return quality_world()


def client_of(user: Any) -> Client:
    client = Client(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE="en")
    assert client.login(username=user.username, password=PASSWORD)
    return client


@pytest.mark.parametrize(
    "query",
    ["from=0001-01-01&to=0001-01-31", "from=9999-01-01&to=9999-12-31", "from=1969-12-31&to=1970-01-31"],
)
def test_insight_filters_far_from_today_are_refused_naming_the_field(world: QualityWorld, query: str) -> None:
    lead = client_of(world.lead_a)
    page = lead.get(f"/insight/?{query}")
    assert page.status_code == 200  # the page, with the error line and the default figures
    with pytest.raises(ValidationFailed) as caught:
        parse_filters(QueryDict(query), DAY)  # 9999 fails on "from" first: both are out of range
    assert caught.value.field == "from" and caught.value.code == "out_of_range"
    with translation.override("zh-hans"):  # the signed-in staff read Chinese
        line = error_line(caught.value)
        assert escape(line) in page.content.decode()
    for export in ("export.csv", "export.xlsx"):
        response = lead.get(f"/insight/{export}?{query}")
        assert response.status_code == 400, export
        assert response.content.decode() == "由：须在 1970年1月1日 至 2027年12月31日 之间"
    assert not AuditEntry.objects.filter(action="insight.export").exists()


def test_the_first_and_last_accepted_dates(world: QualityWorld) -> None:
    # DAY is 2026-05-03: the filters accept 1970-01-01 up to the end of the next year, 2027-12-31.
    lead = client_of(world.lead_a)
    assert lead.get("/insight/export.csv?from=1970-01-01&to=1970-01-31").status_code == 200
    assert lead.get("/insight/export.csv?from=2027-12-01&to=2027-12-31").status_code == 200
    assert lead.get("/insight/export.csv?from=2027-12-01&to=2028-01-01").status_code == 400


def test_a_week_near_year_one_is_refused_on_the_pages_and_the_command(world: QualityWorld) -> None:
    collector = client_of(world.c1)
    assert collector.get("/insight/mine/weekly.pdf?week=0001-01-07").status_code == 400
    page = collector.get("/insight/mine/?week=0001-01-07")
    assert page.status_code == 200
    assert client_of(world.lead_a).get("/insight/weekly.pdf?week=0001-01-07").status_code == 400
    with pytest.raises(CommandError, match="--week-ending"):
        call_command("report", "weekly", "--week-ending", "0001-01-07", stdout=io.StringIO())
    assert not AuditEntry.objects.filter(action__startswith="report.weekly").exists()


@pytest.mark.parametrize("day", ["0001-01-01", "1969-12-31", "9999-12-31", "2026-05-04"])
def test_quality_sample_of_a_day_out_of_range_is_refused_naming_the_option(world: QualityWorld, day: str) -> None:
    # The business date is DAY, 2026-05-03: its contacts, or earlier days' back to 1970, may be drawn.
    with pytest.raises(CommandError, match=r"--date: .* is not from 1970-01-01 to the business date 2026-05-03"):
        call_command("quality", "sample", "--date", day, stdout=io.StringIO())
    assert not AuditEntry.objects.filter(action="quality.sample").exists()
    out = io.StringIO()
    call_command("quality", "sample", "--date", "2026-05-03", stdout=out)
    assert out.getvalue().startswith('{"date": "2026-05-03"')


@pytest.mark.parametrize("path", ["/insight/", "/insight/export.csv", "/insight/export.xlsx"])
def test_the_insight_page_and_exports_answer_get_only(world: QualityWorld, path: str) -> None:
    # Before: a POST rendered the page, or exported (and audited an export), like a GET.
    lead = client_of(world.lead_a)
    assert lead.post(path).status_code == 405
    assert not AuditEntry.objects.filter(action="insight.export").exists()
    assert lead.get(path).status_code == 200

"""The lead's page: the same figures on the page, in the CSV and in the XLSX, in both languages;
scoped to the lead's own teams; exports audited and free of card and phone numbers."""

from __future__ import annotations

import csv
import io
import re
from html.parser import HTMLParser
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from arrears.audit.models import AuditEntry
from arrears.cycle.business_date import open_date
from arrears.ledger.models import Account, Customer
from tests.builders import PASSWORD
from tests.team_month import END, team_month

pytestmark = pytest.mark.django_db


class Tables(HTMLParser):
    """Each <table id=...>: its header texts and its cells' data-value (the exported value) and text."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, dict[str, Any]] = {}
        self.current: str | None = None
        self.cell: dict[str, str] | None = None
        self.header: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "table" and a.get("id"):
            self.current = a["id"]
            self.tables[self.current] = {"headers": [], "rows": []}
        elif self.current and tag == "tr":
            self.tables[self.current]["rows"].append([])
        elif self.current and tag == "th":
            self.header = ""
        elif self.current and tag == "td":
            self.cell = {"value": a.get("data-value") or "", "text": ""}

    def handle_data(self, data: str) -> None:
        if self.header is not None:
            self.header += data
        elif self.cell is not None:
            self.cell["text"] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self.current = None
        elif tag == "th" and self.current and self.header is not None:
            self.tables[self.current]["headers"].append(self.header.strip())
            self.header = None
        elif tag == "td" and self.current and self.cell is not None:
            self.tables[self.current]["rows"][-1].append(self.cell)
            self.cell = None


def tables_of(html: str) -> dict[str, dict[str, Any]]:
    parser = Tables()
    parser.feed(html)
    for t in parser.tables.values():
        t["rows"] = [r for r in t["rows"] if r]
    return parser.tables


@pytest.fixture
def month(db: None) -> Any:
    built = team_month()
    open_date(END)
    return built


def client_for(user: Any) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def csv_sections(text: str) -> list[list[list[str]]]:
    sections: list[list[list[str]]] = [[]]
    for row in csv.reader(io.StringIO(text.lstrip("\ufeff"))):
        if row:
            sections[-1].append(row)
        else:
            sections.append([])
    return [s for s in sections if s]


@pytest.mark.parametrize(
    ("prefix", "collected", "kept"),
    [("", "已收回金额（元）", "承诺兑现率 %"), ("/en", "Collected (yuan)", "Promises kept %")],
)
def test_page_csv_and_xlsx_hold_the_same_figures(month: Any, prefix: str, collected: str, kept: str) -> None:
    client = client_for(month.lead)
    page = client.get(f"{prefix}/team/")
    assert page.status_code == 200
    html = page.content.decode()
    # Four charts, and the funnel's drawing (the heat map is a table).
    assert html.count("<svg") == 5 and html.count('<figure class="chart"') == 4
    on_page = tables_of(html)

    # The worked month on the page (tests/team_month.py): separators, two decimals, rates in %.
    summary = {row[0]["text"]: row[1] for row in on_page["t-summary"]["rows"]}
    assert summary[collected]["text"] == "3,500.00" and summary[collected]["value"] == "3500.00"
    assert summary[kept]["text"] == "60.00%"
    m1 = on_page["t-rolls"]["rows"][1]
    assert [c["text"] for c in m1] == ["M1", "M2", "10", "3", "30.00%"]

    exported = client.get(f"{prefix}/team/export.csv")
    assert exported.status_code == 200 and exported["Content-Type"].startswith("text/csv")
    sections = csv_sections(exported.content.decode("utf-8"))
    book = load_workbook(io.BytesIO(client.get(f"{prefix}/team/export.xlsx").content))
    assert len(sections) == len(book.worksheets) == 4

    for table_id, section, sheet in zip(
        ("t-summary", "t-rolls", "t-weeks", "t-pending"), sections, book.worksheets, strict=True
    ):
        title, headers, *rows = section
        assert sheet.title == title[0][:31]
        xlsx_rows = list(sheet.iter_rows())
        assert [c.value for c in xlsx_rows[0]] == headers
        page_rows = [[c["value"] for c in r] for r in on_page[table_id]["rows"]] if table_id in on_page else None
        if table_id == "t-weeks":  # on the page, the weeks are split among the three weekly charts
            by_header = {}
            for part in ("t-collected", "t-kept", "t-contacts"):
                for i, h in enumerate(on_page[part]["headers"]):
                    by_header[h] = [r[i]["value"] for r in on_page[part]["rows"]]
            page_rows = [list(r) for r in zip(*(by_header[h] for h in headers), strict=True)]
        assert page_rows == rows, table_id
        for csv_row, xlsx_row in zip(rows, xlsx_rows[1:], strict=True):
            assert [_as_text(v) for v in xlsx_row] == csv_row

    # Amounts and rates are numbers with two decimals in the workbook.
    weeks = book.worksheets[2]
    assert weeks.cell(row=5, column=3).value == 3500 and weeks.cell(row=5, column=3).number_format == "#,##0.00"


def _as_text(cell: Any) -> str:
    """A workbook cell as the CSV writes it: amounts and rates (two-decimal numbers) with two decimals."""
    value = cell.value
    if value is None:
        return ""
    if cell.number_format == "#,##0.00":
        assert isinstance(value, int | float)
        return f"{value:.2f}"
    if cell.is_date:
        return str(value.date().isoformat())
    return str(value)


def test_exports_are_audited_and_mask_card_and_phone_numbers(month: Any) -> None:
    Customer.objects.update(mobile="13912345678")
    client = client_for(month.lead)
    before = AuditEntry.objects.filter(action="team.export").count()
    body = client.get("/team/export.csv").content.decode() + str(
        [c.value for ws in load_workbook(io.BytesIO(client.get("/team/export.xlsx").content)) for r in ws for c in r]
    )
    entries = AuditEntry.objects.filter(action="team.export").order_by("id")[before:]
    assert [e.after["format"] for e in entries] == ["csv", "xlsx"]
    assert all(e.actor == month.lead.username and e.object_id == str(month.team.pk) for e in entries)
    for number in Account.objects.values_list("number", flat=True):
        assert number not in body and number[-8:] not in body
    assert "13912345678" not in body
    assert not re.search(r"\d{11,}", body)


def test_another_lead_sees_none_of_the_team_and_a_collector_is_refused(month: Any) -> None:
    other = client_for(month.other_lead)
    html = other.get("/en/team/").content.decode()
    summary = {row[0]["text"]: row[1]["value"] for row in tables_of(html)["t-summary"]["rows"]}
    assert summary["Collected (yuan)"] == "0.00" and summary["Contacts"] == "0"
    assert month.team.name not in html
    collector = client_for(month.collector)
    for path in ("/team/", "/team/export.csv", "/team/export.xlsx"):
        assert collector.get(path).status_code == 403
    assert not AuditEntry.objects.filter(action="team.export", actor=month.collector.username).exists()


def test_the_page_costs_a_fixed_number_of_queries(month: Any) -> None:
    """The figures are set-based and the case list is paged: about 7 queries for the figures, 2 for the
    disputes, one for the satisfaction section and 3 for the complaints' summary, whatever the number of accounts."""
    client = client_for(month.lead)
    client.get("/team/")  # sessions and caches warmed
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/team/").status_code == 200
    assert len(queries) <= 40

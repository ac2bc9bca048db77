"""The lead's and the manager's exports write text a spreadsheet would run as a formula as text."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from openpyxl import load_workbook

from arrears.interfaces.web.lead import Cell, Header, Table, csv_response, xlsx_response

TEAMS = Table(
    id="t",
    title="Teams",
    headers=[Header("Team"), Header("Collected", numeric=True)],
    rows=[
        [Cell("text", '=HYPERLINK("http://x","y")'), Cell("amount", Decimal("-12.50"))],
        [Cell("text", "North"), Cell("amount", Decimal("1234.5"))],
        [Cell("text", "-1+2"), Cell("amount", None)],
    ],
)


def test_the_csv_keeps_formula_like_text_as_text_and_numbers_as_numbers() -> None:
    body = csv_response([TEAMS], "t.csv").content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[:5] == [
        ["Teams"],
        ["Team", "Collected"],
        ['\'=HYPERLINK("http://x","y")', "-12.50"],  # a negative amount stays a number
        ["North", "1234.50"],
        ["'-1+2", ""],
    ]


def test_the_xlsx_holds_no_formula() -> None:
    sheet = load_workbook(io.BytesIO(xlsx_response([TEAMS], "t.xlsx").content))["Teams"]
    # The workbook reads numbers back as the spreadsheet holds them (-12.5); the text is not run.
    assert [c.value for c in sheet[2]] == ['\'=HYPERLINK("http://x","y")', -12.5]
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)

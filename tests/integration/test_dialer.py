"""Dialer campaigns: the call list with each number's allowed window; call results judged after the fact."""

from __future__ import annotations

import csv
import datetime as dt
import io
import subprocess
import sys
from pathlib import Path

import pytest

from arrears.application.dialer import export_csv, import_results, import_results_csv
from arrears.contacts.models import Contact
from tests.collections_factories import delinquent_customers, staff, team_with_queue

pytestmark = pytest.mark.django_db
BEIJING = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture
def campaign() -> list:
    team = team_with_queue()
    staff(team=team)
    cases = delinquent_customers(2)
    for i, case in enumerate(cases):
        case.customer.mobile = f"1380013800{i}"
        case.customer.home_phone = "010-66668888" if i == 0 else ""
        case.customer.save()
    return cases


def exported(at: dt.datetime) -> list[dict[str, str]]:
    out = io.StringIO()
    export_csv(out, at=at)
    return list(csv.DictReader(io.StringIO(out.getvalue())))


class TestExport:
    def test_lists_every_number_with_todays_window_in_beijing_time(self, campaign: list) -> None:
        rows = exported(dt.datetime(2026, 5, 3, 10, 0, tzinfo=BEIJING))
        assert sorted(r["number"] for r in rows) == ["010-66668888", "13800138000", "13800138001"]
        assert {(r["window_start"], r["window_end"], r["status"]) for r in rows} == {
            ("2026-05-03T08:00:00+08:00", "2026-05-03T22:00:00+08:00", "allowed")
        }

    def test_at_night_every_number_is_blocked_until_eight(self, campaign: list) -> None:
        rows = exported(dt.datetime(2026, 5, 3, 23, 0, tzinfo=BEIJING))
        assert {(r["status"], r["rules"], r["next_allowed_at"]) for r in rows} == {
            ("blocked", "CN-HOURS", "2026-05-04T08:00:00+08:00")
        }


class TestImport:
    def test_a_call_at_night_is_imported_and_flagged_a_daytime_call_is_not(self, campaign: list) -> None:
        case = campaign[0]
        report = import_results(
            actor="dialer",
            raw_rows=[
                {
                    "case_id": case.pk,
                    "number": "13800138000",
                    "at": "2026-05-03T10:00:00+08:00",
                    "outcome": "unanswered",
                    "duration_seconds": 0,
                    "agent": "",
                },
                {
                    "case_id": case.pk,
                    "number": "13800138000",
                    "at": "2026-05-03T23:10:00+08:00",
                    "outcome": "conversation",
                    "duration_seconds": 95,
                    "agent": "",
                },
            ],
        )
        assert (report.imported, report.flagged) == (2, 1)
        night = Contact.objects.get(flagged=True)
        assert night.decision["rules"] == ["CN-HOURS"] and night.source == "dialer"
        assert night.result == "right_party_contact" and night.duration_seconds == 95

    def test_the_seventh_unanswered_dial_of_a_day_to_one_number_is_flagged(self, campaign: list) -> None:
        case = campaign[0]
        rows = [
            {
                "case_id": case.pk,
                "number": "13800138000",
                "at": f"2026-05-03T{9 + i:02d}:00:00+08:00",
                "outcome": "unanswered",
                "duration_seconds": 0,
                "agent": "",
            }
            for i in range(7)
        ]
        report = import_results(actor="dialer", raw_rows=rows)
        assert (report.imported, report.flagged) == (7, 1)
        assert Contact.objects.get(flagged=True).at == dt.datetime(2026, 5, 3, 15, 0, tzinfo=BEIJING)

    def test_a_file_with_a_bad_row_imports_nothing_and_names_the_row_and_field(
        self, campaign: list, tmp_path: Path
    ) -> None:
        case = campaign[0]
        text = (
            "case_id,number,at,outcome,duration_seconds,agent\n"
            f"{case.pk},13800138000,2026-05-03T10:00:00+08:00,unanswered,0,\n"
            f"{case.pk},13800138000,2026-05-03 11:00,unanswered,0,\n"
            f"{case.pk},13800138000,2026-05-03T12:00:00+08:00,shouted,0,\n"
        )
        report = import_results_csv(actor="dialer", text=text)
        assert report.imported == 0 and [(r, f) for r, f, _ in report.errors] == [(2, "at"), (3, "outcome")]
        assert Contact.objects.count() == 0

    def test_a_file_naming_an_agent_who_may_not_work_the_case_imports_nothing(self, campaign: list) -> None:
        outsider = staff(team=team_with_queue())
        case = campaign[0]
        text = (
            "case_id,number,at,outcome,duration_seconds,agent\n"
            f"{case.pk},13800138000,2026-05-03T10:00:00+08:00,conversation,60,{outsider.username}\n"
        )
        report = import_results_csv(actor="dialer", text=text)
        assert report.imported == 0 and [(r, f) for r, f, _ in report.errors] == [(1, "agent")]
        assert Contact.objects.count() == 0

    def test_the_command_exports_a_list_and_refuses_a_bad_file(self, tmp_path: Path) -> None:
        bad = tmp_path / "results.csv"
        bad.write_text("case_id,number\n1,138\n")
        done = subprocess.run(
            [sys.executable, "-m", "arrears.cli", "dialer", "import", str(bad)],
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode != 0 and "header" in done.stderr

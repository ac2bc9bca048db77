"""The collector's own scorecard page and weekly PDF, and the lead's team PDF, on the portfolio of
tests/weekly_world.py (figures worked by hand there): a collector sees only their own; a lead only
their own teams (another team is not found, as an unknown one); a bad week is refused naming it."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from django.test import Client

from arrears.audit.models import AuditEntry
from arrears.people.models import Team
from tests.builders import PASSWORD
from tests.weekly_world import World, build

pytestmark = pytest.mark.django_db


def client_of(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


def pdf_text(data: bytes, tmp_path: Path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True)
    return " ".join(out.stdout.split())


def test_own_scorecard_own_pdf_and_the_teams_pdf(tmp_path: Path) -> None:
    w: World = build()
    c2 = client_of("c2")
    page = c2.get("/en/insight/mine/?week=2026-05-24")
    assert page.status_code == 200
    html = page.content.decode()
    assert "My scorecard" in html and "15.00" in html and "North" in html and "not reviewed" in html
    assert "88.15" not in html  # c1's score is not on c2's page
    zh = c2.get("/insight/mine/?week=2026-05-24").content.decode()
    assert "我的评分卡" in zh and "未质检" in zh and "15.00" in zh
    # A week that is not a Sunday: the page says so, naming the field, and shows the default week.
    bad = c2.get("/en/insight/mine/?week=2026-05-23").content.decode()
    assert "Week: " in bad and "not a Sunday" in bad
    refused = c2.get("/en/insight/mine/weekly.pdf?week=2026-05-23")
    assert refused.status_code == 400 and "not a Sunday" in refused.content.decode()

    mine = c2.get("/en/insight/mine/weekly.pdf?week=2026-05-24")
    assert mine.status_code == 200 and mine["Content-Type"] == "application/pdf"
    text = pdf_text(mine.content, tmp_path)
    assert "My scorecard" in text and "15.00" in text and "c1" not in text
    assert AuditEntry.objects.filter(action="report.weekly.download", actor="c2").count() == 1
    assert c2.get("/en/insight/weekly.pdf?week=2026-05-24").status_code == 403  # a collector: not the team's

    lead = client_of("lead_n")
    assert "You have no scorecard" in lead.get("/en/insight/mine/?week=2026-05-24").content.decode()
    teams = lead.get("/en/insight/weekly.pdf?week=2026-05-24")
    text = pdf_text(teams.content, tmp_path)
    assert "Team: North" in text and "88.15" in text and "15.00" in text and "South" not in text
    south = Team.objects.get(name="South")
    assert lead.get(f"/en/insight/weekly.pdf?week=2026-05-24&team={south.pk}").status_code == 404
    assert lead.get("/en/insight/weekly.pdf?week=2026-05-24&team=999999").status_code == 404
    assert lead.get(f"/en/insight/weekly.pdf?week=2026-05-24&team={w.north.pk}").status_code == 200
    manager = pdf_text(client_of("manager").get("/insight/weekly.pdf?week=2026-05-24").content, tmp_path)
    assert "催收工作周报" in manager and "North" in manager and "South" in manager

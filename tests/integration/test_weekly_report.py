"""The weekly progress report (arrears.insight.weekly, weekly_pdf, `arrears report weekly`) on the
small portfolio of tests/weekly_world.py, whose docstring works the figures by hand: the figures,
the PDF read back with pdftotext in both languages, a real SMTP server (aiosmtpd) receiving the mails
with the PDF attached, to the right people only, and a second run that sends nothing."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import io
import socket
import subprocess
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from arrears.audit.models import AuditEntry
from arrears.errors import ValidationFailed
from arrears.insight.models import WeeklyReportSent
from arrears.insight.weekly import (
    COLLECTOR,
    LEAD,
    MANAGER,
    last_sunday_before,
    parse_week,
    recipients,
    report_for,
    week_figures,
)
from arrears.insight.weekly_pdf import render
from tests.weekly_world import WEEK, World, build

pytestmark = pytest.mark.django_db


def text_of(pdf: bytes, tmp_path: Path, name: str) -> str:
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True)
    return " ".join(out.stdout.split())


@pytest.fixture
def world() -> World:
    return build()


class _Inbox:
    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 OK"


@pytest.fixture
def smtp_server(settings: Any) -> Any:
    from aiosmtpd.controller import Controller

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    yield inbox
    controller.stop()


def test_the_default_week_and_bad_weeks() -> None:
    assert last_sunday_before(dt.date(2026, 5, 25)) == dt.date(2026, 5, 24)  # a Monday
    assert last_sunday_before(dt.date(2026, 5, 24)) == dt.date(2026, 5, 17)  # a Sunday: the one before
    assert last_sunday_before(dt.date(2026, 5, 30)) == dt.date(2026, 5, 24)
    assert parse_week("", dt.date(2026, 5, 27)) == WEEK
    with pytest.raises(ValidationFailed) as bad:
        parse_week("2026-05-23", dt.date(2026, 5, 27))
    assert bad.value.field == "week" and "not a Sunday" in str(bad.value)
    with pytest.raises(ValidationFailed, match="has not closed"):
        parse_week("2026-05-31", dt.date(2026, 5, 27))
    with pytest.raises(ValidationFailed, match="YYYY-MM-DD"):
        parse_week("24/05/2026", dt.date(2026, 5, 27))


def test_the_weeks_figures_and_scorecards_as_worked_by_hand() -> None:
    with CaptureQueriesContext(connection) as empty:
        week_figures(WEEK)
    build()
    with CaptureQueriesContext(connection) as queries:
        week = week_figures(WEEK)
    # Set-based: for four accounts, two teams and three collectors as many queries as for none, but
    # one: the days-to-cure loader reads the bucket history only when a week has a cure (this one).
    assert len(queries) == len(empty) + 1, (len(empty), len(queries))
    north, south = week.teams["North"], week.teams["South"]
    assert (north.this.attempts, north.this.reached, north.this.right_party) == (5, 3, 3)
    assert (north.this.promises, north.this.judged, north.this.kept) == (1, 1, 1)
    assert north.this.collected_fen == 50_000
    assert north.this.roll_m1_m2 == Decimal("0.6667") and north.this.cure == Decimal("0.3333")
    assert north.this.rpc_rate == Decimal("0.6") and north.this.kept_rate == Decimal(1)
    assert north.this.complaints_per_1000 == Decimal(0)
    assert north.previous.attempts == 1 and north.previous.right_party == 0
    assert north.previous.roll_m1_m2 == Decimal(0) and north.previous.cure == Decimal(0)
    assert south.this.roll_m1_m2 == Decimal(1) and south.this.cure == Decimal(0)
    assert south.this.rpc_rate == Decimal(1) and south.this.kept_rate is None
    cards = {c.username: c.card for c in north.collectors}
    assert [c.username for c in north.collectors] == ["c1", "c2"]
    assert cards["c1"].score == Decimal("88.15") and cards["c1"].rank == 1
    assert cards["c1"].inputs.quality is None  # not reviewed, not 0
    assert cards["c2"].base == Decimal("40.00") and cards["c2"].deduction == 25
    assert cards["c2"].score == Decimal("15.00") and cards["c2"].rank == 2
    assert cards["c2"].inputs.breaches == 1 and cards["c2"].inputs.substantiated == 1
    assert south.collectors[0].card.score == Decimal("100.00")


def test_recipients_and_what_each_sees(world: World) -> None:
    found = {r.username: r for r in recipients()}
    assert set(found) == {"lead_n", "lead_s", "manager", "c1", "c2", "c3"}
    assert (found["manager"].kind, found["manager"].teams) == (MANAGER, ("North", "South"))
    assert (found["lead_n"].kind, found["lead_n"].teams, found["lead_n"].language) == (LEAD, ("North",), "en")
    assert (found["c1"].kind, found["c1"].teams) == (COLLECTOR, ())
    week = week_figures(WEEK)
    mine = report_for(week, found["c1"])
    assert mine.teams == [] and mine.own is not None and mine.own.username == "c1"
    assert [t.team for t in report_for(week, found["lead_s"]).teams] == ["South"]


def test_the_pdf_in_both_languages_with_the_figures(world: World, tmp_path: Path) -> None:
    week = week_figures(WEEK)
    found = {r.username: r for r in recipients()}
    en = text_of(render(report_for(week, found["lead_n"])), tmp_path, "lead_n")
    assert "Weekly collections report" in en and "Team: North" in en and "2026-05-18 – 2026-05-24" in en
    assert "Roll rate M1→M2 66.67% 0.00%" in en
    assert "Cure rate 33.33% 0.00%" in en
    assert "Right-party-contact rate 60.00% 0.00%" in en
    assert "Kept rate 100.00% —" in en
    assert "Contact attempts 5 1" in en and "Collected (yuan) 500.00 0.00" in en
    assert "1 c1 not reviewed 66.67% 100.00% 500.00 0 0 (0) 88.15" in en
    assert "2 c2 not reviewed 50.00% — 0.00 1 1 (1) 15.00" in en
    assert "South" not in en  # another team's figures are not in a lead's report
    zh = text_of(render(report_for(week, found["manager"])), tmp_path, "manager")
    assert "催收工作周报" in zh and "迁徙率" in zh and "未质检" in zh and "综合得分" in zh
    assert "North" in zh and "South" in zh and "66.67%" in zh and "88.15" in zh and "100.00" in zh
    own = text_of(render(report_for(week, found["c2"])), tmp_path, "c2")
    assert "我的评分卡" in own and "15.00" in own and "c1" not in own and "88.15" not in own


def test_sent_by_smtp_to_the_right_people_once(world: World, smtp_server: Any, tmp_path: Path) -> None:
    out = io.StringIO()
    with pytest.raises(CommandError, match="not a Sunday"):
        call_command("report", "weekly", "--week-ending", "2026-05-23", stdout=out)
    call_command("report", "weekly", "--week-ending", "2026-05-24", "--dry-run", "--out", str(tmp_path), stdout=out)
    assert smtp_server.messages == [] and not WeeklyReportSent.objects.exists()
    assert "would send 5" in out.getvalue() and "skipped (no e-mail address): c3" in out.getvalue()
    assert (tmp_path / "weekly-2026-05-24-c1.pdf").exists()

    out = io.StringIO()
    call_command("report", "weekly", "--week-ending", "2026-05-24", stdout=out)
    got = {m["To"]: m for m in smtp_server.messages}
    assert set(got) == {
        "lead.n@bank.example",
        "lead.s@bank.example",
        "manager@bank.example",
        "c1@bank.example",
        "c2@bank.example",
    }
    assert got["lead.n@bank.example"]["Subject"] == "Weekly collections report, week ending 2026-05-24"
    assert str(got["manager@bank.example"]["Subject"]).strip() == "催收工作周报（截至 2026-05-24 的一周）"
    [attachment] = list(got["c1@bank.example"].iter_attachments())
    assert attachment.get_filename() == "weekly-2026-05-24-c1.pdf"
    mine = text_of(attachment.get_content(), tmp_path, "mail-c1")
    assert "My scorecard" in mine and "88.15" in mine and "c2" not in mine and "15.00" not in mine
    assert WeeklyReportSent.objects.count() == 5
    assert AuditEntry.objects.filter(action="report.weekly.sent").count() == 5

    out = io.StringIO()
    call_command("report", "weekly", "--week-ending", "2026-05-24", stdout=out)
    assert len(smtp_server.messages) == 5  # nothing sent again
    assert "sent 0" in out.getvalue() and "already sent: c1" in out.getvalue()
    call_command("report", "weekly", "--week-ending", "2026-05-24", "--resend", stdout=io.StringIO())
    assert len(smtp_server.messages) == 10 and WeeklyReportSent.objects.count() == 5

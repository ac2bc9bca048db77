"""A finished quality review feeds the collector's CN-KPI scorecard in the weekly report: the sample
(arrears.quality.operations) draws c1's contact, the lead reviews it, quality.queries.collector_scores
gives the mean, insight.weekly puts it into the scorecard (insight.scorecards), and the PDF shows it.

On the week of tests/weekly_world.py (ending Sunday 2026-05-24), whose docstring works c1's other
measures: right party 2/3, kept 1/1, amount 500.00 / 500.00 = 1, no deduction; not reviewed 88.15.

Worked by hand, with every measure present the weights are the plain 35 / 20 / 25 / 20 (the amount's
20 is within its cap of 20):
- reviewed 05-20 with marks 3, 4, 2, 1, 3 on scorecard v1 (20 / 30 / 20 / 15 / 15):
  (20x3 + 30x4 + 20x2 + 15x1 + 15x3) / 4 = 280 / 4 = 70.00;
  c1 = 35 x 0.70 + 20 x 2/3 + 25 x 1 + 20 x 1 = 24.5 + 13.3333 + 25 + 20 = 82.8333 -> 82.83;
  North's quality = the mean of its reviewed collectors = 70.00 (c2 not reviewed).
- disputed by c1 on 05-21: the score stops counting, c1 is "not reviewed" again: 88.15.
- resolved 05-22 by the compliance officer, amended to all 4: 400 / 4 = 100.00;
  c1 = 35 + 13.3333 + 25 + 20 = 93.3333 -> 93.33.
"""

from __future__ import annotations

import datetime as dt
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest

from arrears.insight.weekly import recipients, report_for, week_figures
from arrears.insight.weekly_pdf import render
from arrears.people.models import Role
from arrears.quality.models import ReviewTask, TaskStatus
from arrears.quality.operations import dispute, ensure_defaults, resolve_dispute, sample, submit_review
from tests.builders import staff
from tests.weekly_world import WEEK, build

pytestmark = pytest.mark.django_db

MARKS = {"identification": 3, "wording": 4, "amounts": 2, "empathy": 1, "offer": 3}


def _text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True)
    return " ".join(out.stdout.split())


def _c1_card() -> tuple[Decimal | None, Decimal | None, Decimal | None]:
    week = week_figures(WEEK)
    north = week.teams["North"]
    card = {c.username: c.card for c in north.collectors}["c1"]
    return card.inputs.quality, card.score, north.card.inputs.quality


def test_a_finished_review_feeds_c1s_scorecard_and_a_dispute_stops_it_until_resolved(tmp_path: Path) -> None:
    ensure_defaults()
    world = build()
    officer = staff(Role.COMPLIANCE_OFFICER)
    assert _c1_card()[:2] == (None, Decimal("88.15"))

    sample(day=dt.date(2026, 5, 18), actor="test")  # c1 is new: their contacts of the day are drawn
    task = ReviewTask.objects.filter(collector=world.c1, sampled_on=dt.date(2026, 5, 18)).order_by("id").first()
    assert task is not None and "new_collector" in task.reasons
    review = submit_review(user=world.lead_n, task=task, marks=MARKS, business_date=dt.date(2026, 5, 20))
    assert review.score == Decimal("70.00")

    assert _c1_card() == (Decimal("70.00"), Decimal("82.83"), Decimal("70.00"))
    by_name = {r.username: r for r in recipients()}
    lead = _text(render(report_for(week_figures(WEEK), by_name["lead_n"])), tmp_path)
    assert "1 c1 70.00 66.67% 100.00% 500.00 0 0 (0) 82.83" in lead, lead
    assert "2 c2 not reviewed" in lead  # nobody reviewed c2: not reviewed, never 0
    mine = _text(render(report_for(week_figures(WEEK), by_name["c1"])), tmp_path)
    assert "70.00" in mine and "82.83" in mine

    dispute(user=world.c1, task=task, reason="I did identify the cardholder", business_date=dt.date(2026, 5, 21))
    assert ReviewTask.objects.get(pk=task.pk).status == TaskStatus.DISPUTED
    assert _c1_card()[:2] == (None, Decimal("88.15"))  # as if never reviewed

    resolve_dispute(
        user=officer,
        task=task,
        upheld=False,
        marks=dict.fromkeys(MARKS, 4),
        business_date=dt.date(2026, 5, 22),
    )
    assert _c1_card() == (Decimal("100.00"), Decimal("93.33"), Decimal("100.00"))

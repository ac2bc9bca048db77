"""Review of issue 13: `arrears score` at its doors. A duplicated header column registers nothing; a
`--date` near year 1 (or after the business date) is refused naming the option (before: an
OverflowError traceback from the six statement months before it)."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from arrears.audit.models import AuditEntry
from arrears.cycle import business_date
from arrears.scoring.models import AccountScore, ScoreModel
from tests.factories import make_account
from tests.integration.test_scoring import MAP, legacy_csv, train

pytestmark = pytest.mark.django_db


def test_a_header_naming_a_column_twice_registers_nothing(tmp_path: Path) -> None:
    csv = legacy_csv(tmp_path / "legacy.csv")
    lines = csv.read_text().splitlines()
    csv.write_text("\n".join([lines[0] + ",PAY_0", *(line + ",9" for line in lines[1:])]) + "\n")
    with pytest.raises(CommandError, match="PAY_0: is a column name the header gives twice"):
        train(tmp_path, MAP, csv=csv)
    assert not ScoreModel.objects.exists()
    assert not AuditEntry.objects.filter(object_type="score_model").exists()


@pytest.mark.parametrize("day", ["0001-01-01", "1969-12-31", "9999-12-31"])
def test_scoring_as_of_a_day_out_of_range_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, day: str) -> None:
    monkeypatch.setattr(business_date, "current", lambda: dt.date(2026, 9, 10))
    train(tmp_path, MAP)
    make_account()
    with pytest.raises(CommandError, match=r"--date: .* is not from 1970-01-01 to the business date 2026-09-10"):
        call_command("score", "accounts", "--model", "propensity@1", "--date", day, stdout=io.StringIO())
    assert not AccountScore.objects.exists()
    assert not AuditEntry.objects.filter(action="score_model.score").exists()

"""The feed format's field rules (arrears.hostfeed.rules): amounts strictly in yuan, dates, ids, the
manifest; and the cycle's steps that host-feed mode skips."""

from __future__ import annotations

import datetime as dt

import pytest

from arrears.cycle.registry import HOST_COMPUTED, PHASES, STEPS, steps
from arrears.hostfeed import rules
from arrears.hostfeed.rules import FieldError

DAY = dt.date(2026, 5, 2)


@pytest.mark.parametrize(("text", "fen"), [("1234.50", 123450), ("0.5", 50), ("7", 700), ("-3.01", -301), ("0.00", 0)])
def test_amounts_are_decimal_yuan_to_whole_fen(text: str, fen: int) -> None:
    assert rules.fen(text, "principal", negative=True) == fen


@pytest.mark.parametrize("text", ["1,50", "1,500.00", " 1.50", "+1.50", "1e3", "1.505", "", "１.50", "1_000", "NaN"])
def test_anything_else_is_refused_naming_the_field_never_rounded_or_guessed(text: str) -> None:
    with pytest.raises(FieldError) as refused:
        rules.fen(text, "principal", negative=True)
    assert refused.value.field == "principal"


def test_a_negative_amount_only_where_the_field_allows_it() -> None:
    with pytest.raises(FieldError, match="negative"):
        rules.fen("-1.00", "credit_limit")


@pytest.mark.parametrize(("text", "reason"), [("2026-02-30", "no such date"), ("2026/05/01", "YYYY-MM-DD")])
def test_dates_are_iso_and_real(text: str, reason: str) -> None:
    with pytest.raises(FieldError, match=reason):
        rules.date(text, "paid_on")


def test_an_account_row_parsed_and_its_refusals() -> None:
    row = ["H1", "C1", "6200000000000001", "classic", "2026-01-01", "5", "10000.00", "open", "9", "1.00", "0", "-2"]
    assert rules.account(row, DAY) == (
        "H1",
        "C1",
        "6200000000000001",
        "classic",
        dt.date(2026, 1, 1),
        5,
        1000000,
        "open",
        9,
        100,
        0,
        -200,
    )
    for i, value, field in (
        (0, "H" * 17, "account_id"),
        (2, "62x", "card_number"),
        (4, "2026-06-01", "opened_on"),
        (5, "32", "statement_day"),
        (7, "dormant", "status"),
        (8, "-1", "dpd"),
    ):
        bad = list(row)
        bad[i] = value
        with pytest.raises(FieldError) as refused:
            rules.account(bad, DAY)
        assert refused.value.field == field


def test_a_statement_needs_its_unpaid_minimum_within_the_minimum_and_a_due_date_after_it() -> None:
    assert rules.statement(["H1", "2026-03-31", "2026-04-18", "10", "5", "100"], DAY)[-1] == dt.date(2026, 2, 28)
    with pytest.raises(FieldError, match="above the minimum"):
        rules.statement(["H1", "2026-04-05", "2026-04-23", "10", "11", "100"], DAY)
    with pytest.raises(FieldError, match="before the statement"):
        rules.statement(["H1", "2026-04-05", "2026-04-01", "10", "5", "100"], DAY)


def test_the_manifest_names_each_wrong_entry() -> None:
    problems, files = rules.manifest_problems(
        {
            "format": "arrears-host-feed",
            "version": 1,
            "kind": "snapshot",
            "business_date": "2026-05-02",
            "files": {"accounts.csv": {"records": 1, "sha256": "0" * 64}, "other.csv": {}},
        }
    )
    assert [(p.field, p.reason[:20]) for p in problems] == [
        ("files", "'other.csv' is not a"),
        ("files", "a snapshot carries c"),
    ]
    assert files == {"accounts.csv": (1, "0" * 64)}


def test_host_feed_mode_skips_exactly_what_the_host_computes_and_runs_the_rest() -> None:
    assert {"annual_fees", "late_fees", "statements", "delinquency", "charge_off"} == HOST_COMPUTED
    assert {s.name for s in STEPS} >= HOST_COMPUTED
    for over in PHASES:
        own, host = steps(over, mode="own"), steps(over, mode="host_feed")
        assert own == [s for s in STEPS if s.over == over]
        assert host == [s for s in own if s.name not in HOST_COMPUTED]


def test_an_acknowledgement_row_is_acknowledged_or_rejected() -> None:
    assert rules.acknowledgement(["17", "rejected", "", "account closed"], DAY) == (
        "17",
        "rejected",
        "",
        "account closed",
    )
    with pytest.raises(FieldError) as refused:
        rules.acknowledgement(["17", "done", "", ""], DAY)
    assert refused.value.field == "status"

"""Worked examples computed by hand, run through the real cycle via the scenario runner."""

from __future__ import annotations

from pathlib import Path

import pytest

from arrears import scenario

SCENARIOS = Path(__file__).parent.parent / "scenarios"


def run(name: str) -> dict:
    return scenario.run(scenario.load((SCENARIOS / name).read_text()))


@pytest.mark.django_db
class TestRevolvingUnderFullAmount:
    def test_charges_interest_on_the_purchase_from_its_posting_date(self) -> None:
        # Purchase 2500.00 on 03-12, statement 04-05 (due 04-23), paid 1200.00 on 04-20.
        # Not paid in full, so interest at the 05-05 statement is 0.05 % a day on:
        #   2500.00 x 24 days (03-12..04-04, grace lost)   = 60000.00
        #   2500.00 x 15 days (04-05..04-19)               = 37500.00
        #   1300.00 x 15 days (04-20..05-04)               = 19500.00
        #   117000.00 x 0.0005 = 58.50
        result = run("revolve_full_amount.yaml")
        last = result["statements"][-1]
        assert last["statement_date"] == "2026-05-05"
        assert last["interest"] == "58.50"
        # Minimum: 10 % of 1300.00 principal + 58.50 interest = 188.50
        assert last["minimum_payment"] == "188.50"
        assert last["new_balance"] == "1358.50"
        assert result["balances"] == {"principal": "1300.00", "interest": "58.50", "fees": "0.00"}
        assert (result["dpd"], result["bucket"], result["status"]) == (0, "M0", "open")

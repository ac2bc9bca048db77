"""`arrears plan quote FILE` (a subprocess) and POST /api/v1/plans/quote answer the same JSON."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

ARREARS = Path(sys.executable).parent / "arrears"
ROOT = Path(__file__).resolve().parents[2]

PLANS: list[dict[str, Any]] = [
    {
        "balance": "1000.00",
        "instalments": 3,
        "first_due_date": "2028-01-31",
        "method": "equal_payment",
        "annual_rate": "0.12",
        "business_date": "2028-01-01",
    },
    {
        "balance": "12345.67",
        "instalments": 24,
        "first_due_date": "2026-08-31",
        "method": "equal_principal",
        "annual_rate": "0.0875",
        "down_payment": "2345.67",
        "business_date": "2026-07-01",
        "pack": "CN",
    },
    {
        "balance": "10000.00",
        "instalments": 12,
        "first_due_date": "2026-03-15",
        "method": "flat_fee",
        "fee_rate": "0.006",
        "business_date": "2026-03-01",
    },
]


def run_cli(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(ARREARS), "plan", "quote", str(path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=os.environ.copy(),
        timeout=120,
        check=False,
    )


@pytest.fixture
def client(db: None) -> Client:
    user = User.objects.create_user(username="h5-collector", password="x")
    c = Client()
    c.force_login(user)
    return c


def post(client: Client, body: object) -> Any:
    return client.post("/api/v1/plans/quote", data=json.dumps(body), content_type="application/json")


class TestPlanQuote:
    @pytest.mark.parametrize("plan", PLANS, ids=[p["method"] for p in PLANS])
    def test_the_command_and_the_api_give_identical_json(
        self, plan: dict[str, Any], client: Client, tmp_path: Path
    ) -> None:
        path = tmp_path / "plan.json"
        path.write_text(json.dumps(plan))
        cli = run_cli(path)
        assert cli.returncode == 0, cli.stderr
        api = post(client, plan)
        assert api.status_code == 200, api.content
        assert json.loads(cli.stdout) == api.json()
        out = api.json()
        assert list(out) == ["schedule", "total_amount", "total_interest", "total_fee", "apr"]
        assert len(out["schedule"]) == plan["instalments"]
        assert list(out["schedule"][0]) == ["n", "due_date", "amount", "principal", "interest", "fee"]

    def test_shows_the_leap_day_and_the_hand_computed_schedule(self, tmp_path: Path) -> None:
        path = tmp_path / "plan.json"
        path.write_text(json.dumps(PLANS[0]))
        out = json.loads(run_cli(path).stdout)
        assert [(r["due_date"], r["amount"]) for r in out["schedule"]] == [
            ("2028-01-31", "340.02"),
            ("2028-02-29", "340.02"),
            ("2028-03-31", "340.03"),
        ]
        assert (out["total_amount"], out["total_interest"], out["apr"]) == (
            "1020.07",
            "20.07",
            "0.120021",
        )

    @pytest.mark.parametrize(
        ("changes", "field"),
        [
            ({"instalments": 61}, "instalments"),
            ({"annual_rate": "-0.05"}, "annual_rate"),
            ({"first_due_date": "2027-12-31"}, "first_due_date"),
            ({"balance": "0.00"}, "balance"),
            ({"method": "balloon"}, "method"),
        ],
    )
    def test_bad_input_names_the_field_and_prints_nothing(
        self, changes: dict[str, Any], field: str, client: Client, tmp_path: Path
    ) -> None:
        plan = {**PLANS[0], **changes}
        path = tmp_path / "plan.json"
        path.write_text(json.dumps(plan))
        cli = run_cli(path)
        assert cli.returncode != 0
        assert cli.stdout == ""
        assert f"{field}: " in cli.stderr
        api = post(client, plan)
        assert api.status_code == 422
        assert api.json()["field"] == field

    def test_a_file_that_is_not_json_is_refused(self, tmp_path: Path) -> None:
        path = tmp_path / "plan.json"
        path.write_text("{balance: 1000")
        cli = run_cli(path)
        assert (cli.returncode != 0, cli.stdout) == (True, "")
        assert "file: not valid JSON" in cli.stderr

    def test_a_missing_file_is_refused(self, tmp_path: Path) -> None:
        cli = run_cli(tmp_path / "absent.json")
        assert (cli.returncode != 0, cli.stdout) == (True, "")
        assert "file: cannot read" in cli.stderr

    def test_the_api_refuses_a_body_that_is_not_json(self, client: Client) -> None:
        response = client.post("/api/v1/plans/quote", data="nope", content_type="application/json")
        assert response.status_code == 422
        assert response.json()["field"] == "body"

    def test_the_api_asks_who_is_calling(self, db: None) -> None:
        assert post(Client(), PLANS[0]).status_code == 401

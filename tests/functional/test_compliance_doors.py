"""The CLI and the API are two doors to the same gate: same input file, same answer; errors name the field."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from tests.compliance_docs import call, cn_doc, us_doc, with_
from tests.unit.test_compliance_parse import EXAMPLE

# The CLI of this checkout, run by the interpreter running the tests (never another checkout's script).
ARREARS = [sys.executable, "-m", "arrears.cli"]
URL = "/api/v1/compliance/check"

DOCUMENTS: dict[str, dict[str, Any]] = {
    "issue_example": EXAMPLE,
    "cn_night": cn_doc("2026-03-10T22:00:00+08:00"),
    "cn_third_party_in_english": with_(
        cn_doc(party="e", address="13700000000", channel="sms", text="他欠款了"),
        language="en",
        **{"customer.debtor_number_invalid": True},
    ),
    "us_two_zones_early": us_doc("2026-04-07T10:30:00-04:00", locations=("America/New_York", "America/Los_Angeles")),
    "us_eighth_call": with_(
        us_doc("2026-04-07T15:00:00-04:00"), history=[call(f"2026-04-{d:02d}T10:00:00-04:00") for d in range(1, 8)]
    ),
}


def run_cli(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*ARREARS, "compliance", "check", str(path)],
        capture_output=True,
        text=True,
        env=os.environ.copy(),
        timeout=120,
        check=False,
    )


@pytest.fixture
def client(db: None) -> Client:
    user = get_user_model().objects.create_user("h4-compliance", password="not-used")
    client = Client()
    client.force_login(user)
    return client


def post(client: Client, body: str) -> Any:
    return client.post(URL, data=body, content_type="application/json")


class TestSameAnswers:
    def test_cli_and_api_answer_the_same_on_the_same_files(self, client: Client, tmp_path: Path) -> None:
        for name, doc in DOCUMENTS.items():
            path = tmp_path / f"{name}.json"
            path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
            cli = run_cli(path)
            assert cli.returncode == 0, cli.stderr
            api = post(client, path.read_text(encoding="utf-8"))
            assert api.status_code == 200, api.content
            assert json.loads(cli.stdout) == api.json(), name
            assert set(api.json()) == {"allowed", "rules", "reasons", "next_allowed_at"}

    def test_the_answers_are_the_worked_examples(self, client: Client) -> None:
        answers = {name: post(client, json.dumps(doc)).json() for name, doc in DOCUMENTS.items()}
        assert answers["issue_example"]["allowed"] is True
        assert answers["cn_night"] == {
            "allowed": False,
            "rules": ["CN-HOURS"],
            "reasons": ["CN-HOURS：2026-03-10 22:00 北京时间不在允许联系时段 08:00–22:00 内（北京时间）。"],
            "next_allowed_at": "2026-03-11T08:00:00+08:00",
        }
        assert answers["cn_third_party_in_english"]["reasons"] == [
            "CN-CONDUCT: prohibited wording (debt disclosed to a third party): “欠款”."
        ]
        assert answers["us_two_zones_early"]["next_allowed_at"] == "2026-04-07T11:00:00-04:00"
        assert answers["us_eighth_call"]["rules"] == ["US-7IN7"]
        assert answers["us_eighth_call"]["next_allowed_at"] == "2026-04-08T08:00:00-04:00"


class TestMalformedInput:
    def test_the_cli_names_the_field_prints_nothing_on_stdout_and_fails(self, tmp_path: Path) -> None:
        path = tmp_path / "bad.json"
        path.write_text(json.dumps(with_(EXAMPLE, **{"proposed.at": "2026-03-08 11:00"})))
        cli = run_cli(path)
        assert cli.returncode != 0
        assert cli.stdout == ""
        assert "proposed.at: not an ISO datetime with offset" in cli.stderr

    def test_the_cli_refuses_a_file_that_is_not_json(self, tmp_path: Path) -> None:
        path = tmp_path / "bad.json"
        path.write_text("{not json")
        cli = run_cli(path)
        assert (cli.returncode != 0, cli.stdout) == (True, "")
        assert "file: not valid JSON" in cli.stderr

    def test_the_api_names_the_field(self, client: Client) -> None:
        response = post(client, json.dumps(with_(EXAMPLE, **{"proposed.at": "2026-03-08 11:00"})))
        assert response.status_code == 422
        assert response.json() == {
            "code": "validation_failed",
            "field": "proposed.at",
            "message": "not an ISO datetime with offset",
        }

    def test_the_api_refuses_a_body_that_is_not_json(self, client: Client) -> None:
        response = post(client, "{not json")
        assert response.status_code == 422
        assert response.json()["field"] == "body"

    def test_the_api_needs_a_logged_in_user(self, db: None) -> None:
        assert post(Client(), json.dumps(EXAMPLE)).status_code == 401

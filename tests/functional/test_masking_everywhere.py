"""Masking holds everywhere: a collector, who may reveal nothing but the phone (audited), never receives a customer's
full mobile number, national id or card number, on any page (both languages, with every form's
pre-filled values), in any API answer (every GET of the OpenAPI schema), in the messages shown after
an action, nor in the CSV the dialer gets (which carries the number it dials, and nothing else). The
audit trail, read by a person who may search it but not reveal, holds none of them either.

The routes are found, not listed: the pages by walking the URL patterns, the API from its schema
(as tests/functional/test_idor_sweep.py does), so a new route is checked the day it is added.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import re
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from arrears.application.dialer import export_csv
from arrears.cycle import business_date
from arrears.kernel import clock
from arrears.ledger.models import Account, Customer
from tests.builders import PASSWORD, staff
from tests.functional.test_idor_sweep import CHOICE_PARAMS, ID_PARAMS, api_routes
from tests.functional.test_translations_complete import pages
from tests.functional.two_teams import TODAY, World, two_teams

MOBILE = "13712345678"
NATIONAL_ID = "110105198806061234"
PAN = "6225881234567890"
SECRETS = {"mobile": MOBILE, "national id": NATIONAL_ID, "card number": PAN}
# Besides the value itself, the forms a page could print it in.
SPELLINGS = {
    "mobile": (MOBILE, "137 1234 5678", "137-1234-5678", "+8613712345678"),
    "national id": (NATIONAL_ID,),
    "card number": (PAN, "6225 8812 3456 7890"),
}
DAYTIME = dt.datetime(2026, 5, 3, 2, 5, tzinfo=dt.UTC)  # 10:05 in Beijing: calls are allowed


@pytest.fixture(autouse=True)
def _business_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(business_date, "current", lambda: TODAY)
    ticks = itertools.count()  # the clock moves a second a reading, so dials follow one another
    monkeypatch.setattr(clock, "now", lambda: DAYTIME + dt.timedelta(seconds=next(ticks)))


@pytest.fixture
def world(db: None) -> World:
    w = two_teams()
    Customer.objects.filter(pk=w.a.customer.pk).update(mobile=MOBILE, national_id=NATIONAL_ID)
    Account.objects.filter(pk=w.a.account.pk).update(number=PAN)
    return w


class Leaks:
    def __init__(self) -> None:
        self.found: list[str] = []
        self.checked = 0

    def scan(self, where: str, response: Any) -> str:
        content = b"".join(response.streaming_content) if response.streaming else response.content
        text = content.decode("utf-8", "replace") + " " + response.get("Location", "")
        for what, spellings in SPELLINGS.items():
            for spelling in spellings:
                if spelling in text:
                    at = text.index(spelling)
                    self.found.append(f"{where}: the full {what} ({text[max(0, at - 60) : at + 30]!r})")
        self.checked += 1
        return text


def login(user: Any) -> Client:
    client = Client(raise_request_exception=False)
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_a_collector_never_receives_a_full_number_unless_revealed(world: World) -> None:
    collector = world.a.collector
    # A collector may reveal no card number nor national id; the phone only through the audited reveal
    # (a POST with a reason, not walked here): every page still shows it masked.
    assert not any(collector.has_perm(p) for p in ("people.view_full_national_id", "people.view_full_pan"))
    client = login(collector)
    leaks = Leaks()

    # Every page, in both languages, with its forms' pre-filled values.
    for prefix in ("", "/en"):
        for name, path in pages(world):
            response = client.get(prefix + path)
            leaks.scan(f"GET {prefix}{path} ({name}, {response.status_code})", response)

    # Every API GET, with A's own ids.
    for route in api_routes():
        if route.methods != ("get",):
            continue
        values = {p: ID_PARAMS[p](world.a) for p in route.params if p in ID_PARAMS}
        values |= {p: CHOICE_PARAMS[p][0] for p in route.params if p in CHOICE_PARAMS}
        if set(values) != set(route.params):
            continue
        path = route.path(values)
        response = client.get(path)
        leaks.scan(f"GET {path} ({response.status_code})", response)

    # The messages and pages after each action on the case.
    case = f"/cases/{world.a.case.pk}/"
    actions = [
        (case, {"action": "note", "text": "客户称下周还款"}),
        *[
            (
                case,
                {
                    "action": "contact",
                    "channel": "phone",
                    "direction": "outbound",
                    "party": "cardholder",
                    "result": "no_answer",
                    "duration_seconds": "0",
                },
            )
            for _ in range(7)  # past the dial limit (CN-DIALS: 6 unanswered a day), whose refusal is read too
        ],
        (case, {"action": "handoff", "to_role": "customer_service", "comment": "请核实还款记录"}),
        (f"{case}concessions/", {"kind": "late_fee_waiver", "reason": "illness", "evidence": "x", "amount": "1.00"}),
        (
            f"{case}plans/propose/",
            {
                "account": world.a.account.ref,
                "scope": "overdue",
                "method": "flat_fee",
                "instalments": "6",
                "first_due_date": "2026-06-01",
                "fee_rate": "0.005",
            },
        ),
    ]
    refused = 0
    for prefix in ("", "/en"):
        for path, body in actions:
            response = client.post(prefix + path, body, follow=True)
            text = leaks.scan(f"POST {prefix}{path} {body.get('action', '')} ({response.status_code})", response)
            refused += body.get("action") == "contact" and "CN-DIALS" in text

    assert leaks.checked > 40
    assert refused, "the dial limit's refusal was read"
    assert leaks.found == [], "full numbers sent to a collector who may not reveal them:\n" + "\n".join(
        dict.fromkeys(leaks.found)
    )


def test_the_audit_trail_shows_no_full_number_to_a_reader_who_may_not_reveal(world: World) -> None:
    reader = staff()
    reader.user_permissions.add(Permission.objects.get(codename="search_audit"))
    login(world.a.collector).post(
        f"/cases/{world.a.case.pk}/",
        {
            "action": "contact",
            "channel": "phone",
            "direction": "outbound",
            "party": "cardholder",
            "result": "no_answer",
            "duration_seconds": "0",
        },
    )
    leaks = Leaks()
    client = login(reader)
    for prefix in ("", "/en"):
        response = client.get(f"{prefix}/audit/")
        assert response.status_code == 200
        leaks.scan(f"GET {prefix}/audit/", response)
    assert leaks.found == [], "\n".join(leaks.found)


def test_the_dialer_export_carries_the_number_it_dials_and_nothing_else(world: World) -> None:
    out = io.StringIO()
    export_csv(out, at=DAYTIME)
    text = out.getvalue()
    rows = list(csv.reader(io.StringIO(text)))
    assert any(MOBILE in row for row in rows), "the dialer dials the number: the one field it must have"
    assert PAN not in text and NATIONAL_ID not in text


def test_the_scan_finds_a_full_number() -> None:
    class Answer(dict[str, str]):
        streaming = False
        content = f"<input value='{MOBILE}'>".encode()

    leaks = Leaks()
    leaks.scan("here", Answer())
    assert len(leaks.found) == 1 and re.search("the full mobile", leaks.found[0])

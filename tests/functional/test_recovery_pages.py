"""After charge-off on the pages, in both languages: the charged-off position on the 360 (case) page and
the account page with the figures of the worked example (tests/integration/test_chargeoff_recovery.py),
consistent with the one read model; the recovery rate by vintage for team leads (their teams only),
strategy managers and administrators, refused to collectors."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from arrears.application.figures import account_figures
from arrears.cycle.business_date import open_date
from arrears.interfaces.web.formatting import yuan
from arrears.people.models import Role
from tests.builders import PASSWORD, charged_off, pay, staff, team_with_queue
from tests.functional.test_translations_complete import visible_text

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 7, 31)


@pytest.fixture
def world() -> dict[str, Any]:
    lead = staff(Role.TEAM_LEAD)
    team = team_with_queue(lead=lead)
    debtor = charged_off(amount="1000.00", charge_off_dpd=30)
    pay(accounts=[debtor.account], amounts=["20.00"], on=dt.date(2026, 6, 1))
    pay(accounts=[debtor.account], amounts=["300.00"], on=dt.date(2026, 7, 10))
    open_date(TODAY)
    assert debtor.case is not None
    debtor.case.refresh_from_db()
    User.objects.create_superuser("chief", password=PASSWORD)
    return {"lead": lead, "team": team, "debtor": debtor, "other_lead": staff(Role.TEAM_LEAD)}


def client_for(username: str) -> Client:
    c = Client()
    assert c.login(username=username, password=PASSWORD)
    return c


def cells(html: str, table_id: str) -> dict[str, str]:
    table = re.search(rf'<table[^>]*id="{table_id}".*?</table>', html, re.S)
    assert table, table_id
    return dict(re.findall(r'data-fig="(\w+)">(?:<strong>)?([^<]*)<', table.group(0)))


@pytest.mark.parametrize(
    ("prefix", "words"), [("", ["核销头寸", "构成", "和解减免"]), ("/en", ["Charged-off position", "Component"])]
)
def test_the_position_on_the_case_and_account_pages(world: dict[str, Any], prefix: str, words: list[str]) -> None:
    debtor = world["debtor"]
    chief = client_for("chief")
    figures = account_figures([debtor.account.pk], business_date=TODAY)[debtor.account.pk]
    for url in (f"{prefix}/cases/{debtor.case.pk}/", f"{prefix}/accounts/{debtor.account.ref}/"):
        response = chief.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        for word in words:
            assert word in html, (url, word)
        totals = cells(html, f"position-{debtor.account.pk}")
        assert totals["charged_off_total"] == yuan(figures.charged_off_fen) == "1,033.00"
        assert totals["recovered_total"] == yuan(figures.recovered_fen) == "320.00"
        assert totals["still_owed_total"].strip() == yuan(figures.still_owed_fen) == "713.00"
        assert "fig-still-owed" in html and ">713.00<" in html.replace(" ", "")
        assert "30.98%" in html


@pytest.mark.parametrize(
    ("prefix", "title"), [("", "按核销月份（账龄批次）的回收率"), ("/en", "Recovery rate by vintage")]
)
def test_the_vintages_page(world: dict[str, Any], prefix: str, title: str) -> None:
    for who in ("chief", world["lead"].username):
        response = client_for(who).get(f"{prefix}/recovery/vintages/")
        assert response.status_code == 200, who
        html = response.content.decode()
        assert title in html and 'id="chart-vintages"' in html
        assert 'id="nav-recovery"' in html
        row = re.search(r'<table class="figures" id="vintages">.*?<tbody><tr>(.*?)</tr>', html, re.S)
        assert row, who
        values = re.findall(r'data-value="([^"]*)"', row.group(1))
        assert values[:5] == ["2026-05", "1", "1033.00", "320.00", "30.98"]
        assert values[5:8] == ["0.00", "1.94", "30.98"]
    text = visible_text(client_for(world["other_lead"].username).get(f"{prefix}/recovery/vintages/").content.decode())
    assert "2026-05" not in text


def test_the_vintages_page_is_refused_to_a_collector(world: dict[str, Any]) -> None:
    collector = staff(team=world["team"])
    response = client_for(collector.username).get("/recovery/vintages/")
    assert response.status_code == 403
    assert 'id="nav-recovery"' not in client_for(collector.username).get("/work/").content.decode()

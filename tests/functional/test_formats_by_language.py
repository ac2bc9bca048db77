"""Amounts with separators and two decimals, rates as percentages, and one date format per language:
2026年4月5日 (2026年5月3日 10:05) on zh-Hans pages, 5 Apr 2026 (3 May 2026 10:05) on English ones."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.test import Client
from django.utils import translation

from arrears.interfaces.web import formatting
from tests.builders import PASSWORD
from tests.functional.test_translations_complete import visible_text
from tests.functional.two_teams import World, two_teams

INSTANT = dt.datetime(2026, 5, 3, 2, 5, tzinfo=dt.UTC)  # 10:05 in Beijing


@pytest.mark.parametrize(
    ("language", "day", "instant"),
    [("zh-hans", "2026年11月4日", "2026年5月3日 10:05"), ("en", "4 Nov 2026", "3 May 2026 10:05")],
)
def test_one_date_format_per_language_through_the_date_filter(language: str, day: str, instant: str) -> None:
    template = Template('{{ d|date }}|{{ d }}|{{ t|date:"DATETIME_FORMAT" }}')
    with translation.override(language):
        text = template.render(Context({"d": dt.date(2026, 11, 4), "t": INSTANT}))
        assert text == f"{day}|{day}|{instant}"
        assert formatting.day("2026-11-04") == formatting.day(dt.date(2026, 11, 4)) == day
        assert formatting.instant(INSTANT) == instant


def test_amounts_have_separators_and_two_decimals_and_rates_are_percentages() -> None:
    assert formatting.yuan(2635956023) == "26,359,560.23"
    assert formatting.yuan(-5) == "-0.05"
    assert formatting.amount("26359560.23") == "26,359,560.23"
    assert formatting.amount(Decimal("1000")) == "1,000.00"
    assert formatting.amount("n/a") == "n/a"
    assert formatting.percent("0.000500") == "0.05%"
    assert formatting.percent("0.000493") == "0.0493%"
    assert formatting.percent("0.05") == "5%"
    assert formatting.percent("0.18") == "18%"


@pytest.mark.django_db
@pytest.mark.parametrize("prefix", ["", "/en"])
def test_the_account_page_shows_no_iso_dates_nor_six_decimal_rates(prefix: str) -> None:
    world: World = two_teams()
    client = Client()
    assert client.login(username=world.a.collector.username, password=PASSWORD)
    page = client.get(f"{prefix}/accounts/{world.a.account.ref}/")
    assert page.status_code == 200
    text = "\n".join(visible_text(page.content.decode()))
    assert not re.search(r"\b\d{4}-\d\d-\d\d\b", text), "an ISO date on the page"
    assert not re.search(r"\d\.\d{5,}", text), "a rate or amount with five or more decimals"
    assert not re.search(r"\b\d{4,}\.\d\d\b", text), "an amount of 1,000 or more without separators"
    date = r"\d{4}年\d{1,2}月\d{1,2}日" if not prefix else r"\d{1,2} [A-Z][a-z]{2} \d{4}"
    assert re.search(date, text)

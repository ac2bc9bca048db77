"""Every staff page tells which day the bank is on: the stored business date, in the page's language."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.auth.models import User
from django.test import Client

from arrears.cycle.business_date import open_date

pytestmark = pytest.mark.django_db

# Not the frozen clock's day (2026-05-03): a header read from the wall clock would show that one.
DAY = dt.date(2026, 4, 17)
STAFF_PAGES = ["/", "/work/", "/team/", "/insight/", "/handoffs/", "/audit/", "/plans/inbox/", "/approvals/"]


def header(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    found = re.search(r"<header\b[^>]*>(.*?)</header>", response.content.decode(), re.S)
    assert found, url
    return found.group(1)


@pytest.fixture
def admin() -> Client:
    User.objects.create_superuser("chief", password="pw-for-tests")
    client = Client()
    assert client.login(username="chief", password="pw-for-tests")
    return client


class TestTheBusinessDateInTheHeader:
    def test_every_staff_page_shows_the_stored_business_date_in_chinese(self, admin: Client) -> None:
        open_date(DAY)

        for url in STAFF_PAGES:
            shown = header(admin, url)
            assert '营业日 <time datetime="2026-04-17">2026年4月17日</time>' in shown, url
            assert "Business date" not in shown, url

    def test_in_english_the_header_says_business_date(self, admin: Client) -> None:
        open_date(DAY)

        switched = admin.post("/i18n/setlang/", {"language": "en", "next": "/work/"})
        assert switched.status_code == 302

        for url in STAFF_PAGES:
            shown = header(admin, "/en" + url)
            assert 'Business date <time datetime="2026-04-17">17 Apr 2026</time>' in shown, url
            assert "营业日" not in shown, url

    def test_the_header_follows_the_date_the_cycle_opens(self, admin: Client) -> None:
        open_date(DAY)
        before = header(admin, "/work/")

        open_date(DAY + dt.timedelta(days=1))
        after = header(admin, "/work/")

        assert "2026年4月17日</time>" in before and "2026年4月18日</time>" in after

    def test_the_login_page_shows_no_business_date(self) -> None:
        open_date(DAY)

        shown = header(Client(), "/login/")

        assert "营业日" not in shown and "2026-04-17" not in shown

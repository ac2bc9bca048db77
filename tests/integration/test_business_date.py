"""The stored business date (Fineract's BUSINESS_DATE and COB_DATE): the cycle opens it, postings use it."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client

from arrears.cycle import business_date
from arrears.cycle.models import CycleDay
from arrears.cycle.runner import run_date
from arrears.kernel import clock
from arrears.ledger.models import Entry
from arrears.payments.models import Payment
from tests.factories import make_account, purchase, run_days

pytestmark = pytest.mark.django_db

OPENED = dt.date(2026, 3, 1)
# A business date far from the tests' frozen clock (2026-05-03), so that a date read from the wall
# clock instead of the stored one shows.
DAY = dt.date(2026, 3, 20)


@pytest.fixture
def account_run_through_day() -> str:
    account = make_account(opened_on=OPENED)
    purchase(account, OPENED, "1000.00")
    run_days(OPENED, DAY)
    return account.number


class TestTheStoredDate:
    def test_a_fresh_database_is_on_the_banks_calendar_day_until_a_cycle_runs(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        # 17:00 UTC is already the next morning in Beijing: the bank's zone decides the day.
        monkeypatch.setattr(clock, "now", lambda: dt.datetime(2026, 7, 1, 17, 0, tzinfo=dt.UTC))

        assert business_date.current() == dt.date(2026, 7, 2)
        assert business_date.cob_date() is None

    def test_running_the_cycle_for_a_date_opens_it_and_closes_the_day_before(self) -> None:
        make_account(opened_on=OPENED)

        run_date(DAY)

        assert business_date.current() == DAY
        assert business_date.cob_date() == DAY - dt.timedelta(days=1)

    def test_re_running_an_older_date_does_not_move_the_date_back(self) -> None:
        make_account(opened_on=OPENED)
        later = DAY + dt.timedelta(days=5)
        run_date(later)

        ran = run_date(DAY)  # an older date that had not run yet
        business_date.open_date(DAY - dt.timedelta(days=1))

        assert ran
        assert business_date.current() == later
        assert business_date.cob_date() == later - dt.timedelta(days=1)

    def test_the_start_of_a_business_date_is_midnight_in_the_banks_zone(self) -> None:
        assert clock.start_of(DAY) == dt.datetime(2026, 3, 19, 16, 0, tzinfo=dt.UTC)  # 00:00 Asia/Shanghai
        assert clock.start_of(DAY) == clock.start_of(DAY)


class TestPaymentsTakenDuringTheDay:
    def test_a_payment_posted_from_the_command_line_posts_on_the_business_date(
        self, account_run_through_day: str
    ) -> None:
        call_command(
            "payment",
            "post",
            "--account",
            account_run_through_day,
            "--amount",
            "100.00",
            "--reference",
            "CLI-1",
            stdout=io.StringIO(),
        )

        payment = Payment.objects.get(reference="CLI-1")
        assert (payment.posting_date, payment.value_date) == (DAY, DAY)
        assert set(Entry.objects.filter(reference="CLI-1").values_list("posting_date", flat=True)) == {DAY}

    def test_a_payment_posted_through_the_api_posts_on_the_business_date(self, account_run_through_day: str) -> None:
        User.objects.create_superuser("boss", password="pw-for-tests")
        client = Client()
        assert client.login(username="boss", password="pw-for-tests")

        response = client.post(
            "/api/v1/payments",
            json.dumps({"account": account_run_through_day, "amount": "50.00", "reference": "API-1"}),
            content_type="application/json",
        )

        assert response.status_code == 201, response.content
        assert response.json()["value_date"] == DAY.isoformat()
        assert Payment.objects.get(reference="API-1").posting_date == DAY


class TestTheCycleCommand:
    def test_without_through_it_closes_the_business_date_and_opens_exactly_the_next_one(
        self, account_run_through_day: str
    ) -> None:
        days_before = CycleDay.objects.count()
        out = io.StringIO()

        call_command("cycle", stdout=out)

        following = DAY + dt.timedelta(days=1)
        assert CycleDay.objects.count() == days_before + 1
        assert CycleDay.objects.filter(business_date=following).exists()
        assert (business_date.current(), business_date.cob_date()) == (following, DAY)
        assert f"营业日 {following.isoformat()}" in out.getvalue()
        assert f"Business date {following.isoformat()}" in out.getvalue()

    def test_with_through_it_runs_every_date_through_it(self, account_run_through_day: str) -> None:
        through = DAY + dt.timedelta(days=3)
        out = io.StringIO()

        call_command("cycle", "--through", through.isoformat(), stdout=out)

        opened = CycleDay.objects.filter(business_date__gt=DAY).order_by("business_date")
        assert list(opened.values_list("business_date", flat=True)) == [DAY + dt.timedelta(days=n) for n in (1, 2, 3)]
        assert business_date.current() == through
        assert f"Business date {through.isoformat()}" in out.getvalue()

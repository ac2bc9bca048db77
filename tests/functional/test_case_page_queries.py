"""The customer 360 page makes the same small number of queries however long the customer's history."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from arrears.cases.models import Case, CaseStatusChange
from arrears.contacts.models import Contact, FinancialSituation, Handoff, Note
from arrears.cycle.business_date import open_date
from arrears.delinquency.models import BucketChange
from arrears.holds.models import Hold
from arrears.ledger.models import Account
from arrears.legal.operations import refer
from arrears.payments.models import Payment
from arrears.promises.models import Promise
from arrears.statements.models import Statement
from tests.collections_factories import PASSWORD, delinquent_customers, staff, team_with_queue

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 5, 3)


@pytest.fixture(autouse=True)
def _business_today(db: None) -> None:
    """The bank is on TODAY, the business date these cases live in."""
    open_date(TODAY)


def _queries_of_the_page(client: Client, case: Case) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/cases/{case.pk}/")
    assert response.status_code == 200
    return len(queries)


def _a_longer_history(case: Case, collector: Any, n: int, *, seed: int = 0) -> None:
    """n more of every kind of row the page shows, over two more accounts."""
    account = case.customer.accounts.order_by("id").first()
    assert account is not None
    now = timezone.now()
    for k in range(2):
        extra = Account.objects.create(
            number=f"69{case.pk:06d}{seed}{k:03d}",
            customer=case.customer,
            product=account.product,
            opened_on=account.opened_on,
            statement_day=account.statement_day,
            credit_limit_fen=account.credit_limit_fen,
        )
        Statement.objects.bulk_create(
            Statement(
                account=extra,
                statement_date=dt.date(2024, 1, 5) + dt.timedelta(days=31 * i),
                period_start=dt.date(2023, 12, 5) + dt.timedelta(days=31 * i),
                due_date=dt.date(2024, 1, 23) + dt.timedelta(days=31 * i),
                principal_fen=100_00,
                interest_fen=0,
                fees_fen=0,
                new_balance_fen=100_00,
                minimum_payment_fen=10_00,
                minimum_due_fen=10_00,
                minimum_unpaid_fen=0,
            )
            for i in range(n)
        )
        BucketChange.objects.bulk_create(
            BucketChange(
                account=extra, change_date=dt.date(2024, 1, 1) + dt.timedelta(days=i), from_bucket=0, to_bucket=1, dpd=1
            )
            for i in range(n)
        )
    Contact.objects.bulk_create(
        Contact(case=case, collector=collector, at=now, channel="phone", party="none", result="no_answer")
        for _ in range(n)
    )
    Note.objects.bulk_create(Note(case=case, author=collector, at=now, text="note") for _ in range(n))
    Promise.objects.bulk_create(
        Promise(case=case, amount_fen=50_00, promised_date=TODAY, taken_on=TODAY, taken_by=collector, status="broken")
        for _ in range(n)
    )
    FinancialSituation.objects.bulk_create(
        FinancialSituation(
            case=case,
            taken_by=collector,
            at=now,
            monthly_income_fen=1,
            monthly_expenses_fen=1,
            ability="able",
            willingness="willing",
            recommended_path="promise_to_pay",
        )
        for _ in range(n)
    )
    Handoff.objects.bulk_create(
        Handoff(case=case, from_user=collector, to_role="customer_service", comment="c", created_at=now)
        for _ in range(n)
    )
    CaseStatusChange.objects.bulk_create(
        CaseStatusChange(case=case, change_date=TODAY, from_status="open", to_status="promised") for _ in range(n)
    )
    Payment.objects.bulk_create(
        Payment(
            reference=f"Q-{case.pk}-{seed}-{i}",
            account=account,
            amount_fen=10_00,
            value_date=dt.date(2026, 4, 1),
            posting_date=dt.date(2026, 4, 1),
        )
        for i in range(n)
    )
    Hold.objects.bulk_create(
        Hold(
            customer=case.customer,
            kind="complaint",
            channels=["sms"],
            reason="r",
            starts_on=dt.date(2026, 4, 1),
            set_by=collector,
            set_at=now,
        )
        for _ in range(3)
    )
    # The customer is reachable every way: every channel is judged, from the one load of the history.
    case.customer.home_phone, case.customer.work_phone, case.customer.email = "01066668888", "01077779999", "a@b.cn"
    case.customer.address = "北京市朝阳区"
    case.customer.save()


class TestCustomer360Queries:
    def test_the_page_makes_the_same_few_queries_whatever_the_history(self) -> None:
        team = team_with_queue()
        collector = staff(team=team)
        [case] = delinquent_customers(1, through=TODAY)
        client = Client()
        assert client.login(username=collector.username, password=PASSWORD)
        client.get(f"/cases/{case.pk}/")  # the first view warms caches (content types, roles)

        short = _queries_of_the_page(client, case)
        _a_longer_history(case, collector, 40)
        long = _queries_of_the_page(client, case)

        assert long == short
        # session, user, roles, business date, case, figures (4), audit (2), the gate's one load (7, the legal
        # stages reached and the amounts held while disputed with it), reveal rights (2), the summary's counts
        # (5), the promise policy, the disputes section (2: the disputes, the charges to dispute), the champion
        # model's latest score (1): at most 29, however long the history (a customer at law adds the open
        # legal cases: the test below).
        assert short <= 29

    def test_a_customer_at_law_costs_one_query_more(self) -> None:
        team = team_with_queue()
        collector = staff(team=team)
        [case] = delinquent_customers(1, through=TODAY)
        client = Client()
        assert client.login(username=collector.username, password=PASSWORD)
        client.get(f"/cases/{case.pk}/")
        before = _queries_of_the_page(client, case)
        account = case.customer.accounts.order_by("id").first()
        assert account is not None
        refer(account=account, date=TODAY, by=staff(team=team))

        # the open legal case the page shows (the gate's load reads the stages reached for every customer)
        assert _queries_of_the_page(client, case) == before + 1
        assert "legal-action" in client.get(f"/cases/{case.pk}/").content.decode()

    @pytest.mark.parametrize("tab", ["history", "plan", "concession"])
    def test_each_tab_costs_the_same_few_queries_whatever_the_history(self, tab: str) -> None:
        team = team_with_queue()
        collector = staff(team=team)
        [case] = delinquent_customers(1, through=TODAY)
        client = Client()
        assert client.login(username=collector.username, password=PASSWORD)
        client.get(f"/cases/{case.pk}/?tab={tab}")
        _a_longer_history(case, collector, 1, seed=1)  # a page of one row of each kind (an empty page reads nothing)

        def count(**headers: str) -> int:
            with CaptureQueriesContext(connection) as queries:
                response = client.get(f"/cases/{case.pk}/?tab={tab}", **headers)
            assert response.status_code == 200
            return len(queries)

        short, short_hx = count(), count(HTTP_HX_REQUEST="true")
        _a_longer_history(case, collector, 40)
        long, long_hx = count(), count(HTTP_HX_REQUEST="true")

        assert (long, long_hx) == (short, short_hx)
        assert short_hx <= 25  # the tab alone, as the tab link asks for it
        # the tab with the summary above it, when a link is followed without htmx (40: the gate's load reads the
        # legal stages reached and the amounts held while disputed, the summary the open legal cases, and the
        # disputes section its disputes and the charges to dispute)
        assert short <= 40

"""The pre-call summary: every channel judged by the gate from one load of the history, the counts a
collector reads before dialling, and identifiers that are never shown in full."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from arrears.application.precall import precall_summary
from arrears.cases.models import Case
from arrears.contacts.models import Contact, Handoff
from arrears.cycle.business_date import open_date
from arrears.holds.models import Hold
from arrears.payments.models import Payment
from arrears.promises.models import Promise
from tests.collections_factories import delinquent_customers, staff, team_with_queue

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 5, 3)
BEIJING = ZoneInfo("Asia/Shanghai")
MORNING = dt.datetime(2026, 5, 3, 10, 0, tzinfo=BEIJING)
NIGHT = dt.datetime(2026, 5, 3, 23, 0, tzinfo=BEIJING)
MOBILE, HOME = "13800138000", "01066668888"


@pytest.fixture
def world(db: None) -> dict[str, object]:
    open_date(TODAY)
    collector = staff(team=team_with_queue())
    [case] = delinquent_customers(1, through=TODAY)
    customer = case.customer
    customer.mobile, customer.home_phone, customer.work_phone = MOBILE, HOME, ""
    customer.email, customer.address = "li.lei@example.com", "北京市朝阳区建国路 88 号"
    customer.save()
    return {"case": Case.objects.select_related("customer").get(pk=case.pk), "collector": collector}


def dials(case: Case, collector: object, n: int, *, address: str = MOBILE, result: str = "no_answer") -> None:
    """n outbound calls this morning, one an hour back from 09:30."""
    Contact.objects.bulk_create(
        Contact(
            case=case,
            collector=collector,
            at=dt.datetime(2026, 5, 3, 9, 30, tzinfo=BEIJING) - dt.timedelta(hours=k),
            channel="phone",
            direction="outbound",
            address=address,
            party="none" if result == "no_answer" else "cardholder",
            result=result,
        )
        for k in range(n)
    )


class TestChannels:
    def test_every_route_is_listed_masked_with_its_answer_and_the_dials_left_today(self, world: dict) -> None:
        case, collector = world["case"], world["collector"]
        dials(case, collector, 4)  # 4 unanswered dials to the mobile today: CN-DIALS allows 6
        dials(case, collector, 1, address=HOME, result="right_party_contact")  # a conversation is not counted

        s = precall_summary(case, user=collector, at=MORNING, business_date=TODAY)

        by = {c.choice: c for c in s.channels}
        assert list(by) == ["mobile", "home_phone", "sms:mobile", "email:email", "letter:address", "visit:address"]
        assert [by[k].channel for k in by] == ["phone", "phone", "sms", "email", "letter", "visit"]
        assert (by["mobile"].masked, by["home_phone"].masked) == ("138****8000", "010****8888")
        assert by["email:email"].masked == "l***@example.com"
        assert all(c.allowed for c in s.channels)
        assert (by["mobile"].attempts_left, by["home_phone"].attempts_left) == (2, 6)
        assert by["sms:mobile"].attempts_left is None
        assert s.mobile == "138****8000"

    def test_at_night_the_timed_channels_say_when_they_open_and_the_letter_is_not_timed(self, world: dict) -> None:
        s = precall_summary(world["case"], user=world["collector"], at=NIGHT, business_date=TODAY)

        by = {c.choice: c for c in s.channels}
        opens = dt.datetime(2026, 5, 4, 8, 0, tzinfo=BEIJING)
        for key in ("mobile", "home_phone", "sms:mobile", "email:email", "visit:address"):
            assert not by[key].allowed and "CN-HOURS" in by[key].rules, key
            assert by[key].opens_at == opens, key
        assert by["letter:address"].allowed and by["letter:address"].opens_at is None

    def test_the_dial_limit_closes_the_number_for_the_day_and_its_reason_masks_the_number(self, world: dict) -> None:
        case, collector = world["case"], world["collector"]
        dials(case, collector, 6)

        s = precall_summary(case, user=collector, at=MORNING, business_date=TODAY, language="en")

        mobile = next(c for c in s.channels if c.choice == "mobile")
        assert not mobile.allowed and mobile.rules == ("CN-DIALS",) and mobile.attempts_left == 0
        assert mobile.opens_at == dt.datetime(2026, 5, 4, 8, 0, tzinfo=BEIJING)  # midnight, then the hours
        assert MOBILE not in " ".join(mobile.reasons) and "138****8000" in " ".join(mobile.reasons)
        home = next(c for c in s.channels if c.choice == "home_phone")
        assert home.allowed and home.attempts_left == 6  # the limit is per number

    def test_a_complaint_hold_on_sms_blocks_sms_only_and_time_does_not_lift_it(self, world: dict) -> None:
        case, collector = world["case"], world["collector"]
        Hold.objects.create(
            customer=case.customer,
            kind="complaint",
            channels=["sms"],
            reason="complaint 2026-04-30",
            starts_on=dt.date(2026, 4, 30),
            set_by=collector,
            set_at=timezone.now(),
        )

        s = precall_summary(case, user=collector, at=MORNING, business_date=TODAY)

        by = {c.choice: c for c in s.channels}
        assert not by["sms:mobile"].allowed and by["sms:mobile"].opens_at is None
        assert "HOLD-COMPLAINT" in by["sms:mobile"].rules
        assert by["mobile"].allowed and by["email:email"].allowed
        assert s.holds == (("complaint", ("sms",)),)


class TestCounts:
    def test_promises_payments_hand_offs_and_the_last_contact(self, world: dict) -> None:
        case, collector = world["case"], world["collector"]
        account = case.customer.accounts.get()
        for status in ("kept", "kept", "partly_kept", "broken", "open"):
            Promise.objects.create(
                case=case, amount_fen=100_00, promised_date=TODAY, taken_on=TODAY, taken_by=collector, status=status
            )
        Payment.objects.create(
            reference="P-1", account=account, amount_fen=120_00, value_date=dt.date(2026, 4, 1), posting_date=TODAY
        )
        Payment.objects.create(
            reference="P-2", account=account, amount_fen=80_50, value_date=dt.date(2026, 4, 20), posting_date=TODAY
        )
        now = timezone.now()
        Handoff.objects.create(case=case, from_user=collector, to_role="customer_service", comment="a", created_at=now)
        Handoff.objects.create(
            case=case, from_user=collector, to_role="customer_service", comment="b", created_at=now, returned_at=now
        )
        dials(case, collector, 2)  # 09:30 and 08:30: the last contact is the 09:30 one

        s = precall_summary(case, user=collector, at=MORNING, business_date=TODAY)

        assert (s.promises_kept, s.promises_broken, s.promises_open) == (3, 1, 1)
        assert (s.payments_count, s.payments_total_fen, s.last_payment_on) == (2, 200_50, dt.date(2026, 4, 20))
        assert s.open_handoffs == 1
        assert s.last_contact is not None
        assert s.last_contact.at == dt.datetime(2026, 5, 3, 9, 30, tzinfo=BEIJING)

    def test_the_local_time_is_given_in_beijing_and_where_the_customer_is(self, world: dict) -> None:
        case = world["case"]
        case.customer.time_zone = "Europe/London"
        case.customer.save()

        s = precall_summary(case, user=world["collector"], at=MORNING, business_date=TODAY)

        assert [(t.zone, t.at.strftime("%H:%M")) for t in s.local_times] == [
            ("Asia/Shanghai", "10:00"),
            ("Europe/London", "03:00"),  # British summer time, UTC+1
        ]
        assert [t.label for t in s.local_times] == ["北京时间", "伦敦当地时间"]
        english = precall_summary(case, user=world["collector"], at=MORNING, business_date=TODAY, language="en")
        assert [t.label for t in english.local_times] == ["Beijing time", "Europe/London local time"]

    def test_the_summary_costs_the_same_queries_whatever_the_history(self, world: dict) -> None:
        case, collector = world["case"], world["collector"]
        precall_summary(case, user=collector, at=MORNING, business_date=TODAY)
        with CaptureQueriesContext(connection) as short:
            precall_summary(case, user=collector, at=MORNING, business_date=TODAY)
        dials(case, collector, 5)
        dials(case, collector, 5, address=HOME)
        with CaptureQueriesContext(connection) as long:
            precall_summary(case, user=collector, at=MORNING, business_date=TODAY)
        # 16: the gate's load includes the customer's legal stages reached (arrears.legal) and the
        # amounts held while disputed (arrears.disputes).
        assert len(long) == len(short) <= 16

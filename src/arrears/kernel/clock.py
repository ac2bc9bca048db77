"""The one place the wall clock is read.

Instants (when a contact was made, when an audit entry was written) come from `now()`. Business
dates never do: the bank's business date is stored (arrears.cycle.business_date) and passed to
domain code as an argument. `bank_today()` is only the fallback for a fresh database before any
cycle; `start_of(d)` gives rows that the cycle stamps for date d a reproducible time.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings


def bank_zone() -> ZoneInfo:
    return ZoneInfo(settings.ARREARS_BANK_TIME_ZONE)


def now() -> dt.datetime:
    """The current instant, in UTC."""
    return dt.datetime.now(dt.UTC)


def bank_today() -> dt.date:
    """The calendar date in the bank's time zone at this instant (not the business date)."""
    return now().astimezone(bank_zone()).date()


def start_of(business_date: dt.date) -> dt.datetime:
    """00:00 of the date in the bank's time zone, as a UTC instant: the same for every run of the date."""
    return dt.datetime.combine(business_date, dt.time(), tzinfo=bank_zone()).astimezone(dt.UTC)

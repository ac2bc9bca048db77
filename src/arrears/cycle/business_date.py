"""The bank's stored business date, as Apache Fineract keeps BUSINESS_DATE and COB_DATE.

The business date is the date of the day's postings: a payment taken during day d posts on d. The
cycle of date d runs at the opening of day d (interest dated d - 1, late fees on d) and then opens
d. The date moves only forward: re-running an older date leaves it where it is.
"""

from __future__ import annotations

import datetime as dt

from arrears.cycle.models import BusinessDate
from arrears.kernel import clock

ROW = 1


def current() -> dt.date:
    """The business date; on a fresh database before any cycle, today in the bank's time zone."""
    stored: dt.date | None = BusinessDate.objects.filter(pk=ROW).values_list("business_date", flat=True).first()
    return stored if stored is not None else clock.bank_today()


def cob_date() -> dt.date | None:
    """The last closed business date; None before any cycle."""
    closed: dt.date | None = BusinessDate.objects.filter(pk=ROW).values_list("cob_date", flat=True).first()
    return closed


def open_date(business_date: dt.date) -> None:
    """Open `business_date` once its cycle has completed: business date := d, COB date := d - 1.

    Never moves the date backwards. Two statements, each safe against a concurrent call on both
    databases: insert the row when there is none, then move it forward when it is behind.
    """
    closed = business_date - dt.timedelta(days=1)
    BusinessDate.objects.bulk_create(
        [BusinessDate(pk=ROW, business_date=business_date, cob_date=closed)], ignore_conflicts=True
    )
    BusinessDate.objects.filter(pk=ROW, business_date__lt=business_date).update(
        business_date=business_date, cob_date=closed
    )

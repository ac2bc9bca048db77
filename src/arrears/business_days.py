"""Calendar arithmetic on business dates. The clock is arrears.kernel.clock; the business date is
stored (arrears.cycle.business_date)."""

from __future__ import annotations

import calendar
import datetime as dt

# The dates accepted as input: wide enough for any account's life, narrow enough that a schedule, a
# horizon or a time-zone shift computed from them stays inside the calendar Python can count (years 1-9999).
EARLIEST = dt.date(1900, 1, 1)
LATEST = dt.date(2999, 12, 31)


def supported(date: dt.date) -> bool:
    return EARLIEST <= date <= LATEST


def last_day_of_month(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def day_in_month(year: int, month: int, day: int) -> dt.date:
    """The given day of a month; days 29-31 fall on the last day of shorter months."""
    return dt.date(year, month, min(day, last_day_of_month(year, month)))


def add_months(date: dt.date, months: int, *, day: int | None = None) -> dt.date:
    index = date.year * 12 + (date.month - 1) + months
    return day_in_month(index // 12, index % 12 + 1, day if day is not None else date.day)


def statement_days_on(date: dt.date) -> list[int]:
    """The statement days (1-31) whose statement falls on this date."""
    last = last_day_of_month(date.year, date.month)
    if date.day == last:
        return list(range(date.day, 32))
    return [date.day]


def date_range(start: dt.date, end: dt.date) -> list[dt.date]:
    """Dates of the half-open range [start, end)."""
    return [start + dt.timedelta(days=i) for i in range((end - start).days)]

"""Template context every staff page shares."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.http import HttpRequest

from arrears.cycle import business_date as stored


def business_date(request: HttpRequest) -> dict[str, Callable[[], dt.date]]:
    """The bank's business date for the page header, read only when a template shows it."""
    return {"business_date": stored.current}

"""Template context every staff page shares."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from arrears.application.inboxes import navigation
from arrears.cycle import business_date as stored


def business_date(request: HttpRequest) -> dict[str, Any]:
    """The bank's business date for the page header and the main navigation with its inbox counts, each
    read only when a template shows it, and the business date read once for both."""
    today: Callable[[], dt.date] = functools.cache(stored.current)
    return {
        "business_date": today,
        "nav": SimpleLazyObject(lambda: navigation(request.user, today)),
    }

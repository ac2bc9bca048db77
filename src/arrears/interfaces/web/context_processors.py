"""Template context every staff page shares."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from arrears.application.inboxes import Held, held_by, navigation
from arrears.cycle import business_date as stored
from arrears.kernel import clock

# The roles that decide which links the navigation shows are kept in the session this long, so that a
# page pays no query for them; each page still checks its own access, and the counts are always fresh.
HELD_KEY = "arrears_nav_held"
HELD_FOR = dt.timedelta(minutes=1)


REQUEST_DATE = "_arrears_business_date"


def business_date_of(request: HttpRequest) -> dt.date:
    """The business date for this request, read once however many parts of the page ask for it."""
    day: dt.date | None = getattr(request, REQUEST_DATE, None)
    if day is None:
        day = stored.current()
        setattr(request, REQUEST_DATE, day)
    return day


def business_date(request: HttpRequest) -> dict[str, Any]:
    """The bank's business date for the page header and the main navigation with its inbox counts, each
    read only when a template shows it, and the business date read once for both and the view."""
    today: Callable[[], dt.date] = functools.partial(business_date_of, request)
    return {
        "business_date": today,
        "nav": SimpleLazyObject(lambda: navigation(request.user, today, held=held(request))),
    }


def held(request: HttpRequest) -> Held | None:
    user = request.user
    if not user.is_authenticated:
        return None
    now = clock.now()
    kept = request.session.get(HELD_KEY)
    if isinstance(kept, dict) and kept.get("user") == user.pk:
        try:
            fresh = now - dt.datetime.fromisoformat(kept["at"]) < HELD_FOR
        except (KeyError, TypeError, ValueError):
            fresh = False
        if fresh:
            return Held(roles=frozenset(kept.get("roles", [])), audit=bool(kept.get("audit")))
    held = held_by(user)
    request.session[HELD_KEY] = {
        "user": user.pk,
        "at": now.isoformat(),
        "roles": sorted(held.roles),
        "audit": held.audit,
    }
    return held

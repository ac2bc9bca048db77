"""Record failed and successful sign-ins, and say whether sign-in is locked for a name or an address.

Every door that checks a password asks `locked_until` first (a locked name or address is refused
without looking at the password), then reports the outcome with `failed` or `succeeded`. Failures
and the locks they cause are audited, never the password.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction

from arrears.audit.operations import record
from arrears.kernel import clock
from arrears.logins.models import LoginFailure
from arrears.logins.rules import Throttle
from arrears.logins.rules import locked_until as lock_end

ACTOR = "anonymous"


def _throttles() -> dict[str, Throttle]:
    window = dt.timedelta(minutes=settings.ARREARS_LOGIN_WINDOW_MINUTES)
    lock = dt.timedelta(minutes=settings.ARREARS_LOGIN_LOCK_MINUTES)
    return {
        "username": Throttle(settings.ARREARS_LOGIN_FAILURES_PER_USERNAME, window, lock),
        "address": Throttle(settings.ARREARS_LOGIN_FAILURES_PER_ADDRESS, window, lock),
    }


def _locks(username: str, address: str | None, now: dt.datetime) -> dict[str, dt.datetime]:
    locks = {}
    for scope, throttle in _throttles().items():
        value = username if scope == "username" else address
        if not value:
            continue
        since = now - throttle.memory
        times = LoginFailure.objects.filter(**{scope: value, "at__gte": since}).values_list("at", flat=True)
        until = lock_end(times, throttle, now)
        if until is not None:
            locks[scope] = until
    return locks


def locked_until(*, username: str, address: str | None) -> dt.datetime | None:
    """When sign-in opens again for this name from this address, or None when it is open."""
    locks = _locks(username, address, clock.now())
    return max(locks.values()) if locks else None


def failed(*, username: str, address: str | None, door: str) -> dt.datetime | None:
    """Record a failed sign-in; the end of the lock it started, if it started one."""
    now = clock.now()
    with transaction.atomic():
        before = _locks(username, address, now)
        LoginFailure.objects.create(at=now, username=username[:150], address=address)
        record(
            actor=ACTOR,
            action="login.failed",
            object_type="login",
            object_id=username[:150],
            after={"address": address, "door": door},
        )
        after = _locks(username, address, now)
        for scope, until in after.items():
            if scope not in before:
                record(
                    actor=ACTOR,
                    action="login.locked",
                    object_type="login",
                    object_id=username[:150],
                    after={"scope": scope, "address": address, "door": door, "until": until},
                )
        longest = max(t.memory for t in _throttles().values())
        LoginFailure.objects.filter(at__lt=now - longest).delete()
    return max(after.values()) if after else None


def succeeded(*, username: str) -> None:
    """A successful sign-in clears the failures of its name (not of its address: a working account
    must not reset the count of an address trying other names)."""
    LoginFailure.objects.filter(username=username).delete()

"""When failed sign-ins lock: pure functions over instants."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Throttle:
    limit: int  # this many failures ...
    window: dt.timedelta  # ... within this long ...
    lock: dt.timedelta  # ... lock sign-in for this long after the failure that reached the limit

    def __post_init__(self) -> None:
        if self.limit < 1 or self.window <= dt.timedelta(0) or self.lock <= dt.timedelta(0):
            raise ValueError("a throttle needs a limit of at least 1 and a positive window and lock")

    @property
    def memory(self) -> dt.timedelta:
        """How far back failures can still matter."""
        return self.window + self.lock


def locked_until(failures: Iterable[dt.datetime], throttle: Throttle, now: dt.datetime) -> dt.datetime | None:
    """The end of the lock in force at `now`, or None. A lock starts at the failure that makes `limit`
    failures within `window` and lasts `lock`; attempts refused during a lock are not failures (the
    caller records none), so a lock is never prolonged by knocking on it."""
    times = sorted(t for t in failures if t <= now)
    until: dt.datetime | None = None
    for i in range(throttle.limit - 1, len(times)):
        if until is not None and times[i] < until:
            continue  # a failure inside a lock (recorded before it was known) does not start another
        if times[i] - times[i - throttle.limit + 1] < throttle.window:
            until = times[i] + throttle.lock
    return until if until is not None and until > now else None

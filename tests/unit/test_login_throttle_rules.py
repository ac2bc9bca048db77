"""The lock rule: `limit` failures within `window` lock for `lock` after the failure that reached the limit."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from arrears.logins.rules import Throttle, locked_until

T0 = dt.datetime(2026, 5, 3, 2, 0, tzinfo=dt.UTC)
RULE = Throttle(limit=5, window=dt.timedelta(minutes=15), lock=dt.timedelta(minutes=15))
minutes = st.integers(min_value=0, max_value=240)


def at(m: float) -> dt.datetime:
    return T0 + dt.timedelta(minutes=m)


def test_five_failures_within_the_window_lock_for_the_lock_after_the_fifth() -> None:
    failures = [at(m) for m in (0, 1, 2, 3, 14)]
    assert locked_until(failures, RULE, at(14)) == at(29)
    assert locked_until(failures, RULE, at(28.9)) == at(29)
    assert locked_until(failures, RULE, at(29)) is None


def test_four_failures_never_lock() -> None:
    assert locked_until([at(m) for m in (0, 1, 2, 3)], RULE, at(3)) is None


def test_five_failures_spread_over_more_than_the_window_do_not_lock() -> None:
    assert locked_until([at(m) for m in (0, 4, 8, 12, 15)], RULE, at(15)) is None


def test_failures_after_now_do_not_count() -> None:
    assert locked_until([at(m) for m in (0, 1, 2, 3, 4)], RULE, at(3)) is None


@pytest.mark.parametrize("limit, window, lock", [(0, 15, 15), (5, 0, 15), (5, 15, 0)])
def test_a_throttle_needs_a_limit_and_positive_durations(limit: int, window: int, lock: int) -> None:
    with pytest.raises(ValueError):
        Throttle(limit=limit, window=dt.timedelta(minutes=window), lock=dt.timedelta(minutes=lock))


@given(st.lists(minutes, max_size=30), minutes)
def test_a_lock_is_in_force_only_if_limit_failures_fell_within_a_window_and_ends_a_lock_after_one(
    offsets: list[int], now_offset: int
) -> None:
    failures, now = [at(m) for m in offsets], at(now_offset)
    until = locked_until(failures, RULE, now)
    if until is None:
        return
    assert now < until
    last = until - RULE.lock
    assert last in failures and last <= now
    within = [f for f in failures if last - RULE.window < f <= last]
    assert len(within) >= RULE.limit


@given(st.lists(minutes, max_size=30), minutes)
def test_the_lock_depends_only_on_failures_up_to_now(offsets: list[int], now_offset: int) -> None:
    failures, now = [at(m) for m in offsets], at(now_offset)
    assert locked_until(failures, RULE, now) == locked_until([f for f in failures if f <= now], RULE, now)


@given(st.integers(min_value=1, max_value=10), st.integers(min_value=0, max_value=14))
def test_limit_failures_in_a_burst_always_lock(limit: int, spread: int) -> None:
    rule = Throttle(limit=limit, window=dt.timedelta(minutes=15), lock=dt.timedelta(minutes=15))
    failures = [at(spread * i / max(1, limit - 1)) for i in range(limit)]
    assert locked_until(failures, rule, failures[-1]) == failures[-1] + rule.lock

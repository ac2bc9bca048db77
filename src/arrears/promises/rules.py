"""Promise-to-pay policy checks and judging: pure functions."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

from arrears.errors import ValidationFailed
from arrears.money import fen_half_up


@dataclasses.dataclass(frozen=True, kw_only=True)
class Policy:
    max_days_ahead: int = 14
    min_share_of_past_due: Decimal = Decimal("0.5")
    max_open_promises: int = 1
    grace_days: int = 1


def check_promise(
    *,
    policy: Policy,
    amount_fen: int,
    promised_date: dt.date,
    business_date: dt.date,
    past_due_fen: int,
    open_promises: int,
) -> None:
    """Raise ValidationFailed naming the field when the promise breaks the policy."""
    if amount_fen <= 0:
        raise ValidationFailed("must be greater than zero", field="amount", code="must_be_positive")
    if promised_date < business_date:
        raise ValidationFailed("must not be in the past", field="promised_date", code="must_not_be_past")
    latest = business_date + dt.timedelta(days=policy.max_days_ahead)
    if promised_date > latest:
        raise ValidationFailed(
            f"must be on or before {latest} (policy: {policy.max_days_ahead} days ahead)",
            field="promised_date",
            code="promise_beyond_horizon",
            params={"date": latest.isoformat(), "days": policy.max_days_ahead},
        )
    least = fen_half_up(policy.min_share_of_past_due * past_due_fen)
    if amount_fen < least:
        raise ValidationFailed(
            f"must be at least {least / 100:.2f} ({policy.min_share_of_past_due:%} of the past-due amount)",
            field="amount",
            code="promise_below_minimum",
            params={"amount": f"{least / 100:.2f}", "share": f"{policy.min_share_of_past_due:%}"},
        )
    if open_promises >= policy.max_open_promises:
        raise ValidationFailed(
            f"the case already has {open_promises} open promise(s)",
            field="promised_date",
            code="too_many_open_promises",
            params={"n": open_promises},
        )


def judge(*, amount_fen: int, paid_fen: int) -> str:
    if paid_fen >= amount_fen:
        return "kept"
    if paid_fen > 0:
        return "partly_kept"
    return "broken"

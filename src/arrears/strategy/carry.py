"""The strategy's requests carried out the day they are made: agency placements by the agencies app
(champion/challenger between agencies, its own rules on what may be placed) and legal referrals by the
legal app (its own refusals: a time-barred debt, a case already open). Both record who asked: the
placement the strategy and its arm, the referral the strategy manager who approved the version."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from django.contrib.auth import get_user_model

from arrears.agencies.operations import place_many
from arrears.legal.operations import refer_many
from arrears.strategy import hooks

ACTOR = "strategy"


def place(day: dt.date, actions: Sequence[Any]) -> None:
    by_arm: dict[str, list[int]] = defaultdict(list)
    for action in actions:
        by_arm[action.arm].append(action.account_id)
    for arm, ids in by_arm.items():
        place_many(ids, business_date=day, by=ACTOR, arm=arm)


def refer(day: dt.date, actions: Sequence[Any]) -> None:
    """Referrals in the name of the version's approver; one whose user is gone stays a request on the
    strategy page (a referral must name a person), and the night's cycle goes on."""
    by_checker: dict[str, list[int]] = defaultdict(list)
    for action in actions:
        by_checker[action.version.checked_by].append(action.account_id)
    users = {u.get_username(): u for u in get_user_model().objects.filter(username__in=list(by_checker))}
    for checker, ids in by_checker.items():
        if checker in users:
            refer_many(ids, day, users[checker])


def install() -> None:
    hooks.register("agency_placement", place)
    hooks.register("legal_referral", refer)

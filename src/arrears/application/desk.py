"""The collector's desk: which of the collector's cases may be called now, and when nothing may, why
and when calling opens (the compliance gate's answer, never hours written here), and the work that
is allowed meanwhile (letters, reviews, hand-offs, follow-ups)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Exists, OuterRef, Q, QuerySet

from arrears.application.contact_gate import judge, load_known, pack_on
from arrears.cases.models import Case
from arrears.compliance.gate import Verdict, zone_label
from arrears.contacts.models import Callback, Handoff
from arrears.people.models import Role
from arrears.people.operations import roles_of

# The rules that close a channel by the clock alone (contact hours); anything else is not "night".
HOURS_RULES = ("CN-HOURS", "US-HOURS")
# A case with no letter in this many days is offered as a letter to send.
LETTER_EVERY = dt.timedelta(days=30)
# Broken promises followed up for this many days after they broke.
BROKEN_FOLLOW_UP_DAYS = 7


@dataclasses.dataclass(frozen=True)
class Opening:
    """When calling opens, in the bank's zone and, if different, in the customer's."""

    at: dt.datetime
    zone: str
    local_at: dt.datetime | None
    local_zone: str


@dataclasses.dataclass(frozen=True)
class CallState:
    checked: int  # cases judged
    callable: int  # of those, may be phoned now
    by_hours: int  # blocked by the contact hours alone
    window: str  # e.g. "08:00–22:00"
    zone: str  # the pack's zone as a person reads it (北京时间 / Beijing time)
    opening: Opening | None
    callable_ids: frozenset[int]

    @property
    def night(self) -> bool:
        """Nothing may be called now and the clock is what stops it."""
        return self.checked > 0 and self.callable == 0 and self.by_hours > 0


def call_state(cases: Sequence[Case], *, at: dt.datetime, language: str) -> CallState:
    """Judge a phone call to each case's customer now: five queries for any number of cases."""
    pack = pack_on(at.date())
    rule = "CN-HOURS" if pack.code == "CN" else "US-HOURS"
    window = f"{pack.time_param(rule, 'start'):%H:%M}–{pack.time_param(rule, 'end'):%H:%M}"
    known = load_known([c.customer_id for c in cases], at=at)
    callable_ids: set[int] = set()
    by_hours = 0
    best: tuple[dt.datetime, Case] | None = None
    for case in cases:
        customer = case.customer
        verdict: Verdict = judge(
            pack=pack,
            customer=customer,
            known=known[customer.pk],
            channel="phone",
            address=customer.mobile,
            at=at,
            language=language,
        )
        if verdict.allowed:
            callable_ids.add(case.pk)
            continue
        if verdict.rules and all(r in HOURS_RULES for r in verdict.rules):
            by_hours += 1
        if verdict.next_allowed_at is not None and (best is None or verdict.next_allowed_at < best[0]):
            best = (verdict.next_allowed_at, case)
    opening = None
    if best is not None:
        when, case = best
        local = ZoneInfo(case.customer.time_zone)
        different = (
            local.key != pack.zone.key and when.astimezone(local).utcoffset() != when.astimezone(pack.zone).utcoffset()
        )
        opening = Opening(
            at=when.astimezone(pack.zone),
            zone=zone_label(pack.zone, language),
            local_at=when.astimezone(local) if different else None,
            local_zone=zone_label(local, language) if different else "",
        )
    return CallState(
        checked=len(cases),
        callable=len(callable_ids),
        by_hours=by_hours,
        window=window,
        zone=zone_label(pack.zone, language),
        opening=opening,
        callable_ids=frozenset(callable_ids),
    )


@dataclasses.dataclass(frozen=True)
class AllowedWork:
    """Work that no contact-hours rule stops: counts and the first few of each."""

    callbacks: list[Callback]
    broken: list[Case]
    letters: list[Case]
    letters_count: int
    handoffs_to_me: int
    handoffs_back: list[Handoff]
    approvals: int
    plans: int

    @property
    def reviews(self) -> int:
        return self.approvals + self.plans

    @property
    def follow_ups(self) -> int:
        return len(self.callbacks) + len(self.broken)

    @property
    def handoffs(self) -> int:
        return self.handoffs_to_me + len(self.handoffs_back)


def allowed_work(*, user: Any, mine: QuerySet[Case], at: dt.datetime, business_date: dt.date) -> AllowedWork:
    """Follow-ups (callbacks due, promises broken this week), letters to send (no letter in 30 days),
    hand-offs (to my role, and mine given back), reviews I may decide (concessions and plans)."""
    from arrears.concessions.queries import inbox
    from arrears.outreach.models import Message
    from arrears.plans.models import PlanStatus

    callbacks = list(
        Callback.objects.filter(user=user.pk, done_at__isnull=True, due_at__lte=at + dt.timedelta(hours=2))
        .select_related("case__customer")
        .order_by("due_at")[:20]
    )
    broken = list(
        mine.filter(promise_broken_on__gte=business_date - dt.timedelta(days=BROKEN_FOLLOW_UP_DAYS))
        .select_related("customer")
        .order_by("-promise_broken_on", "id")[:10]
    )
    recent_letter = Message.objects.filter(
        case_id=OuterRef("pk"), channel="letter", created_at__gte=at - LETTER_EVERY
    ).exclude(status="blocked")
    needing_letter = mine.filter(dpd__gte=30).exclude(Exists(recent_letter))
    letters = list(needing_letter.select_related("customer").order_by("-dpd", "id")[:10])
    roles = roles_of(user)
    handed_roles = [r for r in (Role.CUSTOMER_SERVICE, Role.CREDIT_ASSESSOR) if r in roles or user.is_superuser]
    handoffs_to_me = Handoff.objects.filter(to_role__in=handed_roles, returned_at__isnull=True).count()
    handoffs_back = list(
        Handoff.objects.filter(from_user=user.pk, returned_at__isnull=False, returned_at__gte=at - dt.timedelta(days=7))
        .select_related("case__customer")
        .order_by("-returned_at")[:10]
    )
    approvals = inbox(user, business_date).count()
    plans = 0
    if user.is_superuser or roles & {Role.CREDIT_ASSESSOR, Role.TEAM_LEAD}:
        from arrears.cases.queries import visible_cases
        from arrears.plans.models import Plan

        waiting = Q()
        if user.is_superuser or Role.CREDIT_ASSESSOR in roles:
            waiting |= Q(status=PlanStatus.PROPOSED, review_required=True)
        if user.is_superuser or Role.TEAM_LEAD in roles:
            waiting |= Q(status=PlanStatus.REVIEWED) | Q(status=PlanStatus.PROPOSED, review_required=False)
        plans = Plan.objects.filter(waiting, case__in=visible_cases(user)).count()
    return AllowedWork(
        callbacks=callbacks,
        broken=broken,
        letters=letters,
        letters_count=needing_letter.count(),
        handoffs_to_me=handoffs_to_me,
        handoffs_back=handoffs_back,
        approvals=approvals,
        plans=plans,
    )

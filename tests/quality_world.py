"""A small world for quality review: two teams, their leads and collectors, a compliance officer, a
role-free reviewer (the permission quality.review_quality only), and contacts built directly."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from django.contrib.auth.models import Permission, User

from arrears.cases.models import Case
from arrears.contacts.models import Contact
from arrears.kernel import clock
from arrears.people.models import Role
from arrears.quality.models import ReviewTask
from arrears.quality.operations import ensure_defaults
from tests.builders import PASSWORD
from tests.collections_factories import delinquent_customers, staff, team_with_queue

DAY = dt.date(2026, 5, 3)


@dataclasses.dataclass(frozen=True, kw_only=True)
class QualityWorld:
    lead_a: User
    lead_b: User
    c1: User  # team A, a veteran
    c2: User  # team A, new
    c3: User  # team B
    officer: User  # compliance officer
    reviewer: User  # no role; the permission quality.review_quality
    case: Case


def quality_world() -> QualityWorld:
    ensure_defaults()
    lead_a, lead_b = staff(Role.TEAM_LEAD), staff(Role.TEAM_LEAD)
    team_a, team_b = team_with_queue(lead=lead_a), team_with_queue(lead=lead_b)
    c1, c2, c3 = staff(team=team_a), staff(team=team_a), staff(team=team_b)
    reviewer = User.objects.create_user(username="qa-reviewer", password=PASSWORD)
    reviewer.user_permissions.add(Permission.objects.get(codename="review_quality"))
    [case] = delinquent_customers(1)
    return QualityWorld(
        lead_a=lead_a,
        lead_b=lead_b,
        c1=c1,
        c2=c2,
        c3=c3,
        officer=staff(Role.COMPLIANCE_OFFICER),
        reviewer=User.objects.get(pk=reviewer.pk),
        case=case,
    )


def contact(case: Case, collector: User | None, day: dt.date, hour: int, **fields: Any) -> Contact:
    """A phone contact at `hour`:00 Beijing time on `day`."""
    return Contact.objects.create(
        case=case,
        collector=collector,
        at=clock.start_of(day) + dt.timedelta(hours=hour),
        channel="phone",
        party="cardholder",
        result="right_party_contact",
        notes=fields.pop("notes", "客户承诺月底还款"),
        **fields,
    )


def task(case: Case, collector: User, *, hour: int = 9, day: dt.date = DAY) -> ReviewTask:
    return ReviewTask.objects.create(
        contact=contact(case, collector, day, hour), collector=collector, sampled_on=day, reasons=["random"]
    )

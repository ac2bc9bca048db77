"""Reads of the register: who may see, register and close a complaint; the figures that feed the
agencies' performance, the collectors' quality review and the lead's page."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet

from arrears.cases.queries import SEES_ALL, visible_cases
from arrears.complaints import rules
from arrears.complaints.models import Category, Complaint, ComplaintStatus
from arrears.contacts.models import Contact
from arrears.errors import NotFound
from arrears.kernel import clock
from arrears.people.models import Role
from arrears.people.operations import roles_of

CLOSERS = {Role.CUSTOMER_SERVICE, Role.COMPLIANCE_OFFICER, Role.TEAM_LEAD, Role.ADMINISTRATOR}
REGISTRARS = CLOSERS | {Role.COLLECTOR}


def may_register(user: Any) -> bool:
    return bool(user.is_authenticated and (user.is_superuser or roles_of(user) & REGISTRARS))


def may_close(user: Any) -> bool:
    return bool(user.is_authenticated and (user.is_superuser or roles_of(user) & CLOSERS))


def visible_complaints(user: Any) -> QuerySet[Complaint]:
    """Every complaint for the roles that work across teams; otherwise those of the customers whose
    cases the person may see (an agency user sees none)."""
    if not user.is_authenticated:
        return Complaint.objects.none()
    roles = roles_of(user)
    if not (user.is_superuser or roles & REGISTRARS):
        return Complaint.objects.none()
    if user.is_superuser or roles & SEES_ALL:
        return Complaint.objects.all()
    return Complaint.objects.filter(customer_id__in=visible_cases(user).values("customer_id"))


def complaint_for(user: Any, complaint_id: int) -> Complaint:
    """The complaint, if this person may see it; otherwise NotFound, as for an unknown id."""
    found = (
        visible_complaints(user)
        .filter(pk=complaint_id)
        .select_related("customer", "account", "case", "agency", "opened_by", "closed_by")
        .first()
        if 0 < complaint_id < 2**63
        else None
    )
    if found is None:
        raise NotFound(f"no complaint {complaint_id} that you can see", field="complaint")
    return found


@dataclasses.dataclass(frozen=True)
class Rate:
    complaints: int
    contacts: int

    @property
    def per_thousand(self) -> Decimal | None:
        return rules.per_thousand(self.complaints, self.contacts)


def _received(start: dt.date | None, end: dt.date | None) -> dict[str, dt.date]:
    bounds = {}
    if start is not None:
        bounds["received_on__gte"] = start
    if end is not None:
        bounds["received_on__lt"] = end
    return bounds


def _contacted(start: dt.date | None, end: dt.date | None) -> Q:
    q = Q()
    if start is not None:
        q &= Q(at__gte=clock.start_of(start))
    if end is not None:
        q &= Q(at__lt=clock.start_of(end))
    return q


def per_agency(*, start: dt.date | None = None, end: dt.date | None = None) -> dict[str, Rate]:
    """By agency code: the complaints received in [start, end) naming the agency, and the contacts the
    agency made in the same period (two queries). No bound: everything so far."""
    complaints = dict(
        Complaint.objects.filter(agency__isnull=False, **_received(start, end))
        .values("agency__code")
        .annotate(n=Count("id"))
        .values_list("agency__code", "n")
    )
    contacts = {
        source.removeprefix("agency:"): n
        for source, n in Contact.objects.filter(_contacted(start, end), source__startswith="agency:")
        .values("source")
        .annotate(n=Count("id"))
        .values_list("source", "n")
    }
    return {code: Rate(complaints.get(code, 0), contacts.get(code, 0)) for code in {*complaints, *contacts}}


def per_collector(*, start: dt.date | None = None, end: dt.date | None = None) -> dict[int, Rate]:
    """By user id: the complaints received in [start, end) naming the person among the staff involved,
    and the contacts the person made in the same period (two queries)."""
    complaints = dict(
        Complaint.objects.filter(staff__isnull=False, **_received(start, end))
        .values("staff")
        .annotate(n=Count("id"))
        .values_list("staff", "n")
    )
    contacts = dict(
        Contact.objects.filter(_contacted(start, end), collector__isnull=False)
        .values("collector_id")
        .annotate(n=Count("id"))
        .values_list("collector_id", "n")
    )
    return {pk: Rate(complaints.get(pk, 0), contacts.get(pk, 0)) for pk in {*complaints, *contacts}}


def counts_by(complaints: QuerySet[Complaint], field: str) -> dict[str, int]:
    """How many complaints of each category or severity (`field`), in one query."""
    if field not in ("category", "severity", "status", "channel"):
        raise ValueError(field)
    return dict(complaints.values(field).annotate(n=Count("id")).values_list(field, "n"))


@dataclasses.dataclass(frozen=True)
class LeadSummary:
    open: int
    overdue: int
    by_category: list[tuple[str, str, int]]  # (code, label, open complaints)


def lead_summary(user: Any, *, today: dt.date) -> LeadSummary:
    """The open complaints the person may see, those past their due date, and the open ones by
    category: one grouped query (and the person's roles)."""
    rows = (
        visible_complaints(user)
        .exclude(status=ComplaintStatus.CLOSED)
        .values("category")
        .annotate(n=Count("id"), late=Count("id", filter=Q(due_on__lt=today)))
        .values_list("category", "n", "late")
    )
    by = {category: (n, late) for category, n, late in rows}
    return LeadSummary(
        open=sum(n for n, _ in by.values()),
        overdue=sum(late for _, late in by.values()),
        by_category=[(c.value, str(c.label), by[c.value][0]) for c in Category if c.value in by],
    )

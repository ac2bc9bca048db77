"""What the navigation shows a person: the pages their roles may open and, for each inbox, how much
waits there. A handful of COUNT queries, whatever the size of the inboxes (no per-row work)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib.auth.models import Group, Permission
from django.db.models import CharField, Q, Value

from arrears.cases.queries import visible_cases
from arrears.concessions import rules
from arrears.concessions.queries import inbox as approvals_inbox
from arrears.contacts.models import Handoff
from arrears.people.models import Role
from arrears.plans.models import Plan, PlanStatus

HANDOFF_ROLES = (Role.CUSTOMER_SERVICE, Role.CREDIT_ASSESSOR)
INSIGHT_ROLES = {Role.COLLECTIONS_MANAGER, Role.ADMINISTRATOR, Role.TEAM_LEAD}
# The staff who handle complaints (complaints.queries.CLOSERS; collectors register them from a case).
COMPLAINT_ROLES = {Role.CUSTOMER_SERVICE, Role.COMPLIANCE_OFFICER, Role.TEAM_LEAD, Role.ADMINISTRATOR}
DISPUTE_ROLES = {Role.TEAM_LEAD, Role.CUSTOMER_SERVICE, Role.COMPLIANCE_OFFICER}  # as interfaces.web.disputes
SCORING_ROLES = {Role.STRATEGY_MANAGER, Role.ADMINISTRATOR}  # scoring.operations.PROMOTERS: /scoring/
QUALITY_ROLES = {Role.TEAM_LEAD, Role.COMPLIANCE_OFFICER}  # quality.queries.REVIEWERS: /quality/


@dataclasses.dataclass(frozen=True, kw_only=True)
class Navigation:
    """The pages of the main navigation this person may open; a count is None where they may not."""

    team: bool = False
    audit: bool = False
    approvals: int | None = None
    plans: int | None = None
    handoffs: int | None = None
    legal: bool = False  # legal officers: the legal cases (arrears.legal)
    agency_portal: bool = False  # an agency's user: the portal is all they see
    agencies: bool = False  # the bank's agency pages for administrators (team leads reach them from /team/)
    strategies: bool = False
    scoring: bool = False  # strategy managers and administrators: the score-model registry /scoring/
    insight: bool = False  # collections managers, administrators and team leads: /insight/
    disputes: bool = False  # team leads, customer service and compliance officers: /disputes/
    complaints: bool = False  # the staff who handle complaints (collectors register them from a case)
    quality: bool = False  # the reviewers of contacts (team leads, compliance officers): /quality/


@dataclasses.dataclass(frozen=True, kw_only=True)
class Held:
    """What decides which pages the navigation links: the person's roles, and whether they may search
    the audit trail."""

    roles: frozenset[str]
    audit: bool


def navigation(user: Any, business_date: Callable[[], dt.date], *, held: Held | None = None) -> Navigation:
    """The navigation of `user`, with the number of items waiting in each inbox they may open: approvals
    they may decide (on the business date, read only when needed), plans to review or approve, hand-offs
    open for their role. `held` (held_by(user), which a caller may keep a while) saves its one query: a
    collector's navigation then costs none; each inbox's count is one COUNT query."""
    if not user.is_authenticated:
        return Navigation()
    held = held or held_by(user)
    roles, may_audit = set(held.roles), held.audit
    superuser = bool(user.is_superuser)
    acting = rules.acting_role(roles, superuser=superuser)
    approvals = approvals_inbox(user, business_date()).count() if acting and rules.RANK[acting] >= 2 else None
    reviews = superuser or Role.CREDIT_ASSESSOR in roles
    approves = superuser or Role.TEAM_LEAD in roles
    plans = None
    if reviews or approves:
        mine = Plan.objects.filter(case__in=visible_cases(user).values("pk"))
        waiting = mine.none()
        if reviews:
            waiting = waiting | mine.filter(status=PlanStatus.PROPOSED, review_required=True)
        if approves:
            waiting = (
                waiting
                | mine.filter(status=PlanStatus.REVIEWED)
                | mine.filter(status=PlanStatus.PROPOSED, review_required=False)
            )
        plans = waiting.count()
    handed = [r for r in HANDOFF_ROLES if superuser or r in roles]
    handoffs = Handoff.objects.filter(to_role__in=handed, returned_at__isnull=True).count() if handed else None
    return Navigation(
        team=superuser or Role.TEAM_LEAD in roles,
        audit=superuser or may_audit,
        approvals=approvals,
        plans=plans,
        handoffs=handoffs,
        legal=superuser or Role.LEGAL_OFFICER in roles,
        agency_portal=Role.AGENCY_USER in roles and not superuser,
        agencies=superuser or Role.ADMINISTRATOR in roles,
        strategies=superuser or Role.STRATEGY_MANAGER in roles,
        scoring=superuser or bool(roles & SCORING_ROLES),
        insight=superuser or bool(roles & INSIGHT_ROLES),
        disputes=superuser or bool(roles & DISPUTE_ROLES),
        complaints=superuser or bool(roles & COMPLAINT_ROLES),
        quality=superuser or bool(roles & QUALITY_ROLES),
    )


AUDIT = "@search_audit"  # not a group name: a group's name is a role (arrears.people.models.Role)


def held_by(user: Any) -> Held:
    """roles_of(user), and user.has_perm("people.search_audit"), in one query (has_perm alone takes two)."""
    groups = Group.objects.filter(user=user.pk).order_by().values_list("name")
    audit = (
        Permission.objects.filter(Q(user=user.pk) | Q(group__user=user.pk))
        .filter(codename="search_audit", content_type__app_label="people")
        .annotate(marker=Value(AUDIT, output_field=CharField()))
        .order_by()
        .values_list("marker")
    )
    names = {name for (name,) in groups.union(audit)}
    return Held(roles=frozenset(names - {AUDIT}), audit=bool(user.is_active) and AUDIT in names)

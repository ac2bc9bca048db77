"""Reads: a case's concessions, the approvals inbox, the summary to send to the customer."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from arrears.cases.queries import visible_cases
from arrears.concessions import rules
from arrears.concessions.models import ApprovalRequest, ApprovalStatus, AuthorityRule, Concession, ConcessionStatus
from arrears.errors import NotFound, ValidationFailed
from arrears.people.models import Role
from arrears.people.operations import roles_of


def case_concessions(case_id: int) -> list[Concession]:
    return list(
        Concession.objects.filter(case_id=case_id)
        .select_related("account", "requested_by", "approval")
        .order_by("-created_at", "-id")[:30]
    )


def inbox(user: Any, business_date: dt.date) -> QuerySet[ApprovalRequest]:
    """Pending requests this person may decide: addressed to their role or below, not their own,
    not expired (expiry is judged on read as well as by the cycle), a team lead's for their teams."""
    roles = roles_of(user)
    role = rules.acting_role(roles, superuser=user.is_superuser)
    if role is None or rules.RANK[role] < 2:
        return ApprovalRequest.objects.none()
    to_roles = [r for r, rank in rules.RANK.items() if rank <= rules.RANK[role] and rank >= 2]
    pending = (
        ApprovalRequest.objects.filter(
            status=ApprovalStatus.PENDING, expires_on__gte=business_date, to_role__in=to_roles
        )
        .exclude(maker=user)
        .select_related("concession__case__customer", "concession__account", "maker")
        .order_by("expires_on", "id")
    )
    if role == Role.TEAM_LEAD:
        pending = pending.filter(
            Q(concession__case__team__isnull=True)
            | Q(concession__case__team__lead=user)
            | Q(concession__case__team__members=user)
        ).distinct()
    return pending


def visible_approvals(user: Any, business_date: dt.date) -> QuerySet[ApprovalRequest]:
    """The requests this person may see: their own, those they decided, those on cases they may see
    and those waiting for their decision (a team lead's requests on cases of no team)."""
    if not user.is_authenticated:
        return ApprovalRequest.objects.none()
    return ApprovalRequest.objects.filter(
        Q(maker=user.pk)
        | Q(checker=user.pk)
        | Q(concession__case__in=visible_cases(user).values("pk"))
        | Q(pk__in=inbox(user, business_date).values("pk"))
    )


def approval_for(user: Any, approval_id: int, business_date: dt.date) -> ApprovalRequest:
    """The request, if this person may see it; otherwise NotFound, worded alike for an unknown one."""
    approval = (
        visible_approvals(user, business_date)
        .filter(pk=approval_id)
        .select_related("maker", "concession__account", "concession__case")
        .first()
    )
    if approval is None:
        raise not_found(approval_id)
    return approval


def not_found(approval_id: object) -> NotFound:
    return NotFound(f"no approval request {approval_id} that you can see", field="approval")


def my_requests(user: Any) -> QuerySet[ApprovalRequest]:
    return (
        ApprovalRequest.objects.filter(maker=user)
        .select_related("concession__case__customer", "concession__account", "checker")
        .order_by("-id")
    )


def approval_status(approval: ApprovalRequest, business_date: dt.date) -> str:
    """The status as of the business date: a pending request past its expiry reads as expired."""
    if approval.status == ApprovalStatus.PENDING and approval.expires_on < business_date:
        return ApprovalStatus.EXPIRED
    return approval.status


@dataclasses.dataclass(frozen=True)
class CustomerSummary:
    language: str
    text: str


def summary_for_customer(concession: Concession) -> CustomerSummary:
    """The summary to send to the cardholder, in their preferred language. The outreach work sends
    it through the gated channels: call this, then pass the text to the compliance-checked sender.
    A request awaiting approval is worded as a request, never as done; a concession that was not
    granted, or is no longer in force, has nothing to tell the customer (ValidationFailed)."""
    if not customer_wording_in_force(concession):
        raise ValidationFailed(
            f"the concession is {concession.status}; nothing to tell the customer", field="concession"
        )
    language = concession.account.customer.language
    text = concession.summary_zh if language == "zh-hans" else concession.summary_en
    return CustomerSummary(language=language, text=text)


@dataclasses.dataclass(frozen=True)
class Awaiting:
    """Whose approval a request waits for: the role, and the person when one user holds that role
    for the case's team (the team's lead, the one administrator), else None."""

    role: str
    user: Any | None

    @property
    def user_name(self) -> str:
        if self.user is None:
            return ""
        return str(self.user.get_full_name() or self.user.get_username())


def approver_for(to_role: str, team_id: int | None, *, maker_id: int | None = None) -> Any | None:
    """The one person who holds `to_role` for a team (a team lead: its lead or a lead among its
    members; an administrator: the one active administrator or superuser), else None. Never the maker."""
    users = get_user_model().objects.filter(is_active=True)
    if to_role == Role.TEAM_LEAD:
        if team_id is None:
            return None
        users = users.filter(groups__name=Role.TEAM_LEAD).filter(Q(teams_led=team_id) | Q(teams=team_id))
    elif to_role == Role.ADMINISTRATOR:
        users = users.filter(Q(groups__name=Role.ADMINISTRATOR) | Q(is_superuser=True))
    else:
        return None
    if maker_id is not None:
        users = users.exclude(pk=maker_id)
    found = list(users.distinct().order_by("id")[:2])
    return found[0] if len(found) == 1 else None


def awaiting(approval: ApprovalRequest, memo: dict[tuple[str, int | None, int], Any] | None = None) -> Awaiting | None:
    """Who a pending request waits for; None once it is decided or expired. `memo` keeps the people
    found across a list, one read per role, team and maker."""
    if approval.status != ApprovalStatus.PENDING:
        return None
    team_id = approval.concession.team_id or approval.concession.case.team_id
    key = (approval.to_role, team_id, approval.maker_id)
    if memo is None or key not in memo:
        found = approver_for(approval.to_role, team_id, maker_id=approval.maker_id)
        if memo is None:
            return Awaiting(approval.to_role, found)
        memo[key] = found
    return Awaiting(approval.to_role, memo[key])


GRANTED = (ConcessionStatus.APPLIED, ConcessionStatus.ACTIVE, ConcessionStatus.SETTLED)


def customer_wording_in_force(concession: Concession) -> bool:
    """Whether the stored customer summary is true now: a request awaiting approval (worded as a
    request) or a granted concession (worded as done); never one rejected, expired, lapsed or reversed."""
    return concession.status == ConcessionStatus.PENDING or concession.status in GRANTED


def decided_by(user: Any) -> QuerySet[ApprovalRequest]:
    """The requests this person decided, newest first: what they approved shows as applied at once."""
    return (
        ApprovalRequest.objects.filter(checker=user.pk)
        .select_related("concession__case__customer", "concession__account", "maker")
        .order_by("-decided_at", "-id")
    )


def active_limits(**match: str) -> list[rules.Limit]:
    """The active rows of the authority matrix (those matching `match`, e.g. role and kind), as limits."""
    return [
        rules.Limit(
            id=r.pk,
            role=r.role,
            product_id=r.product_id,
            min_bucket=r.min_bucket,
            max_bucket=r.max_bucket,
            kind=r.kind,
            max_amount_fen=r.max_amount_fen,
            max_share=r.max_share,
            max_days=r.max_days,
        )
        for r in AuthorityRule.objects.filter(active=True, **match)
    ]


def within_authority_of(concessions: list[Concession]) -> dict[int, str | None]:
    """For each concession, the lowest role on the ladder whose rows of the matrix allow it as it was
    asked (its cost, base and days), or None when no role's do. One read of the matrix."""
    limits = active_limits()
    ladder = ("collector", "team_lead", "administrator")
    out: dict[int, str | None] = {}
    for c in concessions:
        out[c.pk] = next(
            (
                role
                for role in ladder
                if rules.authority(
                    limits,
                    role=role,
                    product_id=c.account.product_id,
                    bucket=c.account.bucket,
                    kind=c.kind,
                    amount_fen=c.cost_fen,
                    base_fen=c.base_fen,
                    days=c.days,
                )
            ),
            None,
        )
    return out

"""Reads: a case's concessions, the approvals inbox, the summary to send to the customer."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet

from arrears.cases.queries import visible_cases
from arrears.concessions import rules
from arrears.concessions.models import ApprovalRequest, ApprovalStatus, Concession
from arrears.errors import NotFound
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
        .select_related("concession__case__customer", "checker")
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
    it through the gated channels: call this, then pass the text to the compliance-checked sender."""
    language = concession.account.customer.language
    text = concession.summary_zh if language == "zh-hans" else concession.summary_en
    return CustomerSummary(language=language, text=text)

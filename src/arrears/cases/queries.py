"""Which cases a person may see, and the reads of the workbench."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db.models import BigIntegerField, F, IntegerField, Q, QuerySet, Value, When
from django.db.models import Case as Choose

from arrears.cases.models import Case, CaseStatus, QueueOrder
from arrears.cases.rules import CHARGED_OFF_STAGE
from arrears.errors import NotFound
from arrears.ledger.models import Account
from arrears.people.models import Role, Team
from arrears.people.operations import roles_of

# Roles that work across all teams (customer service answers any customer; compliance audits all).
SEES_ALL = {Role.CUSTOMER_SERVICE, Role.COMPLIANCE_OFFICER, Role.CREDIT_ASSESSOR, Role.ADMINISTRATOR}


def visible_cases(user: Any) -> QuerySet[Case]:
    if not user.is_authenticated:
        return Case.objects.none()
    roles = roles_of(user)
    if user.is_superuser or roles & SEES_ALL:
        return Case.objects.all()
    if Role.AGENCY_USER in roles:
        return Case.objects.none()  # agencies see only the cases placed with them (placement comes later)
    return Case.objects.filter(Q(team__members=user) | Q(team__lead=user) | Q(collector=user)).distinct()


def in_serving_order(cases: QuerySet[Case], *, first: tuple[str, ...] = ()) -> QuerySet[Case]:
    """The cases in the order their queue serves them (`rules.serving_key` in SQL, one query): each
    case by its own queue's `serving_order`; a case in no queue as early_first. `first` names annotations
    to sort on before (the urgency of due callbacks and broken promises)."""
    stage = Choose(
        When(status=CaseStatus.CHARGED_OFF, then=Value(CHARGED_OFF_STAGE)),
        default=F("worst_bucket"),
        output_field=IntegerField(),
    )
    return cases.annotate(
        serving_stage=Choose(
            When(queue__serving_order=QueueOrder.LATE_FIRST, then=-stage),
            When(queue__serving_order__in=[QueueOrder.PRIORITY, QueueOrder.BALANCE], then=Value(0)),
            default=stage,
            output_field=IntegerField(),
        ),
        serving_weight=Choose(
            When(queue__serving_order=QueueOrder.BALANCE, then=F("balance_fen")),
            default=F("priority"),
            output_field=BigIntegerField(),
        ),
    ).order_by(*first, "serving_stage", "-serving_weight", "id")


def visible_accounts(user: Any) -> QuerySet[Account]:
    """The accounts this person may see: every account for the roles that work across teams, otherwise
    the accounts of the customers whose cases they may see (one subquery, never a list of ids)."""
    if not user.is_authenticated:
        return Account.objects.none()
    if user.is_superuser or roles_of(user) & SEES_ALL:
        return Account.objects.all()
    return Account.objects.filter(customer_id__in=visible_cases(user).values("customer_id"))


def case_for(user: Any, case_id: int) -> Case:
    """The case, if this person may see it; otherwise NotFound (never 'forbidden', which would leak that it exists)."""
    case = visible_cases(user).filter(pk=case_id).select_related("customer", "team", "collector").first()
    if case is None:
        raise NotFound(f"no case {case_id} that you can see", field="case")
    return case


def account_for(user: Any, ref: str) -> Account:
    """The account with this reference, if this person may see its customer; otherwise NotFound."""
    return _visible(user, Account.objects.filter(ref=ref).select_related("customer").first(), ref)


def account_matching(user: Any, query: str) -> Account:
    """The account with this card number or reference (in any case), if this person may see its
    customer; otherwise NotFound, alike for an unknown account and one they may not see."""
    query = query.strip()
    found = Account.objects.filter(Q(number=query) | Q(ref=query.upper())).select_related("customer").first()
    return _visible(user, found, "")


def _visible(user: Any, account: Account | None, ref: str) -> Account:
    if account is None or not (
        user.is_superuser
        or roles_of(user) & SEES_ALL
        or visible_cases(user).filter(customer_id=account.customer_id).exists()
    ):
        raise NotFound(f"no account {ref} that you can see".replace("  ", " "), field="account")
    return account


def workers_of(cases: Iterable[int]) -> dict[int, set[int]]:
    """The ids of the people who may work each case: its collector, its team's lead and its members."""
    rows = list(Case.objects.filter(pk__in=list(cases)).values_list("pk", "collector_id", "team_id", "team__lead_id"))
    members: dict[int, set[int]] = defaultdict(set)
    for team_id, user_id in Team.members.through.objects.filter(
        team_id__in={team for _, _, team, _ in rows if team}
    ).values_list("team_id", "user_id"):
        members[team_id].add(user_id)
    workers: dict[int, set[int]] = defaultdict(set)
    for case_id, collector_id, team_id, lead_id in rows:
        workers[case_id] |= {u for u in (collector_id, lead_id) if u} | (members[team_id] if team_id else set())
    return workers

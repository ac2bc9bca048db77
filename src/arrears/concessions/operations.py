"""The only code that writes concessions, approvals and team budgets.

Each operation validates everything first, then writes and audits in one transaction. A concession
within the maker's authority (a row of the matrix) is granted at once; above it, it becomes an
approval request to the next role up the ladder (rules.LADDER). Granting spends the team's monthly
budget under a row lock, so two grants at once can never overspend it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from arrears.audit.operations import record, record_many
from arrears.cases.models import Case, CaseStatus, CaseStatusChange
from arrears.concessions import queries, rules
from arrears.concessions.models import (
    ApprovalRequest,
    ApprovalStatus,
    Concession,
    ConcessionKind,
    ConcessionStatus,
    ReasonCode,
    SettlementPayment,
    TeamBudget,
)
from arrears.errors import (
    BudgetExhausted,
    ConcessionExceedsAuthority,
    NotFound,
    NotPermitted,
    ValidationFailed,
)
from arrears.kernel import clock
from arrears.kernel.pan import mask_pan
from arrears.ledger import posting
from arrears.ledger.adjustments import SETTLEMENT_RULE, post_waiver, write_off_balance, write_off_charged_off
from arrears.ledger.models import Account, AccountStatus, Component, Entry, EntryKind
from arrears.ledger.operations import reverse_entry
from arrears.money import AmountError, to_fen
from arrears.people.models import Role, Team
from arrears.people.operations import roles_of
from arrears.statements.models import Statement

ACTIVE_ACCOUNT = (AccountStatus.OPEN, AccountStatus.BLOCKED)
# A settlement may also close a charged-off debt: it is measured on what is still owed of the charge-off.
SETTLEABLE = (*ACTIVE_ACCOUNT, AccountStatus.CHARGED_OFF)


def _owed_fen(account: Account) -> int:
    """What a settlement settles: the balance, or of a charged-off account what is still owed of the
    charge-off (charged off less recovered since)."""
    if account.status == AccountStatus.CHARGED_OFF:
        return account.charged_off_fen - account.recovered_fen
    return account.balance_fen


@dataclasses.dataclass(frozen=True, kw_only=True)
class ConcessionIn:
    kind: str
    reason: str
    evidence: str
    account_number: str = ""  # the case's worst account when not given
    amount: Decimal | None = None  # waiver amount, or a settlement's agreed sum
    days: int | None = None  # extension
    payments: Sequence[tuple[dt.date, Decimal]] = ()  # settlement: (date, amount)


@dataclasses.dataclass(frozen=True, kw_only=True)
class _Plan:
    """What a concession would do to the account as it stands now."""

    amount_fen: int = 0
    days: int = 0
    base_fen: int = 0
    cost_fen: int = 0
    statements: tuple[tuple[int, dt.date, dt.date], ...] = ()  # extension: (statement, before, after)
    payments: tuple[tuple[dt.date, int], ...] = ()


def _fen(amount: Decimal | None, field: str) -> int:
    if amount is None:
        raise ValidationFailed("is required", field=field)
    try:
        return to_fen(amount)
    except AmountError as exc:
        raise ValidationFailed(str(exc), field=field) from None


def _late_fees_waivable(account: Account) -> int:
    """Late fees charged, less late-fee waivers, with reversals of either counted back."""
    kinds = (EntryKind.LATE_FEE, EntryKind.FEE_WAIVER)
    total = (
        Entry.objects.filter(account=account, component=Component.FEES)
        .filter(Q(kind__in=kinds) | Q(kind=EntryKind.REVERSAL, reverses__kind__in=kinds))
        .aggregate(s=Sum("amount_fen"))["s"]
    )
    return int(total or 0)


def _past_due_statements(account: Account, business_date: dt.date) -> list[Statement]:
    """Statements with an unpaid minimum whose effective due date has passed (their late fee is charged)."""
    rows = Statement.objects.filter(account=account, minimum_unpaid_fen__gt=0).order_by("due_date", "id")
    return [s for s in rows if (s.extended_due_date or s.due_date) < business_date]


def _plan(kind: str, account: Account, data: ConcessionIn, business_date: dt.date) -> _Plan:
    if kind in (rules.LATE_FEE_WAIVER, rules.INTEREST_WAIVER):
        amount = _fen(data.amount, "amount")
        if kind == rules.LATE_FEE_WAIVER:
            component, waivable = account.fees_fen, _late_fees_waivable(account)
        else:
            component = waivable = account.interest_fen
        rules.check_waiver(kind=kind, amount_fen=amount, component_fen=component, waivable_fen=waivable)
        return _Plan(amount_fen=amount, base_fen=min(component, waivable), cost_fen=amount)
    if kind == rules.EXTENSION:
        if data.days is None:
            raise ValidationFailed("is required", field="days")
        rules.check_extension(days=data.days)
        late = _past_due_statements(account, business_date)
        if not late:
            raise ValidationFailed("no minimum payment is past due on this account", field="account")
        moved = rules.extended_dates([(s.pk, s.extended_due_date or s.due_date) for s in late], days=data.days)
        return _Plan(days=data.days, statements=tuple(moved))
    amount = _fen(data.amount, "amount")
    payments = []
    for n, (date, value) in enumerate(data.payments, start=1):
        try:
            payments.append((date, to_fen(value)))
        except AmountError as exc:
            raise ValidationFailed(f"payment {n}: {exc}", field="payments") from None
    rules.check_settlement(
        amount_fen=amount, balance_fen=_owed_fen(account), payments=payments, business_date=business_date
    )
    return _Plan(
        amount_fen=amount, base_fen=_owed_fen(account), cost_fen=_owed_fen(account) - amount, payments=tuple(payments)
    )


def _limits(role: str, kind: str) -> list[rules.Limit]:
    return queries.active_limits(role=role, kind=kind)


def _authority(role: str, kind: str, account: Account, plan: _Plan) -> rules.Limit | None:
    return rules.authority(
        _limits(role, kind),
        role=role,
        product_id=account.product_id,
        bucket=account.bucket,
        kind=kind,
        amount_fen=plan.cost_fen,
        base_fen=plan.base_fen,
        days=plan.days,
    )


def _summaries(kind: str, account: Account, plan: _Plan, *, granted: bool = True) -> tuple[str, str]:
    """The customer's wording in zh-Hans and English: as done once granted, as a request awaiting
    approval before (never worded as done until it is)."""
    past_due = (
        Statement.objects.filter(account=account, minimum_unpaid_fen__gt=0).aggregate(s=Sum("minimum_unpaid_fen"))["s"]
        or 0
    )
    facts = rules.SummaryFacts(
        kind=kind,
        account_tail=account.number[-4:],
        balance_before_fen=_owed_fen(account),
        amount_fen=plan.amount_fen,
        days=plan.days,
        past_due_fen=int(past_due),
        due_dates=tuple((b, a) for _, b, a in plan.statements),
        payments=plan.payments,
    )
    words = rules.summarise if granted else rules.summarise_request
    return words(facts, "zh-hans"), words(facts, "en")


def _account_of(case: Case, number: str, kind: str = "") -> Account:
    accounts = Account.objects.filter(customer_id=case.customer_id)
    chosen = accounts.filter(Q(number=number) | Q(ref=number)) if number else accounts.order_by("-bucket", "-dpd", "id")
    account = chosen.first()
    if account is None:
        raise NotFound(f"no account {mask_pan(number)} of this case's customer", field="account")
    if account.status not in (SETTLEABLE if kind == rules.SETTLEMENT else ACTIVE_ACCOUNT):
        raise ValidationFailed(f"the account is {account.status}", field="account")
    return account


def _locked_account(pk: int) -> Account:
    """The account as it is under its row lock (taken through the ledger door, held to commit)."""
    posting.lock([pk])
    return Account.objects.get(pk=pk)


def _validate_request(user: Any, case: Case, data: ConcessionIn) -> str:
    role = rules.acting_role(roles_of(user), superuser=user.is_superuser)
    if role is None:
        raise NotPermitted("your role may not request concessions", field=None)
    if data.kind not in rules.KINDS:
        raise ValidationFailed(f"must be one of {', '.join(rules.KINDS)}", field="kind")
    if data.reason not in ReasonCode.values:
        raise ValidationFailed(f"must be one of {', '.join(ReasonCode.values)}", field="reason")
    if not data.evidence.strip():
        raise ValidationFailed("describe the evidence for the reason", field="evidence")
    if case.status == CaseStatus.CLOSED:
        raise ValidationFailed("the case is closed", field="case")
    return role


def request_concession(*, user: Any, case: Case, data: ConcessionIn, business_date: dt.date) -> Concession:
    """A concession on one of the case's accounts: granted at once within the maker's authority,
    otherwise an approval request to the next role up. Errors name the field; nothing is written."""
    role = _validate_request(user, case, data)
    account = _account_of(case, data.account_number, data.kind)
    _plan(data.kind, account, data, business_date)  # fail before writing
    team = case.team or Team.objects.filter(members=user).order_by("id").first()
    with transaction.atomic():
        account = _locked_account(account.pk)
        plan = _plan(data.kind, account, data, business_date)
        limit = _authority(role, data.kind, account, plan)
        if limit is None and rules.LADDER[role] is None:
            raise ConcessionExceedsAuthority(
                "above the authority of every role; it cannot be granted",
                field="amount" if data.kind != rules.EXTENSION else "days",
            )
        zh, en = _summaries(data.kind, account, plan, granted=False)
        concession = Concession.objects.create(
            case=case,
            account=account,
            kind=data.kind,
            status=ConcessionStatus.PENDING,
            reason=data.reason,
            evidence=data.evidence.strip(),
            amount_fen=plan.amount_fen,
            days=plan.days,
            base_fen=plan.base_fen,
            cost_fen=plan.cost_fen,
            requested_by=user,
            requested_on=business_date,
            team=team,
            summary_zh=zh,
            summary_en=en,
        )
        SettlementPayment.objects.bulk_create(
            SettlementPayment(concession=concession, n=n, due_date=d, amount_fen=fen)
            for n, (d, fen) in enumerate(plan.payments, start=1)
        )
        record(
            actor=user.get_username(),
            action="concession.request",
            object_type="concession",
            object_id=concession.pk,
            after=_audit_view(concession, plan),
        )
        if limit is not None:
            _grant(concession, account, plan, business_date=business_date, actor=user.get_username(), rule=limit)
        else:
            approval = ApprovalRequest.objects.create(
                concession=concession,
                maker=user,
                to_role=rules.LADDER[role] or "",
                requested_on=business_date,
                expires_on=business_date + dt.timedelta(days=rules.APPROVAL_EXPIRY_DAYS),
            )
            to_user = queries.approver_for(approval.to_role, team.pk if team else None, maker_id=user.pk)
            record(
                actor=user.get_username(),
                action="approval.request",
                object_type="approval",
                object_id=approval.pk,
                after={
                    "concession": concession.pk,
                    "to_role": approval.to_role,
                    "to_user": to_user.get_username() if to_user else None,
                    "expires_on": approval.expires_on,
                },
            )
    return concession


def _audit_view(concession: Concession, plan: _Plan) -> dict[str, Any]:
    return {
        "case": concession.case_id,
        "account": concession.account_id,
        "kind": concession.kind,
        "reason": concession.reason,
        "amount_fen": plan.amount_fen,
        "days": plan.days,
        "cost_fen": plan.cost_fen,
        "base_fen": plan.base_fen,
    }


def _spend_budget(concession: Concession, cost_fen: int, month: dt.date) -> TeamBudget | None:
    """Spend the team's budget of the month, the row locked until the transaction ends (PostgreSQL:
    FOR UPDATE; SQLite: the IMMEDIATE transaction already holds the write lock)."""
    if cost_fen <= 0 or concession.team_id is None:
        return None
    budget = TeamBudget.objects.select_for_update().filter(team_id=concession.team_id, month=month).first()
    if budget is None:
        return None  # no budget set for the team this month: the matrix alone limits
    if budget.spent_fen + cost_fen > budget.limit_fen:
        left = budget.limit_fen - budget.spent_fen
        raise BudgetExhausted(
            f"the team's budget for {month:%Y-%m} has {left / 100:.2f} left, not {cost_fen / 100:.2f}", field="amount"
        )
    TeamBudget.objects.filter(pk=budget.pk).update(spent_fen=F("spent_fen") + cost_fen)
    return budget


def _grant(
    concession: Concession,
    account: Account,
    plan: _Plan,
    *,
    business_date: dt.date,
    actor: str,
    rule: rules.Limit,
    approval: ApprovalRequest | None = None,
) -> None:
    """Apply a concession (in the caller's transaction, account row locked) and audit the rule."""
    budget = _spend_budget(concession, plan.cost_fen, business_date.replace(day=1))
    details: dict[str, Any] = {}
    reference = f"concession:{concession.pk}"
    explanation = {"rule": concession.kind, "concession": concession.pk, "reason": concession.reason}
    if concession.kind == rules.LATE_FEE_WAIVER:
        post_waiver(
            account=posting.lock([account.pk])[account.pk],
            component=Component.FEES,
            amount_fen=plan.amount_fen,
            business_date=business_date,
            reference=reference,
            explanation=explanation,
        )
        details["entry"] = Entry.objects.get(account=account, reference=reference, component=Component.FEES).pk
        status = ConcessionStatus.APPLIED
    elif concession.kind == rules.INTEREST_WAIVER:
        post_waiver(
            account=posting.lock([account.pk])[account.pk],
            component=Component.INTEREST,
            amount_fen=plan.amount_fen,
            business_date=business_date,
            reference=reference,
            explanation=explanation,
        )
        details["entry"] = Entry.objects.get(account=account, reference=reference, component=Component.INTEREST).pk
        status = ConcessionStatus.APPLIED
    elif concession.kind == rules.EXTENSION:
        for statement_id, _before, after in plan.statements:
            Statement.objects.filter(pk=statement_id).update(extended_due_date=after)
        details["statements"] = [
            {"statement": s, "before": b.isoformat(), "after": a.isoformat()} for s, b, a in plan.statements
        ]
        status = ConcessionStatus.APPLIED
    else:
        status = ConcessionStatus.ACTIVE
    zh, en = _summaries(concession.kind, account, plan)
    Concession.objects.filter(pk=concession.pk).update(
        status=status,
        rule_id=rule.id,
        budget=budget,
        granted_on=business_date,
        details=details,
        amount_fen=plan.amount_fen,
        days=plan.days,
        base_fen=plan.base_fen,
        cost_fen=plan.cost_fen,
        summary_zh=zh,
        summary_en=en,
    )
    concession.refresh_from_db()
    record(
        actor=actor,
        action="concession.grant",
        object_type="concession",
        object_id=concession.pk,
        after={
            "kind": concession.kind,
            "status": status,
            "rule": rule.id,
            "approval": approval.pk if approval else None,
            "budget": budget.pk if budget else None,
            "cost_fen": plan.cost_fen,
            **details,
        },
    )


# --- approvals ---------------------------------------------------------------------------------


def _may_decide_case(user: Any, approval: ApprovalRequest) -> bool:
    roles = roles_of(user)
    if not rules.may_decide(roles, approval.to_role, superuser=user.is_superuser):
        return False
    role = rules.acting_role(roles, superuser=user.is_superuser)
    if role == Role.TEAM_LEAD:
        team_id = approval.concession.case.team_id
        return team_id is None or Team.objects.filter(pk=team_id).filter(Q(lead=user) | Q(members=user)).exists()
    return True


def decide_approval(
    *, user: Any, approval_id: int, decision: str, comment: str = "", business_date: dt.date
) -> ApprovalRequest:
    """Approve, reject or send up a pending request. Never by its maker. An approver whose own
    authority is below the concession passes it on up the ladder (the request stays pending, now for
    the next role: the caller reads `queries.awaiting` to say to whom); an expired request can no
    longer be decided."""
    if decision not in ("approve", "reject", "send_up"):
        raise ValidationFailed("must be approve, reject or send_up", field="decision")
    if decision == "reject" and not comment.strip():
        raise ValidationFailed("say why the request is rejected", field="comment")
    expired = False
    with transaction.atomic():
        approval = (
            ApprovalRequest.objects.select_for_update()
            .select_related("concession__case")
            .filter(pk=approval_id)
            .first()
        )
        # Unknown and not visible answer alike, before anything that would tell them apart.
        if approval is None or not queries.visible_approvals(user, business_date).filter(pk=approval.pk).exists():
            raise queries.not_found(approval_id)
        if approval.maker_id == user.pk:
            raise NotPermitted("nobody approves their own request", field="approval")
        if not _may_decide_case(user, approval):
            raise NotPermitted(f"this request is for a {approval.get_to_role_display()}", field="approval")
        if approval.status != ApprovalStatus.PENDING:
            raise ValidationFailed(f"the request is already {approval.status}", field="approval")
        if approval.expires_on < business_date:
            _expire([approval], business_date, actor=user.get_username())
            expired = True
        else:
            _decide(approval, user=user, decision=decision, comment=comment.strip(), business_date=business_date)
    if expired:
        raise ValidationFailed(f"the request expired on {approval.expires_on}", field="approval")
    approval.refresh_from_db()
    approval.concession.refresh_from_db()
    return approval


def _decide(approval: ApprovalRequest, *, user: Any, decision: str, comment: str, business_date: dt.date) -> None:
    concession = approval.concession
    actor = user.get_username()
    now = clock.now()
    if decision == "reject":
        ApprovalRequest.objects.filter(pk=approval.pk).update(
            status=ApprovalStatus.REJECTED, checker=user, decided_at=now, comment=comment
        )
        Concession.objects.filter(pk=concession.pk).update(status=ConcessionStatus.REJECTED, closed_on=business_date)
        record(
            actor=actor,
            action="approval.reject",
            object_type="approval",
            object_id=approval.pk,
            after={"concession": concession.pk, "comment": comment},
        )
        return
    account = _locked_account(concession.account_id)
    data = ConcessionIn(
        kind=concession.kind,
        reason=concession.reason,
        evidence=concession.evidence,
        amount=Decimal(concession.amount_fen) / 100 if concession.kind != rules.EXTENSION else None,
        days=concession.days or None,
        payments=[(p.due_date, Decimal(p.amount_fen) / 100) for p in concession.payments.all()],
    )
    plan = _plan(concession.kind, account, data, business_date)  # the account may have moved since
    role = rules.acting_role(roles_of(user), superuser=user.is_superuser) or ""
    limit = None if decision == "send_up" else _authority(role, concession.kind, account, plan)
    if limit is None:
        reason = "sent up by the approver" if decision == "send_up" else "above the approver's authority"
        _send_up(approval, role=role, actor=actor, comment=comment, reason=reason, business_date=business_date)
        return
    ApprovalRequest.objects.filter(pk=approval.pk).update(
        status=ApprovalStatus.APPROVED, checker=user, decided_at=now, comment=comment
    )
    record(
        actor=actor,
        action="approval.approve",
        object_type="approval",
        object_id=approval.pk,
        after={"concession": concession.pk, "rule": limit.id, "comment": comment},
    )
    _grant(concession, account, plan, business_date=business_date, actor=actor, rule=limit, approval=approval)


def _send_up(
    approval: ApprovalRequest, *, role: str, actor: str, comment: str, reason: str, business_date: dt.date
) -> None:
    """Pass a request to the next role up, saying so in its history and the audit trail, with the
    person it now waits for when one holds that role."""
    higher = rules.LADDER.get(role)
    if higher is None:
        raise ConcessionExceedsAuthority("above the authority of every role; reject it instead", field="approval")
    history = [
        *approval.history,
        {"by": actor, "role": role, "on": business_date.isoformat(), "comment": comment, "passed_to": higher},
    ]
    ApprovalRequest.objects.filter(pk=approval.pk).update(
        to_role=higher, history=history, expires_on=business_date + dt.timedelta(days=rules.APPROVAL_EXPIRY_DAYS)
    )
    concession = approval.concession
    to_user = queries.approver_for(higher, concession.team_id or concession.case.team_id, maker_id=approval.maker_id)
    record(
        actor=actor,
        action="approval.escalate",
        object_type="approval",
        object_id=approval.pk,
        after={
            "from_role": role,
            "to_role": higher,
            "to_user": to_user.get_username() if to_user else None,
            "reason": reason,
            "comment": comment,
        },
    )


def _expire(approvals: list[ApprovalRequest], d: dt.date, *, actor: str) -> int:
    ids = [a.pk for a in approvals]
    ApprovalRequest.objects.filter(pk__in=ids, status=ApprovalStatus.PENDING).update(status=ApprovalStatus.EXPIRED)
    Concession.objects.filter(approval__in=ids, status=ConcessionStatus.PENDING).update(
        status=ConcessionStatus.EXPIRED, closed_on=d
    )
    record_many(
        actor=actor,
        action="approval.expire",
        object_type="approval",
        items=[(a.pk, {"expires_on": a.expires_on, "on": d}) for a in approvals],
    )
    return len(ids)


def expire_approvals(d: dt.date) -> int:
    """Cycle step: pending requests whose expiry date has passed expire, with their concessions."""
    due = list(ApprovalRequest.objects.filter(status=ApprovalStatus.PENDING, expires_on__lt=d))
    return _expire(due, d, actor="cycle") if due else 0


# --- settlements, judged by the daily cycle ----------------------------------------------------


def judge_settlements(d: dt.date, lo: int, hi: int) -> int:
    """Cycle step (accounts lo <= id < hi): an active settlement whose agreed sum has been paid (payments posted
    from the day it was agreed to the day before d) writes off the rest, closes the account and, when
    nothing else is past due, the case; one not paid by its last date lapses."""
    from arrears.payments.models import Payment

    # One read for all active settlements: the payments posted since each was granted, and its last date.
    paid = (
        Payment.objects.filter(
            account_id=OuterRef("account_id"), posting_date__gte=OuterRef("granted_on"), posting_date__lt=d
        )
        .values("account_id")
        .annotate(s=Sum("amount_fen"))
        .values("s")
    )
    last = SettlementPayment.objects.filter(concession=OuterRef("pk")).order_by("-due_date").values("due_date")[:1]
    active = list(
        Concession.objects.filter(
            kind=ConcessionKind.SETTLEMENT, status=ConcessionStatus.ACTIVE, account_id__gte=lo, account_id__lt=hi
        )
        .annotate(paid=Coalesce(Subquery(paid), Value(0)), last_date=Subquery(last))
        .order_by("id")
    )
    judged = 0
    for c in active:
        paid_fen = c.paid
        outcome = rules.settlement_outcome(
            amount_fen=c.amount_fen,
            paid_fen=paid_fen,
            last_date=c.last_date,
            business_date=d,
        )
        if outcome == "settled":
            _settle(c, d, paid_fen)
            judged += 1
        elif outcome == "lapsed":
            _refund_budget(c)
            Concession.objects.filter(pk=c.pk).update(status=ConcessionStatus.LAPSED, closed_on=d)
            record(
                actor="cycle",
                action="concession.lapse",
                object_type="concession",
                object_id=c.pk,
                after={"paid_fen": paid_fen, "amount_fen": c.amount_fen},
            )
            judged += 1
    return judged


def _settle(c: Concession, d: dt.date, paid_fen: int) -> None:
    from arrears.delinquency.models import BucketChange

    account = _locked_account(c.account_id)
    write_off = write_off_charged_off if account.status == AccountStatus.CHARGED_OFF else write_off_balance
    written_off = write_off(
        account=posting.lock([account.pk])[account.pk],
        business_date=d,
        reference=f"concession:{c.pk}:write_off",
        explanation={"rule": SETTLEMENT_RULE, "concession": c.pk, "paid_fen": paid_fen},
    )
    Statement.objects.filter(account=account, minimum_unpaid_fen__gt=0).update(minimum_unpaid_fen=0)
    if account.bucket:
        BucketChange.objects.get_or_create(
            account=account, change_date=d, defaults={"from_bucket": account.bucket, "to_bucket": 0, "dpd": 0}
        )
    # A charged-off debt settled is SETTLED (PBOC C, the charge-off date kept); any other account closes.
    closed = AccountStatus.SETTLED if account.status == AccountStatus.CHARGED_OFF else AccountStatus.CLOSED
    Account.objects.filter(pk=account.pk).update(dpd=0, bucket=0, status=closed)
    Concession.objects.filter(pk=c.pk).update(
        status=ConcessionStatus.SETTLED,
        closed_on=d,
        details={**c.details, "paid_fen": paid_fen, "written_off_fen": written_off},
    )
    record(
        actor="cycle",
        action="concession.settle",
        object_type="concession",
        object_id=c.pk,
        after={"paid_fen": paid_fen, "written_off_fen": written_off, "account": account.masked_number},
    )
    troubled = Account.objects.filter(customer_id=account.customer_id).filter(
        Q(dpd__gt=0, status__in=ACTIVE_ACCOUNT) | Q(status=AccountStatus.CHARGED_OFF)
    )
    case = Case.objects.filter(pk=c.case_id).exclude(status=CaseStatus.CLOSED).first()
    if case is not None and not troubled.exists():
        Case.objects.filter(pk=case.pk).update(
            status=CaseStatus.CLOSED, closed_on=d, collector=None, lease_holder=None, lease_until=None, queue=None
        )
        CaseStatusChange.objects.create(
            case=case, change_date=d, from_status=case.status, to_status=CaseStatus.CLOSED, reason="settled"
        )


def _refund_budget(c: Concession) -> None:
    if c.budget_id and c.cost_fen:
        budget = TeamBudget.objects.select_for_update().get(pk=c.budget_id)
        TeamBudget.objects.filter(pk=budget.pk).update(spent_fen=max(budget.spent_fen - c.cost_fen, 0))


# --- reversal ----------------------------------------------------------------------------------


def reverse_concession(*, user: Any, concession: Concession, reason: str, business_date: dt.date) -> Concession:
    """Undo an applied waiver or extension, or withdraw an active settlement: the waiver entry is
    reversed on the ledger, extended due dates go back, the budget is given back. Team leads and up."""
    if not rules.may_decide(roles_of(user), Role.TEAM_LEAD, superuser=user.is_superuser):
        raise NotPermitted("only a team lead or an administrator may reverse a concession", field=None)
    if not reason.strip():
        raise ValidationFailed("give the reason for the reversal", field="reason")
    if concession.status not in (ConcessionStatus.APPLIED, ConcessionStatus.ACTIVE):
        raise ValidationFailed(f"a concession that is {concession.status} cannot be reversed", field="concession")
    if concession.kind == rules.EXTENSION:
        later = Concession.objects.filter(
            account=concession.account, kind=rules.EXTENSION, status=ConcessionStatus.APPLIED, pk__gt=concession.pk
        )
        if later.exists():
            raise ValidationFailed("a later extension is in force; reverse it first", field="concession")
    with transaction.atomic():
        _locked_account(concession.account_id)
        if concession.kind in (rules.LATE_FEE_WAIVER, rules.INTEREST_WAIVER):
            entry = Entry.objects.get(pk=concession.details["entry"])
            reverse_entry(
                actor=user.get_username(),
                entry=entry,
                business_date=business_date,
                reason=f"concession {concession.pk} reversed: {reason}",
            )
        elif concession.kind == rules.EXTENSION:
            for row in concession.details.get("statements", []):
                before = dt.date.fromisoformat(row["before"])
                Statement.objects.filter(pk=row["statement"]).update(
                    extended_due_date=None
                    if Statement.objects.filter(pk=row["statement"], due_date=before).exists()
                    else before
                )
        _refund_budget(concession)
        Concession.objects.filter(pk=concession.pk).update(status=ConcessionStatus.REVERSED, closed_on=business_date)
        record(
            actor=user.get_username(),
            action="concession.reverse",
            object_type="concession",
            object_id=concession.pk,
            after={"reason": reason},
        )
    concession.refresh_from_db()
    return concession


def set_budget(*, actor: str, team: Team, month: dt.date, limit: Decimal) -> TeamBudget:
    """Set a team's budget for a month (the admin does the same through its form)."""
    fen = _fen(limit, "limit")
    if fen < 0:
        raise ValidationFailed("must not be negative", field="limit")
    month = month.replace(day=1)
    with transaction.atomic():
        budget, _ = TeamBudget.objects.select_for_update().get_or_create(
            team=team, month=month, defaults={"limit_fen": fen}
        )
        if budget.spent_fen > fen:
            raise ValidationFailed(f"already {budget.spent_fen / 100:.2f} spent this month", field="limit")
        TeamBudget.objects.filter(pk=budget.pk).update(limit_fen=fen)
        record(
            actor=actor,
            action="budget.set",
            object_type="team_budget",
            object_id=budget.pk,
            after={"team": team.pk, "month": month, "limit_fen": fen},
        )
    budget.refresh_from_db()
    return budget

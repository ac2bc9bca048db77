"""The only code that writes repayment plans (besides the daily cycle's monitoring step).

Keyword-only; every check first, then the writes and their audit entries in one transaction.
Maker and checker are always different people: the proposer can neither review nor approve, and
the reviewer cannot approve.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import hmac
from collections.abc import Set as AbstractSet
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q, Sum

from arrears.audit.operations import record
from arrears.cases.models import Case, CaseStatus, CaseStatusChange
from arrears.errors import Conflict, NotFound, ValidationFailed
from arrears.holds.models import HoldKind
from arrears.holds.operations import set_hold
from arrears.kernel import clock
from arrears.ledger import posting
from arrears.ledger.models import Account, AccountStatus, Component, Customer, Entry, EntryKind
from arrears.money import from_fen, to_fen
from arrears.people.models import Role
from arrears.people.operations import roles_of
from arrears.plans import life
from arrears.plans.document import Row, render_plan_pdf
from arrears.plans.models import (
    Evidence,
    Instalment,
    Plan,
    PlanAcceptance,
    PlanPolicy,
    PlanStatus,
    Scope,
    SettledMinimum,
)
from arrears.plans.rules import Method, PlanTerms, Quote, plan_policy, quote_plan
from arrears.plans.summary import PlanFacts, plan_summary
from arrears.products.models import versions_in_force
from arrears.statements.models import Statement

PROPOSERS = {Role.COLLECTOR, Role.TEAM_LEAD}
REVIEWERS = {Role.CREDIT_ASSESSOR}
APPROVERS = {Role.TEAM_LEAD}


def policy() -> PlanPolicy:
    """The plan policy in force: the newest row, or the defaults when the admin has none."""
    return PlanPolicy.objects.order_by("-id").first() or PlanPolicy()


def _require(user: Any, roles: AbstractSet[str], what: str) -> None:
    if not (user.is_superuser or roles_of(user) & roles):
        raise ValidationFailed(f"your role may not {what}", field="actor")


def _username(user: Any) -> str:
    return str(user.get_username())


# -- the quote ----------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class CaseQuote:
    account: Account
    scope: str
    components: dict[str, int]
    quote: Quote
    review_reasons: list[str]


def _account_of(case: Case, number: str) -> Account:
    """The case customer's account with this card number or reference."""
    account = Account.objects.filter(Q(number=number) | Q(ref=number), customer_id=case.customer_id).first()
    if account is None:
        raise NotFound("no such account among this case's customer's accounts", field="account")
    return account


def _billed_past_due(account: Account, business_date: dt.date) -> int | None:
    """The latest past-due statement's new balance less the card payments since its statement date."""
    last = (
        Statement.objects.filter(account=account, due_date__lt=business_date)
        .order_by("-statement_date")
        .only("statement_date", "new_balance_fen")
        .first()
    )
    if last is None:
        return None
    paid = (
        Entry.objects.filter(
            account=account,
            kind=EntryKind.PAYMENT,
            component__in=["principal", "interest", "fees"],
            posting_date__gte=last.statement_date,
        ).aggregate(s=Sum("amount_fen"))["s"]
        or 0
    )
    return last.new_balance_fen + paid


def _restructurable(account: Account, scope: str, business_date: dt.date) -> dict[str, int]:
    if scope not in Scope.values:
        raise ValidationFailed(f"must be one of {', '.join(Scope.values)}", field="scope")
    balances = {"principal": account.principal_fen, "interest": account.interest_fen, "fees": account.fees_fen}
    billed = _billed_past_due(account, business_date) if scope == Scope.OVERDUE else None
    return life.restructurable(scope=scope, balances_fen=balances, billed_past_due_fen=billed)


def quote_for_case(
    *,
    case: Case,
    account_number: str,
    scope: str,
    method: str,
    instalments: int,
    first_due_date: dt.date,
    annual_rate: Decimal,
    fee_rate: Decimal,
    business_date: dt.date,
) -> CaseQuote:
    """The schedule a plan on this account would have today; raises ValidationFailed naming the field."""
    account = _account_of(case, account_number)
    if account.status not in (AccountStatus.OPEN, AccountStatus.BLOCKED):
        raise ValidationFailed(f"the account is {account.status}", field="account")
    if method not in {m.value for m in Method}:
        known = ", ".join(m.value for m in Method)
        raise ValidationFailed(f"unknown method {method!r}; use one of: {known}", field="method")
    components = _restructurable(account, scope, business_date)
    balance = sum(components.values())
    if balance <= 0:
        raise ValidationFailed("there is no balance to restructure on this account", field="scope")
    terms = PlanTerms(
        balance=from_fen(balance),
        instalments=instalments,
        first_due_date=first_due_date,
        method=Method(method),
        annual_rate=annual_rate,
        fee_rate=fee_rate,
    )
    quote = quote_plan(terms=terms, policy=plan_policy("CN"), business_date=business_date)
    if first_due_date == business_date:
        raise ValidationFailed(
            "the first instalment must fall due after today", field="first_due_date", code="must_be_in_future"
        )
    p = policy()
    reasons = life.review_reasons(
        instalments=instalments,
        balance_fen=balance,
        above_instalments=p.review_above_instalments,
        above_fen=p.review_above_fen,
    )
    return CaseQuote(account=account, scope=scope, components=components, quote=quote, review_reasons=reasons)


# -- propose, review, approve -------------------------------------------------------------------


def propose_plan(
    *,
    actor: Any,
    case: Case,
    account_number: str,
    scope: str,
    method: str,
    instalments: int,
    first_due_date: dt.date,
    annual_rate: Decimal = Decimal(0),
    fee_rate: Decimal = Decimal(0),
    business_date: dt.date,
) -> Plan:
    _require(actor, PROPOSERS, "propose a plan")
    q = quote_for_case(
        case=case,
        account_number=account_number,
        scope=scope,
        method=method,
        instalments=instalments,
        first_due_date=first_due_date,
        annual_rate=annual_rate,
        fee_rate=fee_rate,
        business_date=business_date,
    )
    taken = (PlanStatus.OFFERED, PlanStatus.ACCEPTED, PlanStatus.ACTIVE)
    if Plan.objects.filter(account=q.account, status__in=taken).exists():
        raise ValidationFailed(
            "this account already has a plan offered, accepted or active", field="account", code="plan_in_force"
        )
    quote = q.quote
    currency = str(versions_in_force(business_date).get(q.account.product_id, _Default).currency)
    with transaction.atomic():
        plan = Plan.objects.create(
            case=case,
            account=q.account,
            scope=scope,
            method=method,
            instalments=instalments,
            first_due_date=first_due_date,
            annual_rate=annual_rate,
            fee_rate=fee_rate,
            apr=quote.apr,
            balance_fen=sum(q.components.values()),
            components=q.components,
            total_amount_fen=to_fen(quote.total_amount),
            total_interest_fen=to_fen(quote.total_interest),
            total_fee_fen=to_fen(quote.total_fee),
            currency=currency,
            review_required=bool(q.review_reasons),
            review_reasons=q.review_reasons,
            proposed_by=actor,
            proposed_on=business_date,
        )
        Instalment.objects.bulk_create(
            [
                Instalment(
                    plan=plan,
                    n=row.n,
                    due_date=row.due_date,
                    amount_fen=to_fen(row.amount),
                    principal_fen=to_fen(row.principal),
                    interest_fen=to_fen(row.interest),
                    fee_fen=to_fen(row.fee),
                )
                for row in quote.schedule
            ]
        )
        record(
            actor=_username(actor),
            action="plan.propose",
            object_type="plan",
            object_id=plan.pk,
            after={
                "case": case.pk,
                "account": q.account.masked_number,
                "scope": scope,
                "method": method,
                "instalments": instalments,
                "balance_fen": plan.balance_fen,
                "review_required": plan.review_required,
                "reasons": q.review_reasons,
            },
        )
    return plan


class _Default:
    currency = "CNY"


def review_plan(*, actor: Any, plan: Plan, approve: bool, comment: str = "") -> Plan:
    """The credit assessor's review of a long or large plan: passed on to approval, or rejected."""
    _require(actor, REVIEWERS, "review plans")
    if plan.status != PlanStatus.PROPOSED:
        raise ValidationFailed(f"the plan is {plan.status}, not proposed", field="plan")
    if actor.pk == plan.proposed_by_id:
        raise ValidationFailed("you proposed this plan; another person must review it", field="actor")
    if not approve and not comment.strip():
        raise ValidationFailed("give the reason for rejecting the plan", field="comment")
    with transaction.atomic():
        plan.status = PlanStatus.REVIEWED if approve else PlanStatus.REJECTED
        plan.reviewed_by, plan.review_comment = actor, comment.strip()[:500]
        plan.save(update_fields=["status", "reviewed_by", "review_comment"])
        record(
            actor=_username(actor),
            action="plan.review",
            object_type="plan",
            object_id=plan.pk,
            after={"approve": approve, "comment": plan.review_comment},
        )
    return plan


def approve_plan(*, actor: Any, plan: Plan, approve: bool = True, comment: str = "") -> Plan:
    """A team lead's decision, within the lead's authority (PlanPolicy.lead_max_fen)."""
    _require(actor, APPROVERS, "approve plans")
    if plan.status == PlanStatus.PROPOSED and plan.review_required:
        raise ValidationFailed(
            f"a credit assessor must review this plan first ({'; '.join(plan.review_reasons)})", field="plan"
        )
    if plan.status not in (PlanStatus.PROPOSED, PlanStatus.REVIEWED):
        raise ValidationFailed(f"the plan is {plan.status}; only a proposed or reviewed plan is decided", field="plan")
    if actor.pk == plan.proposed_by_id:
        raise ValidationFailed("you proposed this plan; another person must approve it", field="actor")
    if actor.pk == plan.reviewed_by_id:
        raise ValidationFailed("you reviewed this plan; another person must approve it", field="actor")
    if approve and plan.balance_fen > policy().lead_max_fen and not actor.is_superuser:
        raise ValidationFailed("the plan is above your approval authority", field="plan")
    if not approve and not comment.strip():
        raise ValidationFailed("give the reason for rejecting the plan", field="comment")
    with transaction.atomic():
        plan.status = PlanStatus.APPROVED if approve else PlanStatus.REJECTED
        plan.approved_by, plan.decision_comment = actor, comment.strip()[:500]
        plan.save(update_fields=["status", "approved_by", "decision_comment"])
        record(
            actor=_username(actor),
            action="plan.approve" if approve else "plan.reject",
            object_type="plan",
            object_id=plan.pk,
            after={"comment": plan.decision_comment},
        )
    return plan


# -- offer: the document and the summary ---------------------------------------------------------


def plan_facts(plan: Plan) -> PlanFacts:
    schedule = list(plan.schedule.order_by("n"))
    p = policy()
    account = plan.account
    owed = account.balance_fen
    return PlanFacts(
        customer_name=account.customer.name,
        account_number=account.masked_number,
        currency=plan.currency,
        owed_now_fen=owed,
        restructured_fen=plan.balance_fen,
        instalments=plan.instalments,
        first_due_date=schedule[0].due_date,
        last_due_date=schedule[-1].due_date,
        first_amount_fen=schedule[0].amount_fen,
        largest_amount_fen=max(r.amount_fen for r in schedule),
        total_amount_fen=plan.total_amount_fen,
        total_interest_fen=plan.total_interest_fen,
        total_fee_fen=plan.total_fee_fen,
        apr=Decimal(plan.apr),
        grace_days=p.grace_days,
        missed_to_break=p.missed_to_break,
    )


def offer_plan(*, actor: Any, plan: Plan, business_date: dt.date) -> Plan:
    """Produce the plan document (in the customer's language) and the plain-language summaries."""
    _require(actor, PROPOSERS | APPROVERS, "offer plans")
    if plan.status != PlanStatus.APPROVED:
        raise ValidationFailed(f"the plan is {plan.status}; only an approved plan is offered", field="plan")
    facts = plan_facts(plan)
    language = plan.account.customer.language or "zh-hans"
    pdf = render_plan_pdf(
        plan_number=f"P{plan.pk:08d}",
        issued_on=business_date,
        language=language,
        facts=facts,
        method=plan.method,
        annual_rate=plan.annual_rate,
        fee_rate=plan.fee_rate,
        schedule=[
            Row(i.n, i.due_date, i.amount_fen, i.principal_fen, i.interest_fen, i.fee_fen)
            for i in plan.schedule.order_by("n")
        ],
    )
    with transaction.atomic():
        plan.status, plan.offered_on = PlanStatus.OFFERED, business_date
        plan.document_pdf, plan.document_language = pdf, language
        plan.document_sha256 = hashlib.sha256(pdf).hexdigest()
        plan.summary = {"zh-hans": plan_summary(facts, "zh-hans"), "en": plan_summary(facts, "en")}
        plan.save(
            update_fields=["status", "offered_on", "document_pdf", "document_language", "document_sha256", "summary"]
        )
        record(
            actor=_username(actor),
            action="plan.offer",
            object_type="plan",
            object_id=plan.pk,
            after={"language": language, "sha256": plan.document_sha256},
        )
    return plan


# -- acceptance and activation --------------------------------------------------------------------


def accept_plan(*, actor: Any, plan: Plan, evidence: str, evidence_ref: str = "", business_date: dt.date) -> Plan:
    """Record the customer's acceptance and its evidence. An oral acceptance on a call may be recorded
    before its recording reference is known, but such a plan cannot be activated (CN-PLAN-STOP)."""
    _require(actor, PROPOSERS | APPROVERS, "record a customer's acceptance")
    if plan.status != PlanStatus.OFFERED:
        raise ValidationFailed(f"the plan is {plan.status}; only an offered plan is accepted", field="plan")
    if evidence not in Evidence.values:
        raise ValidationFailed(f"must be one of {', '.join(Evidence.values)}", field="evidence")
    ref = evidence_ref.strip()
    if evidence != Evidence.RECORDED_CALL and not ref:
        raise ValidationFailed(
            "give the reference of the signed document or the portal acceptance", field="evidence_ref"
        )
    with transaction.atomic():
        plan.status, plan.accepted_on = PlanStatus.ACCEPTED, business_date
        plan.evidence, plan.evidence_ref = evidence, ref[:120]
        plan.save(update_fields=["status", "accepted_on", "evidence", "evidence_ref"])
        record(
            actor=_username(actor),
            action="plan.accept",
            object_type="plan",
            object_id=plan.pk,
            after={"evidence": evidence, "evidence_ref": plan.evidence_ref},
        )
    return plan


def accept_plan_by_cardholder(
    *,
    customer: Customer,
    plan: Plan,
    shown_sha256: str,
    address: str | None,
    user_agent: str,
    business_date: dt.date,
) -> Plan:
    """The cardholder accepts an offered plan of theirs on the portal. The evidence (time, address, browser and
    the SHA-256 of the document as it was shown) is stored with it; a document changed since it was shown is
    refused, so that what was accepted is exactly what was offered."""
    if plan.account.customer_id != customer.pk:
        raise NotFound("no such plan")
    if plan.status != PlanStatus.OFFERED:
        raise Conflict(
            f"the plan is {plan.status}; only an offered plan is accepted", field="plan", code="plan_not_offered"
        )
    if not shown_sha256 or not hmac.compare_digest(shown_sha256, plan.document_sha256):
        raise Conflict(
            "the plan document changed since it was shown; read it again before accepting",
            field="document",
            code="plan_document_changed",
        )
    actor = f"cardholder:{customer.pk}"
    with transaction.atomic():
        locked = Plan.objects.select_for_update().get(pk=plan.pk)
        if locked.status != PlanStatus.OFFERED or locked.document_sha256 != shown_sha256:
            raise Conflict("the plan changed meanwhile; read it again", field="plan", code="plan_document_changed")
        acceptance = PlanAcceptance.objects.create(
            plan=locked,
            customer=customer,
            at=clock.now(),
            address=address,
            user_agent=user_agent[:300],
            document_sha256=shown_sha256,
        )
        locked.status, locked.accepted_on = PlanStatus.ACCEPTED, business_date
        locked.evidence, locked.evidence_ref = Evidence.PORTAL_CLICK, f"portal-acceptance-{acceptance.pk}"
        locked.save(update_fields=["status", "accepted_on", "evidence", "evidence_ref"])
        record(
            actor=actor,
            action="plan.accept",
            object_type="plan",
            object_id=plan.pk,
            after={
                "evidence": Evidence.PORTAL_CLICK,
                "evidence_ref": locked.evidence_ref,
                "at": acceptance.at,
                "address": address,
                "user_agent": acceptance.user_agent,
                "sha256": shown_sha256,
            },
        )
    return locked


def add_recording(*, actor: Any, plan: Plan, recording_ref: str) -> Plan:
    """The recording reference of an oral acceptance, once the call recording is filed."""
    _require(actor, PROPOSERS | APPROVERS, "record a customer's acceptance")
    if plan.status != PlanStatus.ACCEPTED or plan.evidence != Evidence.RECORDED_CALL:
        raise ValidationFailed("only an accepted oral plan takes a recording reference", field="plan")
    if not recording_ref.strip():
        raise ValidationFailed("give the call recording's reference", field="evidence_ref")
    with transaction.atomic():
        plan.evidence_ref = recording_ref.strip()[:120]
        plan.save(update_fields=["evidence_ref"])
        record(
            actor=_username(actor),
            action="plan.recording",
            object_type="plan",
            object_id=plan.pk,
            after={"evidence_ref": plan.evidence_ref},
        )
    return plan


def activate_plan(*, actor: Any, plan: Plan, business_date: dt.date) -> Plan:
    """Move the restructured balance into the plan, settle the past-due minimums, put the case in plan
    and stop collection contact with a `plan` hold (CN-PLAN-STOP)."""
    _require(actor, PROPOSERS | APPROVERS, "activate plans")
    if plan.status != PlanStatus.ACCEPTED:
        raise ValidationFailed(f"the plan is {plan.status}; only an accepted plan is activated", field="plan")
    if plan.evidence == Evidence.RECORDED_CALL and not plan.evidence_ref:
        raise ValidationFailed(
            "an oral plan needs the reference of the call recording before it can be activated (CN-PLAN-STOP)",
            field="evidence_ref",
        )
    schedule = list(plan.schedule.order_by("n"))
    if schedule[0].due_date <= business_date:
        raise ValidationFailed("the first instalment is already due; propose the plan again", field="first_due_date")
    with transaction.atomic():
        posting.lock([plan.account_id])
        account = Account.objects.get(pk=plan.account_id)
        if account.status not in (AccountStatus.OPEN, AccountStatus.BLOCKED):
            raise ValidationFailed(f"the account is {account.status}", field="account")
        if Plan.objects.filter(account=account, status=PlanStatus.ACTIVE).exists():
            raise ValidationFailed("this account already has an active plan", field="account")
        now = _restructurable(account, plan.scope, business_date)
        if sum(now.values()) != plan.balance_fen:
            raise ValidationFailed(
                f"the balance to restructure is now {from_fen(sum(now.values()))}, not {from_fen(plan.balance_fen)} "
                "as quoted; propose the plan again",
                field="plan",
            )
        first = schedule[0]
        into = f"plan:{plan.pk}:in"
        lines = [
            posting.Line(
                account_id=account.pk,
                kind=EntryKind.PLAN_TRANSFER,
                component=component,
                amount_fen=-fen,
                posting_date=business_date,
                reference=into,
                description=f"moved into repayment plan {plan.pk}",
            )
            for component, fen in now.items()
            if fen
        ]
        lines.append(
            posting.Line(
                account_id=account.pk,
                kind=EntryKind.PLAN_TRANSFER,
                component=Component.PLAN,
                amount_fen=plan.balance_fen,
                posting_date=business_date,
                reference=into,
                description=f"repayment plan {plan.pk}",
                explanation={"plan": plan.pk, "from": now},
            )
        )
        lines += charge_lines(plan.pk, account.pk, first, business_date)
        late = list(
            Statement.objects.filter(
                account=account,
                minimum_unpaid_fen__gt=0,
                **({"due_date__lt": business_date} if plan.scope == Scope.OVERDUE else {}),
            )
        )
        posting.post(lines)
        SettledMinimum.objects.bulk_create(
            [SettledMinimum(plan=plan, statement=s, amount_fen=s.minimum_unpaid_fen) for s in late]
        )
        Statement.objects.filter(pk__in=[s.pk for s in late]).update(minimum_unpaid_fen=0)
        Instalment.objects.filter(pk=first.pk).update(charged=True)
        plan.status, plan.activated_on, plan.moved_fen = PlanStatus.ACTIVE, business_date, plan.balance_fen
        plan.charged_fen = first.interest_fen + first.fee_fen
        plan.save(update_fields=["status", "activated_on", "moved_fen", "charged_fen"])
        case = Case.objects.select_for_update().get(pk=plan.case_id)
        if case.status != CaseStatus.IN_PLAN:
            CaseStatusChange.objects.create(
                case=case,
                change_date=business_date,
                from_status=case.status,
                to_status=CaseStatus.IN_PLAN,
                reason="plan activated",
                actor=_username(actor),
            )
            Case.objects.filter(pk=case.pk).update(status=CaseStatus.IN_PLAN, lease_holder=None, lease_until=None)
        set_hold(
            user=actor,
            customer=account.customer,
            kind=HoldKind.PLAN,
            starts_on=business_date,
            reason=f"repayment plan {plan.pk} in good standing (CN-PLAN-STOP)",
        )
        record(
            actor=_username(actor),
            action="plan.activate",
            object_type="plan",
            object_id=plan.pk,
            after={"moved": now, "settled_minimums": {s.pk: s.minimum_unpaid_fen for s in late}},
        )
    return plan


def charge_lines(plan_id: int, account_id: int, instalment: Any, on: dt.date) -> list[posting.Line]:
    """The interest and fee of an instalment, posted on the plan when its period starts."""
    lines = []
    for kind, fen, name in (
        (EntryKind.PLAN_INTEREST, instalment.interest_fen, "interest"),
        (EntryKind.PLAN_FEE, instalment.fee_fen, "fee"),
    ):
        if fen:
            lines.append(
                posting.Line(
                    account_id=account_id,
                    kind=kind,
                    component=Component.PLAN,
                    amount_fen=fen,
                    posting_date=on,
                    reference=f"plan:{plan_id}:{name}:{instalment.n}",
                    description=f"repayment plan {plan_id} instalment {instalment.n} {name}",
                )
            )
    return lines


def payoff_amount_fen(plan: Plan) -> int:
    """What pays the plan off today: the remaining principal and any charge of an instalment already due."""
    if plan.status != PlanStatus.ACTIVE:
        return 0
    plan_fen = Account.objects.filter(pk=plan.account_id).values_list("plan_fen", flat=True)[0]
    not_due = sum(i.interest_fen + i.fee_fen for i in plan.schedule.filter(charged=True, status="scheduled"))
    return max(plan_fen - not_due, 0)

"""The only code that writes disputes: open, propose a resolution (maker), decide it (checker).

Each validates everything first, then writes and audits in one transaction. Money moves only through
the ledger door: `ledger.operations.reverse_entry`, `ledger.adjustments.post_credits` (a part of a
charge, the interest it caused) and `payments.operations.post_payment` (a payment not credited).
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Sum

from arrears.application.contact_gate import pack_on
from arrears.audit.operations import record
from arrears.bureau import operations as bureau
from arrears.bureau.cycle import policy_on as bureau_policy_on
from arrears.bureau.models import BureauRecord
from arrears.bureau.rules import month_of
from arrears.disputes import rules
from arrears.disputes.letter import rejection_letter
from arrears.disputes.models import Dispute, DisputeKind, DisputeStatus, HoldScope, Outcome
from arrears.errors import ArrearsError, Conflict, NotPermitted, ValidationFailed
from arrears.holds import operations as holds
from arrears.holds.models import AmountHold, Hold, HoldKind
from arrears.inquiries import surveys
from arrears.ledger import adjustments, posting
from arrears.ledger.models import Account, Component, Entry, EntryKind
from arrears.ledger.operations import reverse_entry
from arrears.money import AmountError, from_fen, to_fen
from arrears.payments.operations import PaymentIn, post_payment
from arrears.people.models import Role
from arrears.people.operations import roles_of
from arrears.products.models import versions_in_force
from arrears.products.rules import ProductParams
from arrears.statements.models import Statement

MAX_TEXT = 2000
PROPOSE_ROLES: set[str] = {Role.CUSTOMER_SERVICE, Role.TEAM_LEAD, Role.COMPLIANCE_OFFICER}
DECIDE_ROLES: set[str] = {Role.TEAM_LEAD, Role.COMPLIANCE_OFFICER}
SYSTEM_USER = "system-disputes"


def policy_on(day: dt.date) -> rules.Policy:
    """The dispute numbers of the pack in force (CN-DISPUTE or US-DISPUTE) and CN-CR-DISP's 20 days."""
    pack = pack_on(day)
    rule = pack.rules.get(f"{pack.code}-DISPUTE")
    params: Any = rule.params if rule is not None else {}
    default = rules.Policy()
    return rules.Policy(
        answer_days=int(params.get("answer_within_days", default.answer_days)),
        validation_days=int(params.get("validation_answer_days", default.validation_days)),
        credit_data_days=bureau_policy_on(day).dispute_answer_days,
        account_hold_kinds=tuple(str(k) for k in params.get("account_hold_kinds", default.account_hold_kinds)),
    )


def _text(value: str, field: str) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationFailed("is required", field=field, code="required")
    if len(text) > MAX_TEXT:
        raise ValidationFailed(f"must be at most {MAX_TEXT} characters", field=field, code="out_of_range")
    return text


def _fen(amount: Decimal | None, field: str) -> int:
    if amount is None:
        raise ValidationFailed("is required", field=field, code="required")
    try:
        fen = to_fen(amount, field=field)
    except AmountError as exc:
        raise ValidationFailed(str(exc), field=field) from None
    if fen <= 0:
        raise ValidationFailed("must be greater than zero", field=field, code="must_be_positive")
    return fen


def credited_fen(entry: Entry) -> int:
    """What of a charge was already taken off: its reversal, or disputes upheld in part."""
    if Entry.objects.filter(reverses=entry).exists():
        return entry.amount_fen
    parts = Entry.objects.filter(
        account_id=entry.account_id, kind=EntryKind.ADJUSTMENT, reference__startswith="dispute:", reverses__isnull=True
    ).filter(explanation__entry=entry.pk)
    return -int(parts.aggregate(s=Sum("amount_fen"))["s"] or 0)


def _statement_of(entry: Entry) -> Statement | None:
    return (
        Statement.objects.filter(
            account_id=entry.account_id, period_start__lte=entry.posting_date, statement_date__gt=entry.posting_date
        )
        .order_by("statement_date")
        .first()
    )


def _system_user() -> User:
    user, created = User.objects.get_or_create(username=SYSTEM_USER, defaults={"is_active": False})
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def _user_for(actor: str) -> User:
    return User.objects.filter(username=actor).first() or _system_user()


def open_dispute(
    *,
    actor: str,
    account: Account,
    kind: str,
    reason: str,
    channel: str,
    business_date: dt.date,
    entry: Entry | None = None,
    statement: Statement | None = None,
    amount: Decimal | None = None,
    payment_date: dt.date | None = None,
    payment_reference: str = "",
) -> Dispute:
    """Open a dispute (the portal calls it with actor "cardholder:<customer id>"): the hold, the deadline,
    the annotation of the account, and for credit data the bureau's dispute task (CN-CR-DISP, Metro 2 XB)."""
    if kind not in rules.KINDS:
        raise ValidationFailed(f"must be one of {', '.join(rules.KINDS)}", field="kind", code="not_a_choice")
    if channel not in rules.CHANNELS:
        raise ValidationFailed(f"must be one of {', '.join(rules.CHANNELS)}", field="channel", code="not_a_choice")
    text = _text(reason, "reason")
    if statement is not None and statement.account_id != account.pk:
        raise ValidationFailed("is not a statement of this account", field="statement")
    amount_fen = 0
    if kind in rules.ENTRY_KINDS:
        if entry is None:
            raise ValidationFailed("name the ledger entry disputed", field="entry", code="required")
        if entry.account_id != account.pk:
            raise ValidationFailed("is not an entry of this account", field="entry")
        if entry.kind not in rules.ENTRY_KINDS[kind] or entry.amount_fen <= 0:
            wanted = "a fee" if kind == DisputeKind.FEE else "a charge on the statement"
            raise ValidationFailed(f"must be {wanted}, not a {entry.kind}", field="entry")
        left = entry.amount_fen - credited_fen(entry)
        if left <= 0:
            raise Conflict("this entry has already been reversed", field="entry")
        amount_fen = left if amount is None else _fen(amount, "amount")
        if amount_fen > left:
            raise ValidationFailed(f"must not be more than the entry's {from_fen(left)}", field="amount")
        if Dispute.objects.filter(entry=entry, status__in=("open", "proposed")).exists():
            raise Conflict("this entry is already under dispute", field="entry")
        statement = statement or _statement_of(entry)
    elif entry is not None:
        raise ValidationFailed(f"a dispute of {kind} names no entry", field="entry")
    if kind == DisputeKind.PAYMENT_NOT_CREDITED:
        amount_fen = _fen(amount, "amount")
        if payment_date is None:
            raise ValidationFailed("give the date the payment was made", field="payment_date", code="required")
        if payment_date > business_date:
            raise ValidationFailed("must not be after the business date", field="payment_date")
        if len(payment_reference) > 64:
            raise ValidationFailed("must be at most 64 characters", field="payment_reference", code="out_of_range")
    elif payment_date is not None or payment_reference:
        raise ValidationFailed("only a payment not credited names a payment", field="payment_date")
    elif kind in (DisputeKind.DEBT, DisputeKind.CREDIT_DATA):
        amount_fen = max(account.balance_fen, 0) if kind == DisputeKind.DEBT else 0
    policy = policy_on(business_date)
    scope = rules.hold_scope(kind, policy)
    due = rules.due_on(kind, business_date, policy)
    with transaction.atomic():
        task = None
        if kind == DisputeKind.CREDIT_DATA:
            task = bureau.open_dispute(actor=actor, account=account, reason=text, business_date=business_date)
            due = task.due_on
        dispute = Dispute.objects.create(
            account=account,
            customer_id=account.customer_id,
            kind=kind,
            entry=entry,
            statement=statement,
            amount_fen=amount_fen,
            payment_amount_fen=amount_fen if kind == DisputeKind.PAYMENT_NOT_CREDITED else None,
            payment_date=payment_date,
            payment_reference=payment_reference.strip(),
            reason=text,
            channel=channel,
            opened_on=business_date,
            opened_by=actor,
            due_on=due,
            hold_scope=scope,
            credit_task=task,
        )
        label = f"dispute #{dispute.pk}"
        if scope == HoldScope.ACCOUNT:
            dispute.hold = holds.set_hold(
                user=_user_for(actor),
                customer=account.customer,
                kind=HoldKind.DISPUTE,
                reason=label,
                starts_on=business_date,
            )
        elif amount_fen > 0:
            dispute.amount_hold = holds.hold_amount(
                actor=actor, account=account, amount_fen=amount_fen, reason=label, starts_on=business_date
            )
        dispute.save(update_fields=["hold", "amount_hold"])
        record(
            actor=actor,
            action="dispute.open",
            object_type="account",
            object_id=account.ref,
            after={
                "dispute": dispute.pk,
                "kind": kind,
                "entry": entry.pk if entry else None,
                "amount_fen": amount_fen,
                "channel": channel,
                "due_on": due.isoformat(),
                "hold": scope,
            },
        )
    return dispute


def _check_role(user: Any, allowed: set[str], what: str) -> None:
    if not (user.is_superuser or roles_of(user) & allowed):
        raise NotPermitted(f"your role may not {what} a dispute", field=None)


def propose_resolution(*, user: Any, dispute: Dispute, outcome: str, reasons: str, business_date: dt.date) -> Dispute:
    """The maker's proposal: upheld or rejected, with the reasons (the rejection letter states them)."""
    _check_role(user, PROPOSE_ROLES, "propose the resolution of")
    if outcome not in Outcome.values:
        raise ValidationFailed("must be upheld or rejected", field="outcome", code="not_a_choice")
    text = _text(reasons, "reasons")
    if business_date < dispute.opened_on:
        raise ValidationFailed("must not be before the dispute was opened", field="business_date")
    with transaction.atomic():
        dispute = Dispute.objects.select_for_update().get(pk=dispute.pk)
        if dispute.status != DisputeStatus.OPEN:
            raise Conflict(f"the dispute is {dispute.status}: no proposal now", field="dispute", code="already_decided")
        dispute.status = DisputeStatus.PROPOSED
        dispute.proposed_outcome, dispute.proposed_reasons = outcome, text
        dispute.proposed_by, dispute.proposed_on = user, business_date
        dispute.save(update_fields=["status", "proposed_outcome", "proposed_reasons", "proposed_by", "proposed_on"])
        record(
            actor=user.get_username(),
            action="dispute.propose",
            object_type="dispute",
            object_id=dispute.pk,
            after={"outcome": outcome, "reasons": text[:500]},
        )
    return dispute


def decide(*, user: Any, dispute: Dispute, approve: bool, business_date: dt.date, language: str = "") -> Dispute:
    """The checker's decision on the proposal: never its maker. Approved, it is carried out (upheld: the
    credit and the interest it caused through the ledger door, or the payment posted, and the credit
    report corrected; rejected: the letter with the reasons) and the hold lifted. Refused, the dispute
    is open again for a new proposal."""
    _check_role(user, DECIDE_ROLES, "decide")
    if dispute.proposed_by_id == user.pk:
        raise NotPermitted("the maker of the proposal cannot decide it", field="dispute")
    if business_date < (dispute.proposed_on or dispute.opened_on):
        raise ValidationFailed("must not be before the proposal", field="business_date")
    actor = user.get_username()
    with transaction.atomic():
        dispute = (
            Dispute.objects.select_for_update(of=("self",))
            .select_related("account", "customer", "entry")
            .get(pk=dispute.pk)
        )
        if dispute.status != DisputeStatus.PROPOSED:
            raise Conflict(
                f"the dispute is {dispute.status}: nothing to decide", field="dispute", code="already_decided"
            )
        if dispute.proposed_by_id == user.pk:
            raise NotPermitted("the maker of the proposal cannot decide it", field="dispute")
        if not approve:
            record(
                actor=actor,
                action="dispute.proposal_refused",
                object_type="dispute",
                object_id=dispute.pk,
                before={"outcome": dispute.proposed_outcome},
            )
            dispute.status = DisputeStatus.OPEN
            dispute.proposed_outcome, dispute.proposed_by, dispute.proposed_on = "", None, None
            dispute.save(update_fields=["status", "proposed_outcome", "proposed_by", "proposed_on"])
            return dispute
        if dispute.proposed_outcome == Outcome.UPHELD:
            resolution = _uphold(dispute, actor=actor, business_date=business_date)
        else:
            resolution = _reject(dispute, actor=actor, business_date=business_date, language=language)
        if dispute.credit_task is not None:
            bureau.resolve_dispute(
                actor=actor, task=dispute.credit_task, answer=dispute.proposed_reasons, business_date=business_date
            )
        keep_hold = dispute.kind == DisputeKind.DEBT and dispute.proposed_outcome == Outcome.UPHELD
        resolution["hold_lifted"] = _lift(dispute, actor=actor) if not keep_hold else False
        dispute.status = dispute.proposed_outcome
        dispute.decided_by, dispute.decided_on = user, business_date
        dispute.resolution = resolution
        dispute.save(update_fields=["status", "decided_by", "decided_on", "resolution", "letter", "letter_language"])
        record(
            actor=actor,
            action=f"dispute.{dispute.status}",
            object_type="dispute",
            object_id=dispute.pk,
            after={k: v for k, v in resolution.items() if k != "interest"},
        )
    _ask_survey(dispute, actor=actor, business_date=business_date)
    return dispute


def _ask_survey(dispute: Dispute, *, actor: str, business_date: dt.date) -> None:
    """The satisfaction question after a decided dispute: in the portal when it came from there, else by
    SMS when the customer has a mobile. One the gate refuses (or no approved template carries) is not
    asked; the decision stands."""
    customer = dispute.customer
    if dispute.channel == "portal":
        channel = "portal"
    elif customer.mobile:
        channel = "sms"
    else:
        return
    with contextlib.suppress(ArrearsError):
        surveys.ask_survey(
            actor=actor,
            customer=customer,
            subject_type="dispute",
            subject_id=dispute.pk,
            channel=channel,
            business_date=business_date,
        )


def _lift(dispute: Dispute, *, actor: str) -> bool:
    reason = f"dispute #{dispute.pk} {dispute.proposed_outcome}"
    lifted = False
    if dispute.hold_id is not None:
        hold = Hold.objects.get(pk=dispute.hold_id)
        if hold.lifted_at is None:
            holds.lift_hold(user=_user_for(actor), hold=hold, reason=reason)
            lifted = True
    if dispute.amount_hold_id is not None:
        amount_hold = AmountHold.objects.select_related("account").get(pk=dispute.amount_hold_id)
        if amount_hold.lifted_at is None:
            holds.lift_amount_hold(actor=actor, hold=amount_hold, reason=reason)
            lifted = True
    return lifted


# --- upheld ------------------------------------------------------------------------------------------


def _uphold(dispute: Dispute, *, actor: str, business_date: dt.date) -> dict[str, Any]:
    if dispute.kind == DisputeKind.PAYMENT_NOT_CREDITED:
        return _post_claimed_payment(dispute, actor=actor, business_date=business_date)
    if dispute.entry is None:
        return {"posted": [], "note": "no amount to credit: the decision is recorded"}
    entry = dispute.entry
    posting.lock([dispute.account_id])
    left = entry.amount_fen - credited_fen(entry)
    if dispute.amount_fen > left:
        raise Conflict("the disputed entry was credited meanwhile", field="entry")
    why = f"dispute #{dispute.pk} upheld"
    if dispute.amount_fen == entry.amount_fen:
        reversal = reverse_entry(actor=actor, entry=entry, business_date=business_date, reason=why)
        posted = [{"entry": reversal.pk, "kind": "reversal", "amount_fen": reversal.amount_fen}]
    else:
        adjustments.post_credits(
            account_id=dispute.account_id,
            credits=[
                adjustments.Credit(
                    component=entry.component,
                    amount_fen=dispute.amount_fen,
                    reference=f"dispute:{dispute.pk}:entry",
                    description=why,
                    explanation={"dispute": dispute.pk, "entry": entry.pk, "amount": str(from_fen(dispute.amount_fen))},
                )
            ],
            business_date=business_date,
        )
        posted = [{"kind": "adjustment", "component": entry.component, "amount_fen": -dispute.amount_fen}]
    corrections = interest_to_reverse(dispute)
    if corrections:
        adjustments.post_credits(
            account_id=dispute.account_id,
            credits=[
                adjustments.Credit(
                    component=Component.INTEREST,
                    amount_fen=c.reversed_fen,
                    reference=f"dispute:{dispute.pk}:interest:{c.interest_entry_id}",
                    description=f"{why}: interest caused by the disputed amount",
                    explanation={"dispute": dispute.pk, **c.explanation},
                )
                for c in corrections
            ],
            business_date=business_date,
        )
    interest_fen = sum(c.reversed_fen for c in corrections)
    months = _restate_credit_report(
        dispute, actor=actor, since=entry.posting_date, corrections=corrections, disputed_fen=dispute.amount_fen
    )
    record(
        actor=actor,
        action="entry.dispute_credit",
        object_type="account",
        object_id=dispute.account.ref,
        after={
            "dispute": dispute.pk,
            "entry": entry.pk,
            "amount_fen": dispute.amount_fen,
            "interest_fen": interest_fen,
        },
    )
    return {
        "posted": posted,
        "credited_fen": dispute.amount_fen,
        "interest_reversed_fen": interest_fen,
        "interest": [
            {
                "interest_entry": c.interest_entry_id,
                "charged_fen": c.charged_fen,
                "reversed_fen": c.reversed_fen,
                "statement_date": c.statement_date.isoformat(),
            }
            for c in corrections
        ],
        "credit_report_restated": months,
    }


def interest_to_reverse(dispute: Dispute) -> list[rules.InterestCorrection]:
    """The interest the disputed amount caused, statement by statement (see rules.interest_corrections)."""
    entry = dispute.entry
    if entry is None:
        return []
    account = dispute.account
    params: ProductParams = versions_in_force(entry.posting_date).get(account.product_id) or ProductParams()
    statements = [
        rules.StatementFacts(
            statement_date=s.statement_date,
            period_start=s.period_start,
            new_balance_fen=s.new_balance_fen,
            principal_fen=s.principal_fen,
            interest_fen=s.interest_fen,
            revolving=s.revolving,
            grace_kept=s.grace_kept,
            paid_by_due_fen=s.paid_by_due_fen,
        )
        for s in Statement.objects.filter(account=account).order_by("statement_date")
    ]
    rows = list(
        Entry.objects.filter(account=account).values_list(
            "id", "kind", "component", "amount_fen", "posting_date", "value_date", "reference", "explanation"
        )
    )
    postings = [
        rules.EntryFacts(id=r[0], kind=r[1], component=r[2], amount_fen=r[3], posting_date=r[4], value_date=r[5])
        for r in rows
    ]
    already: dict[int, int] = defaultdict(int)
    for r in rows:
        explained: dict[str, Any] = r[7] if isinstance(r[7], dict) else {}
        ours = explained.get("rule") == adjustments.DISPUTE_CREDIT_RULE and explained.get("interest_entry")
        if r[1] == EntryKind.ADJUSTMENT and r[2] == Component.INTEREST and ours:
            already[int(explained["interest_entry"])] += -r[3]
    charged = {
        dt.date.fromisoformat(r[6].removeprefix("interest:")): (r[0], r[3] - already[r[0]])
        for r in rows
        if r[1] == EntryKind.INTEREST and r[6].startswith("interest:") and r[4] >= entry.posting_date
    }
    facts = next(p for p in postings if p.id == entry.pk)
    return rules.interest_corrections(
        params=params,
        statements=statements,
        postings=postings,
        disputed=facts,
        disputed_fen=dispute.amount_fen,
        charged=charged,
    )


def _restate_credit_report(
    dispute: Dispute,
    *,
    actor: str,
    since: dt.date,
    corrections: list[rules.InterestCorrection],
    disputed_fen: int,
) -> list[str]:
    """Lower the balance of every month already reported since the disputed amount by what the
    decision took off (the amount, and the interest charged up to that month's close)."""
    cut: dict[dt.date, int] = {}
    for month in BureauRecord.objects.filter(account=dispute.account, month__gte=month_of(since)).values_list(
        "month", flat=True
    ):
        close = month_of(month.replace(day=28) + dt.timedelta(days=4))
        interest = sum(c.reversed_fen for c in corrections if c.statement_date <= close)
        cut[month] = disputed_fen + interest
    if not cut:
        return []
    return bureau.restate_balances(
        actor=actor, account=dispute.account, lowered_by=cut, reason=f"dispute #{dispute.pk} upheld"
    )


def _post_claimed_payment(dispute: Dispute, *, actor: str, business_date: dt.date) -> dict[str, Any]:
    """The payment the customer made and the bank did not credit, posted with its own value date when the
    product's back-dating window allows it, else on the business date (the note says so)."""
    account = dispute.account
    params = versions_in_force(business_date).get(account.product_id) or ProductParams()
    paid_on = dispute.payment_date or business_date
    within = (business_date - paid_on).days <= params.payment_backdate_days
    value_date = paid_on if within else business_date
    reference = dispute.payment_reference or f"dispute-{dispute.pk}"
    payment = post_payment(
        actor=actor,
        business_date=business_date,
        source="dispute",
        payment=PaymentIn(
            account_number=account.number,
            amount=from_fen(dispute.payment_amount_fen or dispute.amount_fen),
            value_date=value_date,
            reference=reference,
        ),
    )
    note = (
        "posted with the date it was paid"
        if within
        else f"paid on {paid_on}, more than {params.payment_backdate_days} days ago: posted on the business date"
    )
    return {
        "payment": payment.reference,
        "amount_fen": payment.amount_fen,
        "value_date": value_date.isoformat(),
        "note": note,
    }


# --- rejected ---------------------------------------------------------------------------------------


def _reject(dispute: Dispute, *, actor: str, business_date: dt.date, language: str) -> dict[str, Any]:
    lang = language or ("en" if dispute.customer.language == "en" else "zh-hans")
    dispute.letter = rejection_letter(dispute, language=lang, business_date=business_date)
    dispute.letter_language = lang
    record(
        actor=actor,
        action="dispute.letter_sent",
        object_type="customer",
        object_id=dispute.customer_id,
        after={"dispute": dispute.pk, "channel": "letter", "language": lang},
    )
    return {"letter": True, "language": lang}

"""Legal action: refer debts to law, move cases through their stages, post the costs a court awards
and the proceeds of enforcement, keep the evidence of effective demands. Every change is audited.

- ``refer_many`` is set-based (a fixed number of queries for any number of accounts): the strategy
  step calls it for its legal referrals; ``refer`` is the one-account door of the pages.
- A case at law holds ordinary collection contact: an ``attorney`` hold (CN-HOLD-ATTY / US-ATTY:
  only the lawyers talk) from referral until the case closes.
- Costs post through the ledger door on the ``costs`` component (part of the balance); proceeds post
  as payments with source ``legal:<case id>`` (on a charged-off account the payments path posts them
  as recoveries).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db import transaction
from django.db.models import Count, Max, QuerySet

from arrears.audit.operations import record, record_many
from arrears.compliance.configured import pack_code
from arrears.contacts.models import Contact
from arrears.errors import Conflict, NotFound, ValidationFailed
from arrears.holds.models import Hold, HoldKind
from arrears.holds.operations import lift_hold
from arrears.kernel import clock
from arrears.kernel.sql import in_chunks
from arrears.kernel.vocabulary import Channel, Component
from arrears.ledger import posting
from arrears.ledger.models import Account, AccountStatus, EntryKind
from arrears.legal import rules
from arrears.legal.models import (
    CostAward,
    DemandKind,
    EffectiveDemand,
    LegalCase,
    LegalKind,
    LegalStage,
    Proceeds,
    StageEvent,
)
from arrears.money import AmountError, from_fen, parse_amount, to_fen
from arrears.payments.models import Payment
from arrears.payments.operations import PaymentIn, post_payment

HOLD_REASON = "legal action on account {account}: ordinary collection contact stops while the debt is at law"
SUING_STAGES = (LegalStage.REFERRAL, LegalStage.FILING)


@dataclasses.dataclass(frozen=True)
class Refusal:
    account_id: int
    field: str
    rule: str
    message: str


@dataclasses.dataclass(frozen=True)
class Referred:
    cases: list[LegalCase]
    refused: list[Refusal]


@dataclasses.dataclass(frozen=True)
class Limitation:
    default_on: dt.date
    last_restart_on: dt.date | None
    ends_on: dt.date
    time_barred: bool


def barred_rule() -> str:
    """The rule that refuses suing on a time-barred debt in the configured pack."""
    return "US-TBD" if pack_code() == "US" else "CN-LEGAL-LIMIT"


def _restarts(account_ids: Sequence[int], customer_ids: Sequence[int]) -> tuple[dict[int, dt.date], dict[int, dt.date]]:
    """The latest day that restarted the limitation period: per account, a payment on it or an
    effective demand or acknowledgment on any of its cases; per customer, a right-party contact (a
    demand that reached the debtor). Three grouped queries per chunk."""
    by_account: dict[int, dt.date] = {}
    for chunk in in_chunks(account_ids):
        grouped = [
            Payment.objects.filter(account_id__in=chunk)
            .values("account_id")
            .annotate(d=Max("value_date"))
            .values_list("account_id", "d"),
            EffectiveDemand.objects.filter(case__account_id__in=chunk)
            .values("case__account_id")
            .annotate(d=Max("on"))
            .values_list("case__account_id", "d"),
        ]
        for rows in grouped:
            for account_id, day in rows:
                if day is not None and (account_id not in by_account or day > by_account[account_id]):
                    by_account[account_id] = day
    zone = clock.bank_zone()
    by_customer: dict[int, dt.date] = {}
    for chunk in in_chunks(customer_ids):
        for customer_id, at in (
            Contact.objects.filter(case__customer_id__in=chunk, result="right_party_contact")
            .values("case__customer_id")
            .annotate(d=Max("at"))
            .values_list("case__customer_id", "d")
        ):
            if at is not None:
                by_customer[customer_id] = at.astimezone(zone).date()
    return by_account, by_customer


def _default_on(account: Account, on: dt.date) -> dt.date | None:
    if account.dpd <= 0:
        return None
    counted_to = (
        account.charged_off_on if account.status == AccountStatus.CHARGED_OFF and account.charged_off_on else on
    )
    return counted_to - dt.timedelta(days=account.dpd - 1)


def limitation_of(*, default_on: dt.date, restarts: Iterable[dt.date | None], on: dt.date) -> Limitation:
    found = [d for d in restarts if d is not None and d <= on]
    ends = rules.limitation_ends(default_on=default_on, restarts=found)
    last = max((d for d in found if d >= default_on), default=None)
    return Limitation(default_on, last, ends, rules.time_barred(on=on, ends_on=ends))


def case_limitation(case: LegalCase, *, on: dt.date) -> Limitation:
    accounts, customers = _restarts([case.account_id], [case.customer_id])
    return limitation_of(
        default_on=case.default_on, restarts=[accounts.get(case.account_id), customers.get(case.customer_id)], on=on
    )


def _owed_fen(a: Account) -> int:
    still = a.charged_off_fen - a.recovered_fen if a.status == AccountStatus.CHARGED_OFF else 0
    return a.balance_fen + still


def refer_many(
    accounts: Iterable[Account | int], date: dt.date, by: Any, *, kind: str = LegalKind.LAWSUIT, court: str = ""
) -> Referred:
    """Refer many accounts to law at once: a case each, its referral stage, its hold. `by` is the user
    (or their user name) who refers, recorded on the cases, the holds and the audit trail. Refused (and
    reported, not raised): unknown or closed accounts, nothing owed or not in default, an open case
    already, a time-barred debt (US-TBD / CN-LEGAL-LIMIT). A fixed number of queries per chunk."""
    if kind not in LegalKind.values:
        raise ValidationFailed(f"must be one of {', '.join(LegalKind.values)}", field="kind")
    if isinstance(by, str):  # a batch caller (the strategy step) may name the user by user name
        by = _user_named(by)
    ids = sorted({a if isinstance(a, int) else a.pk for a in accounts})
    actor = by.get_username()
    refused: list[Refusal] = []
    created: list[LegalCase] = []
    with transaction.atomic():
        rows: dict[int, Account] = {}
        for chunk in in_chunks(ids):
            rows.update({a.pk: a for a in Account.objects.filter(id__in=chunk).select_for_update()})
        open_cases = {
            account_id
            for chunk in in_chunks(ids)
            for account_id in LegalCase.objects.filter(account_id__in=chunk)
            .exclude(stage=LegalStage.CLOSED)
            .values_list("account_id", flat=True)
        }
        by_account, by_customer = _restarts(list(rows), sorted({a.customer_id for a in rows.values()}))
        rule = barred_rule()
        eligible: list[tuple[Account, dt.date]] = []
        for pk in ids:
            a = rows.get(pk)
            if a is None:
                refused.append(Refusal(pk, "account", "", f"no account {pk}"))
                continue
            default_on = _default_on(a, date)
            if a.status in (AccountStatus.CLOSED, AccountStatus.SETTLED):
                refused.append(Refusal(pk, "account", "", f"account {a.masked_number} is {a.status}"))
            elif pk in open_cases:
                refused.append(Refusal(pk, "account", "", f"account {a.masked_number} already has an open legal case"))
            elif _owed_fen(a) <= 0 or default_on is None:
                refused.append(Refusal(pk, "account", "", f"account {a.masked_number} owes nothing past due"))
            else:
                limit = limitation_of(
                    default_on=default_on, restarts=[by_account.get(pk), by_customer.get(a.customer_id)], on=date
                )
                if limit.time_barred:
                    refused.append(
                        Refusal(
                            pk,
                            "account",
                            rule,
                            f"{rule}: the debt of account {a.masked_number} is time-barred since "
                            f"{(limit.ends_on + dt.timedelta(days=1)).isoformat()}: no suing",
                        )
                    )
                else:
                    eligible.append((a, default_on))
        if not eligible:
            return Referred([], refused)
        now = clock.now()
        # The holds first, so that each case is inserted with its hold: no update afterwards.
        holds = [
            Hold(
                customer_id=a.customer_id,
                kind=HoldKind.ATTORNEY,
                channels=[],
                reason=HOLD_REASON.format(account=a.masked_number),
                starts_on=date,
                set_by=by,
                set_at=now,
            )
            for a, _ in eligible
        ]
        Hold.objects.bulk_create(holds, batch_size=2000)
        assert all(h.pk for h in holds), "the database returns the ids of bulk inserts (PostgreSQL, SQLite >= 3.35)"
        cases = [
            LegalCase(
                customer_id=a.customer_id,
                account_id=a.pk,
                kind=kind,
                stage=LegalStage.REFERRAL,
                referred_on=date,
                default_on=default_on,
                court=court[:120],
                amount_claimed_fen=_owed_fen(a),
                referred_by=actor,
                hold=hold,
            )
            for (a, default_on), hold in zip(eligible, holds, strict=True)
        ]
        LegalCase.objects.bulk_create(cases, batch_size=2000)
        StageEvent.objects.bulk_create(
            [StageEvent(case=c, stage=LegalStage.REFERRAL, on=date, by=actor) for c in cases], batch_size=2000
        )
        record_many(
            actor=actor,
            action="legal.refer",
            object_type="legal_case",
            items=[
                (c.pk, {"account": c.account_id, "kind": kind, "amount_claimed_fen": c.amount_claimed_fen, "on": date})
                for c in cases
            ],
        )
        created = cases
    return Referred(created, refused)


def _user_named(username: str) -> Any:
    from django.contrib.auth import get_user_model

    try:
        return get_user_model().objects.get(username=username)
    except ObjectDoesNotExist:
        raise NotFound(f"no user {username!r}", field="by") from None


def refer(*, account: Account, date: dt.date, by: Any, kind: str = LegalKind.LAWSUIT, court: str = "") -> LegalCase:
    """Refer one account; a refusal is raised naming the field and the rule."""
    result = refer_many([account.pk], date, by, kind=kind, court=court)
    if result.refused:
        r = result.refused[0]
        raise Conflict(r.message, field=r.field)
    return result.cases[0]


def _documents(documents: Sequence[tuple[str, bytes]] = (), text: str = "") -> list[dict[str, str]]:
    docs = [{"name": name[:120], "sha256": hashlib.sha256(content).hexdigest()} for name, content in documents]
    if text.strip():
        docs.append({"text": text.strip()[:2000]})
    return docs


def advance(
    *,
    case: LegalCase,
    to: str,
    on: dt.date,
    by: Any,
    business_date: dt.date,
    court: str | None = None,
    case_number: str | None = None,
    performance_due_on: dt.date | None = None,
    documents: Sequence[tuple[str, bytes]] = (),
    document_text: str = "",
    note: str = "",
) -> StageEvent:
    """Move a case to its next stage (or close it). Filing on a time-barred debt is refused (US-TBD /
    CN-LEGAL-LIMIT); closing lifts the hold."""
    if on > business_date:
        raise ValidationFailed(f"must not be after the business date {business_date.isoformat()}", field="date")
    with transaction.atomic():
        case = LegalCase.objects.select_for_update().get(pk=case.pk)
        last_on = case.events.aggregate(d=Max("on"))["d"] or case.referred_on
        try:
            rules.check_move(kind=case.kind, current=case.stage, to=to, on=on, last_on=last_on)
        except rules.StageRefused as exc:
            raise ValidationFailed(str(exc), field=exc.field) from None
        if to == LegalStage.FILING:
            limit = case_limitation(case, on=on)
            if limit.time_barred:
                rule = barred_rule()
                raise Conflict(
                    f"{rule}: the debt is time-barred since {(limit.ends_on + dt.timedelta(days=1)).isoformat()}: "
                    "no filing",
                    field="stage",
                )
            if not (court or case.court).strip():
                raise ValidationFailed("name the court the case is filed with", field="court")
        if performance_due_on is not None and performance_due_on < on:
            raise ValidationFailed("must not be before the stage's date", field="performance_due_on")
        before = {"stage": case.stage}
        case.stage = to
        if court is not None and court.strip():
            case.court = court.strip()[:120]
        if case_number is not None and case_number.strip():
            case.case_number = case_number.strip()[:64]
        if to == LegalStage.CLOSED:
            case.closed_on = on
        case.save(update_fields=["stage", "court", "case_number", "closed_on"])
        event = StageEvent.objects.create(
            case=case,
            stage=to,
            on=on,
            performance_due_on=performance_due_on,
            documents=_documents(documents, document_text),
            note=note.strip()[:200],
            by=by.get_username(),
        )
        if to == LegalStage.CLOSED and case.hold_id is not None:
            hold = Hold.objects.get(pk=case.hold_id)
            if hold.lifted_at is None:
                lift_hold(user=by, hold=hold, reason=f"legal case {case.pk} closed")
        record(
            actor=by.get_username(),
            action="legal.stage",
            object_type="legal_case",
            object_id=case.pk,
            before=before,
            after={"stage": to, "on": on, "documents": event.documents, "performance_due_on": performance_due_on},
        )
    return event


def _amount_fen(amount: Decimal | str, field: str = "amount") -> int:
    value = parse_amount(str(amount), field=field)
    if value <= 0:
        raise ValidationFailed("must be greater than zero", field=field, code="must_be_positive")
    if value != value.quantize(Decimal("0.01")):
        raise AmountError("has more than two decimals", field=field, code="too_many_decimals")
    return to_fen(value, field=field)


def award_costs(
    *, case: LegalCase, amount: Decimal | str, on: dt.date, by: Any, business_date: dt.date, note: str = ""
) -> CostAward:
    """Post the costs the court awarded (at judgment or later) through the ledger door, on the costs
    component: the balance rises by exactly the amount."""
    fen = _amount_fen(amount)
    if on > business_date:
        raise ValidationFailed(f"must not be after the business date {business_date.isoformat()}", field="date")
    with transaction.atomic():
        case = LegalCase.objects.select_for_update().get(pk=case.pk)
        if case.stage == LegalStage.CLOSED or rules.stage_index(case.stage) < rules.stage_index(LegalStage.JUDGMENT):
            raise Conflict("costs are awarded by a judgment: the case has not reached judgment", field="stage")
        n = CostAward.objects.filter(case=case).count() + 1
        reference = f"legal:{case.pk}:costs:{n}"
        award = CostAward.objects.create(
            case=case, amount_fen=fen, on=on, reference=reference, note=note.strip()[:200], by=by.get_username()
        )
        posting.post(
            [
                posting.Line(
                    account_id=case.account_id,
                    kind=EntryKind.COURT_COSTS,
                    component=Component.COSTS,
                    amount_fen=fen,
                    posting_date=business_date,
                    value_date=on,
                    reference=reference,
                    description=f"court costs, legal case {case.pk}",
                    explanation={"legal_case": case.pk, "rule": "court costs awarded"},
                )
            ]
        )
        record(
            actor=by.get_username(),
            action="legal.costs",
            object_type="legal_case",
            object_id=case.pk,
            after={"amount_fen": fen, "on": on, "reference": reference},
        )
    return award


def record_proceeds(
    *, case: LegalCase, amount: Decimal | str, on: dt.date, by: Any, business_date: dt.date, note: str = ""
) -> Proceeds:
    """Post what enforcement recovered as a payment (source ``legal:<case id>``): a recovery on a
    charged-off account, the payment waterfall otherwise."""
    fen = _amount_fen(amount)
    with transaction.atomic():
        case = LegalCase.objects.select_for_update().select_related("account").get(pk=case.pk)
        if case.stage != LegalStage.ENFORCEMENT:
            raise Conflict("proceeds come from enforcement: the case is not at enforcement", field="stage")
        n = Proceeds.objects.filter(case=case).count() + 1
        reference = f"legal:{case.pk}:proceeds:{n}"
        post_payment(
            actor=by.get_username(),
            payment=PaymentIn(
                account_number=case.account.number, amount=from_fen(fen), value_date=on, reference=reference
            ),
            business_date=business_date,
            source=f"legal:{case.pk}",
        )
        row = Proceeds.objects.create(
            case=case, amount_fen=fen, on=on, payment_reference=reference, note=note.strip()[:200], by=by.get_username()
        )
        record(
            actor=by.get_username(),
            action="legal.proceeds",
            object_type="legal_case",
            object_id=case.pk,
            after={"amount_fen": fen, "on": on, "payment": reference},
        )
    return row


def record_demand(
    *,
    case: LegalCase,
    on: dt.date,
    by: Any,
    business_date: dt.date,
    channel: str,
    evidence: str,
    receipt_proved: bool = False,
    kind: str = DemandKind.DEMAND,
    document: tuple[str, bytes] | None = None,
) -> EffectiveDemand:
    """Keep the evidence of an effective demand or an acknowledgment (restarts the limitation period)."""
    if kind not in DemandKind.values:
        raise ValidationFailed(f"must be one of {', '.join(DemandKind.values)}", field="kind")
    if channel not in tuple(Channel):
        raise ValidationFailed(f"must be one of {', '.join(Channel)}", field="channel")
    if not evidence.strip():
        raise ValidationFailed(
            "describe the evidence (a delivery receipt, a recording, a signed letter)", field="evidence"
        )
    if on > business_date:
        raise ValidationFailed(f"must not be after the business date {business_date.isoformat()}", field="date")
    if case.stage == LegalStage.CLOSED:
        raise Conflict("the case is closed", field="case")
    with transaction.atomic():
        row = EffectiveDemand.objects.create(
            case=case,
            kind=kind,
            on=on,
            channel=channel,
            receipt_proved=receipt_proved,
            evidence=evidence.strip()[:200],
            document_sha256=hashlib.sha256(document[1]).hexdigest() if document else "",
            by=by.get_username(),
        )
        record(
            actor=by.get_username(),
            action="legal.demand",
            object_type="legal_case",
            object_id=case.pk,
            after={"kind": kind, "on": on, "channel": channel, "receipt_proved": receipt_proved},
        )
    return row


def police_referral(case: LegalCase, *, on: dt.date) -> rules.PoliceReferral:
    """CN-LEGAL-FRAUD on this case's evidence and the account's last payment."""
    demands = [rules.Demand(d.on, d.receipt_proved) for d in case.demands.filter(kind=DemandKind.DEMAND)]
    last_payment = Payment.objects.filter(account_id=case.account_id, value_date__lte=on).aggregate(
        d=Max("value_date")
    )["d"]
    return rules.police_referral(demands=demands, last_payment_on=last_payment, on=on)


def reached_stages(customer_ids: Iterable[int] | QuerySet[Any, Any]) -> dict[int, frozenset[str]]:
    """Per customer, every legal stage any of their cases reached (from the stage events, so a closed
    case keeps what it reached): what the wording check lets a message claim. One query; the ids may
    be a queryset (a subquery)."""
    ids: Any = customer_ids if isinstance(customer_ids, QuerySet) else list(customer_ids)
    found: dict[int, set[str]] = {}
    for customer_id, stage in (
        StageEvent.objects.filter(case__customer_id__in=ids).values_list("case__customer_id", "stage").distinct()
    ):
        found.setdefault(customer_id, set()).add(stage)
    return {c: frozenset(s) for c, s in found.items()}


def get_case(pk: int) -> LegalCase:
    try:
        return LegalCase.objects.select_related("customer", "account").get(pk=pk)
    except LegalCase.DoesNotExist:
        raise NotFound(f"no legal case {pk}", field="case") from None


def counts_by_stage() -> dict[str, int]:
    return dict(LegalCase.objects.values("stage").annotate(n=Count("id")).values_list("stage", "n"))

"""The cycle's `apply_strategy` step and the dry run (`arrears strategy preview`).

Set-based: over the customers lo <= id < hi, the facts of every account the strategy may concern
(past due, charged off, or on a path) in one query, their cases, holds, open enrolments and the
actions already taken that date in one query each; the decisions by the pure `rules.decide`; then
bulk writes: enrolments started and ended, actions, messages through the compliance gate (the gate's
facts for all their customers in five queries), cases put at the head of their call queue, and one
audit insert. The number of statements does not depend on the number of accounts.

Idempotent: an action is unique per (account, date, rule), and an account whose path already went
past the date (an enrolment started or ended after it) is left alone.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
from collections import Counter, defaultdict
from typing import Any

from django.conf import settings
from django.db.models import Exists, F, OuterRef, Q, Subquery
from django.template import Context, Template

from arrears.application.contact_gate import judge, load_known, pack_on
from arrears.application.outreach import unsubscribe_url
from arrears.audit.operations import record_many
from arrears.cases.models import Case, CaseStatus
from arrears.compliance.model import Contact as GateContact
from arrears.holds.models import Hold
from arrears.kernel import clock
from arrears.kernel.sql import in_chunks, insert_objects, update_objects
from arrears.ledger.models import Account, AccountStatus, Customer, Entry
from arrears.money import format_fen, from_fen
from arrears.outreach import channels, letters
from arrears.outreach.models import Message, MessageStatus, MessageTemplate, TemplateStatus
from arrears.scoring.operations import latest_points
from arrears.strategy import hooks, rules
from arrears.strategy.models import Enrolment, Outcome, Strategy, StrategyAction, StrategyVersion, VersionStatus

# A case the strategy puts in the call queue is served first: above every bucket's priority tier.
CALL_QUEUE_PRIORITY = 8 * 10**9
HOLD_FLAGS = ("dispute", "cease", "attorney", "bankruptcy", "deceased", "complaint")
ACTOR = "strategy"
CLOSED_STATUSES = (AccountStatus.SETTLED, AccountStatus.CLOSED)


@dataclasses.dataclass(frozen=True)
class InForce:
    strategy: Strategy
    version: StrategyVersion
    definition: rules.Definition


def in_force(day: dt.date, code: str | None = None) -> InForce | None:
    """The approved version in force on `day` of strategy `code` (default: the live strategy)."""
    versions = StrategyVersion.objects.filter(status=VersionStatus.APPROVED, effective_from__lte=day)
    versions = versions.filter(strategy__code=code) if code else versions.filter(strategy__live=True)
    version = versions.select_related("strategy").order_by("-effective_from", "-version").first()
    if version is None:
        return None
    return InForce(version.strategy, version, rules.parse(version.definition))


@dataclasses.dataclass
class Row:
    """One account's facts and what the strategy decided for it."""

    facts: rules.Facts
    who: tuple[int, str, str, str, str, str, str]  # customer id, name, mobile, e-mail, address, language, zone
    case_id: int | None
    past_due_fen: int
    number: str
    decision: rules.Decision
    enrolment: Enrolment | None

    @functools.cached_property
    def customer(self) -> Customer:
        """The customer as the gate and the templates need it (made only for the rows contacted)."""
        cid, name, mobile, email, address, language, time_zone = self.who
        return Customer(
            id=cid, name=name, mobile=mobile, email=email, address=address, language=language, time_zone=time_zone
        )


def _rows(day: dt.date, lo: int, hi: int, force: InForce) -> list[Row]:
    """The decisions for the accounts of customers lo <= id < hi: four queries."""
    open_enrolment = Enrolment.objects.filter(account_id=OuterRef("pk"), strategy=force.strategy, ended_on__isnull=True)
    last_payment = (
        Entry.objects.filter(account_id=OuterRef("pk"), kind="payment", posting_date__lt=day)
        .order_by("-posting_date")
        .values("posting_date")[:1]
    )
    accounts = (
        Account.objects.filter(customer_id__gte=lo, customer_id__lt=hi)
        .filter(
            Q(dpd__gt=0, status__in=[AccountStatus.OPEN, AccountStatus.BLOCKED])
            | Q(status=AccountStatus.CHARGED_OFF)
            | Exists(open_enrolment)
        )
        .annotate(
            product_code=F("product__code"),
            last_paid=Subquery(last_payment),
            c_name=F("customer__name"),
            c_mobile=F("customer__mobile"),
            c_email=F("customer__email"),
            c_address=F("customer__address"),
            c_language=F("customer__language"),
            c_time_zone=F("customer__time_zone"),
        )
        .values_list(
            "id",
            "customer_id",
            "number",
            "status",
            "dpd",
            "bucket",
            "principal_fen",
            "interest_fen",
            "fees_fen",
            "plan_fen",
            "charged_off_fen",
            "recovered_fen",
            "product_code",
            "last_paid",
            "c_name",
            "c_mobile",
            "c_email",
            "c_address",
            "c_language",
            "c_time_zone",
        )
        .order_by("id")
    )
    cases = {
        cid: (case_id, status, last_contact, past_due)
        for cid, case_id, status, last_contact, past_due in Case.objects.filter(customer_id__gte=lo, customer_id__lt=hi)
        .exclude(status=CaseStatus.CLOSED)
        .values_list("customer_id", "id", "status", "last_contact_at", "past_due_fen")
    }
    holds: dict[int, set[str]] = defaultdict(set)
    for cid, kind in (
        Hold.objects.filter(customer_id__gte=lo, customer_id__lt=hi, lifted_at__isnull=True, starts_on__lte=day)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=day))
        .values_list("customer_id", "kind")
    ):
        holds[cid].add(kind)
    enrolments: dict[int, Enrolment] = {}
    passed: set[int] = set()
    for found in Enrolment.objects.filter(
        strategy=force.strategy, account__customer_id__gte=lo, account__customer_id__lt=hi
    ).filter(Q(ended_on__isnull=True) | Q(ended_on__gt=day) | Q(started_on__gt=day)):
        if found.started_on > day or (found.ended_on is not None and found.ended_on > day):
            passed.add(found.account_id)  # the cycle already went past this date for the account
        elif found.ended_on is None:
            enrolments[found.account_id] = found
    models = force.definition.score_models
    points = latest_points(customers=(lo, hi), labels=models, day=day) if models else {}
    rows = []
    for (
        account_id,
        customer_id,
        number,
        status,
        dpd,
        bucket,
        principal,
        interest,
        fees,
        plan,
        charged_off,
        recovered,
        product,
        last_paid,
        name,
        mobile,
        email,
        address,
        language,
        time_zone,
    ) in accounts:
        if account_id in passed:
            continue
        case_id, case_status, last_contact, past_due = cases.get(customer_id, (None, None, None, 0))
        flags = {k for k in holds.get(customer_id, ()) if k in HOLD_FLAGS}
        if plan > 0 or case_status == CaseStatus.IN_PLAN:
            flags.add("in_plan")
        if case_status == CaseStatus.PROMISED:
            flags.add("promised")
        if status == AccountStatus.CHARGED_OFF:
            flags.add("charged_off")
        facts = rules.Facts(
            account_id=account_id,
            bucket=bucket,
            dpd=dpd,
            # settled or closed: nothing more is collected, whatever the books still show
            balance_fen=0
            if status in CLOSED_STATUSES
            else principal + interest + fees + plan + charged_off - recovered,
            product=product,
            flags=frozenset(flags),
            days_since_payment=(day - last_paid).days if last_paid else None,
            days_since_contact=(day - last_contact.astimezone(clock.bank_zone()).date()).days if last_contact else None,
            scores={m: by[account_id] for m, by in points.items() if account_id in by},
        )
        enrolment = enrolments.get(account_id)
        enrolled = rules.Enrolled(enrolment.segment, enrolment.started_on) if enrolment else None
        rows.append(
            Row(
                facts=facts,
                who=(customer_id, name, mobile, email, address, language, time_zone),
                case_id=case_id,
                past_due_fen=past_due,
                number=number,
                decision=rules.decide(force.definition, force.strategy.code, facts, enrolled, day),
                enrolment=enrolment,
            )
        )
    return rows


def _existing(day: dt.date, lo: int, hi: int) -> set[tuple[int, str]]:
    return set(
        StrategyAction.objects.filter(
            business_date=day, account__customer_id__gte=lo, account__customer_id__lt=hi
        ).values_list("account_id", "rule")
    )


def apply_strategy(day: dt.date, lo: int, hi: int) -> int:
    """The live strategy's actions of `day` for the accounts of customers lo <= id < hi; returns how many."""
    force = in_force(day)
    if force is None:
        return 0
    rows = _rows(day, lo, hi, force)
    done = _existing(day, lo, hi)
    ended: list[Enrolment] = []
    started: list[Enrolment] = []
    actions: list[StrategyAction] = []
    due: list[tuple[Row, rules.PathStep]] = []
    for row in rows:
        decision = row.decision
        if decision.end and row.enrolment is not None:
            row.enrolment.ended_on, row.enrolment.exit = day, decision.end
            ended.append(row.enrolment)
        if decision.start and decision.segment:
            started.append(
                Enrolment(
                    account_id=row.facts.account_id,
                    strategy=force.strategy,
                    version=force.version,
                    segment=decision.segment,
                    arm=decision.arm,
                    started_on=day,
                )
            )
        if decision.step is not None and (row.facts.account_id, decision.step.rule) not in done:
            due.append((row, decision.step))
    update_objects(ended, ["ended_on", "exit"])
    insert_objects(started)
    if not due:
        return 0
    outcomes = _carry_out(day, force, due)
    for (row, step), (outcome, reason, message) in zip(due, outcomes, strict=True):
        actions.append(
            StrategyAction(
                business_date=day,
                account_id=row.facts.account_id,
                customer_id=row.who[0],
                case_id=row.case_id,
                version=force.version,
                segment=row.decision.segment or "",
                arm=row.decision.arm,
                rule=step.rule,
                kind=step.action,
                template=step.template,
                detail=step.detail,
                outcome=outcome,
                reason=reason[:200],
                message=message,
            )
        )
    insert_objects(actions)
    record_many(
        actor=ACTOR,
        action="strategy.action",
        object_type="account",
        items=[
            (
                a.account_id,
                {
                    "date": day,
                    "rule": a.rule,
                    "segment": a.segment,
                    "arm": a.arm,
                    "kind": a.kind,
                    "outcome": a.outcome,
                    # a message's audit is its action's: which message, to whom, and how the gate decided
                    **(
                        {"message": a.message.pk, "customer": a.customer_id, "status": a.message.status}
                        if a.message is not None
                        else {}
                    ),
                },
            )
            for a in actions
        ],
    )
    hooks.dispatch(day, [a for a in actions if a.outcome == Outcome.REQUESTED])
    return len(actions)


Result = tuple[str, str, Message | None]


def _carry_out(day: dt.date, force: InForce, due: list[tuple[Row, rules.PathStep]]) -> list[Result]:
    """Each due step's outcome: messages through the gate, call-queue priority, requests recorded."""
    results: list[Result] = [(Outcome.DONE, "", None)] * len(due)
    contacting = [i for i, (_, step) in enumerate(due) if step.action in (*rules.MESSAGE_ACTIONS, "field_visit")]
    if contacting:
        _contact(day, force, due, contacting, results)
    boost = []
    for i, (row, step) in enumerate(due):
        if step.action == "call_queue":
            if row.case_id is None:
                results[i] = (Outcome.SKIPPED, "no open case", None)
            else:
                boost.append(row.case_id)
        elif step.action in ("agency_placement", "legal_referral"):
            results[i] = (Outcome.REQUESTED, "", None)
    if boost:
        Case.objects.filter(id__in=sorted(set(boost)), priority__lt=CALL_QUEUE_PRIORITY).update(
            priority=F("priority") + CALL_QUEUE_PRIORITY
        )
    return results


def _contact(
    day: dt.date, force: InForce, due: list[tuple[Row, rules.PathStep]], which: list[int], results: list[Result]
) -> None:
    at = clock.now()
    pack = pack_on(day)
    codes = {step.template for _, step in due if step.template}
    templates = {
        (t.code, t.channel, t.language): t
        for t in MessageTemplate.objects.filter(code__in=sorted(codes), status=TemplateStatus.APPROVED)
    }
    known = load_known(sorted({due[i][0].who[0] for i in which}), at=at)
    messages: list[tuple[int, Message]] = []
    for i in which:
        row, step = due[i]
        customer = row.customer
        channel = "visit" if step.action == "field_visit" else step.action
        address = {"sms": customer.mobile, "email": customer.email, "letter": customer.address}.get(
            channel, customer.address
        )
        if not address:
            results[i] = (Outcome.SKIPPED, f"no {channel} address", None)
            continue
        template = None
        text = None
        if channel != "visit":
            template = templates.get((step.template, channel, customer.language)) or next(
                (t for (c, ch, _), t in sorted(templates.items()) if c == step.template and ch == channel), None
            )
            if template is None:
                results[i] = (Outcome.SKIPPED, f"no approved {channel} template {step.template!r}", None)
                continue
            text = _render(template.body, row)
        verdict = judge(
            pack=pack,
            customer=customer,
            known=known[customer.pk],
            channel=channel,
            address=address,
            at=at,
            text=text,
            purpose="collection",
        )
        if channel == "visit":
            results[i] = (
                (Outcome.REQUESTED, "", None) if verdict.allowed else (Outcome.REFUSED, " ".join(verdict.rules), None)
            )
            continue
        assert template is not None and text is not None
        message = Message(
            customer_id=customer.pk,
            case_id=row.case_id,
            template=template,
            channel=channel,
            purpose="collection",
            address=address,
            language=template.language,
            subject=_render(template.subject, row) if template.subject else "",
            body=text,
            decision=verdict.as_dict(),
            created_at=at,
            created_by=ACTOR,
            dedupe_key=_dedupe(row.facts.account_id, day, step.rule),
            status=MessageStatus.SENT if verdict.allowed else MessageStatus.BLOCKED,
        )
        if verdict.allowed:
            # what the gate counts next (daily and weekly limits) includes what this run sends
            known[customer.pk].history.append(
                GateContact(at=at, channel=channel, party="p-cardholder", address=address, outcome="delivered")
            )
            results[i] = (Outcome.DONE, "", message)
        else:
            results[i] = (Outcome.REFUSED, " ".join(verdict.rules), message)
        messages.append((i, message))
    _send([m for _, m in messages], day, {id(m): due[i][0] for i, m in messages})
    _insert_messages([m for _, m in messages])
    for i, message in messages:
        outcome, reason, _ = results[i]
        results[i] = (outcome, reason, message)


def _insert_messages(messages: list[Message]) -> None:
    """Texts and e-mails in one statement (their rows as one JSON parameter), then their ids by their
    dedupe keys (one query per 5,000); letters, which carry a PDF, by Django's bulk insert."""
    plain = [m for m in messages if m.document is None]
    insert_objects(plain)
    ids: dict[str | None, int] = {}
    for keys in in_chunks([m.dedupe_key for m in plain]):
        ids.update(Message.objects.filter(dedupe_key__in=keys).values_list("dedupe_key", "id"))
    for m in plain:
        m.pk = ids[m.dedupe_key]
    Message.objects.bulk_create([m for m in messages if m.document is not None], batch_size=500)


def _send(messages: list[Message], day: dt.date, rows: dict[int, Row]) -> None:
    sms = [m for m in messages if m.status == MessageStatus.SENT and m.channel == "sms"]
    for m in sms:
        m.body = f"{m.body} {'回复TD退订' if m.language == 'zh-hans' else 'Reply STOP to opt out'}"
    try:
        refs = channels.send_sms_batch([(m.address, m.body) for m in sms]) if sms else []
    except channels.SendFailed as exc:
        for m in sms:
            m.status, m.error = MessageStatus.FAILED, str(exc)[:300]
    else:
        for m, ref in zip(sms, refs, strict=True):
            m.provider_ref = ref
    for m in messages:
        if m.status != MessageStatus.SENT or m.channel == "sms":
            continue
        row = rows[id(m)]
        try:
            if m.channel == "email":
                link = unsubscribe_url(row.customer, "email")
                m.body += ("\n\n退订：" if m.language == "zh-hans" else "\n\nUnsubscribe: ") + link
                m.provider_ref = channels.send_email(
                    to=m.address,
                    subject=m.subject or (m.template.code if m.template else ""),
                    body=m.body,
                    unsubscribe_url=link,
                )
            else:
                m.document = letters.render_pdf(_letter(row, m, day))
        except channels.SendFailed as exc:
            m.status, m.error = MessageStatus.FAILED, str(exc)[:300]


def _letter(row: Row, message: Message, day: dt.date) -> letters.LetterContent:
    issuer = settings.ARREARS_ISSUER
    language = message.language
    items = letters.standard_items(
        language=language,
        issuer=issuer,
        balance=f"{from_fen(max(row.facts.balance_fen, 0)):,.2f}",
        to_bring_current=f"{from_fen(min(row.past_due_fen, max(row.facts.balance_fen, 0))):,.2f}",
        pay_by=letters.letter_date(letters.pay_by(day), language),
        accounts=[row.number],
    )
    return letters.LetterContent(
        language=language,
        issuer=issuer["name"],
        date=letters.letter_date(day, language),
        name=row.customer.name,
        address=row.customer.address,
        body=message.body,
        **items,
    )


@functools.lru_cache(maxsize=64)
def _compiled(text: str) -> Template:
    return Template(text)


def _render(text: str, row: Row) -> str:
    issuer = settings.ARREARS_ISSUER
    context = {
        "name": row.customer.name,
        "balance": format_fen(max(row.facts.balance_fen, 0)),
        "account": row.number[-4:],
        "accounts": row.number[-4:],
        "issuer": issuer["name"],
        "issuer_phone": issuer["phone"],
        "dpd": row.facts.dpd,
    }
    return _compiled(text).render(Context(context, autoescape=False))


def _dedupe(account_id: int, day: dt.date, rule: str) -> str:
    return f"strategy:{account_id}:{day.isoformat()}:{hashlib.sha256(rule.encode()).hexdigest()[:16]}"


# --- the dry run --------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Preview:
    strategy: str
    version: int
    day: dt.date
    actions: Counter[tuple[str, str, str]]  # (segment, arm, action) -> accounts
    entering: Counter[str]  # segment -> accounts starting its path
    exiting: Counter[str]  # exit condition -> accounts leaving a path

    def as_dict(self) -> dict[str, Any]:
        return {
            "strategy": self.strategy,
            "version": self.version,
            "date": self.day.isoformat(),
            "actions": [
                {"segment": s, "arm": a, "action": k, "count": n} for (s, a, k), n in sorted(self.actions.items())
            ],
            "entering": dict(sorted(self.entering.items())),
            "exiting": dict(sorted(self.exiting.items())),
            "total": sum(self.actions.values()),
        }


def preview(day: dt.date, code: str | None = None) -> Preview | None:
    """What the strategy would do on `day` with what is recorded now, without doing any of it."""
    force = in_force(day, code)
    if force is None:
        return None
    bounds = Customer.objects.order_by("-id").values_list("id", flat=True).first() or 0
    rows = _rows(day, 0, bounds + 1, force)
    done = _existing(day, 0, bounds + 1)
    actions: Counter[tuple[str, str, str]] = Counter()
    entering: Counter[str] = Counter()
    exiting: Counter[str] = Counter()
    for row in rows:
        d = row.decision
        if d.start and d.segment:
            entering[d.segment] += 1
        if d.end and row.enrolment is not None:
            exiting[d.end] += 1
        if d.step is not None and (row.facts.account_id, d.step.rule) not in done:
            actions[d.segment or "", d.arm, d.step.action] += 1
    return Preview(force.strategy.code, force.version.version, day, actions, entering, exiting)

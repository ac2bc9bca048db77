"""Templates (maker, then a different checker), messages through the compliance gate, delivery
status, opt-out replies and links, and the due-date reminders of the daily cycle (CN-REMIND)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import Max, Q, Sum
from django.template import Context, Template, TemplateSyntaxError

from arrears.application.contact_gate import check_customer_contact, judge, load_known, pack_on
from arrears.application.figures import customer_figures
from arrears.audit.operations import record, record_many
from arrears.cases.models import Case
from arrears.compliance.wording import check_wording
from arrears.errors import ContactNotAllowed, NotFound, ValidationFailed
from arrears.holds.models import AmountHold
from arrears.holds.operations import opt_out
from arrears.kernel import clock
from arrears.ledger.models import Account, AccountStatus, Customer
from arrears.money import format_fen, from_fen
from arrears.outreach import channels, letters
from arrears.outreach.models import Message, MessageStatus, MessageTemplate, TemplateChannel, TemplateStatus
from arrears.people.models import Role
from arrears.people.operations import roles_of
from arrears.statements.models import Statement

OPT_OUT_WORDS = {"td", "t", "退订", "stop", "unsubscribe", "n"}
OPT_OUT_SALT = "arrears.optout"


# --- templates ---------------------------------------------------------------------------------


def create_template(
    *, user: Any, code: str, channel: str, language: str, body: str, subject: str = ""
) -> MessageTemplate:
    if channel not in TemplateChannel.values:
        raise ValidationFailed(f"must be one of {', '.join(TemplateChannel.values)}", field="channel")
    if language not in ("zh-hans", "en"):
        raise ValidationFailed("must be zh-hans or en", field="language")
    if not body.strip():
        raise ValidationFailed("must not be empty", field="body")
    try:
        Template(body)
    except TemplateSyntaxError as exc:
        raise ValidationFailed(f"is not a valid template: {exc}", field="body") from None
    with transaction.atomic():
        latest = MessageTemplate.objects.filter(code=code, channel=channel, language=language).aggregate(
            v=Max("version")
        )["v"]
        template = MessageTemplate.objects.create(
            code=code,
            channel=channel,
            language=language,
            version=(latest or 0) + 1,
            subject=subject,
            body=body,
            created_by=user,
            created_at=clock.now(),
        )
        record(
            actor=user.get_username(),
            action="template.create",
            object_type="template",
            object_id=template.pk,
            after={"code": code, "channel": channel, "language": language, "version": template.version},
        )
    return template


def wording_findings(template: MessageTemplate, *, business_date: dt.date) -> list[str]:
    pack = pack_on(business_date).code
    text = f"{template.subject}\n{template.body}"
    return [
        f"{f.rule} {f.category}: {f.phrase}"
        for f in check_wording(text, language=template.language, to_third_party=False, pack=pack)
    ]


def approve_template(*, user: Any, template: MessageTemplate, business_date: dt.date) -> MessageTemplate:
    """A compliance officer other than the author approves; a template failing the wording check cannot be."""
    if not (user.is_superuser or Role.COMPLIANCE_OFFICER in roles_of(user)):
        raise ValidationFailed("only a compliance officer approves templates", field="user")
    if template.created_by_id == user.pk:
        raise ValidationFailed("the author of a template cannot approve it", field="user")
    if template.status != TemplateStatus.DRAFT:
        raise ValidationFailed(f"the template is {template.status}", field="template")
    findings = wording_findings(template, business_date=business_date)
    if findings:
        raise ValidationFailed("prohibited wording: " + "; ".join(findings), field="body")
    with transaction.atomic():
        MessageTemplate.objects.filter(
            code=template.code, channel=template.channel, language=template.language, status=TemplateStatus.APPROVED
        ).update(status=TemplateStatus.RETIRED)
        template.status, template.approved_by, template.approved_at = (
            TemplateStatus.APPROVED,
            user,
            clock.now(),
        )
        template.save(update_fields=["status", "approved_by", "approved_at"])
        record(actor=user.get_username(), action="template.approve", object_type="template", object_id=template.pk)
    return template


def approved_template(code: str, channel: str, language: str) -> MessageTemplate:
    template = MessageTemplate.objects.filter(
        code=code, channel=channel, language=language, status=TemplateStatus.APPROVED
    ).first()
    if template is None:
        raise NotFound(f"no approved {channel} template {code!r} in {language}", field="template")
    return template


# --- sending -----------------------------------------------------------------------------------


def _context(customer: Customer, accounts: list[Account], language: str) -> dict[str, Any]:
    owed = sum(a.balance_fen for a in accounts)
    issuer = settings.ARREARS_ISSUER
    return {
        "name": customer.name,
        "balance": format_fen(owed),
        "issuer": issuer["name"],
        "issuer_phone": issuer["phone"],
        "accounts": ", ".join(a.number[-4:] for a in accounts),
        "language": language,
    }


def unsubscribe_url(customer: Customer, channel: str) -> str:
    token = signing.dumps({"c": customer.pk, "ch": channel}, salt=OPT_OUT_SALT)
    return f"{settings.ARREARS_PUBLIC_URL}/optout/{token}/"


def send_message(
    *,
    actor: str,
    customer: Customer,
    channel: str,
    template_code: str,
    business_date: dt.date,
    case: Case | None = None,
    purpose: str = "collection",
    extra: dict[str, Any] | None = None,
) -> Message:
    """Render the approved template, ask the gate, and send (or record the block). Raises
    ContactNotAllowed when blocked, after recording the blocked message with its decision."""
    language = customer.language
    template = approved_template(template_code, channel, language)
    accounts = list(customer.accounts.exclude(status=AccountStatus.CLOSED).order_by("id"))
    context = {**_context(customer, accounts, language), **(extra or {})}
    body = Template(template.body).render(Context(context, autoescape=False))
    subject = Template(template.subject).render(Context(context, autoescape=False)) if template.subject else ""
    address = {"sms": customer.mobile, "email": customer.email, "letter": customer.address}[channel]
    if not address:
        raise ValidationFailed(f"the customer has no {channel} address", field="address")
    at = clock.now()
    verdict = check_customer_contact(
        customer=customer, channel=channel, address=address, at=at, text=body, purpose=purpose
    )
    message = Message(
        customer=customer,
        case=case,
        template=template,
        channel=channel,
        purpose=purpose,
        address=address,
        language=language,
        subject=subject,
        body=body,
        decision=verdict.as_dict(),
        created_at=at,
        created_by=actor,
        status=MessageStatus.BLOCKED,
    )
    if verdict.allowed:
        try:
            if channel == "email":
                footer = ("\n\n退订：" if language == "zh-hans" else "\n\nUnsubscribe: ") + unsubscribe_url(
                    customer, "email"
                )
                message.body = body + footer
                message.provider_ref = channels.send_email(
                    to=address,
                    subject=subject or template.code,
                    body=message.body,
                    unsubscribe_url=unsubscribe_url(customer, "email"),
                )
            elif channel == "sms":
                suffix = "回复TD退订" if language == "zh-hans" else "Reply STOP to opt out"
                message.body = f"{body} {suffix}"
                message.provider_ref = channels.send_sms_batch([(address, message.body)])[0]
            else:
                message.document = letters.render_pdf(_letter(customer, accounts, body, language, business_date))
            message.status = MessageStatus.SENT
        except channels.SendFailed as exc:
            message.status, message.error = MessageStatus.FAILED, str(exc)[:300]
    with transaction.atomic():
        message.save()
        record(
            actor=actor,
            action=f"message.{message.status}",
            object_type="customer",
            object_id=customer.pk,
            after={"message": message.pk, "channel": channel, "template": str(template), "rules": verdict.rules},
        )
    if not verdict.allowed:
        raise ContactNotAllowed("; ".join(verdict.reasons), decision=verdict.as_dict(), field="channel")
    return message


def _letter(
    customer: Customer, accounts: list[Account], body: str, language: str, business_date: dt.date
) -> letters.LetterContent:
    issuer = settings.ARREARS_ISSUER
    figures = customer_figures(customer.pk, business_date=business_date).get(customer.pk)
    open_ids = {a.pk for a in accounts}
    due_fen = sum(f.to_bring_current_fen for f in figures.accounts if f.account_id in open_ids) if figures else 0
    # CN-LETTER: a disputed amount is annotated on the balance and not demanded until the dispute is decided.
    disputed_fen = _disputed_fen(open_ids, business_date)
    items = letters.standard_items(
        language=language,
        issuer=issuer,
        balance=_amount(sum(a.balance_fen for a in accounts)),
        to_bring_current=_amount(max(0, due_fen - disputed_fen)),
        pay_by=letters.letter_date(letters.pay_by(business_date), language),
        accounts=[a.number for a in accounts],
    )
    if disputed_fen:
        items["balance"] += (
            f"，其中人民币 {_amount(disputed_fen)} 元存在异议，异议处理完毕前不予催收"
            if language == "zh-hans"
            else f", of which CNY {_amount(disputed_fen)} is under dispute and is not asked for until it is decided"
        )
    return letters.LetterContent(
        language=language,
        issuer=issuer["name"],
        date=letters.letter_date(business_date, language),
        name=customer.name,
        address=customer.address,
        body=body,
        **items,
    )


def _disputed_fen(account_ids: Collection[int], day: dt.date) -> int:
    held = AmountHold.objects.filter(account_id__in=list(account_ids), lifted_at__isnull=True, starts_on__lte=day)
    return int(held.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=day)).aggregate(s=Sum("amount_fen"))["s"] or 0)


def _amount(fen: int) -> str:
    """A letter's amount: thousands separators and two decimals (12,345.67)."""
    return f"{from_fen(fen):,.2f}"


def record_delivery(
    *,
    actor: str,
    provider_ref: str,
    status: str,
    at: dt.datetime | None = None,
    channels: Collection[str] | None = None,
) -> Message:
    """A provider's delivery receipt; `channels` limits it to the messages of those channels (a provider
    sees only its own: another's reference is unknown to it)."""
    if status not in (MessageStatus.DELIVERED, MessageStatus.FAILED, MessageStatus.BOUNCED):
        raise ValidationFailed("must be delivered, failed or bounced", field="status")
    messages = Message.objects.filter(provider_ref=provider_ref) if provider_ref else Message.objects.none()
    if channels is not None:
        messages = messages.filter(channel__in=channels)
    message = messages.first()
    if message is None:
        raise NotFound(f"no message with provider reference {provider_ref!r}", field="provider_ref")
    with transaction.atomic():
        message.status = status
        message.delivered_at = (at or clock.now()) if status == MessageStatus.DELIVERED else None
        message.save(update_fields=["status", "delivered_at"])
        record(
            actor=actor,
            action="message.delivery",
            object_type="message",
            object_id=message.pk,
            after={"status": status},
        )
    return message


def handle_sms_reply(*, actor: str, from_number: str, text: str) -> int:
    """An SMS reply: an opt-out word (TD, 退订, STOP…) opts every customer with that number out of SMS.
    Returns how many; a door facing the outside must not tell (it would reveal who is a customer)."""
    if text.strip().casefold() not in OPT_OUT_WORDS or not from_number.strip():
        return 0
    customers = list(Customer.objects.filter(mobile=from_number.strip()))
    for customer in customers:
        opt_out(actor=actor, customer=customer, channel="sms", source=f"reply {text.strip()!r}")
    return len(customers)


def opt_out_by_link(token: str) -> Customer:
    try:
        data = signing.loads(token, salt=OPT_OUT_SALT)
    except signing.BadSignature:
        raise ValidationFailed("this opt-out link is not valid", field="token") from None
    customer = Customer.objects.get(pk=data["c"])
    opt_out(actor="optout-link", customer=customer, channel=data["ch"], source="link")
    return customer


# --- CN-REMIND: reminders before due dates, sent by the cycle ------------------------------------


def send_due_reminders(d: dt.date, lo: int, hi: int) -> int:
    """SMS every customer whose statement (of accounts lo <= id < hi) falls due in N days with its
    minimum unpaid; once each.

    Bulk: the statements, the customers' compliance facts and the existing reminders in a fixed
    number of queries; one outbox write and one bulk insert for the lot.
    """
    due = d + dt.timedelta(days=settings.ARREARS_REMIND_DAYS_BEFORE)
    statements = list(
        Statement.objects.filter(
            due_date=due,
            minimum_unpaid_fen__gt=0,
            account__status__in=[AccountStatus.OPEN, AccountStatus.BLOCKED],
            account_id__gte=lo,
            account_id__lt=hi,
        ).select_related("account__customer")
    )
    templates = {
        t.language: t
        for t in MessageTemplate.objects.filter(code="due_reminder", channel="sms", status=TemplateStatus.APPROVED)
    }
    if not statements or not templates:
        return 0
    done = set(
        Message.objects.filter(dedupe_key__in=[f"remind:{s.pk}" for s in statements]).values_list(
            "dedupe_key", flat=True
        )
    )
    at = clock.now()
    pack = pack_on(d)
    known = load_known([s.account.customer_id for s in statements], at=at)
    outgoing: list[tuple[Message, str]] = []
    for s in statements:
        customer = s.account.customer
        template = templates.get(customer.language) or next(iter(templates.values()))
        key = f"remind:{s.pk}"
        if key in done or not customer.mobile:
            continue
        body = Template(template.body).render(
            Context(
                {
                    "name": customer.name,
                    "amount": format_fen(s.minimum_payment_fen),
                    "due_date": s.due_date.isoformat(),
                    "account": s.account.number[-4:],
                    "issuer": settings.ARREARS_ISSUER["name"],
                },
                autoescape=False,
            )
        )
        verdict = judge(
            pack=pack,
            customer=customer,
            known=known[customer.pk],
            channel="sms",
            address=customer.mobile,
            at=at,
            text=body,
            purpose="collection",
        )
        message = Message(
            customer=customer,
            template=template,
            channel="sms",
            purpose="reminder",
            address=customer.mobile,
            language=template.language,
            body=body,
            decision=verdict.as_dict(),
            created_at=at,
            created_by="cycle",
            dedupe_key=key,
            status=MessageStatus.SENT if verdict.allowed else MessageStatus.BLOCKED,
        )
        outgoing.append((message, body))
    sendable = [m for m, _ in outgoing if m.status == MessageStatus.SENT]
    refs = channels.send_sms_batch([(m.address, m.body) for m in sendable]) if sendable else []
    for message, ref in zip(sendable, refs, strict=True):
        message.provider_ref = ref
    Message.objects.bulk_create([m for m, _ in outgoing], batch_size=2000)
    record_many(
        actor="cycle",
        action="message.reminder",
        object_type="customer",
        items=[(m.customer_id, {"status": m.status, "due": due}) for m, _ in outgoing],
    )
    return len(sendable)

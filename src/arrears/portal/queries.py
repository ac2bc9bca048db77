"""What a signed-in cardholder may see: everything is looked up through their own customer record, so an id
of another customer's statement, plan or letter is simply not found."""

from __future__ import annotations

from django.db.models import QuerySet

from arrears.cases.models import Case, CaseStatus
from arrears.disputes.models import Dispute
from arrears.disputes.rules import LINE_KINDS
from arrears.errors import NotFound
from arrears.holds.models import ChannelOptOut
from arrears.inquiries.models import Survey, SurveyChannel
from arrears.ledger.models import Account, Customer, Entry
from arrears.outreach.models import Message, MessageStatus, TemplateChannel
from arrears.payments.models import Checkout
from arrears.plans.models import Plan, PlanStatus
from arrears.statements.models import Statement

# Cases on which the cardholder can still promise (not in a plan, with an agency, in legal or closed).
PROMISABLE = (CaseStatus.OPEN, CaseStatus.PROMISED)


def accounts(customer: Customer) -> QuerySet[Account]:
    return Account.objects.filter(customer=customer).order_by("id")


def account(customer: Customer, ref: str) -> Account:
    found = accounts(customer).filter(ref=ref).first()
    if found is None:
        raise NotFound("no such account")
    return found


def statements(customer: Customer) -> QuerySet[Statement]:
    return (
        Statement.objects.filter(account__customer=customer)
        .select_related("account")
        .order_by("-statement_date", "-id")
    )


def statement(customer: Customer, statement_id: int) -> Statement:
    found = statements(customer).filter(pk=statement_id).first()
    if found is None:
        raise NotFound("no such statement")
    return found


def plans(customer: Customer) -> QuerySet[Plan]:
    """The plans the cardholder has been offered or holds (not the ones still inside the bank)."""
    shown = (PlanStatus.OFFERED, PlanStatus.ACCEPTED, PlanStatus.ACTIVE, PlanStatus.COMPLETED, PlanStatus.PAID_OFF)
    return Plan.objects.filter(account__customer=customer, status__in=shown).select_related("account").order_by("-id")


def offers(customer: Customer) -> QuerySet[Plan]:
    return plans(customer).filter(status=PlanStatus.OFFERED)


def plan(customer: Customer, plan_id: int) -> Plan:
    found = plans(customer).filter(pk=plan_id).first()
    if found is None:
        raise NotFound("no such plan")
    return found


def promisable_case(customer: Customer) -> Case | None:
    """The customer's case on which a promise can be made now, if any."""
    return Case.objects.filter(customer=customer, status__in=PROMISABLE, past_due_fen__gt=0).order_by("-id").first()


def letters(customer: Customer) -> QuerySet[Message]:
    """The letters sent to the customer (blocked ones never left the bank)."""
    return (
        Message.objects.filter(customer=customer, channel=TemplateChannel.LETTER, document__isnull=False)
        .exclude(status=MessageStatus.BLOCKED)
        .defer("document")
        .order_by("-created_at", "-id")
    )


def letter(customer: Customer, message_id: int) -> Message:
    found = (
        Message.objects.filter(customer=customer, channel=TemplateChannel.LETTER, document__isnull=False, pk=message_id)
        .exclude(status=MessageStatus.BLOCKED)
        .first()
    )
    if found is None:
        raise NotFound("no such letter")
    return found


def opt_outs(customer: Customer) -> dict[str, ChannelOptOut]:
    """The channels the customer has opted out of (in force), by channel."""
    rows = ChannelOptOut.objects.filter(customer=customer, withdrawn_at__isnull=True).order_by("id")
    return {row.channel: row for row in rows}


def disputes(customer: Customer) -> QuerySet[Dispute]:
    return Dispute.objects.filter(customer=customer).select_related("account").order_by("-id")


def disputable_entries(customer: Customer) -> QuerySet[Entry]:
    """The charges on the customer's accounts a dispute may name (purchases, fees, interest), newest first."""
    return (
        Entry.objects.filter(account__customer=customer, kind__in=LINE_KINDS, amount_fen__gt=0, reverses__isnull=True)
        .select_related("account")
        .order_by("-posting_date", "-id")
    )


def disputable_entry(customer: Customer, entry_id: int) -> Entry:
    found = disputable_entries(customer).filter(pk=entry_id).first()
    if found is None:
        raise NotFound("no such entry")
    return found


def checkouts(customer: Customer) -> QuerySet[Checkout]:
    return Checkout.objects.filter(customer=customer).select_related("account").order_by("-id")


def checkout(customer: Customer, ref: str) -> Checkout:
    found = checkouts(customer).filter(ref=ref).first()
    if found is None:
        raise NotFound("no such payment")
    return found


def open_surveys(customer: Customer) -> QuerySet[Survey]:
    """The satisfaction questions waiting for the cardholder on the portal."""
    return Survey.objects.filter(customer=customer, channel=SurveyChannel.PORTAL, score__isnull=True).order_by("id")


def open_survey(customer: Customer, survey_id: int) -> Survey:
    found = open_surveys(customer).filter(pk=survey_id).first()
    if found is None:
        raise NotFound("no such survey")
    return found

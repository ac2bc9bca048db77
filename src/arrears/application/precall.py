"""The pre-call summary: what a collector reads in five seconds before dialling.

One plain function, `precall_summary`, builds it in a fixed number of queries whatever the history:
the customer's figures come from the read model, every channel's compliance answer from ONE load of
the contact history (`contact_gate.load_known`) judged once per channel by the pure gate, and the
counts (promises, payments, hand-offs) from aggregates. Identifiers are masked here, so nothing after
this function ever holds a full mobile or national id.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Count, Max, Q, Sum

from arrears.application.contact_gate import judge, load_known, pack_on
from arrears.application.figures import CustomerFigures, PlanFigures, customer_figures
from arrears.cases.models import Case
from arrears.compliance.gate import zone_label
from arrears.compliance.packs import Pack
from arrears.concessions.models import Concession, ConcessionStatus
from arrears.contacts.models import Contact, Handoff
from arrears.payments.models import Payment
from arrears.people.rules import mask_national_id, mask_phone
from arrears.promises.models import Promise, PromiseStatus

# The phone numbers a customer may have, in the order a collector tries them.
PHONE_FIELDS = ("mobile", "home_phone", "work_phone")
# Where each non-phone channel goes: the customer field holding the address.
CHANNEL_FIELDS = {"sms": "mobile", "email": "email", "letter": "address", "visit": "address"}
# Concessions that are in force or waiting for a decision (the customer is not told a pending one is done).
IN_FORCE = (ConcessionStatus.PENDING, ConcessionStatus.APPLIED, ConcessionStatus.ACTIVE)


def mask_address(field: str, value: str) -> str:
    """A contact address as a page may show it: phones 138****5678, e-mail a***@host, a postal
    address cut to its first characters."""
    if field in PHONE_FIELDS:
        return mask_phone(value)
    if field == "email":
        user, _, host = value.partition("@")
        return f"{user[:1]}***@{host}" if host else "***"
    return value[:6] + "…" if len(value) > 6 else value


@dataclasses.dataclass(frozen=True)
class ChannelStatus:
    """One way of reaching the customer, and whether the compliance gate allows it now."""

    choice: str  # the form's value: the customer field it uses ("mobile", "email"...), resolved server-side
    channel: str  # phone, sms, email, letter, visit
    field: str  # the customer field holding the address
    masked: str  # the address as a page may show it
    allowed: bool
    rules: tuple[str, ...]
    reasons: tuple[str, ...]
    opens_at: dt.datetime | None  # when time alone opens it; None when allowed or when waiting will not
    attempts_left: int | None  # phone numbers under a daily dial limit: dials left today; else None


@dataclasses.dataclass(frozen=True)
class LocalTime:
    zone: str
    at: dt.datetime
    label: str  # the zone as the page's reader reads it: 北京时间, 巴黎当地时间, Beijing time


@dataclasses.dataclass(frozen=True)
class PrecallSummary:
    case_id: int
    name: str
    national_id: str  # masked
    mobile: str  # masked
    language: str
    figures: CustomerFigures
    last_contact: Contact | None
    promises_kept: int
    promises_broken: int
    promises_open: int
    payments_count: int
    payments_total_fen: int
    last_payment_on: dt.date | None
    plan: PlanFigures | None
    concessions: tuple[Concession, ...]
    channels: tuple[ChannelStatus, ...]
    holds: tuple[tuple[str, tuple[str, ...]], ...]  # (kind, channels covered; empty: every channel)
    open_handoffs: int
    local_times: tuple[LocalTime, ...]
    legal_stages: frozenset[str] = frozenset()  # the stages the customer's legal cases reached (at law only)
    disputed_fen: int = 0  # under dispute: not to be demanded
    disputed_until: dt.date | None = None  # the latest date the disputed amounts are held to

    @property
    def to_collect_fen(self) -> int:
        """What brings the accounts current, less what is under dispute."""
        return max(0, self.figures.to_bring_current_fen - self.disputed_fen)

    @property
    def callable_numbers(self) -> tuple[ChannelStatus, ...]:
        return tuple(c for c in self.channels if c.channel == "phone" and c.allowed)


def address_of(case: Case, choice: str) -> tuple[str, str]:
    """(channel, full address) for a form's masked choice; unknown choices are refused by the form."""
    customer = case.customer
    if choice in PHONE_FIELDS:
        return "phone", getattr(customer, choice)
    channel, _, field = choice.partition(":")
    if channel in CHANNEL_FIELDS and field == CHANNEL_FIELDS[channel]:
        return channel, getattr(customer, field)
    raise KeyError(choice)


def routes_of(customer: Any) -> list[tuple[str, str, str, str]]:
    """(choice, channel, field, full address) of every way the customer can be reached."""
    routes = [(f, "phone", f, getattr(customer, f)) for f in PHONE_FIELDS if getattr(customer, f)]
    for channel, field in CHANNEL_FIELDS.items():
        if getattr(customer, field):
            routes.append((f"{channel}:{field}", channel, field, getattr(customer, field)))
    return routes


def _dials_left(pack: Pack, history: list[Any], address: str, at: dt.datetime) -> int | None:
    """CN-DIALS: the counted dials to this number left on the Beijing calendar day of `at`."""
    if not pack.has("CN-DIALS", collector_type="first_party"):
        return None
    limit = pack.int_param("CN-DIALS", "max_unanswered_per_number_per_day")
    counted = pack.strs_param("CN-DIALS", "counted_outcomes")
    day = at.astimezone(pack.zone).date()
    used = sum(
        1
        for h in history
        if h.channel == "phone"
        and h.address == address
        and h.outcome in counted
        and h.at < at
        and h.at.astimezone(pack.zone).date() == day
    )
    return max(0, limit - used)


def channel_statuses(case: Case, *, at: dt.datetime, language: str | None = None) -> tuple[ChannelStatus, ...]:
    """Every route to the customer judged by the gate, from one load of holds, consents and history."""
    return _judge_routes(case, at=at, language=language)[0]


def _judge_routes(case: Case, *, at: dt.datetime, language: str | None) -> tuple[tuple[ChannelStatus, ...], Any, Pack]:
    customer = case.customer
    pack = pack_on(at.date())
    known = load_known([customer.pk], at=at)[customer.pk]
    out = []
    for choice, channel, field, address in routes_of(customer):
        verdict = judge(
            pack=pack, customer=customer, known=known, channel=channel, address=address, at=at, language=language
        )
        out.append(
            ChannelStatus(
                choice=choice,
                channel=channel,
                field=field,
                masked=mask_address(field, address),
                allowed=verdict.allowed,
                rules=verdict.rules,
                reasons=verdict.reasons,
                opens_at=verdict.next_allowed_at,
                attempts_left=_dials_left(pack, known.history, address, at) if channel == "phone" else None,
            )
        )
    return tuple(out), known, pack


def precall_summary(
    case: Case, *, user: Any, at: dt.datetime, business_date: dt.date, language: str | None = None
) -> PrecallSummary:
    """The pre-call summary of a case's customer at `at` (business date `business_date`), the gate's
    reasons in `language` (the page's; else the customer's)."""
    customer = case.customer
    page_language = "en" if (language or customer.language or "").startswith("en") else "zh-hans"
    figures = customer_figures(customer.pk, business_date=business_date)[customer.pk]
    channels, known, pack = _judge_routes(case, at=at, language=language)
    promises = Promise.objects.filter(case__customer=customer).aggregate(
        kept=Count("id", filter=Q(status__in=(PromiseStatus.KEPT, PromiseStatus.PARTLY_KEPT))),
        broken=Count("id", filter=Q(status=PromiseStatus.BROKEN)),
        open=Count("id", filter=Q(status=PromiseStatus.OPEN)),
    )
    payments = Payment.objects.filter(account__customer=customer).aggregate(
        n=Count("id"), total=Sum("amount_fen"), last=Max("value_date")
    )
    last_contact = (
        Contact.objects.filter(case__customer=customer).select_related("collector").order_by("-at", "-id").first()
    )
    concessions = tuple(
        Concession.objects.filter(case__customer=customer, status__in=IN_FORCE)
        .select_related("account")
        .order_by("-id")[:5]
    )
    handoffs = Handoff.objects.filter(case__customer=customer, returned_at__isnull=True).count()
    zones = [pack.timezone, *([customer.time_zone] if customer.time_zone != pack.timezone else [])]
    plan = next((a.plan for a in figures.accounts if a.plan is not None), None)
    return PrecallSummary(
        case_id=case.pk,
        name=customer.name,
        national_id=mask_national_id(customer.national_id),
        mobile=mask_phone(customer.mobile),
        language=customer.language,
        figures=figures,
        last_contact=last_contact,
        promises_kept=promises["kept"],
        promises_broken=promises["broken"],
        promises_open=promises["open"],
        payments_count=payments["n"],
        payments_total_fen=payments["total"] or 0,
        last_payment_on=payments["last"],
        plan=plan,
        concessions=concessions,
        channels=channels,
        holds=tuple((kind, tuple(chans)) for kind, chans in known.holds),
        open_handoffs=handoffs,
        legal_stages=known.legal_stages,
        disputed_fen=known.disputed_fen,
        disputed_until=max((until for _, _, until in known.disputed if until), default=None),
        local_times=tuple(
            LocalTime(zone=z, at=at.astimezone(ZoneInfo(z)), label=zone_label(ZoneInfo(z), page_language))
            for z in zones
        ),
    )

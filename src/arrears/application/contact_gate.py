"""The gate inside Arrears: a proposed contact with a customer, judged against the customer's holds,
opt-outs, consents and the contact history of every collector, the dialer, the agencies and the
messages sent.

Reads the database in bulk (a fixed number of queries for any number of customers), builds the
gate's requests, and asks the same pure `check_contact` that the CLI and the API doors ask.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from types import MappingProxyType
from typing import Any, Protocol

from django.db.models import Q, QuerySet

from arrears.cases.models import Case
from arrears.compliance.configured import pack_code
from arrears.compliance.gate import Verdict, check_contact
from arrears.compliance.model import Consent, ContactRequest, Customer, Flags, Party
from arrears.compliance.model import Contact as GateContact
from arrears.compliance.packs import Pack, load_pack
from arrears.compliance.parse import configured_overrides
from arrears.contacts.models import Contact
from arrears.holds.models import AmountHold, ChannelOptOut, ContactConsent, Hold
from arrears.ledger.models import Customer as CustomerRow
from arrears.legal.operations import reached_stages
from arrears.people.rules import mask_phone

# How far back the history that counting rules need reaches (7-day windows, daily limits, 失联).
HISTORY_DAYS = 30

# The contact log's party reached -> the gate's role.
ROLE_OF_PARTY = {
    "cardholder": "debtor",
    "spouse": "spouse",
    "relative": "relative",
    "employer": "employer",
    "other_third_party": "other",
    "none": "debtor",
}
# The contact log's result -> the gate's outcome.
OUTCOME_OF_RESULT = {
    "right_party_contact": "conversation",
    "third_party": "conversation",
    "refused_to_talk": "conversation",
    "no_answer": "unanswered",
    "message_left": "voicemail",
    "busy": "busy",
    "wrong_number": "wrong_number",
}
OUTCOME_OF_MESSAGE = {"sent": "delivered", "delivered": "delivered", "bounced": "bounced", "failed": "not_connected"}
HOLD_FLAG = {
    "dispute": "dispute",
    "cease": "cease",
    "attorney": "attorney",
    "bankruptcy": "bankruptcy",
    "deceased": "deceased",
    "plan": "plan_in_good_standing",
}
# Holds the packs do not name (a complaint) stop the channels they cover as house policy.
HOUSE_HOLD_RULE = "HOLD-COMPLAINT"
HOUSE_HOLD_REASON = {"zh-hans": "客户投诉处理期间暂停此渠道联系", "en": "A complaint hold stops this channel"}


@dataclasses.dataclass
class _Known:
    """What the database says of one customer, loaded in bulk."""

    holds: list[tuple[str, list[str]]] = dataclasses.field(default_factory=list)
    opted_out: set[str] = dataclasses.field(default_factory=set)
    consents: list[Consent] = dataclasses.field(default_factory=list)
    history: list[GateContact] = dataclasses.field(default_factory=list)
    legal_stages: frozenset[str] = frozenset()  # the stages the customer's legal cases reached
    # Amounts under dispute, not to be demanded: (account id, amount in fen, held until).
    disputed: list[tuple[int, int, dt.date | None]] = dataclasses.field(default_factory=list)

    @property
    def disputed_fen(self) -> int:
        return sum(fen for _, fen, _ in self.disputed)


def pack_on(day: dt.date) -> Pack:
    code = pack_code()
    return load_pack(code, on=day, overrides=configured_overrides(code))


def load_known(customer_ids: Iterable[int] | QuerySet[Any, Any], *, at: dt.datetime) -> dict[int, _Known]:
    """Holds, amounts held, opt-outs, consents, recent history and the legal stages reached of many
    customers: seven queries in all.

    `customer_ids` may be a queryset of ids (a subquery), which keeps long id lists out of the SQL.
    """
    from arrears.outreach.models import Message

    ids: Any = customer_ids if isinstance(customer_ids, QuerySet) else list(set(customer_ids))
    known: dict[int, _Known] = defaultdict(_Known)
    today = at.date()
    for cid, kind, channels in (
        Hold.objects.filter(customer_id__in=ids, lifted_at__isnull=True, starts_on__lte=today)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
        .values_list("customer_id", "kind", "channels")
    ):
        known[cid].holds.append((kind, list(channels or [])))
    for cid, account_id, fen, until in (
        AmountHold.objects.filter(customer_id__in=ids, lifted_at__isnull=True, starts_on__lte=today)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
        .values_list("customer_id", "account_id", "amount_fen", "ends_on")
    ):
        known[cid].disputed.append((account_id, fen, until))
    for cid, channel in ChannelOptOut.objects.filter(customer_id__in=ids, withdrawn_at__isnull=True).values_list(
        "customer_id", "channel"
    ):
        known[cid].opted_out.add(channel)
    for cid, stages in reached_stages(ids).items():
        known[cid].legal_stages = stages
    for cid, channel, start, end in ContactConsent.objects.filter(
        customer_id__in=ids, to_at__gt=at - dt.timedelta(days=HISTORY_DAYS)
    ).values_list("customer_id", "channel", "from_at", "to_at"):
        known[cid].consents.append(Consent(channel=channel, from_at=start, to_at=end))
    since = at - dt.timedelta(days=HISTORY_DAYS)
    for cid, when, channel, party, address, result in Contact.objects.filter(
        case__customer_id__in=ids, at__gte=since, at__lt=at, direction="outbound"
    ).values_list("case__customer_id", "at", "channel", "party", "address", "result"):
        known[cid].history.append(
            GateContact(
                at=when,
                channel=channel,
                party=_party_key(party),
                address=address,
                outcome=OUTCOME_OF_RESULT.get(result),
            )
        )
    for cid, when, channel, address, status in (
        Message.objects.filter(customer_id__in=ids, created_at__gte=since, created_at__lt=at)
        .exclude(status="blocked")
        .values_list("customer_id", "created_at", "channel", "address", "status")
    ):
        known[cid].history.append(
            GateContact(
                at=when,
                channel=channel,
                party=_party_key("cardholder"),
                address=address,
                outcome=OUTCOME_OF_MESSAGE.get(status, "delivered"),
            )
        )
    return known


class Callee(Protocol):
    """What the gate's judge reads of the customer: a Customer row, or the dialer's lighter row."""

    @property
    def time_zone(self) -> str: ...

    @property
    def language(self) -> str: ...


def judge(
    *,
    pack: Pack,
    customer: Callee,
    known: _Known,
    channel: str,
    address: str,
    at: dt.datetime,
    party: str = "cardholder",
    text: str | None = None,
    purpose: str = "collection",
    collector_type: str = "first_party",
    language: str | None = None,
) -> Verdict:
    """The pure part: the gate's answer from what was loaded."""
    covering = [(kind, chans) for kind, chans in known.holds if not chans or channel in chans]
    house = [kind for kind, _ in covering if kind not in HOLD_FLAG]
    flags = Flags(**{HOLD_FLAG[kind]: True for kind, _ in covering if kind in HOLD_FLAG})
    lang = language or customer.language
    request = ContactRequest(
        collector_type=collector_type,
        customer=Customer(
            locations=(customer.time_zone,),
            flags=flags,
            opted_out_channels=frozenset(known.opted_out),
            consents=tuple(known.consents),
            legal_stages=known.legal_stages,
            disputed_fen=known.disputed_fen,
        ),
        parties=PARTIES,
        history=tuple(known.history),
        proposed=GateContact(
            at=at, channel=channel, party=_party_key(party), address=address, text=text, purpose=purpose
        ),
        language=lang,
    )
    verdict = _masked(check_contact(pack=pack, request=request), channel=channel, address=address)
    if not house:
        return verdict
    reason = HOUSE_HOLD_REASON["zh-hans" if lang == "zh-hans" else "en"]
    if verdict.allowed:
        return Verdict(False, (HOUSE_HOLD_RULE,), (reason,), None)
    return Verdict(False, (*verdict.rules, HOUSE_HOLD_RULE), (*verdict.reasons, reason), None)


def _masked(verdict: Verdict, *, channel: str, address: str) -> Verdict:
    """The gate's reasons never carry a full phone number (CN-DIALS names the number): masked here,
    so pages, messages, the API and the stored decision only ever see 138****5678."""
    if channel not in ("phone", "sms") or not address:
        return verdict
    shown = mask_phone(address)
    if shown == address or not any(address in r for r in verdict.reasons):
        return verdict
    return dataclasses.replace(verdict, reasons=tuple(r.replace(address, shown) for r in verdict.reasons))


def check_customer_contact(*, customer: CustomerRow, channel: str, address: str, at: dt.datetime, **kw: Any) -> Verdict:
    """May this contact with this customer be made at `at`?"""
    known = load_known([customer.pk], at=at)[customer.pk]
    return judge(pack=pack_on(at.date()), customer=customer, known=known, channel=channel, address=address, at=at, **kw)


def check_case_contact(*, case: Case, channel: str, address: str, at: dt.datetime, **kw: Any) -> Verdict:
    return check_customer_contact(customer=case.customer, channel=channel, address=address, at=at, **kw)


def callable_now(case: Case) -> bool:
    """May the cardholder be phoned on their mobile right now? The next-account queue serves only those."""
    from arrears.kernel import clock

    return check_case_contact(case=case, channel="phone", address=case.customer.mobile, at=clock.now()).allowed


def _party_key(party: str) -> str:
    return f"p-{party}"


# Every party the contact log names, as the gate's parties: built once, shared by every request.
PARTIES = MappingProxyType({_party_key(p): Party(role=ROLE_OF_PARTY[p]) for p in ROLE_OF_PARTY})

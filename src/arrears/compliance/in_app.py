"""The gate inside Arrears: a proposed contact on a case, judged against the customer's holds,
opt-outs, consents and the contact history of every collector, the dialer and the agencies.

Reads the database, builds the gate's request, and asks the same pure `check_contact` that the
CLI and the API doors ask.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db.models import Q

from arrears.cases.models import Case
from arrears.compliance.gate import Verdict, check_contact
from arrears.compliance.model import Consent, ContactRequest, Customer, Flags, Party
from arrears.compliance.model import Contact as GateContact
from arrears.compliance.packs import load_pack
from arrears.compliance.parse import configured_overrides
from arrears.contacts.models import Contact
from arrears.holds.models import ChannelOptOut, ContactConsent, Hold

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


def pack_code() -> str:
    return str(getattr(settings, "ARREARS_COMPLIANCE_PACK", "CN"))


def check_case_contact(
    *,
    case: Case,
    channel: str,
    address: str,
    party: str = "cardholder",
    at: dt.datetime,
    text: str | None = None,
    purpose: str = "collection",
    collector_type: str = "first_party",
    language: str | None = None,
) -> Verdict:
    """May this contact on this case be made at `at`? The answer of the pack in force, with its reasons."""
    customer = case.customer
    today = at.date()
    holds = list(
        Hold.objects.filter(customer=customer, lifted_at__isnull=True, starts_on__lte=today)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
        .values_list("kind", "channels")
    )
    house = [kind for kind, channels in holds if kind not in HOLD_FLAG and (not channels or channel in channels)]
    flags = Flags(
        **{HOLD_FLAG[k]: True for k, channels in holds if k in HOLD_FLAG and (not channels or channel in channels)}
    )
    opted_out = frozenset(
        ChannelOptOut.objects.filter(customer=customer, withdrawn_at__isnull=True).values_list("channel", flat=True)
    )
    consents = tuple(
        Consent(channel=c, from_at=f, to_at=t)
        for c, f, t in ContactConsent.objects.filter(
            customer=customer, to_at__gt=at - dt.timedelta(days=HISTORY_DAYS)
        ).values_list("channel", "from_at", "to_at")
    )
    history = tuple(
        GateContact(at=when, channel=ch, party=_party_key(p), address=addr, outcome=OUTCOME_OF_RESULT.get(result))
        for when, ch, p, addr, result in Contact.objects.filter(
            case__customer=customer, at__gte=at - dt.timedelta(days=HISTORY_DAYS), at__lt=at, direction="outbound"
        ).values_list("at", "channel", "party", "address", "result")
    )
    parties = {_party_key(p): Party(role=ROLE_OF_PARTY[p]) for p in {party, *ROLE_OF_PARTY}}
    request = ContactRequest(
        collector_type=collector_type,
        customer=Customer(
            locations=(customer.time_zone,), flags=flags, opted_out_channels=opted_out, consents=consents
        ),
        parties=parties,
        history=history,
        proposed=GateContact(
            at=at, channel=channel, party=_party_key(party), address=address, text=text, purpose=purpose
        ),
        language=language or customer.language,
    )
    code = pack_code()
    verdict = check_contact(pack=load_pack(code, on=today, overrides=configured_overrides(code)), request=request)
    if house:
        reason = (
            "客户有投诉暂停，此渠道暂停联系"
            if (language or customer.language) == "zh-hans"
            else "A complaint hold stops this channel"
        )
        return Verdict(
            False,
            (*verdict.rules, HOUSE_HOLD_RULE) if not verdict.allowed else (HOUSE_HOLD_RULE,),
            (*verdict.reasons, reason) if not verdict.allowed else (reason,),
            None,
        )
    return verdict


def _party_key(party: str) -> str:
    return f"p-{party}"


def decision_record(verdict: Verdict) -> dict[str, Any]:
    """What a contact stores of the decision it was made under."""
    return verdict.as_dict()


def callable_now(case: Case) -> bool:
    """May the cardholder be phoned on their mobile right now? The next-account queue serves only those."""
    from arrears import business_days

    return check_case_contact(case=case, channel="phone", address=case.customer.mobile, at=business_days.now()).allowed

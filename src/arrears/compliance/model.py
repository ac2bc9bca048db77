"""What the gate is asked: a proposed contact with the customer, the parties and the contact history.

Frozen dataclasses, built by :mod:`arrears.compliance.parse` from the JSON of the doors or by the
contact log inside Arrears. Instants are aware datetimes (``*_at``); calendar days are dates (``*_on``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType


@dataclass(frozen=True)
class Flags:
    attorney: bool = False
    cease: bool = False
    bankruptcy: bool = False
    deceased: bool = False
    dispute: bool = False
    plan_in_good_standing: bool = False


@dataclass(frozen=True)
class Consent:
    """The debtor's direct consent to be contacted on `channel` during [from_at, to_at)."""

    channel: str
    from_at: dt.datetime
    to_at: dt.datetime


@dataclass(frozen=True)
class InconvenientTime:
    """A daily local window [start, end) the consumer said is inconvenient (US-INCONV)."""

    start: dt.time
    end: dt.time


@dataclass(frozen=True)
class Validation:
    """US-VAL: when the validation notice was sent, a dispute received, the verification sent."""

    sent_at: dt.datetime
    dispute_at: dt.datetime | None = None
    verification_sent_at: dt.datetime | None = None


@dataclass(frozen=True)
class Customer:
    locations: tuple[str, ...] = ()
    flags: Flags = Flags()
    opted_out_channels: frozenset[str] = frozenset()
    consents: tuple[Consent, ...] = ()
    debtor_number_invalid: bool = False
    inconvenient_times: tuple[InconvenientTime, ...] = ()
    inconvenient_addresses: frozenset[str] = frozenset()
    employer_emails: tuple[str, ...] = ()
    consumer_used_emails: frozenset[str] = frozenset()
    validation: Validation | None = None
    time_barred_debts: frozenset[str] = frozenset()
    # The legal stages the customer's legal cases reached (filing, hearing, judgment, enforcement...):
    # a message may claim only these (CN-CONDUCT / US-FALSE wording).
    legal_stages: frozenset[str] = frozenset()
    # An amount of the debt under dispute (fen): contact stays allowed, the amount is not demanded.
    disputed_fen: int = 0


@dataclass(frozen=True)
class Party:
    role: str
    refused_on: dt.date | None = None
    debt_related: bool = False
    callback_requested: bool = False


@dataclass(frozen=True)
class Contact:
    """One contact, past (with its outcome) or proposed (outcome None)."""

    at: dt.datetime
    channel: str
    party: str
    address: str
    debts: tuple[str, ...] = ()
    outcome: str | None = None
    text: str | None = None
    purpose: str = "collection"


@dataclass(frozen=True)
class ContactRequest:
    collector_type: str
    customer: Customer
    parties: Mapping[str, Party]
    history: tuple[Contact, ...]
    proposed: Contact
    language: str | None = None

    def __post_init__(self) -> None:
        # The gate reads the history in time order (bisecting); sort it once, here.
        object.__setattr__(self, "history", tuple(sorted(self.history, key=_instant)))
        if not isinstance(self.parties, MappingProxyType):
            object.__setattr__(self, "parties", MappingProxyType(dict(self.parties)))


def _instant(contact: Contact) -> dt.datetime:
    return contact.at

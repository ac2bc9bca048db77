"""The vocabularies every layer shares, each defined once (the values; the labels people read are
given with the models' choices, translated). Pure: no Django."""

from __future__ import annotations

from enum import StrEnum


class Channel(StrEnum):
    """How the bank reaches a person."""

    PHONE = "phone"
    SMS = "sms"
    EMAIL = "email"
    LETTER = "letter"
    VISIT = "visit"


MESSAGE_CHANNELS = (Channel.SMS, Channel.EMAIL, Channel.LETTER)


class Party(StrEnum):
    """Who was reached (or tried) in a contact."""

    CARDHOLDER = "cardholder"
    SPOUSE = "spouse"
    RELATIVE = "relative"
    EMPLOYER = "employer"
    OTHER_THIRD_PARTY = "other_third_party"
    NONE = "none"


class Component(StrEnum):
    """The parts of what a card account owes, and the recoveries after its charge-off."""

    PRINCIPAL = "principal"
    INTEREST = "interest"
    FEES = "fees"
    # The balance restructured into an active repayment plan: still owed, billed by the plan.
    PLAN = "plan"
    # Court costs awarded against the customer in a legal case (arrears.legal): owed like the rest.
    COSTS = "costs"
    # Money recovered after charge-off: income, not part of the (written-off) balance.
    RECOVERY = "recovery"


# What a card statement bills and a payment waterfall orders.
CARD_COMPONENTS = (Component.PRINCIPAL, Component.INTEREST, Component.FEES)
# What the customer owes: together they are the account's balance.
OWED_COMPONENTS = (*CARD_COMPONENTS, Component.PLAN, Component.COSTS)


class ConcessionKind(StrEnum):
    EXTENSION = "extension"
    LATE_FEE_WAIVER = "late_fee_waiver"
    INTEREST_WAIVER = "interest_waiver"
    SETTLEMENT = "settlement"

"""Reads of the ledger."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db.models import Q, Sum
from django.db.models.functions import Coalesce

from arrears.ledger.models import OUTSTANDING, Account, Component, EntryKind, InstructionStatus, OutboundInstruction

# The most instructions a person is shown of one customer (the admin lists them all).
INSTRUCTIONS_SHOWN = 20

# Each cache column of an account, with the entries it sums and the sign it sums them with.
CACHE_SUMS: dict[str, tuple[Q, int]] = {
    "principal_fen": (Q(entries__component=Component.PRINCIPAL), 1),
    "interest_fen": (Q(entries__component=Component.INTEREST), 1),
    "fees_fen": (Q(entries__component=Component.FEES), 1),
    "plan_fen": (Q(entries__component=Component.PLAN), 1),
    "costs_fen": (Q(entries__component=Component.COSTS), 1),
    "recovered_fen": (Q(entries__component=Component.RECOVERY), -1),
    "charged_off_fen": (Q(entries__kind=EntryKind.CHARGE_OFF), -1),
}


def cache_mismatches() -> list[dict[str, Any]]:
    """Accounts whose cache columns differ from the sums of their entries (one query): principal,
    interest, fees, plan and costs are the sums of their components' entries, recovered_fen minus the sum of
    the recovery entries, charged_off_fen minus the sum of the charge-off entries. Each row names the
    account, and gives each column as cached and as summed (`<column>_entries`)."""
    sums = {
        f"{column}_entries": Coalesce(Sum("entries__amount_fen", filter=where), 0)
        for column, (where, _) in CACHE_SUMS.items()
    }
    rows = Account.objects.annotate(**sums).values("number", *CACHE_SUMS, *sums).order_by("id")
    return [
        dict(r)
        for r in rows.iterator(chunk_size=5000)
        if any(r[column] != sign * r[f"{column}_entries"] for column, (_, sign) in CACHE_SUMS.items())
    ]


def instructions_to_show(account_ids: Iterable[int], *, since: dt.date) -> list[OutboundInstruction]:
    """Host-feed mode: the accounts' instructions the card host has not applied yet, and those it
    refused on `since` or later, newest first (one query). A refused one means the host's balance
    does not show what Arrears decided: a person must look at it."""
    shown = Q(status__in=OUTSTANDING) | Q(status=InstructionStatus.REJECTED, answered_on__gte=since)
    found = OutboundInstruction.objects.filter(shown, account_id__in=list(account_ids)).order_by("-id")
    return list(found[:INSTRUCTIONS_SHOWN])

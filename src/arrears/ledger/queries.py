"""Reads of the ledger."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, Sum
from django.db.models.functions import Coalesce

from arrears.ledger.models import Account, Component, EntryKind

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

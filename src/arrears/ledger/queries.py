"""Reads of the ledger."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, Sum
from django.db.models.functions import Coalesce

from arrears.ledger.models import Account, Component


def cache_mismatches() -> list[dict[str, Any]]:
    """Accounts whose balance columns differ from the sums of their entries (one query)."""

    def total(component: str) -> Any:
        return Coalesce(Sum("entries__amount_fen", filter=Q(entries__component=component)), 0)

    rows = Account.objects.annotate(
        p=total(Component.PRINCIPAL),
        i=total(Component.INTEREST),
        f=total(Component.FEES),
        pl=total(Component.PLAN),
    ).values("number", "principal_fen", "interest_fen", "fees_fen", "plan_fen", "p", "i", "f", "pl")
    return [
        dict(r)
        for r in rows.iterator(chunk_size=5000)
        if (r["principal_fen"], r["interest_fen"], r["fees_fen"], r["plan_fen"]) != (r["p"], r["i"], r["f"], r["pl"])
    ]

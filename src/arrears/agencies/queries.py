"""Reads of the agencies: commission and the monthly remittance statement, agency performance."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

from django.db.models import Count, DateField, Exists, OuterRef, Q, Sum, Value
from django.db.models.functions import Coalesce

from arrears.agencies import rules
from arrears.agencies.models import Agency, Collection, CollectionStatus, CommissionTier, Placement
from arrears.contacts.models import Contact
from arrears.holds.models import Hold, HoldKind
from arrears.kernel.pan import mask_pan


@dataclasses.dataclass(frozen=True)
class RemittanceLine:
    placement_id: int
    account_ref: str
    account_number: str  # masked
    placed_on: dt.date
    recalled_on: dt.date | None
    bucket: int
    rate: Decimal
    recovered_fen: int
    commission_fen: int


@dataclasses.dataclass(frozen=True)
class Remittance:
    agency: Agency
    month: str
    start: dt.date
    end: dt.date  # exclusive
    lines: tuple[RemittanceLine, ...]

    @property
    def recovered_fen(self) -> int:
        return sum(line.recovered_fen for line in self.lines)

    @property
    def commission_fen(self) -> int:
        return sum(line.commission_fen for line in self.lines)

    @property
    def net_fen(self) -> int:
        """What the bank keeps of what was recovered."""
        return self.recovered_fen - self.commission_fen


def remittance(agency: Agency, month: str) -> Remittance:
    """The month's statement: per placement, the collections the bank confirmed in the month, the
    commission tier of the bucket at placement and the commission, half-up to the fen. Three queries."""
    start, end = rules.month_bounds(month)
    tiers = list(CommissionTier.objects.filter(agency=agency).values_list("min_bucket", "rate"))
    rows = (
        Collection.objects.filter(
            placement__agency=agency, status=CollectionStatus.CONFIRMED, decided_on__gte=start, decided_on__lt=end
        )
        .values(
            "placement_id",
            "placement__account__ref",
            "placement__account__number",
            "placement__placed_on",
            "placement__recalled_on",
            "placement__bucket",
        )
        .annotate(recovered=Sum("amount_fen"))
        .order_by("placement__placed_on", "placement_id")
    )
    lines = []
    for r in rows:
        rate = rules.tier_rate(tiers, r["placement__bucket"])
        recovered = int(r["recovered"])
        lines.append(
            RemittanceLine(
                placement_id=r["placement_id"],
                account_ref=r["placement__account__ref"],
                account_number=mask_pan(r["placement__account__number"]),
                placed_on=r["placement__placed_on"],
                recalled_on=r["placement__recalled_on"],
                bucket=r["placement__bucket"],
                rate=rate,
                recovered_fen=recovered,
                commission_fen=rules.commission_fen(recovered, rate),
            )
        )
    return Remittance(agency=agency, month=month, start=start, end=end, lines=tuple(lines))


@dataclasses.dataclass(frozen=True)
class Performance:
    agency: Agency
    placements: int
    live: int
    placed_fen: int
    collected_fen: int
    liquidation_rate: Decimal | None
    contacts: int
    complaints: int


def performance(*, on: dt.date) -> list[Performance]:
    """Per agency, over every placement so far: the balance placed, the collections confirmed, the
    liquidation rate, the contacts the agency made and the complaints (complaint holds set on the
    customer while the account was placed, or contacts the gate flagged). Five queries."""
    agencies = list(Agency.objects.order_by("code"))
    placed = {
        r["agency_id"]: r
        for r in Placement.objects.values("agency_id").annotate(
            n=Count("id"), fen=Sum("balance_fen"), live=Count("id", filter=Q(recalled_on__isnull=True))
        )
    }
    collected = dict(
        Collection.objects.filter(status=CollectionStatus.CONFIRMED)
        .values("placement__agency_id")
        .annotate(fen=Sum("amount_fen"))
        .values_list("placement__agency_id", "fen")
    )
    contacts: dict[str, int] = dict(
        Contact.objects.filter(source__startswith="agency:")
        .values("source")
        .annotate(n=Count("id"))
        .values_list("source", "n")
    )
    flagged: dict[str, int] = dict(
        Contact.objects.filter(source__startswith="agency:", flagged=True)
        .values("source")
        .annotate(n=Count("id"))
        .values_list("source", "n")
    )
    complaint = Hold.objects.filter(
        customer_id=OuterRef("account__customer_id"),
        kind=HoldKind.COMPLAINT,
        starts_on__gte=OuterRef("placed_on"),
        starts_on__lte=OuterRef("until"),
    )
    complaints: dict[int, int] = dict(
        Placement.objects.annotate(until=Coalesce("recalled_on", Value(on, output_field=DateField())))
        .filter(Exists(complaint))
        .values("agency_id")
        .annotate(n=Count("id"))
        .values_list("agency_id", "n")
    )
    out = []
    for a in agencies:
        p = placed.get(a.pk, {"n": 0, "fen": 0, "live": 0})
        got = int(collected.get(a.pk) or 0)
        source = f"agency:{a.code}"
        out.append(
            Performance(
                agency=a,
                placements=int(p["n"]),
                live=int(p["live"]),
                placed_fen=int(p["fen"] or 0),
                collected_fen=got,
                liquidation_rate=rules.liquidation_rate(got, int(p["fen"] or 0)),
                contacts=contacts.get(source, 0),
                complaints=complaints.get(a.pk, 0) + flagged.get(source, 0),
            )
        )
    return out

"""After charge-off: the charged-off position of each account and the recovery rate by vintage.

The cycle's charge-off (delinquency.cycle.charge_off) posts one CHARGE_OFF entry per component owed
(principal, interest, fees, plan), so the ledger keeps what was charged off of each apart. Payments
after charge-off post on the RECOVERY component (payments.operations); a settlement after charge-off,
once paid, writes off the rest with an ADJUSTMENT on the same component (concessions). The position
of an account is read from those entries, set-based (one grouped query per chunk of accounts), and the
recoveries and the write-off are spread over the components by `rules.split_recoveries`: fees, then
interest, then the plan, then principal.

The account's cache agrees: charged_off_fen is the sum of the components charged off, recovered_fen
is what was recovered plus what a settlement wrote off, and charged_off_fen - recovered_fen is what is
still owed (application.figures' still_owed_fen).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from arrears.delinquency import rules
from arrears.delinquency.rules import ComponentPosition
from arrears.kernel.sql import in_chunks
from arrears.ledger.models import Account, AccountStatus, Component, Entry, EntryKind
from arrears.money import format_fen

AFTER_CHARGE_OFF = (AccountStatus.CHARGED_OFF, AccountStatus.SETTLED)


@dataclasses.dataclass(frozen=True)
class Position:
    """What was charged off of one account, by component, and what became of it."""

    account_id: int
    status: str
    charged_off_on: dt.date | None
    components: dict[str, ComponentPosition]
    recovered_fen: int  # recoveries net of their reversals
    written_off_fen: int  # a paid settlement's write-off of the rest
    excess_fen: int  # recovered beyond the whole charge-off (an overpayment)

    @property
    def charged_off_fen(self) -> int:
        return sum(p.charged_off_fen for p in self.components.values())

    @property
    def still_owed_fen(self) -> int:
        return self.charged_off_fen - self.recovered_fen - self.written_off_fen

    @property
    def recovery_rate(self) -> Decimal:
        return rules.rate(self.recovered_fen, self.charged_off_fen)

    def rows(self) -> list[tuple[str, ComponentPosition]]:
        """The components in the order recoveries cover them, with a charge-off or a recovery."""
        return [(c, p) for c, p in self.components.items() if p.charged_off_fen or p.recovered_fen]


def charged_off_positions(accounts: Iterable[int] | QuerySet[Account]) -> dict[int, Position]:
    """The charged-off position of each of these accounts that was charged off (charged off now, or
    settled after charge-off), by account id; the others are left out.

    One query per chunk of 5,000 accounts (one for a queryset): the charge-off and recovery entries,
    summed by account, kind and component."""
    if isinstance(accounts, QuerySet):
        chunks: Iterable[Any] = [accounts.filter(status__in=AFTER_CHARGE_OFF).values("id")]
    else:
        chunks = in_chunks(accounts)
    found: dict[int, Position] = {}
    for chunk in chunks:
        rows = (
            Entry.objects.filter(account_id__in=chunk, account__status__in=AFTER_CHARGE_OFF)
            .filter(Q(kind=EntryKind.CHARGE_OFF) | Q(component=Component.RECOVERY))
            .values("account_id", "account__status", "account__charged_off_on", "kind", "component")
            .annotate(s=Sum("amount_fen"))
            .order_by()
            .values_list("account_id", "account__status", "account__charged_off_on", "kind", "component", "s")
        )
        # Per account: status, charge-off date, charged off by component, recovered, written off.
        by_account: dict[int, tuple[str, dt.date | None, dict[str, int], list[int]]] = {}
        for pk, status, on, kind, component, total in rows.iterator(chunk_size=10000):
            a = by_account.get(pk)
            if a is None:
                a = by_account[pk] = (status, on, {}, [0, 0])
            if kind == EntryKind.CHARGE_OFF:
                a[2][component] = a[2].get(component, 0) - total
            elif kind == EntryKind.ADJUSTMENT:
                a[3][1] -= total
            else:
                a[3][0] -= total
        for pk, (status, on, charged, (recovered, written_off)) in by_account.items():
            components, excess = rules.split_recoveries(charged, recovered_fen=recovered, written_off_fen=written_off)
            found[pk] = Position(
                account_id=pk,
                status=status,
                charged_off_on=on,
                components=components,
                recovered_fen=recovered,
                written_off_fen=written_off,
                excess_fen=excess,
            )
    return found


# -- recovery rate by vintage ----------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Vintage:
    """The accounts charged off in one month and what has been recovered of them since."""

    month: dt.date  # the first day of the month of charge-off
    accounts: int
    charged_off_fen: int
    recovered_fen: int  # to date (net of reversals; a settlement's write-off is not a recovery)
    cumulative_fen: tuple[int, ...]  # recovered by the end of month 0, 1, ... after the month of charge-off

    @property
    def rate(self) -> Decimal:
        return rules.rate(self.recovered_fen, self.charged_off_fen)

    @property
    def rates(self) -> tuple[Decimal, ...]:
        """The cumulative recovery rate by months since charge-off."""
        return tuple(rules.rate(r, self.charged_off_fen) for r in self.cumulative_fen)

    def as_json(self) -> dict[str, Any]:
        return {
            "vintage": f"{self.month:%Y-%m}",
            "accounts": self.accounts,
            "charged_off": format_fen(self.charged_off_fen),
            "recovered": format_fen(self.recovered_fen),
            "rate": str(self.rate),
            "by_month": [
                {"months_since": n, "recovered": format_fen(r), "rate": str(rate)}
                for n, (r, rate) in enumerate(zip(self.cumulative_fen, self.rates, strict=True))
            ],
        }


def recovery_vintages(*, business_date: dt.date, within: QuerySet[Account] | None = None) -> list[Vintage]:
    """Every month of charge-off up to the business date, oldest first, with what was charged off and
    recovered since, cumulated by months since the charge-off up to the business date's month.

    Two grouped queries whatever the number of accounts: the charge-offs by date of charge-off, the
    recoveries by date of charge-off and posting date (folded into months here)."""
    accounts = Account.objects.all() if within is None else within
    charged = (
        accounts.filter(charged_off_on__isnull=False, charged_off_on__lte=business_date)
        .values("charged_off_on")
        .annotate(n=Count("id"), s=Sum("charged_off_fen"))
        .order_by()
    )
    months: dict[dt.date, list[int]] = defaultdict(lambda: [0, 0])
    for day, n, total in charged.values_list("charged_off_on", "n", "s"):
        if day is None:
            continue
        m = months[day.replace(day=1)]
        m[0] += n
        m[1] += total or 0
    recovered: dict[dt.date, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    entries = (
        Entry.objects.filter(
            account__in=accounts.filter(charged_off_on__isnull=False).values("id"),
            component=Component.RECOVERY,
            kind__in=(EntryKind.RECOVERY, EntryKind.REVERSAL),
            posting_date__lte=business_date,
        )
        .values("account__charged_off_on", "posting_date")
        .annotate(s=Sum("amount_fen"))
        .order_by()
    )
    for on, posted, amount in entries.values_list("account__charged_off_on", "posting_date", "s"):
        if on is not None:
            recovered[on.replace(day=1)][max(rules.months_between(on, posted), 0)] -= amount
    result = []
    for month in sorted(months):
        n, charged_off = months[month]
        span = rules.months_between(month, business_date) + 1
        by_month = recovered.get(month, {})
        cumulative, total = [], 0
        for k in range(span):
            total += by_month.get(k, 0)
            cumulative.append(total)
        result.append(
            Vintage(
                month=month,
                accounts=n,
                charged_off_fen=charged_off,
                recovered_fen=total,
                cumulative_fen=tuple(cumulative),
            )
        )
    return result

"""The KPIs' inputs, loaded set-based for a period (start, end]: a fixed number of queries whatever
the number of accounts (one per kind of fact, never one per account).

The states and amounts owed come from the same SQL expressions as the lead's figures
(`application.team_figures.account_states`), so that the two agree. The dimensions of a fact:

- an account's team, collector and queue are those of its customer's latest case (a closed case has
  no collector nor queue any more: the collector who last recorded a contact on it stands in, the
  queue is ""); its product is its own; its segment and arm those of its latest strategy enrolment live in the period;
- a contact's or promise's team, collector and queue are those of its own case; product, segment and
  arm those of the customer's first account.

Complaints are taken as plain inputs (`load(..., complaints=...)`); by default they are the complaint
holds set in the period, and the contacts of agencies the gate flagged, as the agencies' performance
counts them (`agencies.queries.performance`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from django.db.models import CharField, F, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from arrears.agencies import rules as agency_rules
from arrears.agencies.models import Collection, CollectionStatus, CommissionTier, Placement
from arrears.application.team_figures import account_states
from arrears.cases.models import Case
from arrears.contacts.models import Contact, Party, Result
from arrears.delinquency.models import BucketChange
from arrears.holds.models import Hold, HoldKind
from arrears.insight.kpis import (
    ChargeOffFact,
    ComplaintFact,
    ContactFact,
    CureFact,
    Facts,
    Keys,
    MonthStep,
    PlacementFact,
    PromiseFact,
    Transition,
    month_ends,
)
from arrears.kernel import clock
from arrears.ledger.models import Account, Component, Entry, EntryKind
from arrears.payments.models import Payment
from arrears.promises.models import Promise
from arrears.strategy.models import Enrolment

AGENCY_SOURCE = "agency:"


class _Keys:
    """The dimensions of accounts and cases, read in three queries."""

    def __init__(self, start: dt.date, end: dt.date) -> None:
        self.cases: dict[int, tuple[int, str, str, str]] = {}  # case -> customer, team, collector, queue
        latest: dict[int, int] = {}
        # A closed case has lost its collector: the last one who recorded a contact on it stands in.
        last_contact = (
            Contact.objects.filter(
                case=OuterRef("pk"), collector__isnull=False, at__lt=clock.start_of(end + dt.timedelta(days=1))
            )
            .order_by("-at", "-id")
            .values("collector__username")[:1]
        )
        rows = (
            Case.objects.annotate(
                who=Coalesce(F("collector__username"), Subquery(last_contact), Value(""), output_field=CharField())
            )
            .order_by("id")
            .values_list("id", "customer_id", "team__name", "who", "queue__name")
        )
        for pk, customer, team, collector, queue in rows:
            self.cases[pk] = (customer, team or "", collector, queue or "")
            latest[customer] = pk
        self.latest_case = latest
        self.enrolment: dict[int, tuple[str, str]] = {}
        enrolments = (
            Enrolment.objects.filter(started_on__lte=end)
            .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=start))
            .order_by("started_on", "id")
            .values_list("account_id", "segment", "arm")
        )
        for account, segment, arm in enrolments:
            self.enrolment[account] = (segment, arm)
        self.accounts: dict[int, Keys] = {}
        self.first_account: dict[int, int] = {}
        for pk, customer, product in Account.objects.order_by("id").values_list("id", "customer_id", "product__code"):
            case = self.cases.get(latest.get(customer, 0))
            segment, arm = self.enrolment.get(pk, ("", ""))
            self.accounts[pk] = Keys(
                team=case[1] if case else "",
                collector=case[2] if case else "",
                queue=case[3] if case else "",
                product=product,
                segment=segment,
                arm=arm,
            )
            self.first_account.setdefault(customer, pk)

    def of_case(self, case_id: int) -> Keys:
        customer, team, collector, queue = self.cases[case_id]
        first = self.accounts.get(self.first_account.get(customer, 0), Keys())
        return Keys(
            team=team, collector=collector, queue=queue, product=first.product, segment=first.segment, arm=first.arm
        )

    def of_customer(self, customer_id: int) -> Keys:
        case = self.latest_case.get(customer_id)
        if case is not None:
            return self.of_case(case)
        return self.accounts.get(self.first_account.get(customer_id, 0), Keys())


def transitions(keys: _Keys, start: dt.date, end: dt.date) -> tuple[Transition, ...]:
    """Every account's state and amount owed at the close of start and of end, and the payments
    posted to it in the period: two queries."""
    collected = dict(
        Payment.objects.filter(posting_date__gt=start, posting_date__lte=end)
        .values("account_id")
        .annotate(s=Sum("amount_fen"))
        .order_by()
        .values_list("account_id", "s")
    )
    rows = account_states(Account.objects.all(), start, end)
    return tuple(
        Transition(
            account_id=pk,
            keys=keys.accounts[pk],
            start_state=int(s0),
            end_state=int(s1),
            start_owed_fen=int(o0),
            end_owed_fen=int(o1),
            collected_fen=int(collected.get(pk) or 0),
        )
        for pk, s0, s1, o0, o1 in rows
        if pk in keys.accounts
    )


def _contacts(start: dt.date, end: dt.date) -> Iterable[tuple[int, str, str, str, bool, dt.datetime]]:
    """The contacts recorded in the period by the bank's calendar; a corrected record counts once,
    as its correction (as on the lead's page)."""
    return (
        Contact.objects.filter(
            at__gte=clock.start_of(start + dt.timedelta(days=1)), at__lt=clock.start_of(end + dt.timedelta(days=1))
        )
        .exclude(pk__in=Contact.objects.filter(corrects__isnull=False).values("corrects_id"))
        .order_by("id")
        .values_list("case_id", "party", "result", "source", "flagged", "at")
    )


def load(*, start: dt.date, end: dt.date, complaints: tuple[ComplaintFact, ...] | None = None) -> Facts:
    """Every KPI input for the period (start, end]."""
    if end <= start:
        raise ValueError("the period must end after it starts")
    keys = _Keys(start, end)

    contacts, flagged = [], []
    zone = clock.bank_zone()
    for case_id, party, result, source, is_flagged, at in _contacts(start, end):
        agency = source[len(AGENCY_SOURCE) :] if source.startswith(AGENCY_SOURCE) else ""
        k = keys.of_case(case_id)
        contacts.append(
            ContactFact(
                keys=k,
                reached=party != Party.NONE,
                right_party=result == Result.RIGHT_PARTY,
                agency=agency,
                on=at.astimezone(zone).date(),
            )
        )
        if agency and is_flagged:
            flagged.append(ComplaintFact(keys=k, agency=agency))

    promises = tuple(
        PromiseFact(keys=keys.of_case(case_id), taken_on=t, promised_date=p, amount_fen=a, paid_fen=paid, status=s)
        for case_id, t, p, a, paid, s in Promise.objects.filter(
            Q(taken_on__gt=start, taken_on__lte=end) | Q(promised_date__gt=start, promised_date__lte=end)
        )
        .order_by("id")
        .values_list("case_id", "taken_on", "promised_date", "amount_fen", "paid_fen", "status")
    )

    placements, live = _placements(keys, start, end)
    if complaints is None:
        complaints = _complaint_holds(keys, start, end, live) + tuple(flagged)

    return Facts(
        start=start,
        end=end,
        transitions=transitions(keys, start, end),
        contacts=tuple(contacts),
        promises=promises,
        charge_offs=_charge_offs(keys, end),
        placements=placements,
        complaints=complaints,
        cures=_cures(keys, start, end),
        months=_months(keys, start, end),
    )


def _months(keys: _Keys, start: dt.date, end: dt.date) -> tuple[MonthStep, ...]:
    """Every account's states at the ends of each month of the period: one query per month."""
    steps: list[MonthStep] = []
    ends = month_ends(start, end)
    for a, b in zip([start, *ends[:-1]], ends, strict=True):
        steps.extend(
            MonthStep(
                account_id=pk, keys=keys.accounts[pk], start=a, end=b, start_state=s0, end_state=s1, start_owed_fen=o0
            )
            for pk, s0, s1, o0, _ in account_states(Account.objects.all(), a, b)
            if pk in keys.accounts
        )
    return tuple(steps)


def _charge_offs(keys: _Keys, end: dt.date) -> tuple[ChargeOffFact, ...]:
    """The accounts charged off by `end` and their recoveries net of reversals by posting date (the
    same entries as delinquency.chargeoff.recovery_vintages): two queries."""
    charged = list(
        Account.objects.filter(charged_off_on__isnull=False, charged_off_on__lte=end)
        .order_by("id")
        .values_list("id", "charged_off_on", "charged_off_fen")
    )
    recovered: dict[int, list[tuple[dt.date, int]]] = defaultdict(list)
    entries = (
        Entry.objects.filter(
            account__charged_off_on__isnull=False,
            account__charged_off_on__lte=end,
            component=Component.RECOVERY,
            kind__in=(EntryKind.RECOVERY, EntryKind.REVERSAL),
            posting_date__lte=end,
        )
        .values("account_id", "posting_date")
        .annotate(s=Sum("amount_fen"))
        .order_by("account_id", "posting_date")
        .values_list("account_id", "posting_date", "s")
    )
    for pk, posted, amount in entries:
        recovered[pk].append((posted, -int(amount)))
    return tuple(
        ChargeOffFact(
            account_id=pk,
            keys=keys.accounts[pk],
            charged_off_on=on,
            charged_off_fen=int(fen),
            recoveries=tuple(recovered.get(pk, ())),
        )
        for pk, on, fen in charged
        if on is not None
    )


def _placements(
    keys: _Keys, start: dt.date, end: dt.date
) -> tuple[tuple[PlacementFact, ...], dict[int, list[tuple[str, dt.date, dt.date | None]]]]:
    """The placements live in the period (placed by its end, not recalled before its start), the
    collections the bank confirmed on them in the period and their commission: three queries. Also,
    by customer, the agencies that held one of their accounts and when (to attribute complaints)."""
    tiers: dict[int, list[tuple[int, Decimal]]] = defaultdict(list)
    for agency_id, min_bucket, rate in CommissionTier.objects.values_list("agency_id", "min_bucket", "rate"):
        tiers[agency_id].append((min_bucket, rate))
    collected = dict(
        Collection.objects.filter(status=CollectionStatus.CONFIRMED, decided_on__gt=start, decided_on__lte=end)
        .values("placement_id")
        .annotate(s=Sum("amount_fen"))
        .order_by()
        .values_list("placement_id", "s")
    )
    rows = (
        Placement.objects.filter(placed_on__lte=end)
        .filter(Q(recalled_on__isnull=True) | Q(recalled_on__gt=start))
        .order_by("id")
        .values_list(
            "id",
            "agency_id",
            "agency__code",
            "account_id",
            "account__customer_id",
            "balance_fen",
            "bucket",
            "placed_on",
            "recalled_on",
        )
    )
    facts: list[PlacementFact] = []
    live: dict[int, list[tuple[str, dt.date, dt.date | None]]] = defaultdict(list)
    for pk, agency_id, code, account, customer, placed, bucket, placed_on, recalled_on in rows:
        got = int(collected.get(pk) or 0)
        rate = agency_rules.tier_rate(tiers[agency_id], bucket)
        facts.append(
            PlacementFact(
                placement_id=pk,
                agency=code,
                keys=keys.accounts[account],
                placed_fen=int(placed),
                collected_fen=got,
                commission_fen=agency_rules.commission_fen(got, rate),
            )
        )
        live[customer].append((code, placed_on, recalled_on))
    return tuple(facts), live


def _complaint_holds(
    keys: _Keys, start: dt.date, end: dt.date, live: dict[int, list[tuple[str, dt.date, dt.date | None]]]
) -> tuple[ComplaintFact, ...]:
    """A complaint hold set in the period is a complaint; it concerns the agency that held one of the
    customer's accounts on the day it was set (placed on or before, not recalled before): one query."""
    out = []
    for customer, on in (
        Hold.objects.filter(kind=HoldKind.COMPLAINT, starts_on__gt=start, starts_on__lte=end)
        .order_by("id")
        .values_list("customer_id", "starts_on")
    ):
        held = [code for code, placed, recalled in live.get(customer, ()) if placed <= on <= (recalled or on)]
        agency = held[0] if held else ""
        out.append(ComplaintFact(keys=keys.of_customer(customer), agency=agency))
    return tuple(out)


def _cures(keys: _Keys, start: dt.date, end: dt.date) -> tuple[CureFact, ...]:
    """Every return to M0 from M1 or worse in the period, with the account's last move from M0 into
    arrears before it (from the bucket history): two queries. A cure whose move into arrears is not in
    the history is left out."""
    cured = list(
        BucketChange.objects.filter(change_date__gt=start, change_date__lte=end, to_bucket=0, from_bucket__gte=1)
        .order_by("account_id", "change_date")
        .values_list("account_id", "change_date")
    )
    if not cured:
        return ()
    entered: dict[int, list[dt.date]] = defaultdict(list)
    for pk, day in (
        BucketChange.objects.filter(
            account_id__in=BucketChange.objects.filter(
                change_date__gt=start, change_date__lte=end, to_bucket=0, from_bucket__gte=1
            ).values("account_id"),
            change_date__lte=end,
            from_bucket=0,
            to_bucket__gte=1,
        )
        .order_by("account_id", "change_date")
        .values_list("account_id", "change_date")
    ):
        entered[pk].append(day)
    out = []
    for pk, on in cured:
        before = [d for d in entered.get(pk, ()) if d < on]
        if before:
            out.append(CureFact(account_id=pk, keys=keys.accounts[pk], delinquent_on=before[-1], cured_on=on))
    return tuple(out)

"""The team lead's figures: roll rates, cure rate, amounts collected, promises kept, contacts and
right-party contacts, weekly trends and pending approvals, for the teams a person leads.

Every figure is set-based: a handful of GROUP BY / conditional-aggregate queries over the team's
cases, accounts, bucket history, payments, contacts and promises, whatever the number of accounts.

Dates: the period is (start, end], `end` being the business date; an account's bucket "at" a date
is its bucket at the close of that date (the last bucket change on or before it).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import (
    BigIntegerField,
    Count,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models import Case as CaseWhen
from django.db.models.functions import Coalesce

from arrears.cases.models import Case
from arrears.concessions.models import ApprovalRequest, ApprovalStatus
from arrears.contacts.models import Contact, Result
from arrears.delinquency.models import BucketChange
from arrears.delinquency.rules import STATE_CHARGED_OFF, STATE_PAID
from arrears.kernel import clock
from arrears.ledger.models import Account, Entry, EntryKind
from arrears.payments.models import Payment
from arrears.people.models import Team
from arrears.promises.models import Promise, PromiseStatus

HUNDRED = Decimal(100)
CENT = Decimal("0.01")
JUDGED = (PromiseStatus.KEPT, PromiseStatus.PARTLY_KEPT, PromiseStatus.BROKEN)
ROLL_FROM = range(0, 7)  # M0->M1 ... M6->M7
DELINQUENT = range(1, 8)  # M1 ... M7 (a charged-off account is in STATE_CHARGED_OFF, not here)


def rate(part: int, whole: int) -> Decimal | None:
    """part / whole as a percentage with two decimals (half up); None when there is nothing to divide."""
    if whole == 0:
        return None
    return (Decimal(part) * HUNDRED / Decimal(whole)).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclasses.dataclass(frozen=True)
class Roll:
    from_bucket: int
    accounts: int  # in M<from_bucket> at the start of the period
    rolled: int  # of those, in M<from_bucket + 1> at its end, or charged off
    cured: int  # of those, current (M0) at its end

    @property
    def to_bucket(self) -> int:
        return self.from_bucket + 1

    @property
    def rate(self) -> Decimal | None:
        return rate(self.rolled, self.accounts)


@dataclasses.dataclass(frozen=True)
class Week:
    start: dt.date  # first day, inclusive
    end: dt.date  # last day, inclusive
    collected_fen: int
    contacts: int
    right_party: int
    promises_due: int
    promises_kept: int

    @property
    def rpc_rate(self) -> Decimal | None:
        return rate(self.right_party, self.contacts)

    @property
    def kept_rate(self) -> Decimal | None:
        return rate(self.promises_kept, self.promises_due)


@dataclasses.dataclass(frozen=True)
class Pending:
    id: int
    case_id: int
    kind: str
    amount_fen: int
    to_role: str
    requested_on: dt.date
    expires_on: dt.date


@dataclasses.dataclass(frozen=True)
class TeamFigures:
    teams: list[str]
    start: dt.date  # the period is (start, end]
    end: dt.date
    rolls: list[Roll]
    delinquent_at_start: int
    cured: int
    collected_fen: int
    promises_due: int
    promises_kept: int
    contacts: int
    right_party: int
    weeks: list[Week]
    pending: list[Pending]
    pending_count: int
    # The whole roll matrix (state at start, state at end) -> accounts, for the heat map, and the
    # funnel's promises: taken in the period (not cancelled), and of those the ones kept in full.
    matrix: dict[tuple[int, int], int] = dataclasses.field(default_factory=dict)
    promises_taken: int = 0
    promises_taken_kept: int = 0

    @property
    def cure_rate(self) -> Decimal | None:
        return rate(self.cured, self.delinquent_at_start)

    @property
    def kept_rate(self) -> Decimal | None:
        return rate(self.promises_kept, self.promises_due)

    @property
    def rpc_rate(self) -> Decimal | None:
        return rate(self.right_party, self.contacts)


def teams_led_by(user: Any) -> QuerySet[Team]:
    """The teams whose figures this person may see: the ones they lead (an administrator: all)."""
    if not user.is_authenticated:
        return Team.objects.none()
    if user.is_superuser:
        return Team.objects.all()
    return Team.objects.filter(lead=user.pk)


def _accounts(teams: QuerySet[Team]) -> QuerySet[Account]:
    return Account.objects.filter(customer_id__in=Case.objects.filter(team__in=teams).values("customer_id"))


def bucket_at(day: dt.date) -> Coalesce:
    """The account's bucket at the close of `day`: the last change on or before it; before its first
    change, that change's starting bucket; with no history at all, its bucket now."""
    last = (
        BucketChange.objects.filter(account=OuterRef("pk"), change_date__lte=day)
        .order_by("-change_date")
        .values("to_bucket")[:1]
    )
    first_after = (
        BucketChange.objects.filter(account=OuterRef("pk"), change_date__gt=day)
        .order_by("change_date")
        .values("from_bucket")[:1]
    )
    return Coalesce(
        Subquery(last, output_field=IntegerField()),
        Subquery(first_after, output_field=IntegerField()),
        F("bucket"),
        output_field=IntegerField(),
    )


def owed_at(day: dt.date) -> Coalesce:
    """What the account owed at the close of `day`: every entry posted on or before it except the
    charge-off entries (so that after a charge-off it is what is still owed of it)."""
    owed = (
        Entry.objects.filter(account=OuterRef("pk"), posting_date__lte=day)
        .exclude(kind=EntryKind.CHARGE_OFF)
        .order_by()
        .values("account")
        .annotate(s=Sum("amount_fen"))
        .values("s")
    )
    return Coalesce(Subquery(owed, output_field=BigIntegerField()), Value(0), output_field=BigIntegerField())


def _state(day: dt.date, owed: str) -> CaseWhen:
    return CaseWhen(
        When(**{f"{owed}__lte": 0}, then=Value(STATE_PAID)),
        When(charged_off_on__lte=day, then=Value(STATE_CHARGED_OFF)),
        default=bucket_at(day),
        output_field=IntegerField(),
    )


def account_states(
    accounts: QuerySet[Account], start: dt.date, end: dt.date
) -> QuerySet[Account, tuple[int, int, int, int, int]]:
    """(account id, state at the close of start, state at the close of end, owed then, owed then):
    the states of the roll-rate matrix (insight.kpis). A state is STATE_PAID when the account owed
    nothing, STATE_CHARGED_OFF when it had been charged off by then, else its bucket 0-7. One query."""
    return (
        accounts.annotate(s0_owed=owed_at(start), s1_owed=owed_at(end))
        .annotate(s0=_state(start, "s0_owed"), s1=_state(end, "s1_owed"))
        .order_by("id")
        .values_list("id", "s0", "s1", "s0_owed", "s1_owed")
    )


def roll_matrix(accounts: QuerySet[Account], start: dt.date, end: dt.date) -> dict[tuple[int, int], int]:
    """How many accounts went from state a (at the close of start) to state b (at the close of end),
    states as in `account_states`: one GROUP BY query."""
    rows = (
        accounts.annotate(s0_owed=owed_at(start), s1_owed=owed_at(end))
        .annotate(s0=_state(start, "s0_owed"), s1=_state(end, "s1_owed"))
        .values("s0", "s1")
        .annotate(n=Count("id"))
        .values_list("s0", "s1", "n")
    )
    return {(int(a), int(b)): int(n) for a, b, n in rows}


def _weeks(end: dt.date, weeks: int) -> list[tuple[dt.date, dt.date]]:
    """`weeks` spans of seven days, oldest first, the last ending on `end`."""
    return [
        (end - dt.timedelta(days=7 * (weeks - i) - 1), end - dt.timedelta(days=7 * (weeks - 1 - i)))
        for i in range(weeks)
    ]


def team_figures(user: Any, *, today: dt.date, period_days: int = 30, weeks: int = 8) -> TeamFigures:
    teams = teams_led_by(user)
    accounts = _accounts(teams)
    start = today - dt.timedelta(days=period_days)
    spans = _weeks(today, weeks)
    first = min(start + dt.timedelta(days=1), spans[0][0])

    matrix = roll_matrix(accounts, start, today)
    rolls = [
        Roll(
            from_bucket=b,
            accounts=sum(n for (a, _), n in matrix.items() if a == b),
            rolled=matrix.get((b, b + 1), 0) + matrix.get((b, STATE_CHARGED_OFF), 0),
            cured=matrix.get((b, 0), 0) + matrix.get((b, STATE_PAID), 0) if b else 0,
        )
        for b in ROLL_FROM
    ]
    delinquent = sum(n for (a, _), n in matrix.items() if a in DELINQUENT)
    cured = sum(n for (a, b), n in matrix.items() if a in DELINQUENT and b in (0, STATE_PAID))

    # Payments: one conditional aggregate for the period and each week.
    payments = Payment.objects.filter(
        account_id__in=accounts.values("pk"), posting_date__gte=first, posting_date__lte=today
    )
    paid = payments.aggregate(
        period=Coalesce(Sum("amount_fen", filter=Q(posting_date__gt=start)), 0),
        **{
            f"w{i}": Coalesce(Sum("amount_fen", filter=Q(posting_date__gte=a, posting_date__lte=b)), 0)
            for i, (a, b) in enumerate(spans)
        },
    )

    # Contacts (a corrected record counts once, as its correction), by the bank's calendar.
    def since(day: dt.date) -> dt.datetime:
        return clock.start_of(day)

    contacts = Contact.objects.filter(
        case__team__in=teams, at__gte=since(first), at__lt=since(today + dt.timedelta(days=1))
    ).exclude(pk__in=Contact.objects.filter(corrects__isnull=False).values("corrects_id"))
    rpc = Q(result=Result.RIGHT_PARTY)
    in_period = Q(at__gte=since(start + dt.timedelta(days=1)))
    counts: dict[str, Any] = {"c": Count("id", filter=in_period), "r": Count("id", filter=in_period & rpc)}
    for i, (a, b) in enumerate(spans):
        week = Q(at__gte=since(a), at__lt=since(b + dt.timedelta(days=1)))
        counts[f"c{i}"] = Count("id", filter=week)
        counts[f"r{i}"] = Count("id", filter=week & rpc)
    touched = contacts.aggregate(**counts)

    # Promises due in the period and judged: kept / (kept + partly kept + broken); and, for the
    # funnel, the promises taken in the period (not cancelled) and how many of them were kept.
    due = Q(status__in=JUDGED, promised_date__gte=first, promised_date__lte=today)
    taken_q = Q(taken_on__gt=start, taken_on__lte=today) & ~Q(status=PromiseStatus.CANCELLED)
    promises = Promise.objects.filter(case__team__in=teams).filter(due | taken_q)
    kept = Q(status=PromiseStatus.KEPT)
    due_period = due & Q(promised_date__gt=start)
    pcounts: dict[str, Any] = {
        "d": Count("id", filter=due_period),
        "k": Count("id", filter=due_period & kept),
        "t": Count("id", filter=taken_q),
        "tk": Count("id", filter=taken_q & kept),
    }
    for i, (a, b) in enumerate(spans):
        week = due & Q(promised_date__gte=a, promised_date__lte=b)
        pcounts[f"d{i}"] = Count("id", filter=week)
        pcounts[f"k{i}"] = Count("id", filter=week & kept)
    judged = promises.aggregate(**pcounts)

    waiting = ApprovalRequest.objects.filter(status=ApprovalStatus.PENDING, concession__case__team__in=teams)
    pending = [
        Pending(
            id=r.pk,
            case_id=r.concession.case_id,
            kind=r.concession.kind,
            amount_fen=r.concession.amount_fen,
            to_role=r.to_role,
            requested_on=r.requested_on,
            expires_on=r.expires_on,
        )
        for r in waiting.select_related("concession").order_by("expires_on", "id")[:20]
    ]

    return TeamFigures(
        teams=list(teams.order_by("name").values_list("name", flat=True)),
        start=start,
        end=today,
        rolls=rolls,
        delinquent_at_start=delinquent,
        cured=cured,
        collected_fen=int(paid["period"]),
        promises_due=int(judged["d"]),
        promises_kept=int(judged["k"]),
        contacts=int(touched["c"]),
        right_party=int(touched["r"]),
        weeks=[
            Week(
                start=a,
                end=b,
                collected_fen=int(paid[f"w{i}"]),
                contacts=int(touched[f"c{i}"]),
                right_party=int(touched[f"r{i}"]),
                promises_due=int(judged[f"d{i}"]),
                promises_kept=int(judged[f"k{i}"]),
            )
            for i, (a, b) in enumerate(spans)
        ],
        pending=pending,
        pending_count=len(pending) if len(pending) < 20 else waiting.count(),
        matrix=matrix,
        promises_taken=int(judged["t"]),
        promises_taken_kept=int(judged["tk"]),
    )

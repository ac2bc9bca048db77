"""The weekly progress report: its figures, its recipients, and sending it (docs/kpis.md, "The weekly
report").

A week ends on a Sunday: the week ending W is the period (W − 7, W] of the KPIs (Monday to Sunday),
compared with the week before, (W − 14, W − 7]. Its figures come from the KPI loaders
(`insight.facts.load`, a fixed number of queries whatever the number of accounts) split by team and by
collector with the KPI definitions (`insight.kpis`), plus one grouped query each for the quality
scores, the compliance breaches and the complaints per collector; the scorecards are
`insight.scorecards`.

Recipients: every team lead gets their teams, every collections manager every team, every collector
(a member of a team with the collector role) only their own scorecard and figures, in their language
(the language of the pages they chose, else the first language they speak). One record per week and
recipient (`WeeklyReportSent`) makes sending idempotent: a second run sends nothing unless asked to
resend. The record is written after the mail left, in the same transaction as its audit entry.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Count, Q
from django.utils import translation
from django.utils.translation import gettext

from arrears.audit.operations import record
from arrears.complaints.models import Complaint, Outcome
from arrears.complaints.queries import per_collector
from arrears.contacts.models import Contact, Note
from arrears.errors import ValidationFailed
from arrears.insight import kpis, scorecards
from arrears.insight.facts import load
from arrears.insight.models import WeeklyReportSent
from arrears.insight.scorecards import Inputs, Scorecard
from arrears.kernel import clock
from arrears.outreach.channels import SendFailed, send_report
from arrears.people.models import Profile, Role, Team
from arrears.quality.queries import collector_scores

LANGUAGES = ("zh-hans", "en")
SUNDAY = 6
LEAD = "lead"
MANAGER = "manager"
COLLECTOR = "collector"
SUBSTANTIATED = (Outcome.UPHELD, Outcome.PARTLY_UPHELD)


def last_sunday_before(day: dt.date) -> dt.date:
    """The last Sunday strictly before `day` (the default week ending for the business date `day`)."""
    back = (day.weekday() - SUNDAY) % 7 or 7
    return day - dt.timedelta(days=back)


EARLIEST_WEEK = dt.date(1970, 1, 4)  # the first Sunday of 1970


def check_week(week_ending: dt.date, business_date: dt.date, *, field: str = "week") -> dt.date:
    """A week ending must be a Sunday before the business date (a week that has closed), and not before
    1970 (a week near year 1 has no earlier weeks to compare with: a 500 before)."""
    if week_ending < EARLIEST_WEEK:
        raise ValidationFailed(
            f"the week ending {week_ending} is before {EARLIEST_WEEK}",
            field=field,
            code="out_of_range",
            params={"low": EARLIEST_WEEK, "high": business_date},
        )
    if week_ending.weekday() != SUNDAY:
        raise ValidationFailed(
            f"{week_ending} is not a Sunday: a week ends on a Sunday", field=field, code="out_of_range"
        )
    if week_ending >= business_date:
        raise ValidationFailed(
            f"the week ending {week_ending} has not closed by the business date {business_date}",
            field=field,
            code="out_of_range",
        )
    return week_ending


def parse_week(text: str | None, business_date: dt.date, *, field: str = "week") -> dt.date:
    """The week ending given as YYYY-MM-DD (checked), or by default the last Sunday before the
    business date."""
    if not text:
        return last_sunday_before(business_date)
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise ValidationFailed(f"give a date as YYYY-MM-DD, not {text!r}", field=field, code="not_a_date") from None
    return check_week(day, business_date, field=field)


# -- the figures ---------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Figures:
    """One team's (or one collector's) week: the funnel from attempts to kept promises and the rates."""

    attempts: int = 0
    reached: int = 0
    right_party: int = 0
    promises: int = 0  # taken in the week
    judged: int = 0
    kept: int = 0
    collected_fen: int = 0
    complaints: int = 0
    roll_m1_m2: Decimal | None = None
    cure: Decimal | None = None
    kept_rate: Decimal | None = None
    rpc_rate: Decimal | None = None
    complaints_per_1000: Decimal | None = None

    @property
    def funnel(self) -> list[tuple[str, int]]:
        return [
            ("attempts", self.attempts),
            ("reached", self.reached),
            ("right_party", self.right_party),
            ("promises", self.promises),
            ("kept", self.kept),
        ]


def figures_of(facts: kpis.Facts) -> Figures:
    """The KPIs of one group of facts (the definitions of `insight.kpis`)."""
    matrix = kpis.roll_matrix(facts.transitions)
    contacts = kpis.contact_rates(facts.contacts)
    promised = kpis.promise_rates(facts.promises, facts.contacts, start=facts.start, end=facts.end)
    return Figures(
        attempts=contacts.attempts,
        reached=contacts.reached,
        right_party=contacts.right_party,
        promises=promised.taken,
        judged=promised.judged,
        kept=promised.kept,
        collected_fen=sum(t.collected_fen for t in facts.transitions),
        complaints=len(facts.complaints),
        roll_m1_m2=kpis.flow_rates(matrix)[1],
        cure=kpis.cure_rate(matrix),
        kept_rate=promised.kept_rate,
        rpc_rate=contacts.rpc_rate,
        complaints_per_1000=kpis.complaints_per_thousand(len(facts.complaints), contacts.attempts),
    )


@dataclasses.dataclass(frozen=True)
class CollectorWeek:
    username: str
    name: str
    team: str
    this: Figures
    previous: Figures
    card: Scorecard


@dataclasses.dataclass(frozen=True)
class TeamWeek:
    team: str
    this: Figures
    previous: Figures
    card: Scorecard  # the team's own scorecard (its collectors' sums), ranked among the teams
    collectors: list[CollectorWeek]  # ranked by their scorecards


@dataclasses.dataclass(frozen=True)
class Week:
    """Every team's and collector's figures for the week ending `week_ending`."""

    week_ending: dt.date
    teams: dict[str, TeamWeek]
    collectors: dict[str, CollectorWeek]  # by username (a collector in two teams: the first by name)

    @property
    def start(self) -> dt.date:  # the Monday
        return self.week_ending - dt.timedelta(days=6)


def _per_user(rows: Iterable[tuple[int, int]]) -> dict[int, int]:
    found: dict[int, int] = defaultdict(int)
    for pk, n in rows:
        found[pk] += n
    return found


def breaches(first: dt.date, last: dt.date) -> dict[int, int]:
    """By user id: the compliance breaches recorded on the days first ... last: the contacts the gate
    flagged (judged after the fact) and the notes flagged for prohibited wording. Two queries."""
    since, until = clock.start_of(first), clock.start_of(last + dt.timedelta(days=1))
    contacts = (
        Contact.objects.filter(flagged=True, collector__isnull=False, at__gte=since, at__lt=until)
        .values("collector_id")
        .annotate(n=Count("id"))
        .values_list("collector_id", "n")
    )
    notes = (
        Note.objects.filter(flagged=True, at__gte=since, at__lt=until)
        .values("author_id")
        .annotate(n=Count("id"))
        .values_list("author_id", "n")
    )
    return _per_user([*contacts, *notes])


def substantiated(first: dt.date, last: dt.date) -> dict[int, int]:
    """By user id: the complaints closed on the days first ... last as upheld or partly upheld that
    name the person among the staff involved. One query."""
    return dict(
        Complaint.objects.filter(
            staff__isnull=False, outcome__in=SUBSTANTIATED, closed_on__gte=first, closed_on__lte=last
        )
        .values("staff")
        .annotate(n=Count("id"))
        .values_list("staff", "n")
    )


def _collectors_by_team() -> dict[str, list[User]]:
    """Each team's members who hold the collector role (one query)."""
    members: dict[str, list[User]] = {t.name: [] for t in Team.objects.order_by("name")}
    rows = (
        User.objects.filter(groups__name=Role.COLLECTOR, teams__isnull=False, is_active=True)
        .values_list("pk", "username", "first_name", "last_name", "teams__name")
        .order_by("teams__name", "username")
    )
    for pk, username, first, last, team in rows:
        members.setdefault(team, []).append(User(pk=pk, username=username, first_name=first, last_name=last))
    return members


def week_figures(week_ending: dt.date) -> Week:
    """The week's figures for every team and collector, with the week before."""
    start, end = week_ending - dt.timedelta(days=7), week_ending
    this_facts = load(start=start, end=end)
    previous_facts = load(start=start - dt.timedelta(days=7), end=start)
    first, last = start + dt.timedelta(days=1), end
    this_by_team = kpis.split(this_facts, "team")
    previous_by_team = kpis.split(previous_facts, "team")
    this_by_collector = kpis.split(this_facts, "collector")
    previous_by_collector = kpis.split(previous_facts, "collector")
    quality = collector_scores(first, last + dt.timedelta(days=1))
    broke = breaches(first, last)
    complained = per_collector(start=first, end=last + dt.timedelta(days=1))
    upheld = substantiated(first, last)
    empty = kpis.Facts(start, end)

    def figures(split: dict[str, kpis.Facts], name: str) -> Figures:
        return figures_of(split.get(name, empty))

    teams: dict[str, TeamWeek] = {}
    collectors: dict[str, CollectorWeek] = {}
    team_rows: list[Inputs] = []
    tables: dict[str, tuple[Figures, Figures, list[Scorecard], dict[str, User]]] = {}
    for team, members in _collectors_by_team().items():
        rows = []
        for user in members:
            this = figures(this_by_collector, user.username)
            rows.append(
                Inputs(
                    name=user.username,
                    team=team,
                    quality=quality.get(user.pk),
                    attempts=this.attempts,
                    right_party=this.right_party,
                    judged=this.judged,
                    kept=this.kept,
                    collected_fen=this.collected_fen,
                    breaches=broke.get(user.pk, 0),
                    complaints=complained[user.pk].complaints if user.pk in complained else 0,
                    substantiated=upheld.get(user.pk, 0),
                )
            )
        team_rows.append(scorecards.team_inputs(team, rows))
        tables[team] = (
            figures(this_by_team, team),
            figures(previous_by_team, team),
            scorecards.scorecards(rows),
            {u.username: u for u in members},
        )
    team_cards = {c.name: c for c in scorecards.scorecards(team_rows)}
    for team, (this, previous, cards, users) in tables.items():
        weeks = []
        for card in cards:
            user = users[card.name]
            week = CollectorWeek(
                username=user.username,
                name=user.get_full_name() or user.username,
                team=team,
                this=figures(this_by_collector, user.username),
                previous=figures(previous_by_collector, user.username),
                card=card,
            )
            weeks.append(week)
            collectors.setdefault(user.username, week)
        teams[team] = TeamWeek(team=team, this=this, previous=previous, card=team_cards[team], collectors=weeks)
    return Week(week_ending=week_ending, teams=teams, collectors=collectors)


# -- recipients and their reports -----------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Recipient:
    user_id: int
    username: str
    email: str
    language: str
    kind: str  # lead, manager or collector
    teams: tuple[str, ...]  # the teams in the report (a collector: none, only their own figures)


def language_of(chosen: str, spoken: str) -> str:
    """The language of the pages the person chose, else the first one they speak that the report
    has, else zh-Hans."""
    for candidate in [chosen, *(x.strip() for x in spoken.split(","))]:
        if candidate in LANGUAGES:
            return candidate
    return LANGUAGES[0]


def recipients() -> list[Recipient]:
    """Every collections manager (all teams), team lead (their teams) and collector (their own),
    one report each (a manager who also leads a team gets the manager's), by username. Three queries."""
    profiles = {
        pk: (chosen, spoken) for pk, chosen, spoken in Profile.objects.values_list("user_id", "language", "languages")
    }
    users = {
        u.pk: u
        for u in User.objects.filter(is_active=True).filter(
            Q(groups__name__in=[Role.COLLECTIONS_MANAGER, Role.COLLECTOR]) | Q(teams_led__isnull=False)
        )
    }
    roles: dict[int, set[str]] = defaultdict(set)
    for pk, role in User.groups.through.objects.filter(user_id__in=users).values_list("user_id", "group__name"):
        roles[pk].add(role)
    all_teams = tuple(Team.objects.order_by("name").values_list("name", flat=True))
    led: dict[int, list[str]] = defaultdict(list)
    member: set[int] = set()
    for name, lead, m in Team.objects.order_by("name").values_list("name", "lead_id", "members"):
        if lead is not None and name not in led[lead]:
            led[lead].append(name)
        if m is not None:
            member.add(m)
    found = []
    for pk, user in users.items():
        chosen, spoken = profiles.get(pk, ("", ""))
        language = language_of(chosen, spoken)
        if Role.COLLECTIONS_MANAGER in roles[pk]:
            kind, teams = MANAGER, all_teams
        elif led.get(pk):
            kind, teams = LEAD, tuple(led[pk])
        elif Role.COLLECTOR in roles[pk] and pk in member:
            kind, teams = COLLECTOR, ()
        else:
            continue
        found.append(Recipient(pk, user.username, user.email, language, kind, teams))
    return sorted(found, key=lambda r: r.username)


@dataclasses.dataclass(frozen=True)
class Report:
    """One recipient's report: the teams they see (a lead, a manager), or their own week (a collector)."""

    week_ending: dt.date
    language: str
    kind: str
    name: str
    teams: list[TeamWeek]
    own: CollectorWeek | None

    @property
    def start(self) -> dt.date:
        return self.week_ending - dt.timedelta(days=6)


def report_for(week: Week, recipient: Recipient, *, name: str = "") -> Report:
    """What `recipient` sees of the week: a collector only their own figures and scorecard."""
    if recipient.kind == COLLECTOR:
        return Report(week.week_ending, recipient.language, COLLECTOR, name or recipient.username, [],
                      week.collectors.get(recipient.username))  # fmt: skip
    teams = [week.teams[t] for t in recipient.teams if t in week.teams]
    return Report(week.week_ending, recipient.language, recipient.kind, name or recipient.username, teams, None)


def recipient_of(user: Any, *, kind: str, teams: Sequence[str] = ()) -> Recipient:
    """The recipient a page serves: the signed-in person as a collector, or as the lead of `teams`."""
    profile = Profile.objects.filter(user=user.pk).values_list("language", "languages").first() or ("", "")
    language = translation.get_language() or language_of(*profile)
    if language not in LANGUAGES:
        language = language_of(*profile)
    return Recipient(user.pk, user.get_username(), user.email, language, kind, tuple(teams))


def pdf_name(week_ending: dt.date, who: str) -> str:
    return f"weekly-{week_ending.isoformat()}-{who}.pdf"


# -- sending ---------------------------------------------------------------------------------------


@dataclasses.dataclass
class Outcomes:
    sent: list[str] = dataclasses.field(default_factory=list)
    already: list[str] = dataclasses.field(default_factory=list)
    skipped: list[str] = dataclasses.field(default_factory=list)  # no e-mail address
    failed: list[tuple[str, str]] = dataclasses.field(default_factory=list)
    written: list[Path] = dataclasses.field(default_factory=list)


def mail_text(report: Report) -> tuple[str, str]:
    """The subject and body in the recipient's language."""
    with translation.override(report.language):
        subject = gettext("Weekly collections report, week ending %(day)s") % {"day": report.week_ending.isoformat()}
        body = gettext(
            "Hello %(name)s,\n\nAttached is the weekly collections report for the week %(start)s to %(end)s.\n\nArrears"
        ) % {"name": report.name, "start": report.start.isoformat(), "end": report.week_ending.isoformat()}
    return subject, body


def send_weekly(
    *,
    actor: str,
    week_ending: dt.date,
    business_date: dt.date,
    dry_run: bool = False,
    resend: bool = False,
    out: Path | None = None,
    progress: Callable[[str], None] | None = None,
    on_start: Callable[[int], None] | None = None,
) -> Outcomes:
    """E-mail the week's report to every recipient who has not had it yet (all of them with
    `resend`), the PDF attached; list the ones without an e-mail address as skipped. `dry_run`
    sends and records nothing; `out` also writes each PDF there."""
    from arrears.insight.weekly_pdf import render

    check_week(week_ending, business_date, field="week_ending")
    week = week_figures(week_ending)
    people = recipients()
    done = set(WeeklyReportSent.objects.filter(week_ending=week_ending).values_list("user_id", flat=True))
    names = {u.pk: u.get_full_name() or u.username for u in User.objects.filter(pk__in=[r.user_id for r in people])}
    outcomes = Outcomes()
    if on_start:
        on_start(len(people))
    for person in people:
        report = report_for(week, person, name=names.get(person.user_id, ""))
        to_send = bool(person.email) and (resend or person.user_id not in done) and not dry_run
        pdf = render(report) if out is not None or to_send else b""
        if out is not None:
            out.mkdir(parents=True, exist_ok=True)
            path = out / pdf_name(week_ending, person.username)
            path.write_bytes(pdf)
            outcomes.written.append(path)
        if not person.email:
            outcomes.skipped.append(person.username)
        elif person.user_id in done and not resend:
            outcomes.already.append(person.username)
        elif dry_run:
            outcomes.sent.append(person.username)
        else:
            subject, body = mail_text(report)
            try:
                ref = send_report(
                    to=person.email,
                    subject=subject,
                    body=body,
                    filename=pdf_name(week_ending, person.username),
                    pdf=pdf,
                )
            except SendFailed as exc:
                outcomes.failed.append((person.username, str(exc)))
            else:
                with transaction.atomic():
                    WeeklyReportSent.objects.update_or_create(
                        week_ending=week_ending,
                        user_id=person.user_id,
                        defaults={
                            "kind": person.kind,
                            "language": person.language,
                            "email": person.email,
                            "message_id": ref,
                            "sent_at": clock.now(),
                        },
                    )
                    record(
                        actor=actor,
                        action="report.weekly.sent",
                        object_type="user",
                        object_id=person.username,
                        after={
                            "week_ending": week_ending,
                            "kind": person.kind,
                            "language": person.language,
                            "teams": list(person.teams),
                            "message_id": ref,
                        },
                    )
                outcomes.sent.append(person.username)
        if progress:
            progress(person.username)
    return outcomes

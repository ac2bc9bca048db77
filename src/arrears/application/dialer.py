"""The dialer: export a campaign's call list with each number's allowed window, import its results
into the contact log, each judged by the gate after the fact and flagged when it broke a rule."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
from collections.abc import Iterator
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Q, QuerySet

from arrears.application.contact_gate import OUTCOME_OF_RESULT, judge, load_known, pack_on
from arrears.application.reads import record_reads
from arrears.audit.operations import record_many
from arrears.cases.models import WORKABLE, Case, Queue
from arrears.cases.queries import SEES_ALL, visible_cases, workers_of
from arrears.compliance.gate import Verdict
from arrears.compliance.model import Contact as GateContact
from arrears.compliance.packs import Pack
from arrears.contacts.models import Contact
from arrears.errors import NotFound, NotPermitted, ValidationFailed
from arrears.people.models import Role, Team
from arrears.people.operations import roles_of

EXPORT_COLUMNS = [
    "case_id",
    "customer",
    "number",
    "number_type",
    "time_zone",
    "window_start",
    "window_end",
    "status",
    "rules",
    "next_allowed_at",
]
IMPORT_COLUMNS = ["case_id", "number", "at", "outcome", "duration_seconds", "agent"]
RESULT_OF_OUTCOME = {
    "conversation": "right_party_contact",
    "unanswered": "no_answer",
    "voicemail": "message_left",
    "busy": "busy",
    "not_connected": "no_answer",
    "wrong_number": "wrong_number",
}
CHUNK = 5000
# What a call list reads of a case and its customer (the gate's judge reads the customer's zone and language),
# as plain rows: building 200,000 model instances cost more than judging the numbers.
EXPORT_FIELDS = (
    "id",
    "customer_id",
    "customer__name",
    "customer__mobile",
    "customer__home_phone",
    "customer__work_phone",
    "customer__time_zone",
    "customer__language",
)
MAX_DURATION = 86_400
# Rows a system sends: how old a call may be, how far ahead of our clock its time may be, and the outcomes
# in which a person spoke (so the row must name the agent).
MAX_AGE = dt.timedelta(days=7)
CLOCK_SKEW = dt.timedelta(seconds=300)
SPOKEN = {"conversation", "wrong_number"}
# Who may export a campaign's call list (with SEES_ALL): a team lead, for their teams.
EXPORTERS = {Role.TEAM_LEAD, Role.ADMINISTRATOR}


class _Callee(NamedTuple):
    pk: int
    name: str
    mobile: str
    home_phone: str
    work_phone: str
    time_zone: str
    language: str


def _window(pack: Pack, zone_name: str, day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """Today's contact-hours window, as instants: the pack's hours in its own zone (CN) or at the
    customer's location (US), the narrower where both apply."""
    rule = f"{pack.code}-HOURS"
    start, end = pack.time_param(rule, "start"), pack.time_param(rule, "end")
    zones = {pack.zone, ZoneInfo(zone_name)} if pack.code == "US" else {pack.zone}
    opens = max(dt.datetime.combine(day, start, tzinfo=z) for z in zones)
    closes = min(dt.datetime.combine(day, end, tzinfo=z) for z in zones)
    return opens, closes


def export_scope(user: Any, *, team_id: int | None = None, queue_id: int | None = None) -> QuerySet[Case]:
    """The cases this person may export a call list of: a team lead their teams' cases, the roles
    that work across teams (and administrators) every team's; nobody else. A team or queue they
    cannot see is not found, as an unknown one."""
    if not (user.is_active and (user.is_superuser or roles_of(user) & EXPORTERS)):
        raise NotPermitted("only a team lead or an administrator exports a dialer campaign", field="user")
    teams = _teams_of(user)
    if team_id is not None and not teams.filter(pk=team_id).exists():
        raise NotFound(f"no team {team_id} that you can see", field="team")
    if queue_id is not None and not Queue.objects.filter(pk=queue_id, team__in=teams).exists():
        raise NotFound(f"no queue {queue_id} that you can see", field="queue")
    return visible_cases(user)


def _teams_of(user: Any) -> QuerySet[Team]:
    if user.is_superuser or roles_of(user) & SEES_ALL:
        return Team.objects.all()
    return Team.objects.filter(Q(lead=user) | Q(members=user))


def export_rows(
    *,
    at: dt.datetime,
    team_id: int | None = None,
    queue_id: int | None = None,
    within: QuerySet[Case] | None = None,
    actor: str | None = None,
) -> Iterator[list[str]]:
    """One row per phone number of every workable case in the campaign (of the cases `within`, by
    default all), keyset-chunked. With an `actor`, each chunk's cases are audited as exported by them."""
    pack = pack_on(at.date())
    cases = (Case.objects.all() if within is None else within).filter(status__in=WORKABLE)
    if team_id:
        cases = cases.filter(team_id=team_id)
    if queue_id:
        cases = cases.filter(queue_id=queue_id)
    local_day = at.astimezone(pack.zone).date()
    windows: dict[str, tuple[dt.datetime, dt.datetime]] = {}  # by time zone: the same for everyone in one
    last = 0
    while True:
        chunk = [
            (case_id, _Callee(*row))
            for case_id, *row in cases.filter(id__gt=last).order_by("id").values_list(*EXPORT_FIELDS)[:CHUNK]
        ]
        if not chunk:
            return
        last = chunk[-1][0]
        if actor is not None:
            record_reads(
                actor=actor, door="cli:dialer-export", object_type="case", ids=[c for c, _ in chunk], action="export"
            )
        known = load_known(cases.filter(id__gte=chunk[0][0], id__lte=last).values("customer_id"), at=at)
        for case_id, customer in chunk:
            if customer.time_zone not in windows:
                windows[customer.time_zone] = _window(pack, customer.time_zone, local_day)
            opens, closes = windows[customer.time_zone]
            for kind, number in (
                ("mobile", customer.mobile),
                ("home", customer.home_phone),
                ("work", customer.work_phone),
            ):
                if not number:
                    continue
                verdict = judge(
                    pack=pack, customer=customer, known=known[customer.pk], channel="phone", address=number, at=at
                )
                yield _row(case_id, customer.name, number, kind, customer.time_zone, opens, closes, verdict)
        if len(chunk) < CHUNK:
            return


def _row(
    case_id: int,
    name: str,
    number: str,
    kind: str,
    zone: str,
    opens: dt.datetime,
    closes: dt.datetime,
    verdict: Verdict,
) -> list[str]:
    return [
        str(case_id),
        name,
        number,
        kind,
        zone,
        opens.isoformat(),
        closes.isoformat(),
        "allowed" if verdict.allowed else "blocked",
        " ".join(verdict.rules) if not verdict.allowed else "",
        verdict.next_allowed_at.isoformat() if verdict.next_allowed_at else "",
    ]


def export_csv(
    out: Any,
    *,
    at: dt.datetime,
    team_id: int | None = None,
    queue_id: int | None = None,
    within: QuerySet[Case] | None = None,
    actor: str | None = None,
) -> int:
    writer = csv.writer(out)
    writer.writerow(EXPORT_COLUMNS)
    n = 0
    for row in export_rows(at=at, team_id=team_id, queue_id=queue_id, within=within, actor=actor):
        writer.writerow(row)
        n += 1
    return n


@dataclasses.dataclass(frozen=True)
class ImportReport:
    imported: int
    flagged: int
    errors: list[tuple[int, str, str]]


def import_results_csv(*, actor: str, text: str) -> ImportReport:
    """CSV: case_id, number, at (ISO with offset), outcome, duration_seconds, agent. All rows or none."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = [c for c in IMPORT_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise ValidationFailed(
            f"the header must name {', '.join(IMPORT_COLUMNS)}; missing {', '.join(missing)}", field="header"
        )
    return import_results(actor=actor, raw_rows=list(reader))


def import_results(
    *, actor: str, raw_rows: list[dict[str, Any]], received_at: dt.datetime | None = None
) -> ImportReport:
    """Call results from a file or the API; a bad row refuses the whole batch with a per-row report.

    A row's agent, when named, must be an active member of staff who may work the case (its collector,
    or the lead or a member of its team); the contact names them as its collector. Rows a system sends
    (`received_at`, when they arrived) must also be no later than that, give or take CLOCK_SKEW, and no
    older than MAX_AGE, and a call in which a person spoke must name the agent."""
    rows, errors = _parse(raw_rows)
    if received_at is not None:
        errors += _check_sent(rows, received_at)
    if errors:
        return ImportReport(0, 0, sorted(errors))
    cases = {c.pk: c for c in Case.objects.filter(pk__in={r["case_id"] for r in rows}).select_related("customer")}
    agents = {
        u.username: u
        for u in User.objects.filter(username__in={r["agent"] for r in rows if r["agent"]}, is_active=True)
    }
    workers = workers_of(cases)
    for r in rows:
        n = r["row"]
        if r["case_id"] not in cases:
            errors.append((n, "case_id", f"no case {r['case_id']}"))
        elif r["agent"] and (r["agent"] not in agents or agents[r["agent"]].pk not in workers[r["case_id"]]):
            errors.append((n, "agent", f"{r['agent']!r} is not an active member of staff who may work this case"))
    if errors:
        return ImportReport(0, 0, errors)
    rows.sort(key=lambda r: r["at"])
    earliest = rows[0]["at"] if rows else None
    known = load_known([c.customer_id for c in cases.values()], at=earliest) if earliest else {}
    contacts = []
    for r in rows:
        case = cases[r["case_id"]]
        state = known[case.customer_id]
        pack = pack_on(r["at"].date())
        verdict = judge(
            pack=pack,
            customer=case.customer,
            known=state,
            channel="phone",
            address=r["number"],
            at=r["at"],
            collector_type="first_party",
        )
        result = RESULT_OF_OUTCOME[r["outcome"]]
        contacts.append(
            Contact(
                case=case,
                collector=agents.get(r["agent"]),
                at=r["at"],
                channel="phone",
                address=r["number"],
                party="cardholder" if r["outcome"] == "conversation" else "none",
                result=result,
                duration_seconds=r["duration"],
                decision=verdict.as_dict(),
                flagged=not verdict.allowed,
                source="dialer",
            )
        )
        # Later rows of the same file are judged with this call in their history.
        state.history.append(
            GateContact(
                at=r["at"],
                channel="phone",
                party="p-cardholder",
                address=r["number"],
                outcome=OUTCOME_OF_RESULT.get(result),
            )
        )
    with transaction.atomic():
        Contact.objects.bulk_create(contacts, batch_size=2000)
        record_many(
            actor=actor,
            action="contact.dialer_import",
            object_type="case",
            items=[
                (
                    c.case_id,
                    {
                        "at": c.at,
                        "agent": c.collector.get_username() if c.collector else "",
                        "result": c.result,
                        "flagged": c.flagged,
                        "rules": (c.decision or {}).get("rules", []) if c.flagged else [],
                    },
                )
                for c in contacts
            ],
        )
    return ImportReport(len(contacts), sum(c.flagged for c in contacts), [])


def _check_sent(rows: list[dict[str, Any]], received_at: dt.datetime) -> list[tuple[int, str, str]]:
    errors = []
    for r in rows:
        n = r["row"]
        if r["at"] > received_at + CLOCK_SKEW:
            errors.append((n, "at", f"is in the future (now is {received_at.isoformat()})"))
        elif r["at"] < received_at - MAX_AGE:
            errors.append((n, "at", f"is more than {MAX_AGE.days} days ago; import older calls from a file"))
        elif r["outcome"] in SPOKEN and not r["agent"]:
            errors.append((n, "agent", "name the agent who spoke"))
    return errors


def _parse(raw_rows: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[tuple[int, str, str]]]:
    rows, errors = [], []
    for n, raw in enumerate(raw_rows, start=1):
        raw = {k: "" if raw.get(k) is None else str(raw.get(k)) for k in IMPORT_COLUMNS}
        try:
            case_id = int(raw["case_id"])
        except (TypeError, ValueError):
            errors.append((n, "case_id", f"{raw['case_id']!r} is not a case number"))
            continue
        try:
            at = dt.datetime.fromisoformat((raw["at"] or "").strip())
        except ValueError:
            errors.append((n, "at", f"{raw['at']!r} is not an ISO datetime"))
            continue
        if at.tzinfo is None:
            errors.append((n, "at", "needs a UTC offset, e.g. 2026-05-03T10:15:00+08:00"))
            continue
        if not 1970 <= at.year <= 2999:
            errors.append((n, "at", f"{raw['at']!r} is not a plausible time for a call"))
            continue
        outcome = (raw["outcome"] or "").strip()
        if outcome not in RESULT_OF_OUTCOME:
            errors.append((n, "outcome", f"must be one of {', '.join(RESULT_OF_OUTCOME)}"))
            continue
        try:
            duration = int(raw["duration_seconds"] or 0)
        except ValueError:
            errors.append((n, "duration_seconds", "must be a whole number of seconds"))
            continue
        if not 0 <= duration <= MAX_DURATION:
            errors.append((n, "duration_seconds", f"must be 0 to {MAX_DURATION} seconds"))
            continue
        number = (raw["number"] or "").strip()
        if not number or len(number) > 120:
            errors.append((n, "number", "must be 1 to 120 characters"))
            continue
        rows.append(
            {
                "row": n,
                "case_id": case_id,
                "number": number,
                "at": at,
                "outcome": outcome,
                "duration": duration,
                "agent": (raw["agent"] or "").strip(),
            }
        )
    return rows, errors

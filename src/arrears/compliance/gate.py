"""The compliance gate: may this contact be made now? A pure function: no ORM, no clock, no settings.

``check_contact(pack=..., request=...)`` returns a :class:`Verdict`: allowed or blocked, the rule ids
behind it, the reasons in the user's language (``request.language``, else the pack's: zh-hans for CN,
en for US) and, when only time or a count blocks the contact, ``next_allowed_at``: the earliest instant
at which every time- and count-based rule lets it through, assuming no further contact is made
(searched up to the pack's ``search_horizon_days``). When anything else blocks (a hold, a refusal,
wording, an opt-out) ``next_allowed_at`` is None: no amount of waiting opens it.

``rules`` lists, for a blocked contact, the rule ids that block it (a warning's id too); for an allowed
contact, every gate rule that was applicable and checked (the decision's audit trail). ``reasons``
gives one sentence per blocking rule (and per warning) for a blocked contact, and the warnings for an
allowed one. Every number comes from the pack (:mod:`arrears.compliance.packs`).

Exact readings
==============

Ranges are half-open; a "day" is a calendar day in a named zone; history entries at or after the
instant being judged are ignored. "Consent covers t" means a consent on the proposed channel with
``from_at <= t < to_at``; consents are the debtor's (the customer's), so they only help contacts with
a party the pack lets us collect from (CN: debtor, guarantor...; US: the consumer roles).

China (CN)
----------
CN-HOURS      Channels ``channels`` (phone, sms, email, visit; a letter is not timed) are allowed when
              the local time of day is in [start, end) Beijing time (the pack ``timezone``). With
              ``protect_local_night`` (on in the shipped pack) a contact by one of
              ``local_night_channels`` (phone, sms) must also fall in [start, end) in the local time of
              **every** known location of the debtor, as US-HOURS does: 10:00 Beijing time is 04:00 in
              Paris in summer (UTC+2), so a call is blocked and opens at 14:00 Beijing time (08:00 in
              Paris); a debtor with no known location, or only in Beijing time, is judged by Beijing
              time alone. A consent covering t opens it. Blocked: next_allowed_at is the next instant
              inside the window everywhere (or the start of a consent), shown in Beijing time.
CN-DIALS      A phone call is blocked when the history already holds ``max_unanswered_per_number_per_day``
              dials to the same number (any party) with an outcome in ``counted_outcomes`` on the same
              Beijing calendar day; next_allowed_at is the next Beijing midnight. A consent on phone
              covering t ("agreed with the debtor") lifts it.
CN-3P-WHO     Parties in ``collection_roles`` (debtor, guarantor; the debtor's attorney as their agent)
              may be collected from; roles in ``debt_related_roles`` (spouse) only when the party is
              marked ``debt_related``; every other party is an unrelated third party.
CN-3P-LOST    An unrelated third party may be contacted only while the debtor is unreachable (失联): the
              customer's ``debtor_number_invalid``, or the debtor's latest phone attempt ended in an
              ``invalid_number_outcomes`` outcome (wrong_number), or the debtor's last
              ``consecutive_failed_attempts`` attempts (any channel) all ended in ``failed_outcomes``.
              Never once the party refused (``refused_on`` on or before the Beijing day of t). The text
              to them is checked with the third-party wording (no word of the debt). Blocks here are
              not lifted by time.
CN-CONDUCT    The text (both lexicons, zh-Hans and English) must have no finding (threats, insults,
              posing as an authority, 以贷养贷; to a third party also any word of the debt; threats of
              what the law does not allow for a debt, 拘留, 坐牢, 通知单位或家人, always). A claim of a
              legal step (立案, 起诉, 传票, 开庭, 判决, 强制执行, 上门执行) is a finding unless the
              stage is among the customer's ``legal_stages`` (the stages their legal cases reached);
              the reason names the claim found.
CN-PLAN-STOP  ``plan_in_good_standing`` blocks every contact except purposes in ``allowed_purposes``.
CN-HOLD-*     House-policy holds from the customer flags (attorney: only the attorney may be contacted;
              cease, bankruptcy, dispute: nothing; deceased: only the attorney). CN-OPTOUT: a channel
              in ``opted_out_channels`` is not used.

United States (US)
------------------
Collector type: every Regulation F rule carries ``collector_types: [agency, debt_buyer]`` in the
shipped pack, so for ``first_party`` the gate applies only US-BK, the house-policy holds
(US-HOLD-DECEASED, US-HOLD-DISPUTE, US-HOLD-PLAN) and the wording rules (US-HARASS, US-FALSE,
US-CONDUCT; UDAAP reaches first parties too). ``agency`` and ``debt_buyer`` are treated alike (both are
debt collectors under the FDCPA). A bank that applies Regulation F to itself as policy adds
``first_party`` to the rules' ``collector_types`` in its overrides pack.

US-HOURS      Channels ``channels`` are allowed when the local time is in [start, end) — 08:00 up to
              but not including 21:00 — at **every** location of the customer (``default_locations``,
              all the main US zones, when none is known). A consent covering t opens it.
US-INCONV     Not to an address in ``inconvenient_addresses`` (a place the consumer called
              inconvenient, e.g. the workplace whose employer forbids calls); not when the local time
              at any location is in an ``inconvenient_times`` window. A consent covering t lifts both.
US-ATTY       ``attorney`` flag: only parties in ``allowed_roles`` (the attorney); third parties too
              (1006.10(b)(6)). US-CEASE: ``cease`` flag, or a consumer-role party's ``refused_on``: only
              ``allowed_purposes`` (confirmation, remedy notice) by ``allowed_channels`` (letter, e-mail).
US-3P         Consumer roles (debtor, guarantor, spouse) and ``permitted_roles`` (attorney) may be
              contacted; any other party only under US-LOC.
US-LOC        A third party: at most ``max_communications_per_person`` communications (history with an
              outcome in ``communication_outcomes``) unless the party ``callback_requested``; never after
              they refused; the text must not mention the debt (third-party wording, rule US-3P).
US-7IN7       Per person (party) and per debt: the calls counted are phone history to that party about
              the debt (an entry with no debts counts for every debt; a proposed contact with no debts is
              judged against all calls) with an outcome not in US-EXCL ``uncounted_outcomes`` (busy,
              not_connected: calls that never connect; unanswered, voicemail, wrong_number count), not
              covered by a consent. With D the local day of t, the call is blocked when the calls on
              days D-(window_days-1)..D number ``max_calls`` or more; next_allowed_at is the start of
              the day on which enough calls have left the window. Days are counted at every customer
              location (else the pack zone) and the strictest answer wins.
US-CONV7      After a phone history entry with outcome ``conversation`` with the party about a debt on
              local day C (day 1), no call about that debt on days C..C+window_days-1;
              next_allowed_at is the start of day C+window_days. A conversation about several debts
              starts it for each.
US-EXCL       A consent covering t on phone: the proposed call is not counted, so US-7IN7 and US-CONV7
              do not apply to it; a consent counts for at most ``consent_max_days`` after its start.
US-REBUT      Per number: blocked (or only warned, ``action: warn``) when the latest call to the number
              with an outcome in ``unanswered_outcomes`` is less than ``unanswered_gap_minutes`` before t
              (next_allowed_at = that call + the gap), or when the counted calls to the number on the
              local day already number ``calls_per_number_per_day`` - 1 (next local midnight).
US-EOPT       A channel in ``opted_out_channels`` is not used (except ``allowed_purposes`` up to
              ``confirmations_allowed`` times); an SMS or e-mail text must contain one of ``markers``.
US-WORKMAIL   No e-mail to an address in ``employer_emails`` (an entry "@domain" covers the domain) unless
              it is in ``consumer_used_emails`` or an e-mail consent covers t.
US-VAL        With ``validation`` given: assumed receipt = the sent day + ``assumed_receipt_business_days``
              (skipping Saturdays, Sundays and ``federal_holidays``); the period ends
              ``validation_period_days`` later (inclusive). A dispute on or before that day blocks every
              contact until ``verification_sent_at``. The flag ``dispute`` alone is US-HOLD-DISPUTE.
US-MINI       A written text (``channels``) to a consumer must contain an ``initial_markers`` phrase if
              no communication (``communication_outcomes``: conversation, delivered) with a consumer is
              in the history, else a ``subsequent_markers`` phrase.
US-TBD        When a proposed debt is in ``time_barred_debts``, any threat to sue in the text blocks.
US-BK         ``bankruptcy`` flag: nothing to anyone. US-HOLD-*: deceased (the attorney only), dispute,
              plan in good standing (``allowed_purposes`` only).
US-HARASS, US-FALSE, US-CONDUCT  wording findings (threats and insults; posing as an authority;
              pressing to borrow).
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from arrears.compliance.messages import say, word
from arrears.compliance.model import Contact, ContactRequest
from arrears.compliance.packs import LANGUAGES, Pack
from arrears.compliance.wording import check_wording, load_lexicon, normalise

_MIDNIGHT = dt.time(0)


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    rules: tuple[str, ...]
    reasons: tuple[str, ...]
    next_allowed_at: dt.datetime | None

    def as_dict(self) -> dict[str, object]:
        return {
            "allowed": self.allowed,
            "rules": list(self.rules),
            "reasons": list(self.reasons),
            "next_allowed_at": self.next_allowed_at.isoformat() if self.next_allowed_at else None,
        }


@dataclass(frozen=True)
class _Block:
    rules: tuple[str, ...]
    reason: str
    until: dt.datetime | None = None  # when time alone lifts it; None: time does not
    warn: bool = False


class _Series:
    """Contacts in time order with their instants, so that a window is two bisections, not a scan."""

    def __init__(self, contacts: Iterable[Contact]) -> None:
        self.contacts = list(contacts)  # in time order: ContactRequest sorts its history
        self.ats = [c.at for c in self.contacts]

    def before(self, at: dt.datetime) -> int:
        """How many contacts are strictly before `at`."""
        return bisect.bisect_left(self.ats, at)

    def since(self, zone: ZoneInfo, day: dt.date, n: int) -> list[Contact]:
        """The first `n` contacts from the start of local `day` in `zone` on."""
        start = dt.datetime.combine(day, _MIDNIGHT, tzinfo=zone)
        return self.contacts[bisect.bisect_left(self.ats, start, 0, n) : n]


@dataclass
class _Ctx:
    pack: Pack
    request: ContactRequest
    lang: str
    party_class: str  # collect | consumer | permitted | third
    day_zones: tuple[ZoneInfo, ...]
    display_zone: ZoneInfo
    checked: list[str] = field(default_factory=list)
    recording: bool = True
    _series: dict[str, _Series] = field(default_factory=dict)

    def applies(self, rule_id: str) -> bool:
        ok = self.pack.has(rule_id, collector_type=self.request.collector_type)
        if ok and self.recording and rule_id not in self.checked:
            self.checked.append(rule_id)
        return ok

    def series(self, name: str, keep: Callable[[Contact], bool], *, source: Iterable[Contact] | None = None) -> _Series:
        """The history contacts `keep` selects, built once per check (the selection must not depend on t)."""
        built = self._series.get(name)
        if built is None:
            built = self._series[name] = _Series(h for h in (self.calls if source is None else source) if keep(h))
        return built

    @functools.cached_property
    def calls(self) -> tuple[Contact, ...]:
        """The phone history, in time order (every series is a selection of it)."""
        return tuple(h for h in self.request.history if h.channel == "phone")

    @functools.cached_property
    def consented_calls(self) -> frozenset[int]:
        """The ids of the phone history contacts placed inside a consent window (US-EXCL)."""
        if not self.consented_call_windows:
            return frozenset()
        ats = [c.at for c in self.calls]
        return frozenset(
            id(c)
            for start, end in self.consented_call_windows
            for c in self.calls[bisect.bisect_left(ats, start) : bisect.bisect_left(ats, end)]
        )

    @functools.cached_property
    def consented_call_windows(self) -> tuple[tuple[dt.datetime, dt.datetime], ...]:
        """US-EXCL: [from, min(to, from + consent_max_days)) of each phone consent, for consumer parties."""
        if self.party_class != "consumer" or not self.pack.has("US-EXCL", collector_type=self.request.collector_type):
            return ()
        limit = dt.timedelta(days=self.pack.int_param("US-EXCL", "consent_max_days"))
        return tuple(
            (c.from_at, min(c.to_at, c.from_at + limit)) for c in self.request.customer.consents if c.channel == "phone"
        )

    def say(self, key: str, **fields: object) -> str:
        return say(key, self.lang, **fields)

    def word(self, name: str) -> str:
        return word(name, self.lang)

    def fmt(self, at: dt.datetime, zone: ZoneInfo | None = None) -> str:
        z = zone or self.display_zone
        return f"{at.astimezone(z):%Y-%m-%d %H:%M} {_zone_label(z, self.lang)}"


def check_contact(*, pack: Pack, request: ContactRequest) -> Verdict:
    """Decide whether ``request.proposed`` may be made at ``request.proposed.at``."""
    ctx = _context(pack, request)
    at = request.proposed.at
    static = _static_blocks(ctx)
    timed = _timed_blocks(ctx, at)
    ctx.recording = False
    blocking = [b for b in (*static, *timed) if not b.warn]
    warnings = [b for b in (*static, *timed) if b.warn]
    if not blocking:
        rules = list(ctx.checked)
        return Verdict(
            allowed=True,
            rules=tuple(rules),
            reasons=tuple(ctx.say("warning", text=w.reason) for w in warnings),
            next_allowed_at=None,
        )
    next_at: dt.datetime | None = None
    if all(b.until is not None for b in blocking):
        next_at = _search(ctx, timed=[b for b in timed if not b.warn], start=at)
    ids: list[str] = []
    for b in (*blocking, *warnings):
        ids.extend(r for r in b.rules if r not in ids)
    reasons = [b.reason for b in blocking] + [ctx.say("warning", text=w.reason) for w in warnings]
    return Verdict(
        allowed=False,
        rules=tuple(ids),
        reasons=tuple(reasons),
        next_allowed_at=next_at.astimezone(ctx.display_zone) if next_at else None,
    )


# --- context ---------------------------------------------------------------------------------


def _context(pack: Pack, request: ContactRequest) -> _Ctx:
    lang = (request.language or pack.language).lower()
    if lang not in LANGUAGES:
        lang = pack.language
    zones = tuple(ZoneInfo(z) for z in request.customer.locations)
    if pack.code == "CN":
        day_zones: tuple[ZoneInfo, ...] = (pack.zone,)
        display = pack.zone
    else:
        day_zones = zones or (pack.zone,)
        display = day_zones[0]
    return _Ctx(
        pack=pack,
        request=request,
        lang=lang,
        party_class=_party_class(pack, request),
        day_zones=day_zones,
        display_zone=display,
    )


def _party_class(pack: Pack, request: ContactRequest) -> str:
    party = request.parties[request.proposed.party]
    if pack.code == "CN":
        if party.role in pack.strs_param("CN-3P-WHO", "collection_roles"):
            return "collect"
        if party.debt_related and party.role in pack.strs_param("CN-3P-WHO", "debt_related_roles"):
            return "collect"
        return "third"
    if party.role in pack.strs_param("US-3P", "consumer_roles"):
        return "consumer"
    if party.role in pack.strs_param("US-3P", "permitted_roles"):
        return "permitted"
    return "third"


def _role(ctx: _Ctx) -> str:
    return ctx.request.parties[ctx.request.proposed.party].role


def _consent_covers(ctx: _Ctx, at: dt.datetime, channel: str) -> bool:
    if ctx.party_class not in ("collect", "consumer"):
        return False
    return any(c.channel == channel and c.from_at <= at < c.to_at for c in ctx.request.customer.consents)


# --- rules that time does not lift ----------------------------------------------------------


def _static_blocks(ctx: _Ctx) -> list[_Block]:
    blocks: list[_Block] = []
    blocks += _holds(ctx)
    blocks += _disputed_amount(ctx)
    blocks += _validation(ctx)
    blocks += _parties(ctx)
    blocks += _channel_rules(ctx)
    blocks += _wording(ctx)
    return blocks


def _holds(ctx: _Ctx) -> list[_Block]:
    req, pack, proposed = ctx.request, ctx.pack, ctx.request.proposed
    blocks = []
    for flag, rule_id in pack.holds.items():
        if not getattr(req.customer.flags, flag) or not ctx.applies(rule_id):
            continue
        params = pack.rule(rule_id).params
        if "allowed_roles" in params and _role(ctx) in pack.strs_param(rule_id, "allowed_roles"):
            continue
        if (
            "allowed_purposes" in params
            and proposed.purpose in pack.strs_param(rule_id, "allowed_purposes")
            and ("allowed_channels" not in params or proposed.channel in pack.strs_param(rule_id, "allowed_channels"))
        ):
            continue
        blocks.append(_Block(rules=(rule_id,), reason=ctx.say("hold", rule=rule_id, title=_title(ctx, rule_id))))
    return blocks


def _disputed_amount(ctx: _Ctx) -> list[_Block]:
    """An amount under dispute does not stop the contact; the answer carries it so it is not demanded."""
    fen = ctx.request.customer.disputed_fen
    rule_id = ctx.pack.holds.get("dispute")
    if fen <= 0 or rule_id is None or ctx.request.customer.flags.dispute:
        return []
    amount = f"{fen // 100:,}.{fen % 100:02d}"
    return [_Block(rules=(rule_id,), reason=ctx.say("disputed_amount", rule=rule_id, amount=amount), warn=True)]


def _validation(ctx: _Ctx) -> list[_Block]:
    val = ctx.request.customer.validation
    if val is None or val.dispute_at is None or not ctx.applies("US-VAL"):
        return []
    at = ctx.request.proposed.at
    if val.verification_sent_at is not None and val.verification_sent_at <= at:
        return []
    zone = ctx.display_zone
    end = validation_period_end(pack=ctx.pack, sent_on=val.sent_at.astimezone(zone).date())
    dispute_on = val.dispute_at.astimezone(zone).date()
    if dispute_on > end or val.dispute_at > at:
        return []
    return [
        _Block(
            rules=("US-VAL",), reason=ctx.say("val", rule="US-VAL", dispute=dispute_on.isoformat(), end=end.isoformat())
        )
    ]


def validation_period_end(*, pack: Pack, sent_on: dt.date) -> dt.date:
    """US-VAL: the last day of the validation period for a notice sent on `sent_on`."""
    holidays = set(pack.dates_param("US-VAL", "federal_holidays"))
    day, left = sent_on, pack.int_param("US-VAL", "assumed_receipt_business_days")
    while left:
        day += dt.timedelta(days=1)
        if day.weekday() < 5 and day not in holidays:
            left -= 1
    return day + dt.timedelta(days=pack.int_param("US-VAL", "validation_period_days"))


def _parties(ctx: _Ctx) -> list[_Block]:
    req = ctx.request
    party = req.parties[req.proposed.party]
    role = ctx.word(party.role)
    refused = party.refused_on is not None and party.refused_on <= req.proposed.at.astimezone(ctx.display_zone).date()
    day = party.refused_on.isoformat() if party.refused_on else ""
    if ctx.pack.code == "CN":
        ctx.applies("CN-3P-WHO")
        if ctx.party_class == "collect":
            return []
        ctx.applies("CN-3P-LOST")
        if refused:
            return [_Block(rules=("CN-3P-LOST",), reason=ctx.say("3p_refused", rule="CN-3P-LOST", role=role, day=day))]
        if not debtor_unreachable(pack=ctx.pack, request=req):
            return [
                _Block(rules=("CN-3P-WHO", "CN-3P-LOST"), reason=ctx.say("3p_not_lost", rule="CN-3P-LOST", role=role))
            ]
        return []
    third_party_rules = ctx.applies("US-3P")
    if ctx.party_class == "consumer" and refused and ctx.applies("US-CEASE"):
        proposed = req.proposed
        if not (
            proposed.purpose in ctx.pack.strs_param("US-CEASE", "allowed_purposes")
            and proposed.channel in ctx.pack.strs_param("US-CEASE", "allowed_channels")
        ):
            return [
                _Block(rules=("US-CEASE",), reason=ctx.say("consumer_refused", rule="US-CEASE", role=role, day=day))
            ]
    if ctx.party_class != "third" or not third_party_rules:
        return []
    ctx.applies("US-LOC")
    if refused:
        return [_Block(rules=("US-LOC",), reason=ctx.say("3p_refused", rule="US-LOC", role=role, day=day))]
    outcomes = ctx.pack.strs_param("US-LOC", "communication_outcomes")
    count = sum(
        1 for h in req.history if h.party == req.proposed.party and h.outcome in outcomes and h.at < req.proposed.at
    )
    if count >= ctx.pack.int_param("US-LOC", "max_communications_per_person") and not party.callback_requested:
        return [_Block(rules=("US-LOC",), reason=ctx.say("loc_once", rule="US-LOC", role=role, count=count))]
    return []


def debtor_unreachable(*, pack: Pack, request: ContactRequest) -> bool:
    """CN-3P-LOST: is the debtor unreachable (失联) at the proposed time?"""
    if request.customer.debtor_number_invalid:
        return True
    debtors = {pid for pid, p in request.parties.items() if p.role == "debtor"}
    attempts = sorted(
        (h for h in request.history if h.party in debtors and h.at < request.proposed.at), key=lambda h: h.at
    )
    phone = [h for h in attempts if h.channel == "phone"]
    if phone and phone[-1].outcome in pack.strs_param("CN-3P-LOST", "invalid_number_outcomes"):
        return True
    needed = pack.int_param("CN-3P-LOST", "consecutive_failed_attempts")
    failed = pack.strs_param("CN-3P-LOST", "failed_outcomes")
    last = attempts[-needed:] if needed else []
    return len(last) == needed and all(h.outcome in failed for h in last)


def _channel_rules(ctx: _Ctx) -> list[_Block]:
    req, pack, proposed = ctx.request, ctx.pack, ctx.request.proposed
    blocks: list[_Block] = []
    channel_word = ctx.word(proposed.channel)
    opt_rule = "CN-OPTOUT" if pack.code == "CN" else "US-EOPT"
    if proposed.channel in req.customer.opted_out_channels and ctx.applies(opt_rule):
        confirmation = False
        if opt_rule == "US-EOPT" and proposed.purpose in pack.strs_param("US-EOPT", "allowed_purposes"):
            sent = sum(1 for h in req.history if h.channel == proposed.channel and h.purpose == proposed.purpose)
            confirmation = sent < pack.int_param("US-EOPT", "confirmations_allowed")
        if not confirmation:
            blocks.append(_Block(rules=(opt_rule,), reason=ctx.say("optout", rule=opt_rule, channel=channel_word)))
    if pack.code != "US":
        return blocks
    text = normalise(proposed.text) if proposed.text else None
    if (
        text is not None
        and proposed.channel in pack.strs_param("US-EOPT", "channels")
        and ctx.applies("US-EOPT")
        and not any(normalise(m) in text for m in pack.strs_param("US-EOPT", "markers"))
    ):
        blocks.append(_Block(rules=("US-EOPT",), reason=ctx.say("eopt_marker", rule="US-EOPT", channel=channel_word)))
    if (
        text is not None
        and ctx.party_class == "consumer"
        and proposed.channel in pack.strs_param("US-MINI", "channels")
        and ctx.applies("US-MINI")
    ):
        consumers = {pid for pid, p in req.parties.items() if p.role in pack.strs_param("US-3P", "consumer_roles")}
        communications = pack.strs_param("US-MINI", "communication_outcomes")
        initial = not any(
            h.party in consumers and h.outcome in communications and h.at < proposed.at for h in req.history
        )
        markers = pack.strs_param("US-MINI", "initial_markers" if initial else "subsequent_markers")
        if not any(normalise(m) in text for m in markers):
            blocks.append(_Block(rules=("US-MINI",), reason=ctx.say("mini", rule="US-MINI", marker=markers[0])))
    if proposed.channel == "email" and ctx.applies("US-WORKMAIL"):
        address = proposed.address.strip().casefold()
        known = any(
            address == e.casefold() or (e.startswith("@") and address.endswith(e.casefold()))
            for e in req.customer.employer_emails
        )
        used = address in {e.casefold() for e in req.customer.consumer_used_emails}
        if known and not used and not _consent_covers(ctx, proposed.at, "email"):
            blocks.append(
                _Block(rules=("US-WORKMAIL",), reason=ctx.say("workmail", rule="US-WORKMAIL", address=proposed.address))
            )
    if (
        ctx.applies("US-INCONV")
        and proposed.address in req.customer.inconvenient_addresses
        and not _consent_covers(ctx, proposed.at, proposed.channel)
    ):
        blocks.append(
            _Block(rules=("US-INCONV",), reason=ctx.say("inconv_place", rule="US-INCONV", address=proposed.address))
        )
    return blocks


def _wording(ctx: _Ctx) -> list[_Block]:
    req, pack = ctx.request, ctx.pack
    text = req.proposed.text
    if pack.code == "CN":
        ctx.applies("CN-CONDUCT")
    else:
        for rule_id in ("US-HARASS", "US-FALSE", "US-CONDUCT"):
            ctx.applies(rule_id)
    if not text:
        return []
    time_barred = bool(set(req.proposed.debts) & req.customer.time_barred_debts) and ctx.applies("US-TBD")
    lexicon = load_lexicon()
    blocks = []
    for language in lexicon.languages:
        for f in check_wording(
            text,
            language=language,
            to_third_party=ctx.party_class == "third",
            pack=pack.code,
            time_barred=time_barred,
            legal_stages=req.customer.legal_stages,
            lexicon=lexicon,
        ):
            if f.rule in pack.rules and not pack.has(f.rule, collector_type=req.collector_type):
                continue
            blocks.append(
                _Block(
                    rules=(f.rule,),
                    reason=ctx.say("wording", rule=f.rule, category=ctx.word(f.category), phrase=f.phrase),
                )
            )
    return blocks


# --- rules that time lifts --------------------------------------------------------------------


def _timed_blocks(ctx: _Ctx, at: dt.datetime) -> list[_Block]:
    blocks: list[_Block] = []
    blocks += _hours(ctx, at)
    if ctx.pack.code == "CN":
        blocks += _cn_dials(ctx, at)
    else:
        blocks += _us_inconvenient_times(ctx, at)
        blocks += _us_call_counts(ctx, at)
        blocks += _us_rebut(ctx, at)
    return blocks


def _search(ctx: _Ctx, *, timed: Sequence[_Block], start: dt.datetime) -> dt.datetime | None:
    """The earliest instant >= start at which no time- or count-based rule blocks."""
    horizon = start + dt.timedelta(days=ctx.pack.search_horizon_days)
    blocks = list(timed)
    t = start
    while blocks:
        untils = [b.until for b in blocks]
        if any(u is None for u in untils):
            return None
        nxt = max(u for u in untils if u is not None)
        if nxt <= t or nxt > horizon:
            return None
        t = nxt
        blocks = [b for b in _timed_blocks(ctx, t) if not b.warn]
    return t


def _hours(ctx: _Ctx, at: dt.datetime) -> list[_Block]:
    pack, proposed = ctx.pack, ctx.request.proposed
    rule_id = "CN-HOURS" if pack.code == "CN" else "US-HOURS"
    if proposed.channel not in pack.strs_param(rule_id, "channels") or not ctx.applies(rule_id):
        return []
    zones = _hour_zones(ctx, rule_id)
    start, end = pack.time_param(rule_id, "start"), pack.time_param(rule_id, "end")
    if _consent_covers(ctx, at, proposed.channel):
        return []
    outside = [z for z in zones if not _in_window(at, z, start, end)]
    if not outside:
        return []
    until = _next_window(ctx, at, zones, start, end)
    places = ", ".join(_zone_label(z, ctx.lang) for z in outside)
    if until is None:
        return [
            _Block(
                rules=(rule_id,),
                reason=ctx.say("hours_never", rule=rule_id, places=places, days=pack.search_horizon_days),
            )
        ]
    when = ", ".join(ctx.fmt(at, z) for z in outside)
    return [
        _Block(
            rules=(rule_id,),
            until=until,
            reason=ctx.say("hours", rule=rule_id, when=when, start=f"{start:%H:%M}", end=f"{end:%H:%M}", places=places),
        )
    ]


def _hour_zones(ctx: _Ctx, rule_id: str) -> tuple[ZoneInfo, ...]:
    pack = ctx.pack
    locations = tuple(ZoneInfo(z) for z in ctx.request.customer.locations)
    if pack.code == "CN":
        local_night = pack.bool_param("CN-HOURS", "protect_local_night") and (
            ctx.request.proposed.channel in pack.strs_param("CN-HOURS", "local_night_channels")
        )
        extra = locations if local_night else ()
        return (pack.zone, *dict.fromkeys(z for z in extra if z != pack.zone))
    return locations or tuple(ZoneInfo(z) for z in pack.strs_param("US-HOURS", "default_locations"))


def _in_window(at: dt.datetime, zone: ZoneInfo, start: dt.time, end: dt.time) -> bool:
    local = at.astimezone(zone).time().replace(tzinfo=None)
    if start <= end:
        return start <= local < end
    return local >= start or local < end


def _next_window(
    ctx: _Ctx, at: dt.datetime, zones: Sequence[ZoneInfo], start: dt.time, end: dt.time
) -> dt.datetime | None:
    channel = ctx.request.proposed.channel
    candidates: set[dt.datetime] = set()
    for zone in zones:
        day = at.astimezone(zone).date()
        for k in range(ctx.pack.search_horizon_days + 1):
            candidate = dt.datetime.combine(day + dt.timedelta(days=k), start, tzinfo=zone)
            if candidate > at:
                candidates.add(candidate.astimezone(dt.UTC))
    for c in ctx.request.customer.consents:
        if c.channel == channel and c.from_at > at:
            candidates.add(c.from_at.astimezone(dt.UTC))
    for candidate in sorted(candidates):
        if _consent_covers(ctx, candidate, channel) or all(_in_window(candidate, z, start, end) for z in zones):
            return candidate
    return None


def _next_midnight(at: dt.datetime, zone: ZoneInfo) -> dt.datetime:
    return dt.datetime.combine(at.astimezone(zone).date() + dt.timedelta(days=1), _MIDNIGHT, tzinfo=zone)


def _cn_dials(ctx: _Ctx, at: dt.datetime) -> list[_Block]:
    proposed, pack = ctx.request.proposed, ctx.pack
    if proposed.channel != "phone" or not ctx.applies("CN-DIALS") or _consent_covers(ctx, at, "phone"):
        return []
    outcomes = pack.strs_param("CN-DIALS", "counted_outcomes")
    dials = ctx.series(
        "dials",
        lambda h: h.channel == "phone" and h.address == proposed.address and h.outcome in outcomes,
    )
    day = at.astimezone(pack.zone).date()
    count = len(dials.since(pack.zone, day, dials.before(at)))
    limit = pack.int_param("CN-DIALS", "max_unanswered_per_number_per_day")
    if count < limit:
        return []
    return [
        _Block(
            rules=("CN-DIALS",),
            until=_next_midnight(at, pack.zone),
            reason=ctx.say(
                "dials",
                rule="CN-DIALS",
                count=count,
                address=_masked(proposed.address),
                day=day.isoformat(),
                limit=limit,
            ),
        )
    ]


def _us_inconvenient_times(ctx: _Ctx, at: dt.datetime) -> list[_Block]:
    windows = ctx.request.customer.inconvenient_times
    if not windows or not ctx.applies("US-INCONV") or _consent_covers(ctx, at, ctx.request.proposed.channel):
        return []
    zones = _hour_zones(ctx, "US-HOURS")
    blocks = []
    for w in windows:
        inside = [z for z in zones if _in_window(at, z, w.start, w.end)]
        if inside:
            until = max(_next_local(at, z, w.end) for z in inside)
            blocks.append(
                _Block(
                    rules=("US-INCONV",),
                    until=until,
                    reason=ctx.say(
                        "inconv_time",
                        rule="US-INCONV",
                        start=f"{w.start:%H:%M}",
                        end=f"{w.end:%H:%M}",
                        places=", ".join(_zone_label(z, ctx.lang) for z in inside),
                    ),
                )
            )
    return blocks


def _next_local(at: dt.datetime, zone: ZoneInfo, clock: dt.time) -> dt.datetime:
    local = at.astimezone(zone)
    candidate = dt.datetime.combine(local.date(), clock, tzinfo=zone)
    return candidate if candidate > at else dt.datetime.combine(local.date() + dt.timedelta(days=1), clock, tzinfo=zone)


def _counted_calls(ctx: _Ctx, *, key: str) -> _Series:
    """Phone history that US-7IN7 counts (not uncounted outcomes, not consented), to the party or the number."""
    proposed = ctx.request.proposed
    uncounted = ctx.pack.strs_param("US-EXCL", "uncounted_outcomes")
    if key == "party":
        return ctx.series(
            "party_calls",
            lambda h: (
                h.channel == "phone"
                and h.party == proposed.party
                and h.outcome not in uncounted
                and id(h) not in ctx.consented_calls
            ),
        )
    return ctx.series(
        "number_calls",
        lambda h: (
            h.channel == "phone"
            and h.address == proposed.address
            and h.outcome not in uncounted
            and id(h) not in ctx.consented_calls
        ),
    )


def _consented_call(ctx: _Ctx, at: dt.datetime) -> bool:
    return any(start <= at < end for start, end in ctx.consented_call_windows)


def _about(contact: Contact, debt: str | None) -> bool:
    return debt is None or not contact.debts or debt in contact.debts


def _us_call_counts(ctx: _Ctx, at: dt.datetime) -> list[_Block]:
    proposed = ctx.request.proposed
    if proposed.channel != "phone":
        return []
    seven = ctx.applies("US-7IN7")
    conv = ctx.applies("US-CONV7")
    if not (seven or conv):
        return []
    ctx.applies("US-EXCL")
    if _consented_call(ctx, at):
        return []
    calls = _counted_calls(ctx, key="party")
    conversations = ctx.series("conversations", lambda h: h.outcome == "conversation", source=calls.contacts)
    debts: Iterable[str | None] = proposed.debts or (None,)
    blocks = []
    for debt in debts:
        label = debt or ctx.word("all")
        if seven:
            block = _seven_in_seven(ctx, at, calls, debt, label)
            if block:
                blocks.append(block)
        if conv:
            block = _cooling_off(ctx, at, conversations, debt, label)
            if block:
                blocks.append(block)
    return blocks


def _seven_in_seven(ctx: _Ctx, at: dt.datetime, calls: _Series, debt: str | None, label: str) -> _Block | None:
    limit = ctx.pack.int_param("US-7IN7", "max_calls")
    days = ctx.pack.int_param("US-7IN7", "window_days")
    n = calls.before(at)
    worst: tuple[dt.datetime, int, dt.date, dt.date] | None = None
    for zone in ctx.day_zones:
        today = at.astimezone(zone).date()
        first = today - dt.timedelta(days=days - 1)
        in_window = [c.at.astimezone(zone).date() for c in calls.since(zone, first, n) if _about(c, debt)]
        if len(in_window) < limit:
            continue
        opens_on = in_window[len(in_window) - limit] + dt.timedelta(days=days)
        until = dt.datetime.combine(opens_on, _MIDNIGHT, tzinfo=zone)
        if worst is None or until > worst[0]:
            worst = (until, len(in_window), first, today)
    if worst is None:
        return None
    until, count, first, today = worst
    return _Block(
        rules=("US-7IN7",),
        until=until,
        reason=ctx.say(
            "7in7",
            rule="US-7IN7",
            count=count,
            debt=label,
            first=first.isoformat(),
            day=today.isoformat(),
            limit=limit,
            days=days,
        ),
    )


def _cooling_off(ctx: _Ctx, at: dt.datetime, conversations: _Series, debt: str | None, label: str) -> _Block | None:
    latest = next((c for c in reversed(conversations.contacts[: conversations.before(at)]) if _about(c, debt)), None)
    if latest is None:
        return None
    days = ctx.pack.int_param("US-CONV7", "window_days")
    worst: dt.datetime | None = None
    for zone in ctx.day_zones:
        opens_on = latest.at.astimezone(zone).date() + dt.timedelta(days=days)
        until = dt.datetime.combine(opens_on, _MIDNIGHT, tzinfo=zone)
        if at < until and (worst is None or until > worst):
            worst = until
    if worst is None:
        return None
    return _Block(
        rules=("US-CONV7",),
        until=worst,
        reason=ctx.say(
            "conv7", rule="US-CONV7", debt=label, day=ctx.fmt(latest.at)[:10], days=days, until=ctx.fmt(worst)
        ),
    )


def _us_rebut(ctx: _Ctx, at: dt.datetime) -> list[_Block]:
    proposed, pack = ctx.request.proposed, ctx.pack
    if proposed.channel != "phone" or not ctx.applies("US-REBUT"):
        return []
    warn = pack.str_param("US-REBUT", "action") == "warn"
    blocks = []
    gap = dt.timedelta(minutes=pack.int_param("US-REBUT", "unanswered_gap_minutes"))
    unanswered = pack.strs_param("US-REBUT", "unanswered_outcomes")
    unanswered_calls = ctx.series(
        "unanswered",
        lambda h: h.channel == "phone" and h.address == proposed.address and h.outcome in unanswered,
    )
    n_unanswered = unanswered_calls.before(at)
    last = unanswered_calls.ats[n_unanswered - 1] if n_unanswered else None
    if last is not None and at - last < gap:
        blocks.append(
            _Block(
                rules=("US-REBUT",),
                until=last + gap,
                warn=warn,
                reason=ctx.say(
                    "rebut_gap",
                    rule="US-REBUT",
                    address=_masked(proposed.address),
                    last=ctx.fmt(last),
                    minutes=int(gap.total_seconds() // 60),
                ),
            )
        )
    limit = pack.int_param("US-REBUT", "calls_per_number_per_day")
    calls = _counted_calls(ctx, key="address")
    n = calls.before(at)
    full: list[tuple[dt.datetime, int, dt.date]] = []
    for zone in ctx.day_zones:
        today = at.astimezone(zone).date()
        count = len(calls.since(zone, today, n))
        if count >= limit - 1:
            full.append((_next_midnight(at, zone), count, today))
    if full:
        until, count, today = max(full)
        blocks.append(
            _Block(
                rules=("US-REBUT",),
                until=until,
                warn=warn,
                reason=ctx.say(
                    "rebut_day",
                    rule="US-REBUT",
                    count=count,
                    address=_masked(proposed.address),
                    day=today.isoformat(),
                    limit=limit,
                ),
            )
        )
    return blocks


# --- helpers ------------------------------------------------------------------------------------


def _title(ctx: _Ctx, rule_id: str) -> str:
    return ctx.pack.rule(rule_id).title[ctx.lang]


def _masked(address: str) -> str:
    """A phone number as a reason shows it to staff: the first 3 and last 4 digits (138****5678), as the
    pages mask it (CN-PI-MIN); anything else (an e-mail address, a place) as it is."""
    digits = address.strip()
    if len(digits) <= 7 or not digits.lstrip("+").replace(" ", "").replace("-", "").isdigit():
        return address
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]


# Chinese names of the zones where a debtor abroad is most often found (others are shown by their key).
_ZONE_NAMES_ZH = {
    "Asia/Hong_Kong": "香港",
    "Asia/Macau": "澳门",
    "Asia/Taipei": "台北",
    "Asia/Tokyo": "东京",
    "Asia/Seoul": "首尔",
    "Asia/Singapore": "新加坡",
    "Asia/Bangkok": "曼谷",
    "Asia/Kuala_Lumpur": "吉隆坡",
    "Asia/Dubai": "迪拜",
    "Europe/London": "伦敦",
    "Europe/Paris": "巴黎",
    "Europe/Berlin": "柏林",
    "Europe/Madrid": "马德里",
    "Europe/Rome": "罗马",
    "Europe/Moscow": "莫斯科",
    "America/New_York": "纽约",
    "America/Chicago": "芝加哥",
    "America/Denver": "丹佛",
    "America/Los_Angeles": "洛杉矶",
    "America/Toronto": "多伦多",
    "America/Vancouver": "温哥华",
    "Australia/Sydney": "悉尼",
    "Australia/Melbourne": "墨尔本",
    "Pacific/Auckland": "奥克兰",
}


def zone_label(zone: ZoneInfo, lang: str) -> str:
    """A zone as a person reads it: 北京时间 / Beijing time, 巴黎当地时间 / Europe/Paris local time."""
    if zone.key == "Asia/Shanghai":
        return "北京时间" if lang == "zh-hans" else "Beijing time"
    if lang == "zh-hans":
        return f"{_ZONE_NAMES_ZH.get(zone.key, zone.key)}当地时间"
    return f"{zone.key} local time"


_zone_label = zone_label

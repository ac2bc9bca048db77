"""One parser for every door to the gate (CLI, API): JSON document -> (pack, ContactRequest).

The document (keys in brackets are optional)::

    {"pack": "CN"|"US", "collector_type": "first_party"|"agency"|"debt_buyer" (optional for CN),
     ["language": "zh-hans"|"en"],
     "customer": {"locations": [IANA zones], "flags": {attorney, cease, bankruptcy, deceased, dispute,
                  plan_in_good_standing: bool}, "opted_out_channels": [...],
                  "consents": [{"channel", "from", "to"}],
                  ["debtor_number_invalid": bool], ["inconvenient_times": [{"from": "HH:MM", "to": "HH:MM"}]],
                  ["inconvenient_addresses": [...]], ["employer_emails": [...]], ["consumer_used_emails": [...]],
                  ["validation": {"sent_at", ["dispute_at"], ["verification_sent_at"]}],
                  ["time_barred_debts": [...]], ["legal_stages": [referral, filing, hearing, judgment,
                  enforcement, closed]]},
     "parties": {id: {"role", ["refused_on": date|datetime|null], ["debt_related"], ["callback_requested"]}},
     "history": [{"at", "channel", "party", "address", "debts", "outcome", ["purpose"], ["text"]}],
     "proposed": {"at", "channel", "party", "address", "debts", "text", ["purpose"]}}

Every instant is an ISO 8601 datetime with an offset. Unknown keys are refused (a misspelt flag must
not pass silently). Errors raise ValidationFailed naming the field, e.g. ``proposed.at``.
The pack version is the one in force on the proposed contact's date (in the offset given).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings

from arrears.business_days import EARLIEST, LATEST, supported
from arrears.compliance.gate import Verdict, check_contact
from arrears.compliance.model import (
    Consent,
    Contact,
    ContactRequest,
    Customer,
    Flags,
    InconvenientTime,
    Party,
    Validation,
)
from arrears.compliance.packs import (
    CHANNELS,
    COLLECTOR_TYPES,
    LANGUAGES,
    OUTCOMES,
    PURPOSES,
    ROLES,
    OverridesSource,
    Pack,
    load_pack,
)
from arrears.errors import ValidationFailed

_D = TypeVar("_D", dt.date, dt.datetime)
# The stages a customer's legal case may have reached (arrears.legal.rules.Stage).
LEGAL_STAGES = ("referral", "filing", "hearing", "judgment", "enforcement", "closed")
_FLAGS = ("attorney", "cease", "bankruptcy", "deceased", "dispute", "plan_in_good_standing")


def check_document(data: Any, *, overrides: Sequence[OverridesSource] | None = None) -> dict[str, object]:
    """Parse, check, render: the one call both doors make. Overrides default to the settings'."""
    pack, request = parse_request(data, overrides=overrides)
    verdict: Verdict = check_contact(pack=pack, request=request)
    return verdict.as_dict()


def configured_overrides(code: str) -> tuple[OverridesSource, ...]:
    """The bank's overrides packs for `code`, in this order: the files of
    settings.ARREARS_COMPLIANCE_OVERRIDES = {"CN": [paths]}, then, when
    settings.ARREARS_COMPLIANCE_DB_OVERRIDES is true, the active rows edited in the admin
    (load_pack applies those in force on the contact's day)."""
    configured = getattr(settings, "ARREARS_COMPLIANCE_OVERRIDES", {}) or {}
    sources: list[OverridesSource] = [str(p) for p in configured.get(code, ())]
    if getattr(settings, "ARREARS_COMPLIANCE_DB_OVERRIDES", False):
        from arrears.compliance.models import PackOverrides

        rows = PackOverrides.objects.filter(code=code, active=True).order_by("effective_from", "id")
        sources.extend(row.as_mapping() for row in rows)
    return tuple(sources)


def parse_request(data: Any, *, overrides: Sequence[OverridesSource] | None = None) -> tuple[Pack, ContactRequest]:
    doc = _obj(data, "")
    _keys(
        doc,
        "",
        required=("pack", "customer", "parties", "history", "proposed"),
        optional=("collector_type", "language"),
    )
    code = _choice(doc["pack"], "pack", ("CN", "US"))
    if "collector_type" in doc or code == "US":
        collector_type = _choice(doc.get("collector_type"), "collector_type", COLLECTOR_TYPES)
    else:
        collector_type = "first_party"
    language = _choice(str(doc["language"]).lower(), "language", LANGUAGES) if doc.get("language") is not None else None
    parties = _parties(doc["parties"])
    customer = _customer(doc["customer"])
    history_raw = doc["history"]
    if not isinstance(history_raw, list):
        raise ValidationFailed("a list of contacts", field="history")
    history = tuple(_contact(h, f"history[{i}]", parties, past=True) for i, h in enumerate(history_raw))
    proposed = _contact(doc["proposed"], "proposed", parties, past=False)
    layers = configured_overrides(code) if overrides is None else tuple(overrides)
    pack = load_pack(code, on=proposed.at.date(), overrides=layers)
    return pack, ContactRequest(
        collector_type=collector_type,
        customer=customer,
        parties=parties,
        history=history,
        proposed=proposed,
        language=language,
    )


def _customer(raw: Any) -> Customer:
    c = _obj(raw, "customer")
    _keys(
        c,
        "customer",
        required=("flags",),
        optional=(
            "locations",
            "opted_out_channels",
            "consents",
            "debtor_number_invalid",
            "inconvenient_times",
            "inconvenient_addresses",
            "employer_emails",
            "consumer_used_emails",
            "validation",
            "time_barred_debts",
            "legal_stages",
        ),
    )
    flags_raw = _obj(c["flags"], "customer.flags")
    _keys(flags_raw, "customer.flags", required=_FLAGS)
    flags = Flags(**{f: _bool(flags_raw[f], f"customer.flags.{f}") for f in _FLAGS})
    locations = tuple(
        _zone(z, f"customer.locations[{i}]") for i, z in enumerate(_list(c.get("locations", []), "customer.locations"))
    )
    opted = frozenset(
        _choice(ch, f"customer.opted_out_channels[{i}]", CHANNELS)
        for i, ch in enumerate(_list(c.get("opted_out_channels", []), "customer.opted_out_channels"))
    )
    consents = []
    for i, raw_consent in enumerate(_list(c.get("consents", []), "customer.consents")):
        label = f"customer.consents[{i}]"
        item = _obj(raw_consent, label)
        _keys(item, label, required=("channel", "from", "to"))
        start, end = _instant(item["from"], f"{label}.from"), _instant(item["to"], f"{label}.to")
        if end <= start:
            raise ValidationFailed("must be after from", field=f"{label}.to")
        consents.append(
            Consent(channel=_choice(item["channel"], f"{label}.channel", CHANNELS), from_at=start, to_at=end)
        )
    windows = []
    for i, raw_window in enumerate(_list(c.get("inconvenient_times", []), "customer.inconvenient_times")):
        label = f"customer.inconvenient_times[{i}]"
        item = _obj(raw_window, label)
        _keys(item, label, required=("from", "to"))
        windows.append(
            InconvenientTime(start=_clock(item["from"], f"{label}.from"), end=_clock(item["to"], f"{label}.to"))
        )
    validation = None
    if c.get("validation") is not None:
        v = _obj(c["validation"], "customer.validation")
        _keys(v, "customer.validation", required=("sent_at",), optional=("dispute_at", "verification_sent_at"))
        validation = Validation(
            sent_at=_instant(v["sent_at"], "customer.validation.sent_at"),
            dispute_at=_instant(v["dispute_at"], "customer.validation.dispute_at")
            if v.get("dispute_at") is not None
            else None,
            verification_sent_at=_instant(v["verification_sent_at"], "customer.validation.verification_sent_at")
            if v.get("verification_sent_at") is not None
            else None,
        )
    return Customer(
        locations=locations,
        flags=flags,
        opted_out_channels=opted,
        consents=tuple(consents),
        debtor_number_invalid=_bool(c.get("debtor_number_invalid", False), "customer.debtor_number_invalid"),
        inconvenient_times=tuple(windows),
        inconvenient_addresses=frozenset(_strs(c.get("inconvenient_addresses", []), "customer.inconvenient_addresses")),
        employer_emails=tuple(_strs(c.get("employer_emails", []), "customer.employer_emails")),
        consumer_used_emails=frozenset(_strs(c.get("consumer_used_emails", []), "customer.consumer_used_emails")),
        validation=validation,
        time_barred_debts=frozenset(_strs(c.get("time_barred_debts", []), "customer.time_barred_debts")),
        legal_stages=frozenset(
            _choice(s, f"customer.legal_stages[{i}]", LEGAL_STAGES)
            for i, s in enumerate(_list(c.get("legal_stages", []), "customer.legal_stages"))
        ),
    )


def _parties(raw: Any) -> dict[str, Party]:
    parties_raw = _obj(raw, "parties")
    if not parties_raw:
        raise ValidationFailed("at least one party", field="parties")
    parties = {}
    for pid, raw_party in parties_raw.items():
        label = f"parties.{pid}"
        p = _obj(raw_party, label)
        _keys(p, label, required=("role",), optional=("refused_on", "debt_related", "callback_requested"))
        refused = p.get("refused_on")
        parties[str(pid)] = Party(
            role=_choice(p["role"], f"{label}.role", ROLES),
            refused_on=_day(refused, f"{label}.refused_on") if refused is not None else None,
            debt_related=_bool(p.get("debt_related", False), f"{label}.debt_related"),
            callback_requested=_bool(p.get("callback_requested", False), f"{label}.callback_requested"),
        )
    return parties


def _contact(raw: Any, label: str, parties: Mapping[str, Party], *, past: bool) -> Contact:
    c = _obj(raw, label)
    if past:
        _keys(
            c, label, required=("at", "channel", "party", "address", "outcome"), optional=("debts", "purpose", "text")
        )
    else:
        _keys(c, label, required=("at", "channel", "party", "address"), optional=("debts", "text", "purpose"))
    party = c["party"]
    if not isinstance(party, str) or party not in parties:
        raise ValidationFailed(f"unknown party {party!r}: not in parties", field=f"{label}.party")
    address = c["address"]
    if not isinstance(address, str) or not address.strip():
        raise ValidationFailed("a non-empty string", field=f"{label}.address")
    text = c.get("text")
    if text is not None and not isinstance(text, str):
        raise ValidationFailed("a string or null", field=f"{label}.text")
    return Contact(
        at=_instant(c["at"], f"{label}.at"),
        channel=_choice(c["channel"], f"{label}.channel", CHANNELS),
        party=party,
        address=address.strip(),
        debts=tuple(_strs(c.get("debts", []), f"{label}.debts")),
        outcome=_choice(c["outcome"], f"{label}.outcome", OUTCOMES) if past else None,
        text=text,
        purpose=_choice(c.get("purpose", "collection"), f"{label}.purpose", PURPOSES),
    )


# --- small parsers ---------------------------------------------------------------------------------


def _obj(value: Any, label: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ValidationFailed("an object", field=label or "document")
    return value


def _keys(obj: Mapping[str, Any], label: str, *, required: Sequence[str], optional: Sequence[str] = ()) -> None:
    prefix = f"{label}." if label else ""
    for key in required:
        if key not in obj:
            raise ValidationFailed("required", field=f"{prefix}{key}")
    for key in obj:
        if key not in required and key not in optional:
            raise ValidationFailed("unknown field", field=f"{prefix}{key}")


def _list(value: Any, label: str) -> list[Any]:
    if not isinstance(value, list):
        raise ValidationFailed("a list", field=label)
    return value


def _strs(value: Any, label: str) -> list[str]:
    items = _list(value, label)
    for i, item in enumerate(items):
        if not isinstance(item, str) or not item:
            raise ValidationFailed("a non-empty string", field=f"{label}[{i}]")
    return items


def _choice(value: Any, label: str, allowed: Sequence[str]) -> str:
    if value not in allowed:
        raise ValidationFailed(f"one of {', '.join(allowed)}", field=label)
    return str(value)


def _bool(value: Any, label: str) -> bool:
    if not isinstance(value, bool):
        raise ValidationFailed("true or false", field=label)
    return value


def _instant(value: Any, label: str) -> dt.datetime:
    try:
        parsed = dt.datetime.fromisoformat(value) if isinstance(value, str) and "T" in value else None
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is None or parsed.utcoffset() is None:
        raise ValidationFailed("not an ISO datetime with offset", field=label)
    return _in_calendar(parsed, label)


def _in_calendar(value: _D, label: str) -> _D:
    """Refuse a date the rules' arithmetic (windows, horizons, zone shifts) could carry off the calendar."""
    day = value.date() if isinstance(value, dt.datetime) else value
    if not supported(day):
        raise ValidationFailed(
            f"must be between {EARLIEST} and {LATEST}",
            field=label,
            code="out_of_range",
            params={"low": EARLIEST, "high": LATEST},
        )
    return value


def _day(value: Any, label: str) -> dt.date:
    if isinstance(value, str):
        if "T" in value:
            return _instant(value, label).date()
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            pass
        else:
            return _in_calendar(day, label)
    raise ValidationFailed("not an ISO date (or datetime with offset)", field=label)


def _clock(value: Any, label: str) -> dt.time:
    try:
        return dt.time.fromisoformat(value) if isinstance(value, str) else dt.time.fromisoformat("x")
    except ValueError:
        raise ValidationFailed("not a time HH:MM", field=label) from None


def _zone(value: Any, label: str) -> str:
    try:
        ZoneInfo(str(value))
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ValidationFailed(f"unknown time zone {value!r}", field=label) from None
    return str(value)

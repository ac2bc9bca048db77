"""Policy packs as data: versioned, effective-dated YAML files loaded into frozen dataclasses.

A pack file (``packs/cn.yaml``, ``packs/us.yaml``) names its ``pack`` code, ``version``,
``effective_from`` (and optionally ``effective_to``, exclusive), its ``timezone`` and default
``language``, and every rule of REGULATIONS.md with its ``scope`` (``gate`` for the rules
:func:`arrears.compliance.gate.check_contact` decides, otherwise the part of Arrears that enforces it),
``title`` (en, zh-hans), ``source``, ``confidence``, optional ``collector_types`` and ``params``. Every
number the gate uses is a parameter here; the parameters of the gate rules are typed and checked on
load (:data:`GATE_PARAMETERS`), so a typo in a pack fails loudly instead of silently loosening a rule.

A bank layers its own pack on top with an *overrides* file::

    overrides: CN                 # the base pack it applies to
    name: bank-x-stricter-hours
    version: "3"
    effective_from: "2026-04-01"
    rules:
      CN-HOURS: {params: {end: "21:00"}}

Overrides merge parameter by parameter (and may replace ``collector_types``). They must be stricter:
a later start, an earlier end, a lower limit or a longer window; an override that loosens a parameter
is refused unless the file says ``allow_looser: true`` (a compliance officer's explicit choice).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from arrears.errors import ValidationFailed
from arrears.kernel.vocabulary import Channel

PACKS_DIR = Path(__file__).parent / "packs"

CHANNELS = tuple(Channel)
ROLES = ("debtor", "guarantor", "spouse", "relative", "emergency_contact", "employer", "attorney", "other")
OUTCOMES = ("conversation", "unanswered", "voicemail", "busy", "not_connected", "wrong_number", "delivered", "bounced")
COLLECTOR_TYPES = ("first_party", "agency", "debt_buyer")
PURPOSES = ("collection", "cease_confirmation", "remedy_notice", "optout_confirmation", "plan_notice")
LANGUAGES = ("zh-hans", "en")

ParamValue = int | bool | str | dt.time | tuple[str, ...] | tuple[dt.date, ...]

# kind, and which way is stricter for an overrides pack ("up": a higher value is stricter).
_Spec = tuple[str, str | None]
GATE_PARAMETERS: dict[str, dict[str, _Spec]] = {
    "CN-HOURS": {
        "start": ("time", "up"),
        "end": ("time", "down"),
        "channels": ("channels", None),
        "protect_local_night": ("bool", None),
        "local_night_channels": ("channels", None),
    },
    "CN-DIALS": {"max_unanswered_per_number_per_day": ("int", "down"), "counted_outcomes": ("outcomes", None)},
    "CN-3P-WHO": {"collection_roles": ("roles", None), "debt_related_roles": ("roles", None)},
    "CN-3P-LOST": {
        "consecutive_failed_attempts": ("int", "up"),
        "failed_outcomes": ("outcomes", None),
        "invalid_number_outcomes": ("outcomes", None),
    },
    "CN-CONDUCT": {},
    "CN-PLAN-STOP": {"allowed_purposes": ("purposes", None)},
    "CN-HOLD-ATTY": {"allowed_roles": ("roles", None)},
    "CN-HOLD-CEASE": {"allowed_purposes": ("purposes", None)},
    "CN-HOLD-BK": {},
    "CN-HOLD-DECEASED": {"allowed_roles": ("roles", None)},
    "CN-HOLD-DISPUTE": {},
    "CN-OPTOUT": {},
    "US-HOURS": {
        "start": ("time", "up"),
        "end": ("time", "down"),
        "channels": ("channels", None),
        "default_locations": ("zones", None),
    },
    "US-INCONV": {},
    "US-ATTY": {"allowed_roles": ("roles", None)},
    "US-CEASE": {"allowed_purposes": ("purposes", None), "allowed_channels": ("channels", None)},
    "US-3P": {"consumer_roles": ("roles", None), "permitted_roles": ("roles", None)},
    "US-LOC": {"max_communications_per_person": ("int", "down"), "communication_outcomes": ("outcomes", None)},
    "US-7IN7": {"max_calls": ("int", "down"), "window_days": ("int", "up")},
    "US-CONV7": {"window_days": ("int", "up")},
    "US-EXCL": {"consent_max_days": ("int", "down"), "uncounted_outcomes": ("outcomes", None)},
    "US-REBUT": {
        "action": ("action", None),
        "unanswered_gap_minutes": ("int", "up"),
        "unanswered_outcomes": ("outcomes", None),
        "calls_per_number_per_day": ("int", "down"),
    },
    "US-EOPT": {
        "channels": ("channels", None),
        "markers": ("strs", None),
        "allowed_purposes": ("purposes", None),
        "confirmations_allowed": ("int", "down"),
    },
    "US-WORKMAIL": {},
    "US-VAL": {
        "assumed_receipt_business_days": ("int", "up"),
        "validation_period_days": ("int", "up"),
        "federal_holidays": ("dates", None),
    },
    "US-TBD": {},
    "US-MINI": {
        "channels": ("channels", None),
        "initial_markers": ("strs", None),
        "subsequent_markers": ("strs", None),
        "communication_outcomes": ("outcomes", None),
    },
    "US-HARASS": {},
    "US-FALSE": {},
    "US-CONDUCT": {},
    "US-BK": {},
    "US-HOLD-DECEASED": {"allowed_roles": ("roles", None)},
    "US-HOLD-DISPUTE": {},
    "US-HOLD-PLAN": {"allowed_purposes": ("purposes", None)},
}
HOLD_FLAGS = ("attorney", "cease", "bankruptcy", "deceased", "dispute", "plan_in_good_standing")
_ENUMS = {"channels": CHANNELS, "roles": ROLES, "outcomes": OUTCOMES, "purposes": PURPOSES}


@dataclass(frozen=True)
class Rule:
    id: str
    scope: str
    title: Mapping[str, str]
    source: str
    confidence: str
    collector_types: frozenset[str]
    params: Mapping[str, ParamValue]

    def applies_to(self, collector_type: str) -> bool:
        return collector_type in self.collector_types


@dataclass(frozen=True)
class Pack:
    code: str
    version: str
    effective_from: dt.date
    effective_to: dt.date | None
    timezone: str
    language: str
    search_horizon_days: int
    rules: Mapping[str, Rule]
    holds: Mapping[str, str]
    layers: tuple[str, ...] = ()
    zone: ZoneInfo = field(init=False, repr=False, compare=False)
    # strs_param's answers: the gate asks the same few for every contact it judges (a dialer export: 100,000).
    _strs: dict[tuple[str, str], tuple[str, ...]] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "zone", ZoneInfo(self.timezone))

    def rule(self, rule_id: str) -> Rule:
        return self.rules[rule_id]

    def has(self, rule_id: str, *, collector_type: str) -> bool:
        """True when the pack holds the gate rule and it applies to this collector type."""
        rule = self.rules.get(rule_id)
        return rule is not None and rule.scope == "gate" and rule.applies_to(collector_type)

    def int_param(self, rule_id: str, name: str) -> int:
        value = self.rules[rule_id].params[name]
        assert isinstance(value, int) and not isinstance(value, bool)
        return value

    def bool_param(self, rule_id: str, name: str) -> bool:
        value = self.rules[rule_id].params[name]
        assert isinstance(value, bool)
        return value

    def str_param(self, rule_id: str, name: str) -> str:
        value = self.rules[rule_id].params[name]
        assert isinstance(value, str)
        return value

    def time_param(self, rule_id: str, name: str) -> dt.time:
        value = self.rules[rule_id].params[name]
        assert isinstance(value, dt.time)
        return value

    def strs_param(self, rule_id: str, name: str) -> tuple[str, ...]:
        found = self._strs.get((rule_id, name))
        if found is None:
            value = self.rules[rule_id].params[name]
            assert isinstance(value, tuple)
            found = self._strs[rule_id, name] = tuple(str(v) for v in value)
        return found

    def dates_param(self, rule_id: str, name: str) -> tuple[dt.date, ...]:
        value = self.rules[rule_id].params[name]
        assert isinstance(value, tuple)
        return tuple(v for v in value if isinstance(v, dt.date))


# --- loading -----------------------------------------------------------------------------------


OverridesSource = str | Path | Mapping[str, Any]


def load_pack(
    code: str, *, on: dt.date, overrides: Sequence[OverridesSource] = (), directory: Path = PACKS_DIR
) -> Pack:
    """The version of pack `code` in force on `on`, with the overrides packs in force that day on top.

    An overrides source is a YAML file path or an already-parsed mapping (a row edited in the admin).
    """
    code = code.upper()
    candidates = [p for p in _pack_files(directory) if p.code == code and _in_force(p, on)]
    if not candidates:
        raise ValidationFailed(f"no {code} pack in force on {on.isoformat()}", field="pack")
    pack = max(candidates, key=lambda p: p.effective_from)
    for source in overrides:
        if isinstance(source, Mapping):
            data, name = source, str(source.get("name") or "<overrides>")
        else:
            data, name = _read_yaml(Path(source)), str(source)
        pack = _apply_overrides(pack, data, name=name, on=on)
    return pack


def pack_from_mapping(data: Mapping[str, Any], *, name: str = "<mapping>") -> Pack:
    """Build and validate one pack from already-parsed data (a file, or a row edited in the admin)."""
    where = f"{name}: "
    code = _req_str(data, "pack", where)
    rules: dict[str, Rule] = {}
    raw_rules = data.get("rules")
    if not isinstance(raw_rules, Mapping) or not raw_rules:
        raise ValidationFailed(f"{where}rules must be a non-empty mapping", field="rules")
    for rule_id, raw in raw_rules.items():
        rules[str(rule_id)] = _rule(str(rule_id), raw, where)
    holds_raw = data.get("holds") or {}
    if not isinstance(holds_raw, Mapping):
        raise ValidationFailed(f"{where}holds must be a mapping", field="holds")
    holds: dict[str, str] = {}
    for flag, rule_id in holds_raw.items():
        if flag not in HOLD_FLAGS or rule_id not in rules:
            raise ValidationFailed(f"{where}hold {flag} -> {rule_id}: unknown flag or rule", field=f"holds.{flag}")
        holds[str(flag)] = str(rule_id)
    timezone = _req_str(data, "timezone", where)
    _zone(timezone, f"{where}timezone")
    language = _req_str(data, "language", where).lower()
    if language not in LANGUAGES:
        raise ValidationFailed(f"{where}language must be one of {', '.join(LANGUAGES)}", field="language")
    horizon = data.get("search_horizon_days")
    if not isinstance(horizon, int) or isinstance(horizon, bool) or horizon < 1:
        raise ValidationFailed(f"{where}search_horizon_days must be a positive integer", field="search_horizon_days")
    effective_to = data.get("effective_to")
    return Pack(
        code=code.upper(),
        version=str(data.get("version", "")),
        effective_from=_date(data.get("effective_from"), f"{where}effective_from"),
        effective_to=_date(effective_to, f"{where}effective_to") if effective_to is not None else None,
        timezone=timezone,
        language=language,
        search_horizon_days=horizon,
        rules=MappingProxyType(rules),
        holds=MappingProxyType(holds),
        layers=(f"{code}:{data.get('version')}",),
    )


def _in_force(pack: Pack, on: dt.date) -> bool:
    return pack.effective_from <= on and (pack.effective_to is None or on < pack.effective_to)


@functools.lru_cache(maxsize=64)
def _read_cached(path: str, mtime_ns: int) -> Any:
    with open(path, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def _read_yaml(path: Path) -> Mapping[str, Any]:
    try:
        data = _read_cached(str(path), path.stat().st_mtime_ns)
    except (OSError, yaml.YAMLError) as exc:
        raise ValidationFailed(f"cannot read pack {path}: {exc}", field="pack") from None
    if not isinstance(data, Mapping):
        raise ValidationFailed(f"{path}: a pack is a mapping", field="pack")
    return data


@functools.lru_cache(maxsize=16)
def _pack_files_cached(directory: str, stamp: tuple[tuple[str, int], ...]) -> tuple[Pack, ...]:
    return tuple(pack_from_mapping(_read_yaml(Path(name)), name=Path(name).name) for name, _ in stamp)


def _pack_files(directory: Path) -> tuple[Pack, ...]:
    stamp = tuple(sorted((str(p), p.stat().st_mtime_ns) for p in directory.glob("*.yaml")))
    return _pack_files_cached(str(directory), stamp)


def _apply_overrides(base: Pack, data: Mapping[str, Any], *, name: str, on: dt.date) -> Pack:
    where = f"{name}: "
    target = _req_str(data, "overrides", where).upper()
    if target != base.code:
        raise ValidationFailed(f"{where}overrides {target}, not the {base.code} pack", field="overrides")
    effective_from = _date(data.get("effective_from"), f"{where}effective_from")
    effective_to = data.get("effective_to")
    if effective_from > on or (effective_to is not None and on >= _date(effective_to, f"{where}effective_to")):
        return base
    allow_looser = data.get("allow_looser", False) is True
    rules = dict(base.rules)
    for rule_id, raw in (data.get("rules") or {}).items():
        if rule_id not in rules:
            raise ValidationFailed(f"{where}{rule_id} is not a rule of the {base.code} pack", field=f"rules.{rule_id}")
        if not isinstance(raw, Mapping):
            raise ValidationFailed(f"{where}{rule_id} must be a mapping", field=f"rules.{rule_id}")
        old = rules[rule_id]
        params = dict(old.params)
        for pname, value in (raw.get("params") or {}).items():
            if pname not in params:
                raise ValidationFailed(
                    f"{where}{rule_id} has no parameter {pname}", field=f"rules.{rule_id}.params.{pname}"
                )
            spec = GATE_PARAMETERS.get(rule_id, {}).get(pname, ("raw", None))
            new = _param(value, spec[0], f"{where}{rule_id}.{pname}")
            if not allow_looser:
                _refuse_looser(old=params[pname], new=new, direction=spec[1], label=f"{where}{rule_id}.{pname}")
            params[pname] = new
        types = old.collector_types
        if "collector_types" in raw:
            types = frozenset(_enum_list(raw["collector_types"], COLLECTOR_TYPES, f"{where}{rule_id}.collector_types"))
            if not allow_looser and not types >= old.collector_types:
                raise ValidationFailed(
                    f"{where}{rule_id}.collector_types would drop collector types",
                    field=f"rules.{rule_id}.collector_types",
                )
        rules[rule_id] = Rule(
            id=old.id,
            scope=old.scope,
            title=old.title,
            source=old.source,
            confidence=old.confidence,
            collector_types=types,
            params=MappingProxyType(params),
        )
    label = f"{data.get('name', name)}:{data.get('version', '')}"
    return Pack(
        code=base.code,
        version=base.version,
        effective_from=base.effective_from,
        effective_to=base.effective_to,
        timezone=base.timezone,
        language=base.language,
        search_horizon_days=base.search_horizon_days,
        rules=MappingProxyType(rules),
        holds=base.holds,
        layers=(*base.layers, label),
    )


def _refuse_looser(*, old: ParamValue, new: ParamValue, direction: str | None, label: str) -> None:
    if direction is None or type(old) is not type(new):
        return
    assert isinstance(old, int | dt.time) and isinstance(new, int | dt.time)
    looser = (new < old) if direction == "up" else (new > old)  # type: ignore[operator]
    if looser:
        raise ValidationFailed(
            f"{label}: {new} is looser than the base pack's {old} (set allow_looser to override)",
            field=label.split(": ", 1)[-1],
        )


def _rule(rule_id: str, raw: Any, where: str) -> Rule:
    label = f"{where}{rule_id}"
    if not isinstance(raw, Mapping):
        raise ValidationFailed(f"{label} must be a mapping", field=f"rules.{rule_id}")
    title = raw.get("title") or {}
    if not isinstance(title, Mapping) or set(title) != set(LANGUAGES):
        raise ValidationFailed(f"{label}.title needs en and zh-hans", field=f"rules.{rule_id}.title")
    confidence = raw.get("confidence")
    if confidence not in ("H", "M", "L"):
        raise ValidationFailed(f"{label}.confidence must be H, M or L", field=f"rules.{rule_id}.confidence")
    scope = str(raw.get("scope") or "")
    if not scope:
        raise ValidationFailed(f"{label}.scope is required", field=f"rules.{rule_id}.scope")
    types = raw.get("collector_types", list(COLLECTOR_TYPES))
    params_raw = raw.get("params") or {}
    if not isinstance(params_raw, Mapping):
        raise ValidationFailed(f"{label}.params must be a mapping", field=f"rules.{rule_id}.params")
    params: dict[str, ParamValue] = {}
    if scope == "gate":
        specs = GATE_PARAMETERS.get(rule_id)
        if specs is None:
            raise ValidationFailed(f"{label}: the gate does not implement this rule", field=f"rules.{rule_id}")
        if set(params_raw) != set(specs):
            raise ValidationFailed(f"{label}.params must be exactly {sorted(specs)}", field=f"rules.{rule_id}.params")
        for pname, (kind, _) in specs.items():
            params[pname] = _param(params_raw[pname], kind, f"{label}.{pname}")
    else:
        for pname, value in params_raw.items():
            params[str(pname)] = _param(value, "raw", f"{label}.{pname}")
    return Rule(
        id=rule_id,
        scope=scope,
        title=MappingProxyType({str(k): str(v) for k, v in title.items()}),
        source=str(raw.get("source") or ""),
        confidence=str(confidence),
        collector_types=frozenset(_enum_list(types, COLLECTOR_TYPES, f"{label}.collector_types")),
        params=MappingProxyType(params),
    )


def _param(value: Any, kind: str, label: str) -> ParamValue:
    if kind == "time":
        if isinstance(value, str):
            try:
                return dt.time.fromisoformat(value)
            except ValueError:
                pass
        raise ValidationFailed(f"{label}: a quoted time HH:MM", field=label)
    if kind == "int":
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            return value
        raise ValidationFailed(f"{label}: a non-negative integer", field=label)
    if kind == "bool":
        if isinstance(value, bool):
            return value
        raise ValidationFailed(f"{label}: true or false", field=label)
    if kind == "action":
        if value in ("block", "warn"):
            return str(value)
        raise ValidationFailed(f"{label}: block or warn", field=label)
    if kind in _ENUMS:
        return tuple(_enum_list(value, _ENUMS[kind], label))
    if kind == "strs":
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return tuple(value)
        raise ValidationFailed(f"{label}: a list of strings", field=label)
    if kind == "zones":
        if isinstance(value, list) and value:
            for v in value:
                _zone(v, label)
            return tuple(str(v) for v in value)
        raise ValidationFailed(f"{label}: a non-empty list of time zones", field=label)
    if kind == "dates":
        if isinstance(value, list):
            return tuple(_date(v, label) for v in value)
        raise ValidationFailed(f"{label}: a list of dates", field=label)
    if isinstance(value, bool | int | str):
        return value
    if isinstance(value, list):
        return tuple(str(v) for v in value)
    raise ValidationFailed(f"{label}: a number, text or list", field=label)


def _enum_list(value: Any, allowed: Sequence[str], label: str) -> list[str]:
    if not isinstance(value, list) or any(v not in allowed for v in value):
        raise ValidationFailed(f"{label}: a list of {', '.join(allowed)}", field=label)
    return [str(v) for v in value]


def _zone(name: Any, label: str) -> ZoneInfo:
    try:
        return ZoneInfo(str(name))
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ValidationFailed(f"{label}: unknown time zone {name!r}", field=label) from None


def _date(value: Any, label: str) -> dt.date:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise ValidationFailed(f"{label}: a date YYYY-MM-DD", field=label)


def _req_str(data: Mapping[str, Any], key: str, where: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value:
        raise ValidationFailed(f"{where}{key} is required", field=key)
    return value

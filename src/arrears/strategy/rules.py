"""Treatment strategies as data: parse and validate a definition, match an account's facts to a
segment, give it its champion/challenger arm, and say what its path does on a date.

Pure: no Django, no clock. Every error names the path of what it refuses
(`segments[1].path[0].action: ...`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

import yaml

from arrears.errors import ValidationFailed
from arrears.scoring.rules import DEFAULT_BANDS, POINTS_MAX
from arrears.scoring.rules import parse_label as parse_model_label

# What a path step may do.
MESSAGE_ACTIONS = ("sms", "email", "letter")
REQUEST_ACTIONS = ("field_visit", "agency_placement", "legal_referral")
ACTIONS = (*MESSAGE_ACTIONS, "call_queue", *REQUEST_ACTIONS, "hold", "no_action")
# Why a path ends.
EXITS = ("paid", "cured", "in_plan", "dispute", "deceased")
# Facts a segment may require or exclude (holds of the customer, the case's state, the account's).
FLAGS = (
    "dispute",
    "cease",
    "attorney",
    "bankruptcy",
    "deceased",
    "complaint",
    "in_plan",
    "promised",
    "charged_off",
)
RANGES = ("bucket", "dpd", "balance", "days_since_payment", "days_since_contact")
CONDITIONS = (*RANGES, "product", "flags", "not_flags", "score", "score_band")
CHAMPION_MODEL = ""  # an arm that names no model reads the champion score model's points
BASIS_POINTS = 10_000
MAX_PATH_DAY = 3650


@dataclasses.dataclass(frozen=True)
class Range:
    """lo <= value <= hi; None is open. Balances in fen."""

    lo: int | None = None
    hi: int | None = None

    def holds(self, value: int | None, *, none_is_infinite: bool = False) -> bool:
        if value is None:
            # never paid / never contacted: as long ago as can be
            return none_is_infinite and self.hi is None
        return (self.lo is None or value >= self.lo) and (self.hi is None or value <= self.hi)


@dataclasses.dataclass(frozen=True)
class When:
    ranges: Mapping[str, Range] = dataclasses.field(default_factory=dict)
    products: frozenset[str] | None = None
    flags: frozenset[str] = frozenset()
    not_flags: frozenset[str] = frozenset()
    # the account's points (0-1000, higher pays better) must lie in one of these [lo, hi]
    score_bands: tuple[tuple[int, int], ...] | None = None


@dataclasses.dataclass(frozen=True)
class PathStep:
    day: int
    action: str
    rule: str
    template: str = ""
    detail: str = ""


@dataclasses.dataclass(frozen=True)
class Segment:
    code: str
    name: str
    when: When
    exits: tuple[str, ...]
    path: tuple[PathStep, ...]
    arm_paths: Mapping[str, tuple[PathStep, ...]] = dataclasses.field(default_factory=dict)

    def path_of(self, arm: str) -> tuple[PathStep, ...]:
        return self.arm_paths.get(arm, self.path)


@dataclasses.dataclass(frozen=True)
class Arm:
    code: str
    basis_points: int
    model: str = CHAMPION_MODEL  # the score model whose points its accounts' score conditions read


@dataclasses.dataclass(frozen=True)
class Definition:
    segments: tuple[Segment, ...]
    arms: tuple[Arm, ...]
    score_bands: Mapping[str, tuple[int, int]] = dataclasses.field(default_factory=lambda: dict(DEFAULT_BANDS))

    @property
    def score_models(self) -> set[str]:
        """The score models the definition reads ("" = the champion); empty when no segment reads a score."""
        if not any("score" in s.when.ranges or s.when.score_bands is not None for s in self.segments):
            return set()
        return {a.model for a in self.arms}

    def segment(self, code: str) -> Segment | None:
        return next((s for s in self.segments if s.code == code), None)

    @property
    def templates(self) -> set[tuple[str, str]]:
        """(channel, template code) of every message step."""
        return {
            (step.action, step.template)
            for s in self.segments
            for path in (s.path, *s.arm_paths.values())
            for step in path
            if step.action in MESSAGE_ACTIONS
        }


@dataclasses.dataclass(frozen=True)
class Facts:
    """What the cycle knows of one account on a date."""

    account_id: int
    bucket: int
    dpd: int
    balance_fen: int  # what is owed: the balance, or what is still owed after charge-off
    product: str
    flags: frozenset[str] = frozenset()
    days_since_payment: int | None = None
    days_since_contact: int | None = None
    # the latest points of the account by score model ("" = the champion); `score` is the one its arm reads
    scores: Mapping[str, int] = dataclasses.field(default_factory=dict)
    score: int | None = None


@dataclasses.dataclass(frozen=True)
class Enrolled:
    segment: str
    started_on: dt.date


@dataclasses.dataclass(frozen=True)
class Decision:
    """For one account on one date: end its enrolment (why), start one (in which segment), and the
    path step due today, if any."""

    segment: str | None
    arm: str
    path_day: int | None = None
    step: PathStep | None = None
    end: str | None = None  # the exit condition or "moved" / "left"
    start: bool = False


# --- parsing ----------------------------------------------------------------------------------


def _fail(path: str, message: str) -> ValidationFailed:
    return ValidationFailed(f"{path}: {message}", field=path)


def _mapping(value: Any, path: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise _fail(path, "must be a mapping")
    return value


def _list(value: Any, path: str) -> list[Any]:
    if not isinstance(value, list):
        raise _fail(path, "must be a list")
    return value


def _code(value: Any, path: str) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > 40:
        raise _fail(path, "must be a code of 1 to 40 characters")
    if not all(c.isalnum() or c in "_-" for c in value):
        raise _fail(path, "may hold only letters, digits, _ and -")
    return value


def _unknown(data: Mapping[str, Any], allowed: Sequence[str], path: str) -> None:
    for key in data:
        if key not in allowed:
            raise _fail(f"{path}.{key}", f"is not known (use {', '.join(allowed)})")


def _int(value: Any, path: str, *, lo: int = 0, hi: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _fail(path, "must be a whole number")
    if value < lo or (hi is not None and value > hi):
        raise _fail(path, f"must be between {lo} and {hi}" if hi is not None else f"must be at least {lo}")
    return value


def _fen(value: Any, path: str) -> int:
    if isinstance(value, bool | float):
        raise _fail(path, 'must be an amount written as text, e.g. "500.00"')
    try:
        amount = Decimal(str(value).replace(",", "")) if isinstance(value, str | int) else None
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite() or amount < 0 or amount.as_tuple().exponent < -2:  # type: ignore[operator]
        raise _fail(path, "must be an amount of at least 0 with at most two decimals")
    return int(amount * 100)


def _points(value: Any, path: str) -> int:
    return _int(value, path, hi=POINTS_MAX)


def _range(value: Any, path: str, key: str) -> Range:
    data = _mapping(value, path)
    _unknown(data, ("min", "max"), path)
    if not data:
        raise _fail(path, "give min, max or both")
    read = _fen if key == "balance" else _points if key == "score" else _int
    lo = read(data["min"], f"{path}.min") if "min" in data else None
    hi = read(data["max"], f"{path}.max") if "max" in data else None
    if lo is not None and hi is not None and lo > hi:
        raise _fail(path, "min must not be above max")
    return Range(lo, hi)


def _flags(value: Any, path: str) -> frozenset[str]:
    items = _list(value, path)
    for i, flag in enumerate(items):
        if flag not in FLAGS:
            raise _fail(f"{path}[{i}]", f"must be one of {', '.join(FLAGS)}")
    return frozenset(items)


def _when(value: Any, path: str, bands: Mapping[str, tuple[int, int]]) -> When:
    data = _mapping(value if value is not None else {}, path)
    _unknown(data, CONDITIONS, path)
    ranges = {key: _range(data[key], f"{path}.{key}", key) for key in (*RANGES, "score") if key in data}
    score_bands = None
    if "score_band" in data:
        names = _list(data["score_band"], f"{path}.score_band")
        if not names:
            raise _fail(f"{path}.score_band", "name at least one band")
        for i, band in enumerate(names):
            if band not in bands:
                raise _fail(f"{path}.score_band[{i}]", f"must be one of {', '.join(bands)}")
        score_bands = tuple(bands[b] for b in names)
    products = None
    if "product" in data:
        items = _list(data["product"], f"{path}.product")
        products = frozenset(_code(p, f"{path}.product[{i}]") for i, p in enumerate(items))
    return When(
        ranges=ranges,
        products=products,
        flags=_flags(data.get("flags", []), f"{path}.flags"),
        not_flags=_flags(data.get("not_flags", []), f"{path}.not_flags"),
        score_bands=score_bands,
    )


def _bands(value: Any, path: str) -> dict[str, tuple[int, int]]:
    """score_bands: {name: {min, max}} over the 0-1000 points; default scoring.rules.DEFAULT_BANDS."""
    if value is None:
        return dict(DEFAULT_BANDS)
    data = _mapping(value, path)
    if not data:
        raise _fail(path, "must name at least one band")
    bands = {}
    for name, bounds in data.items():
        at = f"{path}.{_code(name, path)}"
        rng = _range(bounds, at, "score")
        bands[name] = (rng.lo if rng.lo is not None else 0, rng.hi if rng.hi is not None else POINTS_MAX)
    return bands


def _path(value: Any, path: str, segment: str, arm: str = "") -> tuple[PathStep, ...]:
    items = _list(value, path)
    if not items:
        raise _fail(path, "must have at least one step")
    steps = []
    days: set[int] = set()
    for i, item in enumerate(items):
        at = f"{path}[{i}]"
        data = _mapping(item, at)
        _unknown(data, ("day", "action", "template", "detail", "rule"), at)
        if "day" not in data:
            raise _fail(f"{at}.day", "is required")
        day = _int(data["day"], f"{at}.day", hi=MAX_PATH_DAY)
        if day in days:
            raise _fail(f"{at}.day", f"day {day} already has a step")
        days.add(day)
        action = data.get("action")
        if action not in ACTIONS:
            raise _fail(f"{at}.action", f"must be one of {', '.join(ACTIONS)}")
        template = data.get("template", "")
        if action in MESSAGE_ACTIONS:
            template = _code(template, f"{at}.template") if template else ""
            if not template:
                raise _fail(f"{at}.template", f"a {action} step needs an approved template's code")
        elif template:
            raise _fail(f"{at}.template", f"a {action} step takes no template")
        detail = data.get("detail", "")
        if not isinstance(detail, str) or len(detail) > 200:
            raise _fail(f"{at}.detail", "must be text of at most 200 characters")
        default_rule = f"{segment}{'.' + arm if arm else ''}.d{day}.{action}"
        rule = _code(data["rule"], f"{at}.rule") if "rule" in data else default_rule
        if len(rule) > 60:
            raise _fail(f"{at}.rule", "must be at most 60 characters")
        steps.append(PathStep(day=day, action=action, rule=rule, template=template, detail=detail))
    return tuple(sorted(steps, key=lambda s: s.day))


def _percent(value: Any, path: str) -> int:
    if isinstance(value, bool | float) or not isinstance(value, int | str):
        raise _fail(path, 'must be a whole number or a decimal written as text ("12.5")')
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise _fail(path, "must be a number") from None
    if not amount.is_finite() or amount <= 0 or amount > 100 or (amount * 100) % 1:
        raise _fail(path, "must be above 0 and at most 100, with at most two decimals")
    return int(amount * 100)


def _arms(value: Any, path: str) -> tuple[Arm, ...]:
    if value is None:
        return (Arm("champion", BASIS_POINTS),)
    items = _list(value, path)
    if not items:
        raise _fail(path, "must have at least one arm")
    arms: list[Arm] = []
    for i, item in enumerate(items):
        data = _mapping(item, f"{path}[{i}]")
        _unknown(data, ("code", "percent", "model"), f"{path}[{i}]")
        code = _code(data.get("code"), f"{path}[{i}].code")
        if any(a.code == code for a in arms):
            raise _fail(f"{path}[{i}].code", f"arm {code!r} is given twice")
        model = data.get("model", CHAMPION_MODEL)
        if model != CHAMPION_MODEL:
            if not isinstance(model, str):
                raise _fail(f"{path}[{i}].model", "must be a score model's name@version")
            try:
                parse_model_label(model)
            except ValidationFailed:
                raise _fail(f"{path}[{i}].model", "must be a score model's name@version") from None
        arms.append(Arm(code, _percent(data.get("percent"), f"{path}[{i}].percent"), model))
    total = sum(a.basis_points for a in arms)
    if total != BASIS_POINTS:
        raise _fail(path, f"the arms' percentages must add up to 100 (they add up to {Decimal(total) / 100})")
    return tuple(arms)


def parse(text: str) -> Definition:
    """A definition from its YAML text; ValidationFailed naming the path of the first fault."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise _fail("definition", f"is not valid YAML: {exc}") from None
    return parse_data(data)


def parse_data(data: Any) -> Definition:
    root = _mapping(data, "definition")
    _unknown(root, ("arms", "segments", "score_bands"), "definition")
    arms = _arms(root.get("arms"), "arms")
    bands = _bands(root.get("score_bands"), "score_bands")
    arm_codes = {a.code for a in arms}
    segments: list[Segment] = []
    for i, item in enumerate(_list(root.get("segments"), "segments")):
        at = f"segments[{i}]"
        seg = _mapping(item, at)
        _unknown(seg, ("code", "name", "when", "exits", "path", "arm_paths"), at)
        code = _code(seg.get("code"), f"{at}.code")
        if any(s.code == code for s in segments):
            raise _fail(f"{at}.code", f"segment {code!r} is given twice")
        name = seg.get("name", code)
        if not isinstance(name, str) or len(name) > 120:
            raise _fail(f"{at}.name", "must be text of at most 120 characters")
        exits = _list(seg.get("exits", list(EXITS)), f"{at}.exits")
        for j, e in enumerate(exits):
            if e not in EXITS:
                raise _fail(f"{at}.exits[{j}]", f"must be one of {', '.join(EXITS)}")
        if "path" not in seg:
            raise _fail(f"{at}.path", "is required")
        path = _path(seg["path"], f"{at}.path", code)
        arm_paths = {}
        for arm, steps in _mapping(seg.get("arm_paths", {}), f"{at}.arm_paths").items():
            if arm not in arm_codes:
                raise _fail(f"{at}.arm_paths.{arm}", f"is not an arm (arms: {', '.join(sorted(arm_codes))})")
            arm_paths[arm] = _path(steps, f"{at}.arm_paths.{arm}", code, arm)
        segments.append(
            Segment(
                code=code,
                name=name,
                when=_when(seg.get("when"), f"{at}.when", bands),
                exits=tuple(exits),
                path=path,
                arm_paths=arm_paths,
            )
        )
    if not segments:
        raise _fail("segments", "must have at least one segment")
    rules = [step.rule for s in segments for p in (s.path, *s.arm_paths.values()) for step in p]
    twice = sorted({r for r in rules if rules.count(r) > 1})
    if twice:
        raise _fail("segments", f"rule {twice[0]!r} is used by two steps")
    return Definition(segments=tuple(segments), arms=arms, score_bands=bands)


# --- applying ---------------------------------------------------------------------------------


def arm_hash(strategy_code: str, account_id: int) -> int:
    """0..9999, from the strategy's code and the account's id alone: stable across runs and versions."""
    digest = hashlib.sha256(f"{strategy_code}:{account_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % BASIS_POINTS


def arm_of(strategy_code: str, account_id: int, arms: Sequence[Arm]) -> str:
    point = arm_hash(strategy_code, account_id)
    cumulative = 0
    for arm in arms:
        cumulative += arm.basis_points
        if point < cumulative:
            return arm.code
    return arms[-1].code


def matches(when: When, facts: Facts) -> bool:
    values = {
        "bucket": facts.bucket,
        "dpd": facts.dpd,
        "balance": facts.balance_fen,
        "days_since_payment": facts.days_since_payment,
        "days_since_contact": facts.days_since_contact,
        "score": facts.score,
    }
    for key, rng in when.ranges.items():
        if not rng.holds(values[key], none_is_infinite=key.startswith("days_since")):
            return False
    if when.products is not None and facts.product not in when.products:
        return False
    if when.score_bands is not None and (
        facts.score is None or not any(lo <= facts.score <= hi for lo, hi in when.score_bands)
    ):
        return False
    return when.flags <= facts.flags and not (when.not_flags & facts.flags)


def segment_of(definition: Definition, facts: Facts) -> Segment | None:
    """The first segment whose conditions the account meets."""
    return next((s for s in definition.segments if matches(s.when, facts)), None)


def exit_of(segment: Segment, facts: Facts) -> str | None:
    """The first of the segment's exit conditions the account meets."""
    met = {
        "paid": facts.balance_fen <= 0,
        "cured": facts.dpd == 0 and "charged_off" not in facts.flags,
        "in_plan": "in_plan" in facts.flags,
        "dispute": "dispute" in facts.flags,
        "deceased": "deceased" in facts.flags,
    }
    return next((e for e in segment.exits if met[e]), None)


def decide(
    definition: Definition, strategy_code: str, facts: Facts, enrolled: Enrolled | None, day: dt.date
) -> Decision:
    """What the strategy does with one account on `day`, given its open enrolment (if any)."""
    arm = arm_of(strategy_code, facts.account_id, definition.arms)
    model = next(a.model for a in definition.arms if a.code == arm)
    facts = dataclasses.replace(facts, score=facts.scores.get(model))  # champion/challenger between models
    end = None
    if enrolled is not None:
        current = definition.segment(enrolled.segment)
        if current is None:
            end = "left"  # the segment is gone from the version in force
        else:
            end = exit_of(current, facts)
            if end is None:
                target = segment_of(definition, facts)
                if target is not None and target.code == current.code:
                    path_day = (day - enrolled.started_on).days
                    return Decision(current.code, arm, path_day, _step_on(current.path_of(arm), path_day))
                end = "moved" if target is not None else "left"
        if end not in ("moved", "left"):  # an exit condition: the path ends, nothing restarts it today
            return Decision(enrolled.segment, arm, end=end)
    target = segment_of(definition, facts)
    if target is None or exit_of(target, facts) is not None:
        return Decision(enrolled.segment if enrolled else None, arm, end=end)
    return Decision(target.code, arm, 0, _step_on(target.path_of(arm), 0), end=end, start=True)


def _step_on(path: Sequence[PathStep], path_day: int) -> PathStep | None:
    return next((s for s in path if s.day == path_day), None)

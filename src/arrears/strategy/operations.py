"""Strategies and their versions: a strategy manager drafts a version (validated), another approves
it (maker != checker); the approved version with the latest effective date on or before a date is
in force. Every change is audited."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import Max

from arrears.audit.operations import record
from arrears.errors import NotPermitted, ValidationFailed
from arrears.kernel import clock
from arrears.outreach.models import MessageTemplate, TemplateStatus
from arrears.people.models import Role
from arrears.people.operations import roles_of
from arrears.strategy import rules
from arrears.strategy.models import Strategy, StrategyVersion, VersionStatus

DEFAULT_CODE = "default"
DEFAULT_FILE = Path(__file__).with_name("default.yaml")
DEFAULT_MAKER = "default.yaml"


def _require_manager(user: Any) -> None:
    if not (user.is_superuser or Role.STRATEGY_MANAGER in roles_of(user)):
        raise NotPermitted("only a strategy manager edits strategies", field="user")


def _check_code(code: str) -> None:
    if not code or len(code) > 40 or not all(c.isalnum() or c in "_-" for c in code):
        raise ValidationFailed("must be 1 to 40 letters, digits, _ or -", field="code")


def draft_version(
    *,
    actor: str,
    code: str,
    definition: str,
    effective_from: dt.date,
    business_date: dt.date,
    name: str = "",
) -> StrategyVersion:
    """A new draft version of strategy `code` (created on its first version). The definition must
    parse; it takes effect only once approved, from `effective_from` (not before the business date)."""
    _check_code(code)
    if effective_from < business_date:
        raise ValidationFailed("must not be before the business date", field="effective_from")
    rules.parse(definition)
    with transaction.atomic():
        strategy, _ = Strategy.objects.get_or_create(code=code, defaults={"name": name or code})
        latest = strategy.versions.aggregate(v=Max("version"))["v"] or 0
        version = StrategyVersion.objects.create(
            strategy=strategy,
            version=latest + 1,
            effective_from=effective_from,
            definition=definition,
            made_by=actor,
            made_at=clock.now(),
        )
        record(
            actor=actor,
            action="strategy.draft",
            object_type="strategy",
            object_id=code,
            after={"version": version.version, "effective_from": effective_from},
        )
    return version


def draft(
    *, user: Any, code: str, definition: str, effective_from: dt.date, business_date: dt.date, name: str = ""
) -> StrategyVersion:
    _require_manager(user)
    return draft_version(
        actor=user.get_username(),
        code=code,
        definition=definition,
        effective_from=effective_from,
        business_date=business_date,
        name=name,
    )


def approve_version(*, actor: str, version: StrategyVersion, business_date: dt.date) -> StrategyVersion:
    if actor == version.made_by:
        raise NotPermitted("the maker of a strategy version cannot approve it", field="user")
    if version.status != VersionStatus.DRAFT:
        raise ValidationFailed(f"the version is {version.status}", field="version")
    if version.effective_from < business_date:
        raise ValidationFailed("takes effect before the business date: draft it again", field="effective_from")
    rules.parse(version.definition)
    with transaction.atomic():
        version.status, version.checked_by, version.checked_at = VersionStatus.APPROVED, actor, clock.now()
        version.save(update_fields=["status", "checked_by", "checked_at"])
        record(
            actor=actor,
            action="strategy.approve",
            object_type="strategy",
            object_id=version.strategy.code,
            after={"version": version.version, "effective_from": version.effective_from},
        )
    return version


def approve(*, user: Any, version: StrategyVersion, business_date: dt.date) -> StrategyVersion:
    _require_manager(user)
    return approve_version(actor=user.get_username(), version=version, business_date=business_date)


def make_live(*, actor: str, strategy: Strategy) -> Strategy:
    """The strategy the cycle applies (one at a time)."""
    with transaction.atomic():
        Strategy.objects.filter(live=True).exclude(pk=strategy.pk).update(live=False)
        if not strategy.live:
            strategy.live = True
            strategy.save(update_fields=["live"])
        record(actor=actor, action="strategy.live", object_type="strategy", object_id=strategy.code)
    return strategy


def install_default(*, actor: str, effective_from: dt.date, business_date: dt.date) -> StrategyVersion:
    """src/arrears/strategy/default.yaml as an approved version of strategy `default`, in force from
    `effective_from`, and the live strategy. Made by the file, checked by `actor`."""
    if actor == DEFAULT_MAKER:
        raise ValidationFailed("name the person who installs it", field="actor")
    with transaction.atomic():
        version = draft_version(
            actor=DEFAULT_MAKER,
            code=DEFAULT_CODE,
            name="Default strategy",
            definition=DEFAULT_FILE.read_text(encoding="utf-8"),
            effective_from=effective_from,
            business_date=business_date,
        )
        approve_version(actor=actor, version=version, business_date=business_date)
        make_live(actor=actor, strategy=version.strategy)
    return version


def missing_templates(definition: str) -> list[str]:
    """The `channel/code` of every message step whose template has no approved version (the cycle
    skips such a step and records why)."""
    wanted = rules.parse(definition).templates
    approved = set(
        MessageTemplate.objects.filter(status=TemplateStatus.APPROVED, code__in=sorted(c for _, c in wanted))
        .values_list("channel", "code")
        .distinct()
    )
    return sorted(f"{ch}/{code}" for ch, code in wanted - approved)

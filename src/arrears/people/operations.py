"""Roles, teams and users."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group, Permission, User
from django.db import transaction
from django.db.models import Q

from arrears.audit.operations import record
from arrears.errors import Duplicate, NotAuthenticated, NotFound, NotPermitted, ValidationFailed
from arrears.kernel import clock
from arrears.people.models import ApiToken, Profile, Role, Scope, Team

# How stale `ApiToken.last_used_at` may get: a busy client writes it at most this often, not per request.
LAST_USED_EVERY = dt.timedelta(minutes=5)

# The permissions each role's group holds (app_label.codename). The view_full_* permissions allow the
# audited reveal of one masked value: collectors and team leads the phone they dial; customer service,
# who identify and serve the cardholder, the phone, the national ID and the card number; compliance
# officers, who investigate complaints, the phone and the national ID. Pages always show them masked.
ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.COLLECTOR: ["cases.view_case", "contacts.add_contact", "promises.add_promise", "people.view_full_phone"],
    Role.TEAM_LEAD: [
        "cases.view_case",
        "contacts.add_contact",
        "promises.add_promise",
        "people.supervise_team",
        "people.view_full_phone",
    ],
    Role.CREDIT_ASSESSOR: ["cases.view_case"],
    Role.CUSTOMER_SERVICE: [
        "cases.view_case",
        "contacts.add_contact",
        "people.view_full_national_id",
        "people.view_full_phone",
        "people.view_full_pan",
    ],
    Role.COMPLIANCE_OFFICER: [
        "cases.view_case",
        "people.search_audit",
        "people.view_full_national_id",
        "people.view_full_phone",
    ],
    Role.AGENCY_USER: ["cases.view_case", "contacts.add_contact"],
    Role.STRATEGY_MANAGER: [],  # their pages check the role itself (maker and checker are two managers)
    Role.COLLECTIONS_MANAGER: ["cases.view_case", "people.supervise_team"],  # every team's figures
    Role.LEGAL_OFFICER: ["cases.view_case"],
    Role.ADMINISTRATOR: ["people.supervise_team", "people.search_audit"],
}


def ensure_roles() -> None:
    """Create the role groups with their permissions (idempotent)."""
    for role, perms in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        wanted: list[Permission] = []
        for perm in perms:
            app_label, codename = perm.split(".")
            wanted.extend(Permission.objects.filter(content_type__app_label=app_label, codename=codename))
        group.permissions.set(wanted)


def create_staff(
    *,
    actor: str,
    username: str,
    password: str,
    role: str,
    teams: list[Team] | None = None,
    languages: str = "zh-hans",
    **extra: Any,
) -> User:
    ensure_roles()
    with transaction.atomic():
        user = User.objects.create_user(username=username, password=password, **extra)
        user.is_staff = role == Role.ADMINISTRATOR or bool(extra.get("is_staff"))
        user.save()
        user.groups.add(Group.objects.get(name=role))
        Profile.objects.create(user=user, languages=languages)
        for team in teams or []:
            team.members.add(user)
        record(actor=actor, action="user.create", object_type="user", object_id=username, after={"role": role})
    return user


def page_language(user: Any) -> str:
    """The language of the pages this person chose last ("" when they never chose one)."""
    chosen = Profile.objects.filter(user=user.pk).values_list("language", flat=True).first()
    return chosen or ""


def choose_page_language(user: Any, language: str) -> None:
    """Keep the language of the pages this person chose, so that their next sign-in opens in it.
    A language the site does not offer is refused."""
    if language not in dict(settings.LANGUAGES):
        raise ValidationFailed("choose one of the languages offered", field="language", code="not_a_choice")
    Profile.objects.update_or_create(user=user, defaults={"language": language})


def roles_of(user: Any) -> set[str]:
    return set(user.groups.values_list("name", flat=True)) if user.is_authenticated else set()


# -- API tokens ------------------------------------------------------------------------------------


def parse_scopes(text: str | Iterable[str], *, field: str = "scopes") -> list[str]:
    """`read,write` (or a list) as the sorted scopes it names; an unknown or empty list is refused."""
    names = text.split(",") if isinstance(text, str) else list(text)
    scopes = sorted({name.strip() for name in names if name.strip()})
    if not scopes:
        raise ValidationFailed("name at least one scope", field=field, code="required")
    unknown = [name for name in scopes if name not in Scope.values]
    if unknown:
        values = ", ".join(Scope.values)
        raise ValidationFailed(
            f"unknown scope {unknown[0]!r}: one of {values}",
            field=field,
            code="not_a_choice",
            params={"values": values},
        )
    return scopes


def issue_token(
    *, actor: str, user: User, name: str, scopes: Iterable[str], days: int | None = None
) -> tuple[ApiToken, str]:
    """A new bearer token for `user`, with its scopes and lifetime; returns the row and the secret (shown once)."""
    name = name.strip()
    if not name:
        raise ValidationFailed("give the token a name", field="name", code="required")
    if len(name) > 80:
        raise ValidationFailed(
            "at most 80 characters", field="name", code="out_of_range", params={"low": 1, "high": 80}
        )
    granted = parse_scopes(scopes)
    longest = settings.ARREARS_API_TOKEN_MAX_DAYS
    days = settings.ARREARS_API_TOKEN_DAYS if days is None else days
    if not 1 <= days <= longest:
        raise ValidationFailed(
            f"a token lives 1 to {longest} days", field="days", code="out_of_range", params={"low": 1, "high": longest}
        )
    if not user.is_active:
        raise ValidationFailed(f"{user.get_username()} is not an active user", field="user")
    now = clock.now()
    with transaction.atomic():
        if _live(ApiToken.objects.filter(user=user, name=name), now).exists():
            raise Duplicate(f"{user.get_username()} already has a live token named {name!r}", field="name")
        row, token = ApiToken.issue(user=user, name=name, scopes=granted, expires_at=now + dt.timedelta(days=days))
        record(
            actor=actor,
            action="api_token.issue",
            object_type="api_token",
            object_id=row.pk,
            after={"user": user.get_username(), "name": name, "scopes": granted, "expires_at": row.expires_at},
        )
    return row, token


def revoke_token(
    *, actor: str, token_id: int | None = None, name: str | None = None, user: str | None = None
) -> ApiToken:
    """Revoke one token, by its id or by its name (with its user's name when two users have that name)."""
    rows = ApiToken.objects.select_related("user").filter(revoked_at__isnull=True)
    if token_id is not None:
        rows = rows.filter(pk=token_id)
    elif name:
        rows = rows.filter(name=name)
    else:
        raise ValidationFailed("name the token by its id or its name", field="id", code="required")
    if user:
        rows = rows.filter(user__username=user)
    with transaction.atomic():
        found = list(rows.select_for_update(of=("self",))[:2])
        if not found:
            raise NotFound("no such token that is not already revoked", field="id" if token_id is not None else "name")
        if len(found) > 1:
            raise ValidationFailed("more than one token has that name: give --user or --id", field="name")
        row = found[0]
        row.revoked_at = clock.now()
        row.save(update_fields=["revoked_at"])
        record(
            actor=actor,
            action="api_token.revoke",
            object_type="api_token",
            object_id=row.pk,
            after={"user": row.user.get_username(), "name": row.name, "revoked_at": row.revoked_at},
        )
    return row


def _live(rows: Any, now: dt.datetime) -> Any:
    return rows.filter(revoked_at__isnull=True, expires_at__gt=now)


def authenticate_token(token: str) -> ApiToken:
    """The live token with this secret, its user loaded; unknown, revoked, expired or of an inactive user: 401."""
    row = ApiToken.objects.select_related("user").filter(digest=ApiToken.digest_of(token)).first()
    if row is None or not row.user.is_active:
        raise NotAuthenticated("unknown bearer token")
    now = clock.now()
    if row.revoked_at is not None:
        raise NotAuthenticated("this bearer token has been revoked", code="token_revoked")
    if row.expires_at <= now:
        raise NotAuthenticated("this bearer token has expired; ask for a new one", code="token_expired")
    if row.last_used_at is None or row.last_used_at <= now - LAST_USED_EVERY:
        stale = Q(last_used_at__isnull=True) | Q(last_used_at__lte=now - LAST_USED_EVERY)
        ApiToken.objects.filter(stale, pk=row.pk).update(last_used_at=now)
    return row


def require_scope(token: ApiToken, scope: str) -> None:
    """Refuse (403 scope_missing, naming the scope) what the token was not issued for."""
    name = str(scope)
    if name not in token.scopes:
        raise NotPermitted(
            f"this token lacks the {name!r} scope", field="scope", code="scope_missing", params={"scope": name}
        )

"""Roles, teams and users."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group, Permission, User
from django.db import transaction

from arrears.audit.operations import record
from arrears.people.models import Profile, Role, Team

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


def roles_of(user: Any) -> set[str]:
    return set(user.groups.values_list("name", flat=True)) if user.is_authenticated else set()

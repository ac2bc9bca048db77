from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from arrears.kernel import clock


class Role(models.TextChoices):
    """The roles of PRODUCT.md §2; each is a Django group of the same name."""

    COLLECTOR = "collector", _("Collector")
    TEAM_LEAD = "team_lead", _("Team lead")
    CREDIT_ASSESSOR = "credit_assessor", _("Credit assessor")
    CUSTOMER_SERVICE = "customer_service", _("Customer-service rep")
    COMPLIANCE_OFFICER = "compliance_officer", _("Compliance officer")
    AGENCY_USER = "agency_user", _("Agency user")
    STRATEGY_MANAGER = "strategy_manager", _("Strategy manager")
    COLLECTIONS_MANAGER = "collections_manager", _("Collections manager")
    LEGAL_OFFICER = "legal_officer", _("Legal officer")
    ADMINISTRATOR = "administrator", _("Administrator")


class Team(models.Model):
    name = models.CharField(_("name"), max_length=80, unique=True)
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="teams_led",
        verbose_name=_("lead"),
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="teams", verbose_name=_("members")
    )

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        permissions = [
            ("view_full_national_id", "Can reveal national ID numbers, audited"),
            ("view_full_phone", "Can reveal phone numbers, audited"),
            ("view_full_pan", "Can reveal card numbers (PANs), audited"),
            ("supervise_team", "Can supervise a team: reassign cases, read its reports"),
            ("search_audit", "Can search the audit trail"),
        ]

    def __str__(self) -> str:
        return self.name


class Profile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile", verbose_name=_("user")
    )
    languages = models.CharField(
        _("languages spoken"), max_length=60, default="zh-hans", help_text=_("Comma-separated, e.g. zh-hans,en")
    )
    max_cases = models.PositiveIntegerField(_("most open cases"), default=400)
    # The language of the pages this person chose in the header; applied at sign-in. Blank: none chosen.
    language = models.CharField(_("language of the pages"), max_length=10, blank=True, default="")

    class Meta:
        verbose_name = _("staff profile")
        verbose_name_plural = _("staff profiles")

    def __str__(self) -> str:
        return str(self.user)

    @property
    def language_list(self) -> list[str]:
        return [x.strip() for x in self.languages.split(",") if x.strip()]


class Scope(models.TextChoices):
    """What an API token may do, on top of what its user's role allows (a scope never adds a right).

    A bank issues each integration the least it needs: a reporting job `read`, a dialer `read,write`,
    the payment feed `payments`; the checker's decisions (`approve`) stay with people on the pages unless
    a token is issued for them on purpose. A signed-in browser session is not scoped: it has its user's
    role, and CSRF protects its writes.
    """

    READ = "read", _("read: every GET, and the checks and quotes that write nothing")
    WRITE = "write", _("write: collection work (next case, contacts, promises, situations, plans, concessions)")
    PAYMENTS = "payments", _("payments: post payments")
    APPROVE = "approve", _("approve: decide approvals, review and approve plans (the checker's decisions)")


class ApiToken(models.Model):
    """A bearer token for the API. Only its SHA-256 is stored; the token is shown once.

    It carries scopes, expires (`expires_at`) and can be revoked (`revoked_at`); `last_used_at` is
    updated at most every few minutes (arrears.people.operations.LAST_USED_EVERY)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=80)
    digest = models.CharField(max_length=64, unique=True)
    scopes = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")

    def __str__(self) -> str:
        return f"{self.user} {self.name}"

    @staticmethod
    def digest_of(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @classmethod
    def issue(
        cls,
        *,
        user: models.Model,
        name: str,
        scopes: Iterable[str] = (Scope.READ,),
        expires_at: dt.datetime | None = None,
    ) -> tuple[ApiToken, str]:
        """A new token and its secret (to show once). Checked and audited: arrears.people.operations.issue_token."""
        token = "arr_" + secrets.token_urlsafe(32)
        expires = expires_at or clock.now() + dt.timedelta(days=settings.ARREARS_API_TOKEN_DAYS)
        row = cls.objects.create(
            user=user, name=name, digest=cls.digest_of(token), scopes=sorted(set(scopes)), expires_at=expires
        )
        return row, token

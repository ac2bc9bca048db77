from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """The roles of PRODUCT.md §2; each is a Django group of the same name."""

    COLLECTOR = "collector", _("Collector")
    TEAM_LEAD = "team_lead", _("Team lead")
    CREDIT_ASSESSOR = "credit_assessor", _("Credit assessor")
    CUSTOMER_SERVICE = "customer_service", _("Customer-service rep")
    COMPLIANCE_OFFICER = "compliance_officer", _("Compliance officer")
    AGENCY_USER = "agency_user", _("Agency user")
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
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    languages = models.CharField(
        _("languages spoken"), max_length=60, default="zh-hans", help_text=_("Comma-separated, e.g. zh-hans,en")
    )
    max_cases = models.PositiveIntegerField(_("most open cases"), default=400)

    class Meta:
        verbose_name = _("staff profile")

    def __str__(self) -> str:
        return str(self.user)

    @property
    def language_list(self) -> list[str]:
        return [x.strip() for x in self.languages.split(",") if x.strip()]


class ApiToken(models.Model):
    """A bearer token for the API. Only its SHA-256 is stored; the token is shown once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=80)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")

    def __str__(self) -> str:
        return f"{self.user} {self.name}"

    @staticmethod
    def digest_of(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @classmethod
    def issue(cls, *, user: models.Model, name: str) -> tuple[ApiToken, str]:
        token = "arr_" + secrets.token_urlsafe(32)
        return cls.objects.create(user=user, name=name, digest=cls.digest_of(token)), token

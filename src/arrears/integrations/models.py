from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class IntegrationKind(models.TextChoices):
    """What a system is; it decides which endpoints it may call (arrears.integrations.scopes)."""

    DIALER = "dialer", _("dialer")
    SMS_GATEWAY = "sms_gateway", _("SMS gateway")
    EMAIL_PROVIDER = "email_provider", _("e-mail provider (delivery receipts)")
    PAYMENT_GATEWAY = "payment_gateway", _("payment gateway")
    CARD_HOST = "card_host", _("card host")


class Integration(models.Model):
    """A system that signs its requests with a secret derived from SECRET_KEY, its name, its salt and
    its key version (arrears.integrations.operations.secret_of): no secret is stored."""

    name = models.CharField(_("name"), max_length=60, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=IntegrationKind.choices)
    active = models.BooleanField(_("active"), default=True)
    salt = models.CharField(max_length=32)
    key_version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(_("created"))
    created_by = models.CharField(max_length=150)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.CharField(max_length=150, blank=True)

    class Meta:
        verbose_name = _("integration")
        verbose_name_plural = _("integrations")

    def __str__(self) -> str:
        return f"{self.name} ({self.kind})"

    @property
    def actor(self) -> str:
        """Who the audit trail names for what this system does."""
        return f"integration:{self.name}"


class SeenSignature(models.Model):
    """Every accepted signature until its timestamp leaves the window; a second use is a replay."""

    integration = models.ForeignKey(Integration, on_delete=models.CASCADE, related_name="+")
    signature = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return self.signature


class IdempotentRequest(models.Model):
    """The first response to a request key: a retry with the same key and request gets it again."""

    integration = models.ForeignKey(Integration, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    fingerprint = models.CharField(max_length=64)  # sha256 of method, path and body
    status = models.PositiveSmallIntegerField()
    response = models.TextField()  # the JSON body as sent, byte for byte (jsonb would reorder its keys)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["integration", "key"], name="idempotent_request_key")]

    def __str__(self) -> str:
        return f"{self.integration_id}:{self.key}"

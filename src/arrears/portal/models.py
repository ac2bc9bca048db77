"""The cardholder portal's own identity records: one-time sign-in codes, sessions and failed sign-ins.

Nothing here stores a secret in the clear: a session token and a code's challenge token are kept as their
SHA-256, a one-time code as an HMAC keyed by the server's secret, and the identity typed (last four digits
and national ID) as an HMAC too, so that a copy of these tables names no one and opens nothing."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class SignInCode(models.Model):
    """One request for a one-time code. `customer` is empty when the identity typed matched no one: the
    request is answered and counted exactly as a real one, but no code is sent."""

    token_hash = models.CharField(max_length=64, unique=True)
    identity = models.CharField(max_length=64, db_index=True)
    customer = models.ForeignKey("ledger.Customer", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    code_hash = models.CharField(max_length=64)
    address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    tries = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("portal sign-in code")
        verbose_name_plural = _("portal sign-in codes")
        indexes = [models.Index(fields=["address", "created_at"], name="portal_code_address_at")]

    def __str__(self) -> str:
        return f"code {self.pk}"


class PortalSession(models.Model):
    """A cardholder's signed-in session: separate from the staff's Django sessions, ended when idle, too
    old or signed out."""

    token_hash = models.CharField(max_length=64, unique=True)
    customer = models.ForeignKey("ledger.Customer", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    seen_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=16, blank=True)
    address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = _("portal session")
        verbose_name_plural = _("portal sessions")

    def __str__(self) -> str:
        return f"portal session {self.pk}"


class PortalFailure(models.Model):
    """A wrong one-time code: by identity (whether or not it names a customer) and by address."""

    at = models.DateTimeField(db_index=True)
    identity = models.CharField(max_length=64)
    address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        verbose_name = _("portal sign-in failure")
        verbose_name_plural = _("portal sign-in failures")
        indexes = [
            models.Index(fields=["identity", "at"], name="portal_failure_identity_at"),
            models.Index(fields=["address", "at"], name="portal_failure_address_at"),
        ]

    def __str__(self) -> str:
        return f"{self.identity[:8]} {self.address} {self.at:%Y-%m-%d %H:%M:%S}"

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEntry(models.Model):
    """Append-only and tamper-evident: each entry's hash covers its content and the previous hash."""

    at = models.DateTimeField()
    actor = models.CharField(max_length=150)
    action = models.CharField(max_length=60)
    object_type = models.CharField(max_length=60)
    object_id = models.CharField(max_length=64)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    # The chain: writers append without waiting for one another; `seal_pending` later gives each new
    # entry its place (`seq`) and its hash, in commit order, under one lock.
    seq = models.BigIntegerField(null=True, blank=True, unique=True)
    prev_hash = models.CharField(max_length=64, blank=True, default="")
    hash = models.CharField(max_length=64, blank=True, default="", db_index=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit trail")
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="audit_object"),
            models.Index(fields=["id"], condition=models.Q(seq__isnull=True), name="audit_unsealed"),
        ]

    def __str__(self) -> str:
        return f"{self.at} {self.actor} {self.action} {self.object_type}:{self.object_id}"


class AuditHead(models.Model):
    """The single row holding the newest sealed hash and its place; only the sealer locks it."""

    hash = models.CharField(max_length=64)
    seq = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("audit chain head")

    def __str__(self) -> str:
        return self.hash

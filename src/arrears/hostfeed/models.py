from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class HostCustomer(models.Model):
    """The card host's customer id of a customer (the host's account id is the account's ref)."""

    host_id = models.CharField(_("host customer id"), max_length=40, unique=True)
    customer = models.OneToOneField("ledger.Customer", on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("card host customer")
        verbose_name_plural = _("card host customers")

    def __str__(self) -> str:
        return self.host_id


class FeedKind(models.TextChoices):
    SNAPSHOT = "snapshot", _("snapshot")
    DELTA = "delta", _("delta")


class FeedImport(models.Model):
    """A feed imported: its business date, kind, the files' checksums and record counts, and what
    the import changed. Refused feeds change nothing and are not recorded (their report is a file)."""

    business_date = models.DateField(_("business date"), unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=FeedKind.choices)
    files = models.JSONField(default=dict)  # {"accounts.csv": {"records": N, "sha256": "..."}}
    counts = models.JSONField(default=dict)  # what the import did: customers added, entries posted...
    status = models.CharField(max_length=16, default="imported")
    imported_at = models.DateTimeField()
    imported_by = models.CharField(max_length=150)

    class Meta:
        verbose_name = _("card host feed")
        verbose_name_plural = _("card host feeds")

    def __str__(self) -> str:
        return f"{self.business_date} {self.kind}"

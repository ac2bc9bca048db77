from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class BucketChange(models.Model):
    """The dated history of an account's bucket (M0 current, M1 1-30 DPD, ...)."""

    account = models.ForeignKey("ledger.Account", on_delete=models.PROTECT, related_name="bucket_changes")
    change_date = models.DateField()
    from_bucket = models.PositiveSmallIntegerField()
    to_bucket = models.PositiveSmallIntegerField()
    dpd = models.IntegerField()

    class Meta:
        verbose_name = _("bucket change")
        verbose_name_plural = _("bucket changes")
        constraints = [models.UniqueConstraint(fields=["account", "change_date"], name="one_bucket_change_a_day")]

    def __str__(self) -> str:
        return f"{self.account_id} {self.change_date} M{self.from_bucket}->M{self.to_bucket}"

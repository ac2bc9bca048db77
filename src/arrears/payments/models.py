from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Payment(models.Model):
    """A payment received; its allocation is the ledger entries carrying its reference."""

    reference = models.CharField(_("reference"), max_length=64, unique=True)
    account = models.ForeignKey("ledger.Account", on_delete=models.PROTECT, related_name="payments")
    amount_fen = models.BigIntegerField()
    value_date = models.DateField(_("payment date"))
    posting_date = models.DateField()
    source = models.CharField(max_length=40, default="manual")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        constraints = [models.CheckConstraint(condition=models.Q(amount_fen__gt=0), name="payment_positive")]

    def __str__(self) -> str:
        return self.reference

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


class SaleConsent(models.Model):
    """A customer's separate consent to their data being given to a buyer of their charged-off debt
    (CN-PI-PROVIDE, PIPL art. 23): when it was given and the evidence of it. Withdrawn: no later sale."""

    customer = models.ForeignKey("ledger.Customer", on_delete=models.PROTECT, related_name="sale_consents")
    given_on = models.DateField(_("consent given on"))
    evidence = models.CharField(_("evidence"), max_length=500)
    recorded_by = models.CharField(max_length=150)
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("consent to a debt sale")
        verbose_name_plural = _("consents to a debt sale")
        indexes = [models.Index(fields=["customer", "given_on"], name="sale_consent_customer")]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.given_on}"


class SaleExport(models.Model):
    """A file of charged-off accounts given to a debt buyer: who made it, when, for whom, which fields,
    and the file's SHA-256; its rows say which accounts left and which were held back, and why."""

    buyer = models.CharField(_("buyer"), max_length=200)
    exported_by = models.CharField(max_length=150)
    exported_on = models.DateField(_("exported on"))  # the business date
    created_at = models.DateTimeField(auto_now_add=True)
    fields = models.JSONField(default=list)  # the columns of the file, in order
    selection = models.JSONField(default=dict)  # what was asked: {"accounts": [...]} or {"vintage": "YYYY-MM"}
    file_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    included = models.PositiveIntegerField(default=0)
    excluded = models.PositiveIntegerField(default=0)
    total_fen = models.BigIntegerField(default=0)  # still owed of the accounts sold

    class Meta:
        verbose_name = _("debt sale export")
        verbose_name_plural = _("debt sale exports")

    def __str__(self) -> str:
        return f"{self.buyer} {self.exported_on}"


class SaleExportRow(models.Model):
    """One account asked for in a sale export: included (its data left) or excluded with the reason."""

    export = models.ForeignKey(SaleExport, on_delete=models.PROTECT, related_name="rows")
    account = models.ForeignKey("ledger.Account", on_delete=models.PROTECT, related_name="sale_rows")
    included = models.BooleanField()
    reason = models.CharField(max_length=32, blank=True, default="")
    still_owed_fen = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("debt sale export row")
        verbose_name_plural = _("debt sale export rows")
        constraints = [models.UniqueConstraint(fields=["export", "account"], name="sale_row_once")]
        indexes = [models.Index(fields=["account"], condition=models.Q(included=True), name="sale_row_sold")]

    def __str__(self) -> str:
        return f"{self.export_id} {self.account_id} {'in' if self.included else self.reason}"

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class BureauRecord(models.Model):
    """One account's credit report for one month, PBOC (征信) and Metro 2 side by side.

    Written by the monthly `credit_report` step (bureau/cycle.py) and read by the exports.
    """

    account = models.ForeignKey("ledger.Account", on_delete=models.PROTECT, related_name="bureau_records")
    month = models.DateField(_("month reported"))  # its first day
    as_of = models.DateField(_("close date"))
    pboc_status = models.CharField(_("PBOC status"), max_length=1)
    pboc_history = models.CharField(_("PBOC 24-month history"), max_length=24)  # oldest first
    metro2_status = models.CharField(_("Metro 2 account status"), max_length=2)
    php_code = models.CharField(max_length=1)  # this month's Payment History Profile character
    payment_history = models.CharField(_("payment history profile"), max_length=24)  # newest first
    dofd = models.DateField(_("date of first delinquency"), null=True, blank=True)
    compliance_code = models.CharField(_("compliance condition code"), max_length=2, blank=True, default="")
    special_comment = models.CharField(_("special comment"), max_length=2, blank=True, default="")
    dpd = models.IntegerField(default=0)
    balance_fen = models.BigIntegerField(default=0)
    past_due_fen = models.BigIntegerField(default=0)
    charged_off_fen = models.BigIntegerField(default=0)
    credit_limit_fen = models.BigIntegerField(default=0)
    held_pboc = models.BooleanField(default=False)
    held_metro2 = models.BooleanField(default=False)
    was_negative = models.BooleanField(default=False)
    ended_on = models.DateField(null=True, blank=True)
    removed_pboc = models.BooleanField(default=False)
    removed_metro2 = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("credit report record")
        verbose_name_plural = _("credit report records")
        constraints = [models.UniqueConstraint(fields=["account", "month"], name="one_bureau_record_a_month")]
        indexes = [models.Index(fields=["month", "account"], name="bureau_record_month")]

    def __str__(self) -> str:
        return f"{self.account_id} {self.month:%Y-%m} {self.pboc_status}/{self.metro2_status}"


class DisputeTask(models.Model):
    """A dispute of the credit data (征信异议): answered in writing within 20 days (CN-CR-DISP).

    While it is open the Metro 2 record carries the Compliance Condition Code XB, then XH."""

    account = models.ForeignKey("ledger.Account", on_delete=models.PROTECT, related_name="credit_disputes")
    opened_on = models.DateField(_("opened on"))
    due_on = models.DateField(_("answer due on"))
    reason = models.TextField(_("reason"))
    opened_by = models.CharField(max_length=150)
    resolved_on = models.DateField(_("resolved on"), null=True, blank=True)
    answer = models.TextField(_("answer"), blank=True, default="")
    resolved_by = models.CharField(max_length=150, blank=True, default="")
    overdue = models.BooleanField(_("overdue"), default=False)

    class Meta:
        verbose_name = _("credit-data dispute")
        verbose_name_plural = _("credit-data disputes")
        indexes = [models.Index(fields=["account"], name="credit_dispute_account")]

    def __str__(self) -> str:
        return f"{self.account_id} {self.opened_on}"


class CreditNotice(models.Model):
    """The notice that negative information will be reported (CN-CR-PRE, US-PASSIVE): sent or
    recorded before the first negative report."""

    account = models.ForeignKey("ledger.Account", on_delete=models.PROTECT, related_name="credit_notices")
    sent_on = models.DateField(_("sent on"))
    channel = models.CharField(_("channel"), max_length=16)
    reference = models.CharField(_("reference"), max_length=80, blank=True, default="")
    recorded_by = models.CharField(max_length=150)

    class Meta:
        verbose_name = _("credit-report notice")
        verbose_name_plural = _("credit-report notices")
        indexes = [models.Index(fields=["account", "sent_on"], name="credit_notice_account")]

    def __str__(self) -> str:
        return f"{self.account_id} {self.sent_on}"

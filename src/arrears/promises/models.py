from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class PromisePolicy(models.Model):
    """Limits on promises to pay, set by the bank in the admin. The newest row is in force."""

    max_days_ahead = models.PositiveSmallIntegerField(_("latest date allowed, days ahead"), default=14)
    min_share_of_past_due = models.DecimalField(
        _("least share of the past-due amount"), max_digits=5, decimal_places=4, default="0.5000"
    )
    max_open_promises = models.PositiveSmallIntegerField(_("most open promises"), default=1)
    grace_days = models.PositiveSmallIntegerField(_("grace days when judging"), default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("promise policy")
        verbose_name_plural = _("promise policies")

    def __str__(self) -> str:
        return f"policy {self.pk}"


class PromiseStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("promise status", "open")
    KEPT = "kept", _("kept")
    PARTLY_KEPT = "partly_kept", _("partly kept")
    BROKEN = "broken", _("broken")
    CANCELLED = "cancelled", _("cancelled")


class PromiseSource(models.TextChoices):
    DESK = "desk", _("taken by a collector")
    PORTAL = "portal", _("made on the cardholder portal")


class Promise(models.Model):
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="promises")
    amount_fen = models.BigIntegerField(_("amount"))
    promised_date = models.DateField(_("promised date"))
    taken_on = models.DateField()
    # Empty for a promise the cardholder made themselves on the portal (taken_via "portal").
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    taken_via = models.CharField(max_length=8, choices=PromiseSource.choices, default=PromiseSource.DESK)
    contact = models.ForeignKey("contacts.Contact", null=True, blank=True, on_delete=models.PROTECT)
    status = models.CharField(max_length=12, choices=PromiseStatus.choices, default=PromiseStatus.OPEN)
    paid_fen = models.BigIntegerField(default=0)
    judged_on = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name = _("promise to pay")
        verbose_name_plural = _("promises to pay")
        constraints = [models.CheckConstraint(condition=models.Q(amount_fen__gt=0), name="promise_positive")]
        indexes = [models.Index(fields=["status", "promised_date"], name="promise_due")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.amount_fen} by {self.promised_date}"

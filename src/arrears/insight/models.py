"""What the weekly report sent, to whom: one row per week and recipient, so that sending is
idempotent (arrears.insight.weekly.send_weekly)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class WeeklyReportSent(models.Model):
    week_ending = models.DateField(_("week ending"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=12)  # lead, manager, collector
    language = models.CharField(max_length=10)
    email = models.CharField(max_length=254)
    message_id = models.CharField(max_length=200)
    sent_at = models.DateTimeField()

    class Meta:
        verbose_name = _("weekly report sent")
        constraints = [models.UniqueConstraint(fields=["week_ending", "user"], name="weekly_report_once_per_week")]

    def __str__(self) -> str:
        return f"{self.week_ending} {self.user_id}"

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class StepRun(models.Model):
    """One step of the daily cycle done for one partition of accounts on one business date.

    Written in the same transaction as the step's own writes: a row here means the step is done,
    no row means nothing of it was written, so a crashed run restarts where it stopped.
    """

    business_date = models.DateField()
    step = models.CharField(max_length=40)
    partition = models.IntegerField()
    rows = models.IntegerField(default=0)
    seconds = models.FloatField(default=0)  # a duration for operators, never money
    finished_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("cycle step run")
        verbose_name_plural = _("cycle step runs")
        constraints = [models.UniqueConstraint(fields=["business_date", "step", "partition"], name="step_once_a_day")]

    def __str__(self) -> str:
        return f"{self.business_date} {self.step} #{self.partition}"


class CycleDay(models.Model):
    """A business date whose cycle has completed for every partition."""

    business_date = models.DateField(unique=True)
    finished_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("completed cycle day")
        verbose_name_plural = _("completed cycle days")

    def __str__(self) -> str:
        return str(self.business_date)

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


class BusinessDate(models.Model):
    """The day the bank is on (Fineract's BUSINESS_DATE) and the last closed day (COB_DATE); one row.

    The cycle of date d runs at the opening of day d and, once done, opens it: business date d, COB
    date d - 1. Payments and decisions taken during the day are dated with the business date.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    business_date = models.DateField(_("business date"))
    cob_date = models.DateField(_("close-of-business date"), null=True, blank=True)

    class Meta:
        verbose_name = _("business date")
        verbose_name_plural = _("business date")
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="one_business_date")]

    def __str__(self) -> str:
        return str(self.business_date)

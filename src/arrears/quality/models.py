"""Quality review (质检): the sampling rules, the versioned scorecard, review tasks, reviews and
calibration sessions."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F
from django.db.models.lookups import Exact
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from arrears.quality import rules


class RuleKind(models.TextChoices):
    RANDOM = "random", _("random share of each collector's contacts a day")
    COMPLAINT = "complaint", _("every contact a complaint concerns")
    GATE_FLAG = "gate_flag", _("every contact the compliance gate flagged or refused")
    NEW_COLLECTOR = "new_collector", _("a new collector's first contacts")


class SamplingRule(models.Model):
    """One rule of the sample; the defaults are seeded by a migration and edited in the admin."""

    kind = models.CharField(_("rule"), max_length=16, choices=RuleKind.choices, unique=True)
    active = models.BooleanField(_("active"), default=True)
    percent = models.DecimalField(_("percentage drawn"), max_digits=5, decimal_places=2, default=Decimal("0"))
    first_n = models.PositiveIntegerField(_("first contacts of a new collector"), default=0)
    seed = models.PositiveIntegerField(_("seed of the random draw"), default=1)

    class Meta:
        verbose_name = _("sampling rule")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(percent__gte=0, percent__lte=100), name="quality_rule_percent_range"
            )
        ]

    def __str__(self) -> str:
        return str(self.get_kind_display())


class Scorecard(models.Model):
    """A version of the scorecard's weights (whole points summing to 100). The newest active one scores."""

    version = models.PositiveIntegerField(_("version"), unique=True)
    active = models.BooleanField(_("active"), default=True)
    weight_identification = models.PositiveSmallIntegerField(_("identification"))
    weight_wording = models.PositiveSmallIntegerField(_("no prohibited wording"))
    weight_amounts = models.PositiveSmallIntegerField(_("accuracy of amounts"))
    weight_empathy = models.PositiveSmallIntegerField(_("empathy"))
    weight_offer = models.PositiveSmallIntegerField(_("correct offer"))

    class Meta:
        verbose_name = _("scorecard version")
        constraints = [
            models.CheckConstraint(
                condition=Exact(
                    F("weight_identification")
                    + F("weight_wording")
                    + F("weight_amounts")
                    + F("weight_empathy")
                    + F("weight_offer"),
                    100,
                ),
                name="quality_scorecard_weights_sum_100",
            )
        ]

    def __str__(self) -> str:
        return f"v{self.version}"

    @property
    def weights(self) -> rules.Weights:
        return rules.Weights(
            identification=self.weight_identification,
            wording=self.weight_wording,
            amounts=self.weight_amounts,
            empathy=self.weight_empathy,
            offer=self.weight_offer,
        )


class TaskStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("review task", "to review")
    REVIEWED = "reviewed", pgettext_lazy("review task", "reviewed")
    ACKNOWLEDGED = "acknowledged", pgettext_lazy("review task", "acknowledged")
    DISPUTED = "disputed", pgettext_lazy("review task", "disputed")
    RESOLVED = "resolved", pgettext_lazy("review task", "dispute resolved")


class ReviewTask(models.Model):
    """A contact drawn for review, with the reasons it was drawn. One per contact."""

    contact = models.OneToOneField("contacts.Contact", on_delete=models.PROTECT, related_name="review_task")
    collector = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    sampled_on = models.DateField(_("sampled on"))
    reasons = models.JSONField(_("reasons"), default=list)
    status = models.CharField(_("status"), max_length=16, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    final_score = models.DecimalField(_("final score"), max_digits=5, decimal_places=2, null=True, blank=True)
    final_on = models.DateField(_("final on"), null=True, blank=True)
    dispute_reason = models.TextField(_("reason for the dispute"), blank=True)

    class Meta:
        verbose_name = _("review task")
        permissions = [("review_quality", "Can review contacts for quality, whatever the role")]
        indexes = [
            models.Index(fields=["status", "sampled_on"], name="quality_task_status"),
            models.Index(fields=["collector", "final_on"], name="quality_task_collector"),
        ]

    def __str__(self) -> str:
        return f"review task {self.pk}"


class ReviewKind(models.TextChoices):
    FIRST = "first", _("review")
    SECOND = "second", _("second review of a dispute")
    CALIBRATION = "calibration", _("calibration")


class CalibrationSession(models.Model):
    """Several reviewers score one sampled contact; their spread shows how alike they score."""

    task = models.ForeignKey(ReviewTask, on_delete=models.PROTECT, related_name="calibrations")
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    opened_on = models.DateField(_("opened on"))
    threshold = models.DecimalField(
        _("deviation flagged above (points)"), max_digits=5, decimal_places=2, default=Decimal("10.00")
    )

    class Meta:
        verbose_name = _("calibration session")

    def __str__(self) -> str:
        return f"calibration {self.pk}"


class Review(models.Model):
    task = models.ForeignKey(ReviewTask, on_delete=models.PROTECT, related_name="reviews")
    session = models.ForeignKey(
        CalibrationSession, null=True, blank=True, on_delete=models.PROTECT, related_name="reviews"
    )
    kind = models.CharField(max_length=12, choices=ReviewKind.choices, default=ReviewKind.FIRST)
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    scorecard = models.ForeignKey(Scorecard, on_delete=models.PROTECT, related_name="+")
    identification = models.PositiveSmallIntegerField(_("identification"))
    wording = models.PositiveSmallIntegerField(_("no prohibited wording"))
    amounts = models.PositiveSmallIntegerField(_("accuracy of amounts"))
    empathy = models.PositiveSmallIntegerField(_("empathy"))
    offer = models.PositiveSmallIntegerField(_("correct offer"))
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=2)
    comment = models.TextField(_("comment"), blank=True)
    upheld = models.BooleanField(null=True, blank=True)  # a second review: the first upheld (True) or amended
    reviewed_on = models.DateField(_("reviewed on"))

    class Meta:
        verbose_name = _("review")
        constraints = [
            models.UniqueConstraint(
                fields=["task", "kind"], condition=~models.Q(kind="calibration"), name="quality_one_review_per_kind"
            ),
            models.UniqueConstraint(
                fields=["session", "reviewer"], condition=models.Q(kind="calibration"), name="quality_one_per_session"
            ),
        ]

    def __str__(self) -> str:
        return f"review {self.pk}"

    @property
    def marks(self) -> dict[str, int]:
        return {
            "identification": self.identification,
            "wording": self.wording,
            "amounts": self.amounts,
            "empathy": self.empathy,
            "offer": self.offer,
        }

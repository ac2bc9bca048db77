from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ModelStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    CHAMPION = "champion", _("champion")
    RETIRED = "retired", _("retired")


class ScoreModel(models.Model):
    """A propensity-to-pay scorecard in the registry: its JSON spec (bins, WoE, coefficients), metrics
    on its test split, and who made and who promoted it (maker != checker). One champion at a time."""

    name = models.CharField(_("name"), max_length=40)
    version = models.PositiveIntegerField(_("version"))
    created_by = models.CharField(max_length=150)
    created_at = models.DateTimeField()
    status = models.CharField(_("status"), max_length=10, choices=ModelStatus.choices, default=ModelStatus.DRAFT)
    metrics = models.JSONField(default=dict)  # auc, ks, n_train, n_test, fairness, seed
    spec = models.JSONField(default=dict)  # scoring.model's plain-JSON scorecard
    features = models.JSONField(default=list)  # the canonical features it uses, in order
    excluded = models.JSONField(default=dict)  # mapped feature -> why it was dropped
    source = models.CharField(max_length=255, blank=True, default="")  # the training file's name
    promoted_by = models.CharField(max_length=150, blank=True, default="")
    promoted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("score model")
        verbose_name_plural = _("score models")
        constraints = [
            models.UniqueConstraint(fields=["name", "version"], name="score_model_version"),
            models.UniqueConstraint(fields=["status"], condition=models.Q(status="champion"), name="one_champion"),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return f"{self.name}@{self.version}"


class AccountScore(models.Model):
    """One account's score by one model on a business date: the probability of default, the 0-1000
    points (higher pays better) and its top reasons [{feature, weight, en, zh}]."""

    account = models.ForeignKey("ledger.Account", on_delete=models.PROTECT, related_name="scores")
    model = models.ForeignKey(ScoreModel, on_delete=models.PROTECT, related_name="scores")
    score = models.FloatField(_("probability of default"))
    points = models.PositiveSmallIntegerField(_("points"))
    reasons = models.JSONField(default=list)
    scored_on = models.DateField(_("scored on"))

    class Meta:
        verbose_name = _("account score")
        verbose_name_plural = _("account scores")
        constraints = [
            models.UniqueConstraint(fields=["model", "account", "scored_on"], name="one_score_a_day"),
        ]
        indexes = [models.Index(fields=["account", "model", "scored_on"], name="account_score_latest")]

    def __str__(self) -> str:
        return f"{self.account_id} {self.model_id} {self.scored_on}"

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Strategy(models.Model):
    """A treatment strategy; its definition lives in its versions. The cycle applies the live one."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    live = models.BooleanField(_("applied by the cycle"), default=False)

    class Meta:
        verbose_name = _("treatment strategy")
        verbose_name_plural = _("treatment strategies")
        constraints = [
            models.UniqueConstraint(fields=["live"], condition=models.Q(live=True), name="one_live_strategy")
        ]

    def __str__(self) -> str:
        return self.code


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    APPROVED = "approved", _("approved")


class StrategyVersion(models.Model):
    """A definition (YAML) in force from `effective_from` once a checker other than its maker approved it."""

    strategy = models.ForeignKey(Strategy, on_delete=models.PROTECT, related_name="versions")
    version = models.PositiveIntegerField(_("version"))
    effective_from = models.DateField(_("effective from"))
    definition = models.TextField(_("definition"))
    status = models.CharField(_("status"), max_length=10, choices=VersionStatus.choices, default=VersionStatus.DRAFT)
    made_by = models.CharField(_("made by"), max_length=150)
    made_at = models.DateTimeField(_("made at"))
    checked_by = models.CharField(_("checked by"), max_length=150, blank=True)
    checked_at = models.DateTimeField(_("checked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("strategy version")
        verbose_name_plural = _("strategy versions")
        ordering = ["strategy", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["strategy", "version"], name="strategy_version_once"),
            models.CheckConstraint(
                condition=~models.Q(status="approved") | ~models.Q(checked_by=models.F("made_by")),
                name="strategy_maker_is_not_checker",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.strategy_id} v{self.version}"


class Enrolment(models.Model):
    """An account on a segment's path: day 0 is `started_on`; ended when it exits or moves."""

    account = models.ForeignKey("ledger.Account", on_delete=models.PROTECT, related_name="+")
    strategy = models.ForeignKey(Strategy, on_delete=models.PROTECT, related_name="+")
    version = models.ForeignKey(StrategyVersion, on_delete=models.PROTECT, related_name="+")
    segment = models.CharField(_("segment"), max_length=40)
    arm = models.CharField(_("arm"), max_length=40)
    started_on = models.DateField(_("path day 0"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    exit = models.CharField(_("why it ended"), max_length=12, blank=True)

    class Meta:
        verbose_name = _("strategy enrolment")
        verbose_name_plural = _("strategy enrolments")
        constraints = [
            models.UniqueConstraint(
                fields=["account", "strategy"], condition=models.Q(ended_on__isnull=True), name="one_open_enrolment"
            )
        ]
        indexes = [models.Index(fields=["strategy", "account"], name="enrolment_account")]

    def __str__(self) -> str:
        return f"{self.account_id} {self.segment} {self.started_on}"


class Outcome(models.TextChoices):
    DONE = "done", _("done")
    REQUESTED = "requested", _("requested")
    REFUSED = "refused", _("refused by the compliance gate")
    SKIPPED = "skipped", _("skipped")


class StrategyAction(models.Model):
    """One thing the strategy did (or tried) for an account on a date, with its segment, arm and rule."""

    business_date = models.DateField(_("date"))
    account = models.ForeignKey("ledger.Account", on_delete=models.PROTECT, related_name="+")
    customer = models.ForeignKey("ledger.Customer", on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    version = models.ForeignKey(StrategyVersion, on_delete=models.PROTECT, related_name="actions")
    segment = models.CharField(_("segment"), max_length=40)
    arm = models.CharField(_("arm"), max_length=40)
    rule = models.CharField(_("rule"), max_length=60)
    kind = models.CharField(_("action"), max_length=20)
    template = models.CharField(_("template"), max_length=60, blank=True)
    detail = models.CharField(_("detail"), max_length=200, blank=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    reason = models.CharField(_("reason"), max_length=200, blank=True)  # gate rule codes, or why skipped
    message = models.ForeignKey("outreach.Message", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("strategy action")
        verbose_name_plural = _("strategy actions")
        constraints = [
            models.UniqueConstraint(fields=["account", "business_date", "rule"], name="strategy_action_once")
        ]
        indexes = [
            models.Index(fields=["business_date", "segment", "arm"], name="strategy_action_day"),
            models.Index(fields=["kind", "outcome", "business_date"], name="strategy_action_request"),
        ]

    def __str__(self) -> str:
        return f"{self.business_date} {self.account_id} {self.rule} {self.outcome}"

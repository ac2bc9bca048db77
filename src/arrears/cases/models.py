from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class CaseStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("case status", "open")
    PROMISED = "promised", _("promised")
    IN_PLAN = "in_plan", _("in plan")
    IN_DISPUTE = "in_dispute", _("in dispute")
    WITH_AGENCY = "with_agency", _("with agency")
    IN_LEGAL = "in_legal", _("in legal")
    CHARGED_OFF = "charged_off", _("charged off")
    CLOSED = "closed", pgettext_lazy("case status", "closed")


# Cases a collector works from the queue (the others are with someone else or settled).
WORKABLE = (CaseStatus.OPEN, CaseStatus.PROMISED, CaseStatus.CHARGED_OFF)


class Treatment(models.TextChoices):
    """What a queue works: accounts that may still cure, or balances already written off."""

    COLLECTIONS = "collections", _("collections (may still cure)")
    RECOVERY = "recovery", _("recovery (charged off)")


class QueueOrder(models.TextChoices):
    """The order in which a queue serves its cases (after due callbacks and promises broken yesterday)."""

    EARLY_FIRST = "early_first", _("early buckets first")
    LATE_FIRST = "late_first", _("late buckets first")
    PRIORITY = "priority", _("priority score")
    BALANCE = "balance", _("largest balance first")


class Queue(models.Model):
    """A rule that routes open cases to a team; the first matching queue by `rank` wins."""

    name = models.CharField(_("name"), max_length=80, unique=True)
    team = models.ForeignKey("people.Team", on_delete=models.PROTECT, related_name="queues", verbose_name=_("team"))
    rank = models.PositiveIntegerField(_("rank"), default=100, help_text=_("Lower ranks are matched first."))
    min_bucket = models.PositiveSmallIntegerField(_("lowest bucket"), default=0)
    max_bucket = models.PositiveSmallIntegerField(_("highest bucket"), default=7)
    min_balance_fen = models.BigIntegerField(_("lowest balance (fen)"), default=0)
    max_balance_fen = models.BigIntegerField(_("highest balance (fen)"), null=True, blank=True)
    product = models.ForeignKey(
        "products.Product", null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("card product")
    )
    language = models.CharField(_("language"), max_length=8, blank=True)
    region = models.CharField(_("region"), max_length=64, blank=True)
    min_score = models.IntegerField(_("lowest score"), null=True, blank=True)
    treatment = models.CharField(
        _("treatment"),
        max_length=16,
        choices=Treatment.choices,
        default=Treatment.COLLECTIONS,
        db_default=Treatment.COLLECTIONS.value,  # rows written by SQL alone (bulk loads) get it too
        help_text=_("Charged-off cases go only to recovery queues; the others never do."),
    )
    serving_order = models.CharField(
        _("serving order"),
        max_length=16,
        choices=QueueOrder.choices,
        default=QueueOrder.EARLY_FIRST,
        db_default=QueueOrder.EARLY_FIRST.value,
        help_text=_("Early buckets first serves the cases that may still cure before the late ones."),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("queue")
        verbose_name_plural = _("queues")
        ordering = ["rank", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(treatment__in=["collections", "recovery"]), name="queue_treatment_known"
            ),
            models.CheckConstraint(
                condition=models.Q(serving_order__in=["early_first", "late_first", "priority", "balance"]),
                name="queue_order_known",
            ),
            models.CheckConstraint(
                condition=models.Q(min_bucket__lte=models.F("max_bucket")),
                name="queue_buckets",
                violation_error_message=_("The lowest bucket must not be above the highest bucket."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Case(models.Model):
    """One per customer while any of the customer's accounts is delinquent."""

    customer = models.ForeignKey(
        "ledger.Customer", on_delete=models.PROTECT, related_name="cases", verbose_name=_("customer")
    )
    status = models.CharField(_("status"), max_length=16, choices=CaseStatus.choices, default=CaseStatus.OPEN)
    opened_on = models.DateField(_("opened on"))
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    past_due_fen = models.BigIntegerField(_("past due (fen)"), default=0)
    balance_fen = models.BigIntegerField(_("balance (fen)"), default=0)
    worst_bucket = models.PositiveSmallIntegerField(_("worst bucket"), default=0)
    dpd = models.IntegerField(_("days past due"), default=0)
    priority = models.BigIntegerField(_("priority"), default=0)
    queue = models.ForeignKey(
        Queue, null=True, blank=True, on_delete=models.SET_NULL, related_name="cases", verbose_name=_("queue")
    )
    team = models.ForeignKey(
        "people.Team",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cases",
        verbose_name=_("team"),
    )
    collector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cases",
        verbose_name=_("collector"),
    )
    lease_holder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("held by"),
    )
    lease_until = models.DateTimeField(_("held until"), null=True, blank=True)
    next_callback_at = models.DateTimeField(_("next callback at"), null=True, blank=True)
    last_contact_at = models.DateTimeField(_("last contact at"), null=True, blank=True)
    promise_broken_on = models.DateField(_("promise broken on"), null=True, blank=True)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        constraints = [
            models.UniqueConstraint(
                fields=["customer"], condition=~models.Q(status="closed"), name="one_open_case_a_customer"
            ),
        ]
        indexes = [
            models.Index(fields=["collector", "status", "-priority"], name="case_worklist"),
            models.Index(fields=["team", "status", "-priority"], name="case_team_worklist"),
            # The cases of a team's pool (no collector yet), which next account serves to its members.
            models.Index(
                fields=["team", "-priority"], condition=models.Q(collector__isnull=True), name="case_team_pool"
            ),
        ]

    def __str__(self) -> str:
        return _("case %(id)s") % {"id": self.pk}

    @property
    def bucket_label(self) -> str:
        return f"M{self.worst_bucket}"


class CaseStatusChange(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="status_changes")
    change_date = models.DateField()
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16)
    reason = models.CharField(max_length=120, blank=True)
    actor = models.CharField(max_length=150, default="cycle")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("case status change")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.from_status}->{self.to_status}"

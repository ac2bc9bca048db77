"""Repayment plans (还款计划 / 个性化分期): the policy, the plan, its instalments.

A plan's life: proposed -> (reviewed, when long or large) -> approved -> offered (with its PDF
document and plain-language summary) -> accepted (with evidence) -> active -> completed, paid off
early, or broken. Rejected and cancelled plans stop where they are.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class PlanPolicy(models.Model):
    """The bank's plan thresholds, edited in the admin. The newest row is in force."""

    review_above_instalments = models.PositiveSmallIntegerField(
        _("credit assessor reviews plans of more instalments than"), default=12
    )
    review_above_fen = models.BigIntegerField(_("credit assessor reviews plans of more than (fen)"), default=5_000_000)
    lead_max_fen = models.BigIntegerField(_("largest plan a team lead may approve (fen)"), default=50_000_000)
    grace_days = models.PositiveSmallIntegerField(
        _("days after a due date before an unpaid instalment is missed"), default=10
    )
    missed_to_break = models.PositiveSmallIntegerField(_("missed instalments that break the plan"), default=2)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("plan policy")
        verbose_name_plural = _("plan policies")
        constraints = [
            models.CheckConstraint(condition=models.Q(missed_to_break__gte=1), name="plan_breaks_after_a_miss")
        ]

    def __str__(self) -> str:
        return f"plan policy {self.pk}"


class PlanStatus(models.TextChoices):
    PROPOSED = "proposed", _("proposed")
    REVIEWED = "reviewed", _("reviewed")
    APPROVED = "approved", _("approved")
    OFFERED = "offered", _("offered")
    ACCEPTED = "accepted", _("accepted")
    ACTIVE = "active", _("active")
    COMPLETED = "completed", _("completed")
    PAID_OFF = "paid_off", _("paid off early")
    BROKEN = "broken", _("broken")
    REJECTED = "rejected", _("rejected")


LIVE = (
    PlanStatus.PROPOSED,
    PlanStatus.REVIEWED,
    PlanStatus.APPROVED,
    PlanStatus.OFFERED,
    PlanStatus.ACCEPTED,
    PlanStatus.ACTIVE,
)


class Scope(models.TextChoices):
    OVERDUE = "overdue", _("the overdue balance")
    WHOLE = "whole", _("the whole balance")


class Evidence(models.TextChoices):
    SIGNED_DOCUMENT = "signed_document", _("signed plan document")
    PORTAL_CLICK = "portal_click", _("accepted on the portal")
    RECORDED_CALL = "recorded_call", _("recorded call")


class Plan(models.Model):
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="plans")
    account = models.ForeignKey("ledger.Account", on_delete=models.PROTECT, related_name="plans")
    status = models.CharField(_("status"), max_length=12, choices=PlanStatus.choices, default=PlanStatus.PROPOSED)
    scope = models.CharField(_("balance restructured"), max_length=8, choices=Scope.choices)
    method = models.CharField(_("method"), max_length=16)
    instalments = models.PositiveSmallIntegerField(_("instalments"))
    first_due_date = models.DateField(_("first due date"))
    annual_rate = models.DecimalField(_("annual rate"), max_digits=8, decimal_places=6, default=0)
    fee_rate = models.DecimalField(_("fee rate per instalment"), max_digits=8, decimal_places=6, default=0)
    apr = models.DecimalField(_("annualised rate"), max_digits=9, decimal_places=6, default=0)
    balance_fen = models.BigIntegerField(_("balance restructured (fen)"))
    # How the balance was made up when quoted (and moved, on activation): fees, interest, principal.
    components = models.JSONField(default=dict)
    total_amount_fen = models.BigIntegerField()
    total_interest_fen = models.BigIntegerField(default=0)
    total_fee_fen = models.BigIntegerField(default=0)
    currency = models.CharField(max_length=3, default="CNY")
    review_required = models.BooleanField(default=False)
    review_reasons = models.JSONField(default=list, blank=True)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    proposed_on = models.DateField()
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    review_comment = models.CharField(max_length=500, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decision_comment = models.CharField(max_length=500, blank=True)
    offered_on = models.DateField(null=True, blank=True)
    document_language = models.CharField(max_length=8, blank=True)
    document_pdf = models.BinaryField(null=True, blank=True, editable=False)
    document_sha256 = models.CharField(max_length=64, blank=True)
    summary = models.JSONField(default=dict, blank=True)  # {"zh-hans": "...", "en": "..."}
    accepted_on = models.DateField(null=True, blank=True)
    evidence = models.CharField(max_length=16, choices=Evidence.choices, blank=True)
    evidence_ref = models.CharField(_("evidence reference"), max_length=120, blank=True)
    activated_on = models.DateField(null=True, blank=True)
    moved_fen = models.BigIntegerField(default=0)  # moved into the plan on activation
    charged_fen = models.BigIntegerField(default=0)  # plan interest and fees posted, less waived
    closed_on = models.DateField(null=True, blank=True)
    close_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("repayment plan")
        verbose_name_plural = _("repayment plans")
        constraints = [
            models.UniqueConstraint(fields=["account"], condition=models.Q(status="active"), name="one_active_plan"),
            models.CheckConstraint(condition=models.Q(balance_fen__gt=0), name="plan_balance_positive"),
        ]
        indexes = [models.Index(fields=["status", "id"], name="plan_status")]

    def __str__(self) -> str:
        return f"plan {self.pk}"


class PlanAcceptance(models.Model):
    """The cardholder's own acceptance of an offered plan on the portal: when, from where, with which
    browser, and the SHA-256 of the plan document they were shown (CN-PLAN-STOP: the evidence of consent)."""

    plan = models.OneToOneField(Plan, on_delete=models.PROTECT, related_name="acceptance")
    customer = models.ForeignKey("ledger.Customer", on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("accepted at"))
    address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=300, blank=True)
    document_sha256 = models.CharField(_("SHA-256 of the document shown"), max_length=64)

    class Meta:
        verbose_name = _("portal acceptance of a plan")
        verbose_name_plural = _("portal acceptances of plans")

    def __str__(self) -> str:
        return f"acceptance of plan {self.plan_id}"


class InstalmentStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("scheduled")
    PAID = "paid", _("paid")
    LATE = "late", _("late")
    MISSED = "missed", _("missed")
    CURED = "cured", _("paid after being missed")
    SETTLED = "settled", _("settled by early payoff")
    CANCELLED = "cancelled", _("cancelled (plan broken)")


class Instalment(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="schedule")
    n = models.PositiveSmallIntegerField()
    due_date = models.DateField()
    amount_fen = models.BigIntegerField()
    principal_fen = models.BigIntegerField()
    interest_fen = models.BigIntegerField(default=0)
    fee_fen = models.BigIntegerField(default=0)
    status = models.CharField(max_length=10, choices=InstalmentStatus.choices, default=InstalmentStatus.SCHEDULED)
    paid_fen = models.BigIntegerField(default=0)
    charged = models.BooleanField(default=False)  # its interest and fee are posted on the plan
    missed_on = models.DateField(null=True, blank=True)
    paid_on = models.DateField(null=True, blank=True)  # the cycle date that found it paid

    class Meta:
        verbose_name = _("plan instalment")
        verbose_name_plural = _("plan instalments")
        ordering = ["plan_id", "n"]
        constraints = [models.UniqueConstraint(fields=["plan", "n"], name="instalment_once")]

    def __str__(self) -> str:
        return f"{self.plan_id} #{self.n}"


class SettledMinimum(models.Model):
    """A past-due minimum payment the plan took over on activation (it stops counting days past due)."""

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="settled_minimums")
    statement = models.ForeignKey("statements.Statement", on_delete=models.PROTECT, related_name="+")
    amount_fen = models.BigIntegerField()

    class Meta:
        verbose_name = _("minimum settled by a plan")

    def __str__(self) -> str:
        return f"{self.plan_id} {self.statement_id}"

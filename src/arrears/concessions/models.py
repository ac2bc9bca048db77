"""Concessions (延期, 减免, settlement), the delegated-authority matrix, team budgets and approvals."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from arrears.kernel import vocabulary
from arrears.people.models import Role


class ConcessionKind(models.TextChoices):
    EXTENSION = vocabulary.ConcessionKind.EXTENSION.value, _("due-date extension")
    LATE_FEE_WAIVER = vocabulary.ConcessionKind.LATE_FEE_WAIVER.value, _("late-fee waiver")
    INTEREST_WAIVER = vocabulary.ConcessionKind.INTEREST_WAIVER.value, _("interest waiver")
    SETTLEMENT = vocabulary.ConcessionKind.SETTLEMENT.value, _("settlement")


class ReasonCode(models.TextChoices):
    INCOME_LOSS = "income_loss", _("loss of income or unemployment")
    ILLNESS = "illness", _("illness or injury")
    BEREAVEMENT = "bereavement", _("bereavement")
    DISASTER = "disaster", _("natural disaster or emergency")
    BANK_ERROR = "bank_error", _("error or service failure of the bank")
    FIRST_DELINQUENCY = "first_delinquency", _("first delinquency, good history")
    HARDSHIP_OTHER = "hardship_other", _("other documented hardship")


class ConcessionStatus(models.TextChoices):
    PENDING = "pending", _("awaiting approval")
    APPLIED = "applied", _("applied")  # waivers and extensions, at once
    ACTIVE = "active", _("settlement awaiting payment")
    SETTLED = "settled", _("settled")
    LAPSED = "lapsed", _("lapsed")
    REJECTED = "rejected", _("rejected")
    EXPIRED = "expired", _("expired")
    REVERSED = "reversed", _("reversed")


class AuthorityRule(models.Model):
    """One row of the delegated-authority matrix: the most `role` may grant of `kind` on accounts of
    `product` (or any product) in buckets [min_bucket, max_bucket]. A limit left empty is no limit."""

    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    product = models.ForeignKey(
        "products.Product",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        help_text=_("Empty: any product."),
        verbose_name=_("card product"),
    )
    min_bucket = models.PositiveSmallIntegerField(_("lowest bucket"), default=0)
    max_bucket = models.PositiveSmallIntegerField(_("highest bucket"), default=7)
    kind = models.CharField(_("concession"), max_length=20, choices=ConcessionKind.choices)
    max_amount_fen = models.BigIntegerField(
        _("most amount (fen)"), null=True, blank=True, help_text=_("Waived or written-off amount in fen.")
    )
    max_share = models.DecimalField(
        _("most share of the balance"),
        max_digits=5,
        decimal_places=4,
        null=True,
        blank=True,
        help_text=_("0.3000 = 30 % of the balance (of the component, for a waiver)."),
    )
    max_days = models.PositiveIntegerField(_("most days of extension"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("authority rule")
        verbose_name_plural = _("authority matrix")
        ordering = ["role", "kind", "min_bucket", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(min_bucket__lte=models.F("max_bucket")), name="authority_buckets"
            ),
            models.CheckConstraint(condition=models.Q(max_amount_fen__gte=0), name="authority_amount_not_negative"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_role_display()} {self.get_kind_display()} M{self.min_bucket}-M{self.max_bucket}"


class TeamBudget(models.Model):
    """What a team may waive or write off in a month; `spent_fen` grows as concessions are granted."""

    team = models.ForeignKey("people.Team", on_delete=models.PROTECT, related_name="budgets", verbose_name=_("team"))
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    limit_fen = models.BigIntegerField(_("budget (fen)"))
    spent_fen = models.BigIntegerField(_("spent (fen)"), default=0)

    class Meta:
        verbose_name = _("team waiver budget")
        verbose_name_plural = _("team waiver budgets")
        constraints = [
            models.UniqueConstraint(fields=["team", "month"], name="one_budget_a_team_month"),
            models.CheckConstraint(
                condition=models.Q(spent_fen__gte=0, spent_fen__lte=models.F("limit_fen")), name="budget_not_overspent"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.team} {self.month:%Y-%m}"


class Concession(models.Model):
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="concessions", verbose_name=_("case"))
    account = models.ForeignKey(
        "ledger.Account", on_delete=models.PROTECT, related_name="concessions", verbose_name=_("card account")
    )
    kind = models.CharField(_("concession"), max_length=20, choices=ConcessionKind.choices)
    status = models.CharField(_("status"), max_length=10, choices=ConcessionStatus.choices)
    reason = models.CharField(_("reason"), max_length=20, choices=ReasonCode.choices)
    evidence = models.TextField(_("evidence"))
    # Waived amount; for a settlement the agreed sum. Extension: days.
    amount_fen = models.BigIntegerField(_("amount (fen)"), default=0)
    days = models.PositiveIntegerField(_("days of extension"), default=0)
    # The balance the share is measured on (the component for a waiver, the account for a settlement),
    # and what the concession costs the team's budget (waived or written-off amount).
    base_fen = models.BigIntegerField(_("base amount (fen)"), default=0)
    cost_fen = models.BigIntegerField(_("cost (fen)"), default=0)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("requested by")
    )
    requested_on = models.DateField(_("requested on"))
    team = models.ForeignKey(
        "people.Team", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("team")
    )
    # What allowed the grant: a row of the matrix, and the approval when it went above the maker.
    rule = models.ForeignKey(
        AuthorityRule,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("authority rule"),
    )
    budget = models.ForeignKey(
        TeamBudget, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("team budget")
    )
    granted_on = models.DateField(_("granted on"), null=True, blank=True)
    closed_on = models.DateField(_("ended on"), null=True, blank=True)
    # Extension: [{"statement", "before", "after"}]; waivers: {"entry"}; settlement write-off entries.
    details = models.JSONField(_("details"), default=dict)
    summary_zh = models.TextField(_("wording for the customer (Chinese)"), blank=True)
    summary_en = models.TextField(_("wording for the customer (English)"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("concession")
        verbose_name_plural = _("concessions")
        indexes = [models.Index(fields=["status", "kind"], name="concession_status_kind")]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount_fen__gte=0), name="concession_amount_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"


class SettlementPayment(models.Model):
    """The dates and amounts by which a settlement's agreed sum is to be paid."""

    concession = models.ForeignKey(Concession, on_delete=models.CASCADE, related_name="payments")
    n = models.PositiveSmallIntegerField()
    due_date = models.DateField()
    amount_fen = models.BigIntegerField()

    class Meta:
        ordering = ["n"]
        constraints = [models.UniqueConstraint(fields=["concession", "n"], name="settlement_payment_once")]

    def __str__(self) -> str:
        return f"{self.concession_id} #{self.n} {self.due_date}"


class ApprovalStatus(models.TextChoices):
    PENDING = "pending", _("pending")
    APPROVED = "approved", _("approved")
    REJECTED = "rejected", _("rejected")
    EXPIRED = "expired", _("expired")


class ApprovalRequest(models.Model):
    """A concession above its maker's authority, waiting for the next role up (maker-checker)."""

    concession = models.OneToOneField(
        Concession, on_delete=models.PROTECT, related_name="approval", verbose_name=_("concession")
    )
    maker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("requested by")
    )
    to_role = models.CharField(_("approver role"), max_length=20, choices=Role.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=ApprovalStatus.choices, default=ApprovalStatus.PENDING
    )
    requested_on = models.DateField(_("requested on"))
    expires_on = models.DateField(_("expires on"))
    checker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    # Who passed it up the ladder on the way, with their comments.
    history = models.JSONField(_("history"), default=list)

    class Meta:
        verbose_name = _("approval request")
        verbose_name_plural = _("approval requests")
        indexes = [models.Index(fields=["status", "to_role"], name="approval_inbox")]
        constraints = [
            models.CheckConstraint(condition=~models.Q(checker=models.F("maker")), name="maker_is_not_checker"),
        ]

    def __str__(self) -> str:
        return _("approval %(id)s (%(status)s)") % {"id": self.pk, "status": self.get_status_display()}

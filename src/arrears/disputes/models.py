from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class DisputeKind(models.TextChoices):
    STATEMENT_LINE = "statement_line", _("a statement line")
    FEE = "fee", _("a fee")
    PAYMENT_NOT_CREDITED = "payment_not_credited", _("a payment not credited")
    DEBT = "debt", _("the debt itself (validation)")
    CREDIT_DATA = "credit_data", _("credit data")


class DisputeChannel(models.TextChoices):
    PHONE = "phone", _("phone")
    EMAIL = "email", _("e-mail")
    LETTER = "letter", _("letter")
    PORTAL = "portal", _("cardholder portal")


class DisputeStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("dispute status", "open")
    PROPOSED = "proposed", _("resolution proposed")
    UPHELD = "upheld", _("upheld")
    REJECTED = "rejected", pgettext_lazy("dispute status", "rejected")


class Outcome(models.TextChoices):
    UPHELD = "upheld", _("upheld")
    REJECTED = "rejected", pgettext_lazy("dispute status", "rejected")


class HoldScope(models.TextChoices):
    AMOUNT = "amount", _("the disputed amount")
    ACCOUNT = "account", _("the whole account")


OPEN_STATUSES = (DisputeStatus.OPEN, DisputeStatus.PROPOSED)


class Dispute(models.Model):
    """A customer's dispute of a statement line, a fee, a payment not credited, the debt or the credit
    data: collection of what it covers is held until it is decided (maker, then checker)."""

    account = models.ForeignKey("ledger.Account", on_delete=models.PROTECT, related_name="disputes")
    customer = models.ForeignKey("ledger.Customer", on_delete=models.PROTECT, related_name="disputes")
    kind = models.CharField(_("kind"), max_length=24, choices=DisputeKind.choices)
    entry = models.ForeignKey(
        "ledger.Entry", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("entry")
    )
    statement = models.ForeignKey(
        "statements.Statement",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("statement"),
    )
    amount_fen = models.BigIntegerField(_("amount disputed (fen)"), default=0)
    payment_amount_fen = models.BigIntegerField(_("payment claimed (fen)"), null=True, blank=True)
    payment_date = models.DateField(_("payment date claimed"), null=True, blank=True)
    payment_reference = models.CharField(_("payment reference claimed"), max_length=64, blank=True, default="")
    reason = models.TextField(_("reason"))
    channel = models.CharField(_("received by"), max_length=8, choices=DisputeChannel.choices)
    opened_on = models.DateField(_("opened on"))
    opened_by = models.CharField(_("opened by"), max_length=150)
    due_on = models.DateField(_("answer due on"))
    hold_scope = models.CharField(_("hold"), max_length=8, choices=HoldScope.choices)
    hold = models.ForeignKey(
        "holds.Hold", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("account hold")
    )
    amount_hold = models.ForeignKey(
        "holds.AmountHold",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("amount hold"),
    )
    credit_task = models.ForeignKey(
        "bureau.DisputeTask", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(_("status"), max_length=10, choices=DisputeStatus.choices, default=DisputeStatus.OPEN)
    proposed_outcome = models.CharField(_("proposed outcome"), max_length=10, choices=Outcome.choices, blank=True)
    proposed_reasons = models.TextField(_("reasons"), blank=True, default="")
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    proposed_on = models.DateField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    # What the decision did: the entries posted, the interest reversed, the payment, the records re-stated.
    resolution = models.JSONField(default=dict, blank=True)
    letter = models.BinaryField(null=True, blank=True)  # the rejection letter's PDF, as sent
    letter_language = models.CharField(max_length=8, blank=True, default="")
    sla_breached = models.BooleanField(_("past its answer date"), default=False)

    class Meta:
        verbose_name = _("dispute")
        verbose_name_plural = _("disputes")
        indexes = [
            models.Index(fields=["customer"], name="dispute_customer"),
            models.Index(
                fields=["due_on"], condition=models.Q(status__in=["open", "proposed"]), name="dispute_open_due"
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount_fen__gte=0), name="dispute_amount_not_negative")
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.kind} {self.account_id}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Payment(models.Model):
    """A payment received; its allocation is the ledger entries carrying its reference."""

    reference = models.CharField(_("reference"), max_length=64, unique=True)
    account = models.ForeignKey("ledger.Account", on_delete=models.PROTECT, related_name="payments")
    amount_fen = models.BigIntegerField()
    value_date = models.DateField(_("payment date"))
    posting_date = models.DateField()
    source = models.CharField(max_length=40, default="manual")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        constraints = [models.CheckConstraint(condition=models.Q(amount_fen__gt=0), name="payment_positive")]

    def __str__(self) -> str:
        return self.reference


class CheckoutStatus(models.TextChoices):
    PENDING = "pending", _("waiting for payment")
    PAID = "paid", pgettext_lazy("checkout status", "paid")
    CANCELLED = "cancelled", pgettext_lazy("checkout status", "cancelled")
    EXPIRED = "expired", pgettext_lazy("checkout status", "expired")


class Checkout(models.Model):
    """A payment the cardholder started at a payment gateway (arrears.payments.gateway). The ref is
    unguessable, used once, and the reference of the payment its confirmation posts."""

    ref = models.CharField(_("reference"), max_length=64, unique=True)
    customer = models.ForeignKey("ledger.Customer", on_delete=models.PROTECT, related_name="checkouts")
    account = models.ForeignKey("ledger.Account", on_delete=models.PROTECT, related_name="checkouts")
    amount_fen = models.BigIntegerField()
    currency = models.CharField(max_length=3, default="CNY")
    status = models.CharField(
        _("status"), max_length=16, choices=CheckoutStatus.choices, default=CheckoutStatus.PENDING
    )
    gateway = models.CharField(max_length=16)
    started_by = models.CharField(max_length=150)
    started_on = models.DateField()
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    gateway_reference = models.CharField(max_length=128, blank=True, default="")
    payment = models.OneToOneField(Payment, on_delete=models.PROTECT, null=True, blank=True, related_name="checkout")
    return_url = models.CharField(max_length=500)

    class Meta:
        verbose_name = _("checkout")
        verbose_name_plural = _("checkouts")
        indexes = [models.Index(fields=["account", "status"], name="checkout_account_status")]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount_fen__gt=0), name="checkout_positive"),
            models.CheckConstraint(
                condition=models.Q(status="paid", payment__isnull=False) | ~models.Q(status="paid"),
                name="checkout_paid_has_payment",
            ),
        ]

    def __str__(self) -> str:
        return f"checkout {self.pk}"

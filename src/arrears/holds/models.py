from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class HoldKind(models.TextChoices):
    DISPUTE = "dispute", _("dispute")
    CEASE = "cease", _("cease request")
    ATTORNEY = "attorney", _("attorney on file")
    BANKRUPTCY = "bankruptcy", _("bankruptcy")
    DECEASED = "deceased", _("deceased")
    COMPLAINT = "complaint", _("complaint")
    PLAN = "plan", _("plan in good standing")


# How the admin names a channel (the values of arrears.kernel.vocabulary.Channel).
CHANNEL_LABELS = {
    "phone": _("phone"),
    "sms": _("SMS"),
    "email": _("e-mail"),
    "letter": _("letter"),
    "visit": _("visit"),
}


class Hold(models.Model):
    """Stops the channels it covers (all when none is listed) from `starts_on` until lifted or `ends_on`."""

    customer = models.ForeignKey(
        "ledger.Customer", on_delete=models.PROTECT, related_name="holds", verbose_name=_("customer")
    )
    kind = models.CharField(_("kind"), max_length=12, choices=HoldKind.choices)
    channels = models.JSONField(_("channels covered"), default=list, blank=True, help_text=_("Empty: every channel."))
    reason = models.CharField(_("reason"), max_length=200)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"), null=True, blank=True)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("set by")
    )
    set_at = models.DateTimeField(_("set at"))
    lifted_at = models.DateTimeField(_("lifted at"), null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("lifted by"),
    )
    lift_reason = models.CharField(_("why lifted"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("hold")
        verbose_name_plural = _("holds")
        indexes = [models.Index(fields=["customer"], condition=models.Q(lifted_at__isnull=True), name="hold_active")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.customer_id}"


class ChannelOptOut(models.Model):
    """The customer asked not to be reached on a channel (an SMS reply, an e-mail link, a call)."""

    customer = models.ForeignKey(
        "ledger.Customer", on_delete=models.PROTECT, related_name="opt_outs", verbose_name=_("customer")
    )
    channel = models.CharField(_("channel"), max_length=8)
    at = models.DateTimeField(_("asked at"))
    source = models.CharField(_("how it was asked"), max_length=60)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    class Meta:
        verbose_name = _("channel opt-out")
        verbose_name_plural = _("channel opt-outs")

    def __str__(self) -> str:
        return f"{self.customer_id} {CHANNEL_LABELS.get(self.channel, self.channel)}"


class ContactConsent(models.Model):
    """The debtor's recorded consent to be contacted on a channel during [from_at, to_at)."""

    customer = models.ForeignKey(
        "ledger.Customer", on_delete=models.PROTECT, related_name="consents", verbose_name=_("customer")
    )
    channel = models.CharField(_("channel"), max_length=8)
    from_at = models.DateTimeField(_("from"))
    to_at = models.DateTimeField(_("to"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    evidence = models.CharField(_("evidence"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("contact consent")
        verbose_name_plural = _("contact consents")

    def __str__(self) -> str:
        return f"{self.customer_id} {CHANNEL_LABELS.get(self.channel, self.channel)}"


class AmountHold(models.Model):
    """Collection of an amount of one account is paused (a disputed fee, purchase or payment): the
    customer may still be contacted, but that amount is not demanded until lifted or `ends_on`.
    A whole-account pause is a `Hold` of kind dispute instead."""

    customer = models.ForeignKey(
        "ledger.Customer", on_delete=models.PROTECT, related_name="amount_holds", verbose_name=_("customer")
    )
    account = models.ForeignKey(
        "ledger.Account", on_delete=models.PROTECT, related_name="amount_holds", verbose_name=_("account")
    )
    amount_fen = models.BigIntegerField(_("amount held (fen)"))
    reason = models.CharField(_("reason"), max_length=200)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"), null=True, blank=True)
    set_by = models.CharField(_("set by"), max_length=150)
    set_at = models.DateTimeField(_("set at"))
    lifted_at = models.DateTimeField(_("lifted at"), null=True, blank=True)
    lifted_by = models.CharField(_("lifted by"), max_length=150, blank=True, default="")
    lift_reason = models.CharField(_("why lifted"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("amount hold")
        verbose_name_plural = _("amount holds")
        indexes = [
            models.Index(fields=["customer"], condition=models.Q(lifted_at__isnull=True), name="amount_hold_active")
        ]
        constraints = [models.CheckConstraint(condition=models.Q(amount_fen__gt=0), name="amount_hold_positive")]

    def __str__(self) -> str:
        return f"{self.account_id} {self.amount_fen}"

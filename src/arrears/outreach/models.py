from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from arrears.kernel import vocabulary


class TemplateChannel(models.TextChoices):
    SMS = vocabulary.Channel.SMS.value, _("SMS")
    EMAIL = vocabulary.Channel.EMAIL.value, _("e-mail")
    LETTER = vocabulary.Channel.LETTER.value, _("letter")


class TemplateStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    APPROVED = "approved", _("approved")
    RETIRED = "retired", _("retired")


class MessageTemplate(models.Model):
    """A versioned text per channel and language; usable only once a compliance officer other than its
    author approved it, and never when the wording check finds prohibited phrases."""

    code = models.SlugField(_("code"), max_length=60)
    channel = models.CharField(_("channel"), max_length=8, choices=TemplateChannel.choices)
    language = models.CharField(_("language"), max_length=8)
    version = models.PositiveIntegerField(_("version"))
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("body"), help_text=_("Django template syntax: {{ name }}, {{ balance }}, ..."))
    status = models.CharField(max_length=10, choices=TemplateStatus.choices, default=TemplateStatus.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("message template")
        verbose_name_plural = _("message templates")
        constraints = [
            models.UniqueConstraint(fields=["code", "channel", "language", "version"], name="template_version_once")
        ]

    def __str__(self) -> str:
        return f"{self.code}/{self.channel}/{self.language} v{self.version}"


class MessageStatus(models.TextChoices):
    BLOCKED = "blocked", _("blocked by compliance")
    SENT = "sent", _("sent")
    DELIVERED = "delivered", _("delivered")
    FAILED = "failed", _("failed")
    BOUNCED = "bounced", _("bounced")


class Message(models.Model):
    """One SMS, e-mail or letter to a customer, with the compliance decision it was sent (or blocked) under."""

    customer = models.ForeignKey("ledger.Customer", on_delete=models.PROTECT, related_name="messages")
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="messages")
    template = models.ForeignKey(MessageTemplate, null=True, blank=True, on_delete=models.PROTECT)
    channel = models.CharField(max_length=8, choices=TemplateChannel.choices)
    purpose = models.CharField(max_length=30, default="collection")
    address = models.CharField(max_length=200)
    language = models.CharField(max_length=8)
    subject = models.CharField(max_length=200, blank=True)
    body = models.TextField()
    document = models.BinaryField(null=True, blank=True)  # the letter's PDF
    status = models.CharField(max_length=10, choices=MessageStatus.choices)
    decision = models.JSONField()
    provider_ref = models.CharField(max_length=80, blank=True, db_index=True)
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField()
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_by = models.CharField(max_length=150)
    # Idempotency for messages the cycle sends (e.g. "remind:<statement id>").
    dedupe_key = models.CharField(max_length=80, null=True, blank=True, unique=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        indexes = [models.Index(fields=["customer", "-created_at"], name="message_customer_time")]

    def __str__(self) -> str:
        return f"{self.channel} {self.address} {self.status}"

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Category(models.TextChoices):
    BALANCE = "balance", pgettext_lazy("inquiries", "balance and payoff")
    STATEMENT = "statement", pgettext_lazy("inquiries", "a statement line")
    INTEREST = "interest", pgettext_lazy("inquiries", "how interest was computed")
    GRACE = "grace", pgettext_lazy("inquiries", "the interest-free period")
    FEE = "fee", pgettext_lazy("inquiries", "a fee")
    MINIMUM = "minimum", pgettext_lazy("inquiries", "the minimum payment")
    PAYMENT = "payment", pgettext_lazy("inquiries", "where a payment went")
    OTHER = "other", pgettext_lazy("inquiries", "other")


class InquiryChannel(models.TextChoices):
    PHONE = "phone", _("phone")
    EMAIL = "email", _("e-mail")
    SMS = "sms", _("SMS")
    PORTAL = "portal", pgettext_lazy("inquiries", "cardholder portal")


class Outcome(models.TextChoices):
    OPEN = "open", pgettext_lazy("inquiries", "waiting for an answer")
    ANSWERED = "answered", pgettext_lazy("inquiries", "answered")
    ESCALATED = "escalated", pgettext_lazy("inquiries", "escalated")
    DISPUTE_OPENED = "dispute_opened", pgettext_lazy("inquiries", "dispute opened")


class Inquiry(models.Model):
    """A customer's question, how it came in, the answer given and how it ended."""

    customer = models.ForeignKey(
        "ledger.Customer", on_delete=models.PROTECT, related_name="inquiries", verbose_name=_("customer")
    )
    account = models.ForeignKey(
        "ledger.Account", null=True, blank=True, on_delete=models.PROTECT, related_name="inquiries"
    )
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="inquiries")
    category = models.CharField(pgettext_lazy("inquiries", "category"), max_length=12, choices=Category.choices)
    channel = models.CharField(_("channel"), max_length=8, choices=InquiryChannel.choices)
    question = models.TextField(pgettext_lazy("inquiries", "question"))
    answer = models.TextField(pgettext_lazy("inquiries", "answer"), blank=True, default="")
    answer_channel = models.CharField(max_length=8, choices=InquiryChannel.choices, blank=True, default="")
    outcome = models.CharField(pgettext_lazy("inquiries", "outcome"), max_length=16, choices=Outcome.choices)
    message = models.ForeignKey(
        "outreach.Message", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )  # the e-mail or SMS that carried the answer
    created_by = models.CharField(max_length=150)
    created_at = models.DateTimeField()
    business_date = models.DateField()
    answered_by = models.CharField(max_length=150, blank=True, default="")
    answered_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = pgettext_lazy("inquiries", "inquiry")
        verbose_name_plural = pgettext_lazy("inquiries", "inquiries")
        indexes = [models.Index(fields=["customer", "-created_at"], name="inquiry_customer_time")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(outcome="open", closed_at__isnull=True)
                | (~models.Q(outcome="open") & models.Q(closed_at__isnull=False)),
                name="inquiry_closed_unless_open",
            )
        ]

    def __str__(self) -> str:
        return f"{self.category} {self.channel} {self.outcome}"


class SubjectType(models.TextChoices):
    INQUIRY = "inquiry", pgettext_lazy("inquiries", "inquiry")
    DISPUTE = "dispute", _("dispute")


class SurveyChannel(models.TextChoices):
    SMS = "sms", _("SMS")
    PORTAL = "portal", pgettext_lazy("inquiries", "cardholder portal")


class Survey(models.Model):
    """One question after an inquiry or a dispute is closed: how satisfied were you, 1 to 5."""

    customer = models.ForeignKey(
        "ledger.Customer", on_delete=models.PROTECT, related_name="surveys", verbose_name=_("customer")
    )
    subject_type = models.CharField(max_length=8, choices=SubjectType.choices)
    subject_id = models.PositiveBigIntegerField()
    channel = models.CharField(max_length=8, choices=SurveyChannel.choices)
    # The team of the customer's latest case when asked: the lead's page counts its own surveys.
    team = models.ForeignKey("people.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    address = models.CharField(max_length=32, blank=True, default="")  # the mobile an SMS survey went to
    message = models.ForeignKey("outreach.Message", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    asked_on = models.DateField()
    asked_at = models.DateTimeField()
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = pgettext_lazy("inquiries", "satisfaction survey")
        verbose_name_plural = pgettext_lazy("inquiries", "satisfaction surveys")
        constraints = [
            models.UniqueConstraint(fields=["subject_type", "subject_id"], name="one_survey_a_subject"),
            models.CheckConstraint(
                condition=models.Q(score__isnull=True) | models.Q(score__gte=1, score__lte=5), name="survey_score_1_5"
            ),
        ]
        indexes = [
            models.Index(
                fields=["address", "-asked_at"], condition=models.Q(score__isnull=True), name="survey_open_by_address"
            ),
            models.Index(fields=["asked_on"], name="survey_asked_on"),
        ]

    def __str__(self) -> str:
        return f"{self.subject_type} {self.subject_id} {self.score}"

"""The complaints register (投诉): who complained, about what, how serious, by when it must be
answered, who and which agency it concerns, the contacts it is about, and how it was closed."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ComplaintChannel(models.TextChoices):
    PHONE = "phone", pgettext_lazy("complaint channel", "phone")
    EMAIL = "email", pgettext_lazy("complaint channel", "e-mail")
    LETTER = "letter", pgettext_lazy("complaint channel", "letter")
    PORTAL = "portal", pgettext_lazy("complaint channel", "cardholder portal")
    REGULATOR = "regulator", pgettext_lazy("complaint channel", "referred by the regulator")
    BRANCH = "branch", pgettext_lazy("complaint channel", "branch")


class Category(models.TextChoices):
    COLLECTION_CONDUCT = "collection_conduct", _("collection conduct")
    CONTACT_FREQUENCY = "contact_frequency", _("contact frequency")
    THIRD_PARTY_DISCLOSURE = "third_party_disclosure", _("disclosure to a third party")
    WORDING = "wording", pgettext_lazy("complaint category", "wording")
    FEES_AND_INTEREST = "fees_and_interest", _("fees and interest")
    CREDIT_REPORT = "credit_report", _("credit report")
    AGENCY_CONDUCT = "agency_conduct", _("agency conduct")
    SERVICE = "service", pgettext_lazy("complaint category", "service")
    OTHER = "other", pgettext_lazy("complaint category", "other")


class Severity(models.TextChoices):
    LOW = "low", pgettext_lazy("severity", "low")
    MEDIUM = "medium", pgettext_lazy("severity", "medium")
    HIGH = "high", pgettext_lazy("severity", "high")
    CRITICAL = "critical", pgettext_lazy("severity", "critical")


class ComplaintStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("complaint status", "open")
    INVESTIGATING = "investigating", pgettext_lazy("complaint status", "investigating")
    CLOSED = "closed", pgettext_lazy("complaint status", "closed")


class Outcome(models.TextChoices):
    UPHELD = "upheld", pgettext_lazy("complaint outcome", "upheld")
    PARTLY_UPHELD = "partly_upheld", pgettext_lazy("complaint outcome", "partly upheld")
    NOT_UPHELD = "not_upheld", pgettext_lazy("complaint outcome", "not upheld")


class RootCause(models.TextChoices):
    STAFF_CONDUCT = "staff_conduct", _("a member of staff's conduct")
    AGENCY_CONDUCT = "agency_conduct", _("the agency's conduct")
    PROCESS = "process", _("a gap in the process")
    SYSTEM = "system", _("a system error")
    WORDING = "wording", _("unclear wording")
    POLICY = "policy", _("the bank's policy")
    MISUNDERSTANDING = "misunderstanding", _("a misunderstanding")
    NO_FAULT = "no_fault", _("no fault found")
    OTHER = "other", pgettext_lazy("root cause", "other")


class Complaint(models.Model):
    customer = models.ForeignKey(
        "ledger.Customer", on_delete=models.PROTECT, related_name="complaints", verbose_name=_("customer")
    )
    account = models.ForeignKey(
        "ledger.Account",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints",
        verbose_name=_("card account"),
    )
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="complaints", verbose_name=_("case")
    )
    received_on = models.DateField(_("received on"))
    channel = models.CharField(_("channel"), max_length=12, choices=ComplaintChannel.choices)
    category = models.CharField(_("category"), max_length=24, choices=Category.choices)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    description = models.TextField(_("description"))
    status = models.CharField(_("status"), max_length=16, choices=ComplaintStatus.choices, default=ComplaintStatus.OPEN)
    due_on = models.DateField(_("answer due by"))
    staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="complaints_about", verbose_name=_("staff involved")
    )
    agency = models.ForeignKey(
        "agencies.Agency",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints",
        verbose_name=_("agency involved"),
    )
    contacts = models.ManyToManyField(
        "contacts.Contact", blank=True, related_name="complaints", verbose_name=_("contacts concerned")
    )
    holds = models.ManyToManyField("holds.Hold", blank=True, related_name="+")
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("registered by"),
    )
    opened_by_actor = models.CharField(max_length=150)
    opened_at = models.DateTimeField(_("registered at"))
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices, blank=True)
    root_cause = models.CharField(_("root cause"), max_length=20, choices=RootCause.choices, blank=True)
    root_cause_note = models.TextField(_("root cause in detail"), blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("closed by"),
    )
    closed_on = models.DateField(_("closed on"), null=True, blank=True)

    class Meta:
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        indexes = [
            models.Index(fields=["status", "due_on"], name="complaint_status_due"),
            models.Index(fields=["agency", "received_on"], name="complaint_agency_received"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="closed") | (~models.Q(outcome="") & ~models.Q(root_cause="")),
                name="complaint_closed_has_outcome_and_cause",
            )
        ]

    def __str__(self) -> str:
        return f"complaint {self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status != ComplaintStatus.CLOSED

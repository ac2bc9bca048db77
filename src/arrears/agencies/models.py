"""Collection agencies (委外催收): the published register (CN-AGENCY), the written entrustments
(CN-PI-ENTRUST), placements of accounts, the agencies' users, commission tiers and the payments an
agency reports collected."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Agency(models.Model):
    """A collection agency of the bank's published list (CN-AGENCY). Only a published, active agency
    with an entrustment in force receives placements."""

    code = models.SlugField(_("code"), max_length=12, unique=True)
    name = models.CharField(_("name"), max_length=120)
    published = models.BooleanField(_("on the published list"), default=True)
    active = models.BooleanField(_("active"), default=True)
    weight = models.PositiveSmallIntegerField(
        _("share of placements"), default=1, help_text=_("Relative share of new placements among the agencies.")
    )

    class Meta:
        verbose_name = _("collection agency")
        verbose_name_plural = _("collection agencies")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Entrustment(models.Model):
    """The written entrustment under which an agency processes the customers' data (CN-PI-ENTRUST):
    purpose, data types, duration and the duty to delete at its end."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="entrustments")
    purpose = models.CharField(_("purpose"), max_length=200)
    data_types = models.JSONField(_("data types"), default=list)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    deletion_duty = models.TextField(_("deletion duty"))
    document_ref = models.CharField(_("document reference"), max_length=120, blank=True)

    class Meta:
        verbose_name = _("entrustment")
        verbose_name_plural = _("entrustments")
        constraints = [
            models.CheckConstraint(condition=models.Q(starts_on__lte=models.F("ends_on")), name="entrustment_dates")
        ]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.starts_on}..{self.ends_on}"


class RecallReason(models.TextChoices):
    EXPIRED = "expired", _("placement expired")
    PLAN = "plan", _("repayment plan")
    HOLD = "hold", _("hold or dispute")
    CLOSED = "closed", _("account closed or settled")
    CURED = "cured", _("account cured")
    ENTRUSTMENT = "entrustment", _("entrustment lapsed")
    BY_HAND = "by_hand", _("recalled by hand")


class Placement(models.Model):
    """An account placed with an agency from `placed_on` until it is recalled (at the latest on
    `expires_on`). Figures at placement are kept for commission and performance."""

    account = models.ForeignKey("ledger.Account", on_delete=models.PROTECT, related_name="placements")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="placements")
    placed_on = models.DateField(_("placed on"))
    expires_on = models.DateField(_("expires on"))
    bucket = models.PositiveSmallIntegerField(_("bucket at placement"))
    balance_fen = models.BigIntegerField(_("balance at placement (fen)"))
    recalled_on = models.DateField(_("recalled on"), null=True, blank=True)
    recall_reason = models.CharField(_("recall reason"), max_length=12, choices=RecallReason.choices, blank=True)
    placed_by = models.CharField(_("placed by"), max_length=150)
    arm = models.CharField(_("arm"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("placement")
        verbose_name_plural = _("placements")
        constraints = [
            # One live placement per account.
            models.UniqueConstraint(
                fields=["account"], condition=models.Q(recalled_on__isnull=True), name="placement_one_live"
            ),
            models.CheckConstraint(condition=models.Q(placed_on__lt=models.F("expires_on")), name="placement_dates"),
        ]
        indexes = [models.Index(fields=["agency", "recalled_on"], name="placement_agency_live")]

    def __str__(self) -> str:
        return f"{self.account_id} -> {self.agency_id}"


class AgencyUser(models.Model):
    """A person of an agency (role AGENCY_USER) and the agency they work for."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="agency_link")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="users")

    class Meta:
        verbose_name = _("agency user")
        verbose_name_plural = _("agency users")

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.agency_id}"


class CommissionTier(models.Model):
    """The commission rate on what is recovered from accounts placed in a bucket of at least
    `min_bucket`; the highest tier that applies wins."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="tiers")
    min_bucket = models.PositiveSmallIntegerField(_("from bucket"))
    rate = models.DecimalField(_("rate"), max_digits=6, decimal_places=4)

    class Meta:
        verbose_name = _("commission tier")
        verbose_name_plural = _("commission tiers")
        constraints = [
            models.UniqueConstraint(fields=["agency", "min_bucket"], name="tier_one_per_bucket"),
            models.CheckConstraint(condition=models.Q(rate__gte=0, rate__lte=1), name="tier_rate_range"),
        ]

    def __str__(self) -> str:
        return f"{self.agency_id} M{self.min_bucket}+ {self.rate}"


class CollectionStatus(models.TextChoices):
    REPORTED = "reported", _("reported")
    CONFIRMED = "confirmed", _("confirmed")
    REJECTED = "rejected", _("rejected")


class Collection(models.Model):
    """A payment the agency reports it collected; the bank confirms it by posting the payment through
    the payments door (source `agency:<code>`), or rejects it."""

    placement = models.ForeignKey(Placement, on_delete=models.PROTECT, related_name="collections")
    amount_fen = models.BigIntegerField(_("amount (fen)"))
    paid_on = models.DateField(_("paid on"))
    reference = models.CharField(_("reference"), max_length=64, unique=True)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reported_on = models.DateField(_("reported on"))
    status = models.CharField(
        _("status"), max_length=10, choices=CollectionStatus.choices, default=CollectionStatus.REPORTED
    )
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    decided_by = models.CharField(_("decided by"), max_length=150, blank=True)
    payment = models.ForeignKey("payments.Payment", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("collection reported")
        verbose_name_plural = _("collections reported")
        constraints = [models.CheckConstraint(condition=models.Q(amount_fen__gt=0), name="collection_positive")]

    def __str__(self) -> str:
        return self.reference

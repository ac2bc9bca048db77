"""Legal action (法律渠道): a case at law per customer and debt, its stages, costs, proceeds and the
evidence of effective demands. The rules are in arrears.legal.rules; changes go through
arrears.legal.operations."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from arrears.legal.rules import Kind, Stage


class LegalKind(models.TextChoices):
    PAYMENT_ORDER = Kind.PAYMENT_ORDER.value, _("payment order")
    LAWSUIT = Kind.LAWSUIT.value, _("lawsuit")


class LegalStage(models.TextChoices):
    REFERRAL = Stage.REFERRAL.value, _("referral")
    FILING = Stage.FILING.value, _("filing")
    HEARING = Stage.HEARING.value, _("hearing")
    JUDGMENT = Stage.JUDGMENT.value, _("judgment")
    ENFORCEMENT = Stage.ENFORCEMENT.value, _("enforcement")
    CLOSED = Stage.CLOSED.value, pgettext_lazy("legal stage", "closed")


class LegalCase(models.Model):
    """One debt (a card account) taken to law for one customer."""

    customer = models.ForeignKey(
        "ledger.Customer", on_delete=models.PROTECT, related_name="legal_cases", verbose_name=_("customer")
    )
    account = models.ForeignKey(
        "ledger.Account", on_delete=models.PROTECT, related_name="legal_cases", verbose_name=_("card account")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=LegalKind.choices)
    stage = models.CharField(_("stage"), max_length=12, choices=LegalStage.choices, default=LegalStage.REFERRAL)
    referred_on = models.DateField(_("referred on"))
    # The day the bank knew of the default: the limitation period (CN-LEGAL-LIMIT) runs from it.
    default_on = models.DateField(_("default known on"))
    court = models.CharField(_("court"), max_length=120, blank=True)
    case_number = models.CharField(_("court case number"), max_length=64, blank=True)
    amount_claimed_fen = models.BigIntegerField(_("amount claimed (fen)"))
    hold = models.ForeignKey("holds.Hold", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    referred_by = models.CharField(_("referred by"), max_length=150)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)

    class Meta:
        verbose_name = _("legal case")
        verbose_name_plural = _("legal cases")
        constraints = [
            models.UniqueConstraint(
                fields=["account"], condition=~models.Q(stage="closed"), name="legal_one_open_case_per_account"
            ),
            models.CheckConstraint(condition=models.Q(amount_claimed_fen__gt=0), name="legal_claim_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"


class StageEvent(models.Model):
    """The case reached a stage on a day, with its documents and the deadline the court set."""

    case = models.ForeignKey(LegalCase, on_delete=models.PROTECT, related_name="events")
    stage = models.CharField(_("stage"), max_length=12, choices=LegalStage.choices)
    on = models.DateField(_("date"))
    # The last day for performance the judgment or order sets (CN-LEGAL-EXEC runs from it).
    performance_due_on = models.DateField(_("performance due on"), null=True, blank=True)
    # [{"name": file name, "sha256": hex digest}] or [{"text": ...}]: what the court or bank produced.
    documents = models.JSONField(_("documents"), default=list, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    by = models.CharField(_("recorded by"), max_length=150)

    class Meta:
        verbose_name = _("legal stage")
        verbose_name_plural = _("legal stages")
        ordering = ["on", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.stage} {self.on}"


class CostAward(models.Model):
    """Court costs awarded against the customer, posted to the ledger on the costs component."""

    case = models.ForeignKey(LegalCase, on_delete=models.PROTECT, related_name="costs")
    amount_fen = models.BigIntegerField(_("amount (fen)"))
    on = models.DateField(_("date"))
    reference = models.CharField(_("ledger reference"), max_length=64, unique=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    by = models.CharField(_("recorded by"), max_length=150)

    class Meta:
        verbose_name = _("court costs awarded")
        verbose_name_plural = _("court costs awarded")
        constraints = [models.CheckConstraint(condition=models.Q(amount_fen__gt=0), name="legal_costs_positive")]

    def __str__(self) -> str:
        return self.reference


class Proceeds(models.Model):
    """Money recovered by enforcement (收回财产), posted as a payment with source legal:<case id>."""

    case = models.ForeignKey(LegalCase, on_delete=models.PROTECT, related_name="proceeds")
    amount_fen = models.BigIntegerField(_("amount (fen)"))
    on = models.DateField(_("date"))
    payment_reference = models.CharField(_("payment reference"), max_length=64, unique=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    by = models.CharField(_("recorded by"), max_length=150)

    class Meta:
        verbose_name = _("enforcement proceeds")
        verbose_name_plural = _("enforcement proceeds")
        constraints = [models.CheckConstraint(condition=models.Q(amount_fen__gt=0), name="legal_proceeds_positive")]

    def __str__(self) -> str:
        return self.payment_reference


class DemandKind(models.TextChoices):
    DEMAND = "demand", _("collection demand")
    ACKNOWLEDGMENT = "acknowledgment", _("acknowledgment by the debtor")


class EffectiveDemand(models.Model):
    """Evidence of an effective demand (有效催收) or of the debtor acknowledging the debt: each restarts
    the limitation period (CN-LEGAL-LIMIT); two with proof of receipt open the police referral test
    (CN-LEGAL-FRAUD)."""

    case = models.ForeignKey(LegalCase, on_delete=models.PROTECT, related_name="demands")
    kind = models.CharField(_("kind"), max_length=16, choices=DemandKind.choices, default=DemandKind.DEMAND)
    on = models.DateField(_("date"))
    channel = models.CharField(_("channel"), max_length=8)
    receipt_proved = models.BooleanField(_("receipt proved"), default=False)
    evidence = models.CharField(_("evidence"), max_length=200)
    document_sha256 = models.CharField(_("document SHA-256"), max_length=64, blank=True)
    by = models.CharField(_("recorded by"), max_length=150)

    class Meta:
        verbose_name = _("effective demand")
        verbose_name_plural = _("effective demands")
        ordering = ["on", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} {self.on}"

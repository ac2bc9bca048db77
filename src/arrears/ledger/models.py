from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from arrears.kernel import vocabulary
from arrears.kernel.pan import mask_pan, new_account_ref
from arrears.money import from_fen


class Language(models.TextChoices):
    ZH_HANS = "zh-hans", "简体中文"
    EN = "en", "English"


class Customer(models.Model):
    name = models.CharField(_("name"), max_length=120)
    national_id = models.CharField(_("national ID number"), max_length=32, blank=True)
    mobile = models.CharField(_("mobile phone"), max_length=32, blank=True)
    home_phone = models.CharField(_("home phone"), max_length=32, blank=True)
    work_phone = models.CharField(_("work phone"), max_length=32, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    region = models.CharField(_("region"), max_length=64, blank=True)
    time_zone = models.CharField(_("time zone"), max_length=64, default="Asia/Shanghai")
    language = models.CharField(
        _("preferred language"), max_length=8, choices=Language.choices, default=Language.ZH_HANS
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")

    def __str__(self) -> str:
        return self.name


class AccountStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("account status", "open")
    BLOCKED = "blocked", _("blocked")
    CHARGED_OFF = "charged_off", _("charged off")
    # A charged-off debt closed by an agreed settlement (PBOC status C).
    SETTLED = "settled", _("settled after charge-off")
    CLOSED = "closed", pgettext_lazy("account status", "closed")


# Accounts the cycle still works on: interest, fees, statements, ageing and charge-off.
ACTIVE = (AccountStatus.OPEN, AccountStatus.BLOCKED)


class Account(models.Model):
    """A card account. The balance columns are a cache of the ledger, proved by `arrears ledger check`."""

    number = models.CharField(_("card number"), max_length=32, unique=True)  # the PAN: shown only masked
    ref = models.CharField(_("account reference"), max_length=16, unique=True, default=new_account_ref, editable=False)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="accounts")
    product = models.ForeignKey("products.Product", on_delete=models.PROTECT, related_name="accounts")
    opened_on = models.DateField(_("opened on"))
    statement_day = models.PositiveSmallIntegerField(_("statement day"))
    credit_limit_fen = models.BigIntegerField(_("credit limit (fen)"))
    status = models.CharField(_("status"), max_length=16, choices=AccountStatus.choices, default=AccountStatus.OPEN)
    principal_fen = models.BigIntegerField(default=0)
    interest_fen = models.BigIntegerField(default=0)
    fees_fen = models.BigIntegerField(default=0)
    plan_fen = models.BigIntegerField(default=0)
    # court costs awarded (arrears.legal); the database default serves bulk loads that predate the column
    costs_fen = models.BigIntegerField(default=0, db_default=0)
    dpd = models.IntegerField(_("days past due"), default=0)
    bucket = models.PositiveSmallIntegerField(_("bucket"), default=0)
    last_statement_date = models.DateField(null=True, blank=True)
    charged_off_on = models.DateField(null=True, blank=True)
    charged_off_fen = models.BigIntegerField(default=0)
    recovered_fen = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("card account")
        verbose_name_plural = _("card accounts")
        indexes = [
            models.Index(fields=["statement_day", "id"], name="account_statement_day"),
            models.Index(fields=["id"], condition=models.Q(dpd__gt=0), name="account_delinquent"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(statement_day__gte=1, statement_day__lte=31), name="statement_day_1_31"
            ),
            models.CheckConstraint(condition=models.Q(credit_limit_fen__gte=0), name="credit_limit_not_negative"),
        ]

    def __str__(self) -> str:
        return self.masked_number

    @property
    def masked_number(self) -> str:
        return mask_pan(self.number)

    @property
    def balance_fen(self) -> int:
        return self.principal_fen + self.interest_fen + self.fees_fen + self.plan_fen + self.costs_fen

    @property
    def bucket_label(self) -> str:
        return f"M{self.bucket}"

    def balances(self) -> dict[str, Any]:
        """The balance by component; the parts add up to the balance (balance_fen)."""
        return {
            "principal": from_fen(self.principal_fen),
            "interest": from_fen(self.interest_fen),
            "fees": from_fen(self.fees_fen),
            "plan": from_fen(self.plan_fen),
            "costs": from_fen(self.costs_fen),
        }


class EntryKind(models.TextChoices):
    PURCHASE = "purchase", _("purchase")
    CASH_ADVANCE = "cash_advance", _("cash advance")
    CASH_ADVANCE_FEE = "cash_advance_fee", _("cash-advance fee")
    PAYMENT = "payment", _("payment")
    INTEREST = "interest", _("interest")
    LATE_FEE = "late_fee", _("late fee")
    ANNUAL_FEE = "annual_fee", _("annual fee")
    FEE_WAIVER = "fee_waiver", _("fee waiver")
    REVERSAL = "reversal", _("reversal")
    ADJUSTMENT = "adjustment", _("adjustment")
    CHARGE_OFF = "charge_off", _("charge-off")
    RECOVERY = "recovery", _("recovery")
    # Repayment plans (arrears.plans): the balance moved into a plan and back, and the plan's charges.
    PLAN_TRANSFER = "plan_transfer", _("moved into a repayment plan")
    PLAN_RETURN = "plan_return", _("returned from a repayment plan")
    PLAN_INTEREST = "plan_interest", _("repayment-plan interest")
    PLAN_FEE = "plan_fee", _("repayment-plan fee")
    # Legal action (arrears.legal): the costs a court awards against the customer.
    COURT_COSTS = "court_costs", _("court costs awarded")
    # Host-feed mode (arrears.hostfeed): the difference between the card host's balance of a component
    # and the ledger's, after the instructions the host has not yet acknowledged.
    HOST_SYNC = "host_sync", _("card host balance")


class Component(models.TextChoices):
    """The components of arrears.kernel.vocabulary.Component, with their labels."""

    PRINCIPAL = vocabulary.Component.PRINCIPAL.value, _("principal")
    INTEREST = vocabulary.Component.INTEREST.value, _("interest")
    FEES = vocabulary.Component.FEES.value, _("fees")
    RECOVERY = vocabulary.Component.RECOVERY.value, _("recovery")
    PLAN = vocabulary.Component.PLAN.value, _("repayment plan")
    COSTS = vocabulary.Component.COSTS.value, _("court costs")


class Entry(models.Model):
    """An immutable ledger posting: + raises what the customer owes, - lowers it.

    Database triggers refuse UPDATE and DELETE; a correction is a new, reversing entry.
    """

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField(max_length=20, choices=EntryKind.choices)
    component = models.CharField(max_length=10, choices=Component.choices)
    amount_fen = models.BigIntegerField()
    posting_date = models.DateField()
    value_date = models.DateField()
    # Idempotency key, unique per account and component when given (payment reference, "interest:DATE").
    reference = models.CharField(max_length=80, blank=True, default="")
    reverses = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    description = models.CharField(max_length=200, blank=True, default="")
    # How a computed amount was computed: base, days, rate, rule. Shown to the customer on request.
    explanation = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        indexes = [models.Index(fields=["account", "posting_date"], name="entry_account_posting")]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "reference", "component"],
                condition=~models.Q(reference=""),
                name="entry_reference_once",
            ),
            models.CheckConstraint(condition=~models.Q(amount_fen=0), name="entry_amount_not_zero"),
        ]

    def __str__(self) -> str:
        return f"{self.posting_date} {self.kind} {self.component} {from_fen(self.amount_fen)}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise RuntimeError("ledger entries are immutable; post a reversal instead")
        super().save(*args, **kwargs)


class InstructionStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("instruction status", "pending")
    EXPORTED = "exported", _("sent to the card host")
    ACKNOWLEDGED = "acknowledged", _("applied by the card host")
    REJECTED = "rejected", _("refused by the card host")


# Instructions whose effect the host's balances do not show yet: the feed's balance sync keeps them.
OUTSTANDING = (InstructionStatus.PENDING, InstructionStatus.EXPORTED)


class OutboundInstruction(models.Model):
    """Host-feed mode: an entry Arrears posted that the card host must apply (a payment taken by the
    portal or an agency, a waiver, a plan activation, a settlement), written by the ledger door with the
    entry, sent in an outbound instruction file and acknowledged by the host's next feed."""

    entry = models.OneToOneField(Entry, on_delete=models.PROTECT, related_name="+", verbose_name=_("ledger entry"))
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+", verbose_name=_("account"))
    kind = models.CharField(_("kind"), max_length=20, choices=EntryKind.choices)
    component = models.CharField(_("component"), max_length=10, choices=Component.choices)
    amount_fen = models.BigIntegerField(_("amount (fen)"))
    business_date = models.DateField(_("business date"))
    status = models.CharField(
        _("status"), max_length=16, choices=InstructionStatus.choices, default=InstructionStatus.PENDING
    )
    # the outbound file it went in
    file_name = models.CharField(_("file name"), max_length=120, blank=True, default="")
    exported_on = models.DateField(_("exported on"), null=True, blank=True)
    # acknowledged or refused, by the feed of that date
    answered_on = models.DateField(_("answered on"), null=True, blank=True)
    host_reference = models.CharField(_("card host's reference"), max_length=80, blank=True, default="")
    reason = models.CharField(_("reason"), max_length=200, blank=True, default="")  # why the host refused it

    class Meta:
        verbose_name = _("outbound instruction")
        verbose_name_plural = _("outbound instructions")
        indexes = [models.Index(fields=["status", "account"], name="instruction_status_account")]

    def __str__(self) -> str:
        return (
            f"{self.business_date} {self.get_kind_display()} {self.get_component_display()} "
            f"{from_fen(self.amount_fen)} {self.get_status_display()}"
        )

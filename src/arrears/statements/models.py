from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Statement(models.Model):
    """A closed billing cycle [period_start, statement_date): its lines are the entries posted in it."""

    account = models.ForeignKey("ledger.Account", on_delete=models.PROTECT, related_name="statements")
    statement_date = models.DateField(_("statement date"))
    period_start = models.DateField()
    due_date = models.DateField(_("payment due date"))
    # A due-date extension (延期) granted later: the statement keeps the due date it was issued with,
    # and days past due count from this date instead while it is set (see concessions).
    extended_due_date = models.DateField(_("extended due date"), null=True, blank=True)
    principal_fen = models.BigIntegerField()
    interest_fen = models.BigIntegerField()
    fees_fen = models.BigIntegerField()
    new_balance_fen = models.BigIntegerField()
    interest_charged_fen = models.BigIntegerField(default=0)
    fees_charged_fen = models.BigIntegerField(default=0)
    payments_fen = models.BigIntegerField(default=0)
    past_due_fen = models.BigIntegerField(default=0)
    minimum_payment_fen = models.BigIntegerField()
    # The part of the minimum that is new on this statement, and what of it is still unpaid:
    # days past due count from the oldest effective due date (the extended one when set) whose
    # minimum_unpaid_fen is above zero.
    minimum_due_fen = models.BigIntegerField()
    minimum_unpaid_fen = models.BigIntegerField()
    # Interest regime: True when the previous statement was not paid in full by its due date.
    revolving = models.BooleanField(default=False)
    # Decided the day after the due date: were the payments up to the due date the full new balance?
    grace_kept = models.BooleanField(null=True)
    paid_by_due_fen = models.BigIntegerField(null=True)
    explanation = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("statement")
        verbose_name_plural = _("statements")
        constraints = [
            models.UniqueConstraint(fields=["account", "statement_date"], name="one_statement_a_date"),
            models.CheckConstraint(
                condition=models.Q(minimum_unpaid_fen__gte=0, minimum_unpaid_fen__lte=models.F("minimum_due_fen")),
                name="minimum_unpaid_within_due",
            ),
        ]
        indexes = [
            models.Index(fields=["due_date"], name="statement_due_date"),
            models.Index(
                fields=["account", "due_date"],
                condition=models.Q(minimum_unpaid_fen__gt=0),
                name="statement_minimum_unpaid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.account_id} {self.statement_date}"

from decimal import Decimal

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from arrears.cases.models import Case, Queue


def yuan(fen: int | None) -> str:
    """Integer fen as the lists show it, in yuan with separators: 123456789 -> 1,234,567.89."""
    return "—" if fen is None else f"{Decimal(fen) / 100:,.2f}"


@admin.register(Queue)
class QueueAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = (
        "name",
        "team",
        "rank",
        "treatment",
        "serving_order",
        "min_bucket",
        "max_bucket",
        "lowest_balance",
        "highest_balance",
        "product",
        "language",
        "region",
        "active",
    )
    list_editable = ("rank", "treatment", "serving_order", "active")
    list_filter = ("treatment", "serving_order", "active")

    @admin.display(description=_("lowest balance (yuan)"), ordering="min_balance_fen")
    def lowest_balance(self, obj: Queue) -> str:
        return yuan(obj.min_balance_fen)

    @admin.display(description=_("highest balance (yuan)"), ordering="max_balance_fen")
    def highest_balance(self, obj: Queue) -> str:
        return yuan(obj.max_balance_fen)


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("id", "customer", "status", "worst_bucket", "dpd", "past_due", "team", "collector")
    list_filter = ("status", "worst_bucket", "team")
    raw_id_fields = ("customer", "collector", "lease_holder")

    @admin.display(description=_("past due (yuan)"), ordering="past_due_fen")
    def past_due(self, obj: Case) -> str:
        return yuan(obj.past_due_fen)

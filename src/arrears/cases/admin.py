from django.contrib import admin

from arrears.cases.models import Case, Queue


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
        "min_balance_fen",
        "max_balance_fen",
        "product",
        "language",
        "region",
        "active",
    )
    list_editable = ("rank", "treatment", "serving_order", "active")
    list_filter = ("treatment", "serving_order", "active")


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("id", "customer", "status", "worst_bucket", "dpd", "past_due_fen", "team", "collector")
    list_filter = ("status", "worst_bucket", "team")
    raw_id_fields = ("customer", "collector", "lease_holder")

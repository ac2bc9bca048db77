from django.contrib import admin

from arrears.concessions.models import ApprovalRequest, AuthorityRule, Concession, TeamBudget


@admin.register(AuthorityRule)
class AuthorityRuleAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = (
        "id",
        "role",
        "product",
        "min_bucket",
        "max_bucket",
        "kind",
        "max_amount_fen",
        "max_share",
        "max_days",
        "active",
    )
    list_filter = ("role", "kind", "active", "product")
    list_editable = ("max_amount_fen", "max_share", "max_days", "active")


@admin.register(TeamBudget)
class TeamBudgetAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("team", "month", "limit_fen", "spent_fen")
    list_filter = ("team", "month")
    readonly_fields = ("spent_fen",)


@admin.register(Concession)
class ConcessionAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Read-only: concessions are requested, granted and reversed through their operations."""

    list_display = (
        "id",
        "kind",
        "status",
        "case",
        "account",
        "amount_fen",
        "days",
        "cost_fen",
        "rule",
        "requested_by",
        "requested_on",
        "granted_on",
    )
    list_filter = ("kind", "status", "reason")

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(ApprovalRequest)
class ApprovalRequestAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("id", "concession", "maker", "to_role", "status", "requested_on", "expires_on", "checker")
    list_filter = ("status", "to_role")

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

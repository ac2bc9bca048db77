from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from arrears.cases.admin import yuan
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
    list_display = ("team", "month", "limit", "spent")
    list_filter = ("team", "month")
    readonly_fields = ("spent_fen",)

    @admin.display(description=_("budget (yuan)"), ordering="limit_fen")
    def limit(self, obj: TeamBudget) -> str:
        return yuan(obj.limit_fen)

    @admin.display(description=_("spent (yuan)"), ordering="spent_fen")
    def spent(self, obj: TeamBudget) -> str:
        return yuan(obj.spent_fen)


@admin.register(Concession)
class ConcessionAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Read-only: concessions are requested, granted and reversed through their operations."""

    list_display = (
        "id",
        "kind",
        "status",
        "case",
        "account",
        "amount",
        "days",
        "cost",
        "rule",
        "requested_by",
        "requested_on",
        "granted_on",
    )
    list_filter = ("kind", "status", "reason")

    @admin.display(description=_("amount (yuan)"), ordering="amount_fen")
    def amount(self, obj: Concession) -> str:
        return yuan(obj.amount_fen)

    @admin.display(description=_("cost (yuan)"), ordering="cost_fen")
    def cost(self, obj: Concession) -> str:
        return yuan(obj.cost_fen)

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

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from arrears.ledger.models import OutboundInstruction
from arrears.ledger.outbound import amount_text


@admin.register(OutboundInstruction)
class OutboundInstructionAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Host-feed mode: what was sent to the card host and what it answered. Read-only: instructions are
    written by the ledger door, exported by `arrears feed export` and answered by the host's feed."""

    list_display = (
        "id",
        "business_date",
        "account",
        "kind",
        "component",
        "amount",
        "status",
        "file_name",
        "answered_on",
        "host_reference",
        "reason",
    )
    list_filter = ("status", "kind", "business_date")
    search_fields = ("account__number", "host_reference")
    list_select_related = ("account",)
    exclude = ("entry",)  # the entry's own words are the ledger's codes; its kind and amount are shown
    date_hierarchy = "business_date"

    @admin.display(description=_("amount (yuan)"), ordering="amount_fen")
    def amount(self, obj: OutboundInstruction) -> str:
        return amount_text(obj.amount_fen)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

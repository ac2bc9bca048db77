from django.contrib import admin

from arrears.holds.models import AmountHold, ChannelOptOut, ContactConsent, Hold


@admin.register(Hold)
class HoldAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("customer", "kind", "starts_on", "ends_on", "lifted_at", "reason")
    list_filter = ("kind",)
    raw_id_fields = ("customer", "set_by", "lifted_by")

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False  # set and lift through the operations, which audit


admin.site.register(ChannelOptOut)
admin.site.register(ContactConsent)


@admin.register(AmountHold)
class AmountHoldAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("account", "amount_fen", "starts_on", "ends_on", "lifted_at", "reason")
    raw_id_fields = ("customer", "account")

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False  # set and lift through the operations, which audit

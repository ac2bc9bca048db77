from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgerConfig(AppConfig):
    name = "arrears.ledger"
    verbose_name = _("Card ledger")

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from arrears.ledger import immutability
        from arrears.money import enable_float_trap

        enable_float_trap()
        connection_created.connect(immutability.register, dispatch_uid="arrears_ledger_locked")

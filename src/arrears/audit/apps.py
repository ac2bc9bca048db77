from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "arrears.audit"
    verbose_name = _("Audit trail")

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from arrears.audit import immutability

        connection_created.connect(immutability.register, dispatch_uid="arrears_audit_locked")

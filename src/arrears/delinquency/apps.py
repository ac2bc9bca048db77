from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DelinquencyConfig(AppConfig):
    name = "arrears.delinquency"
    verbose_name = _("Delinquency")

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HoldsConfig(AppConfig):
    name = "arrears.holds"
    verbose_name = _("Holds, opt-outs and consents")

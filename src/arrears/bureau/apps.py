from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BureauConfig(AppConfig):
    name = "arrears.bureau"
    verbose_name = _("Credit reporting")

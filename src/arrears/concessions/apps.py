from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConcessionsConfig(AppConfig):
    name = "arrears.concessions"
    verbose_name = _("Concessions")

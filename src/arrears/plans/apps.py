from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "arrears.plans"
    verbose_name = _("Repayment plans")

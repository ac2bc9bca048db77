from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LoginsConfig(AppConfig):
    name = "arrears.logins"
    verbose_name = _("Sign-in throttling")

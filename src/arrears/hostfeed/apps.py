from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HostFeedConfig(AppConfig):
    name = "arrears.hostfeed"
    verbose_name = _("Card host feed")

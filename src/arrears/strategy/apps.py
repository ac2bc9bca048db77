from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StrategyConfig(AppConfig):
    name = "arrears.strategy"
    verbose_name = _("Treatment strategies")

    def ready(self) -> None:
        from arrears.strategy import carry

        carry.install()

from django.apps import AppConfig


class OutreachConfig(AppConfig):
    name = "arrears.outreach"

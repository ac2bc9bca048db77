from django.apps import AppConfig


class ConcessionsConfig(AppConfig):
    name = "arrears.concessions"

from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "arrears.cases"

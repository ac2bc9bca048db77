from django.apps import AppConfig


class ComplianceConfig(AppConfig):
    name = "arrears.compliance"

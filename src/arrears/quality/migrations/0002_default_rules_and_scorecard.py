"""The default sampling rules and the first scorecard version (edited later in the admin)."""

from decimal import Decimal
from typing import Any

from django.db import migrations

# Random 5 % of each collector's contacts a day (seed 1); every complaint's and every gate flag's
# contacts; a new collector's first 20 contacts.
RULES = [
    {"kind": "random", "percent": Decimal("5.00"), "seed": 1},
    {"kind": "complaint"},
    {"kind": "gate_flag"},
    {"kind": "new_collector", "first_n": 20},
]
# Version 1: identification 20, no prohibited wording 30 (critical), amounts 20, empathy 15, offer 15.
WEIGHTS = {
    "weight_identification": 20,
    "weight_wording": 30,
    "weight_amounts": 20,
    "weight_empathy": 15,
    "weight_offer": 15,
}


def seed(apps: Any, schema_editor: Any) -> None:
    rule = apps.get_model("quality", "SamplingRule")
    for values in RULES:
        rule.objects.get_or_create(kind=values["kind"], defaults=values)
    apps.get_model("quality", "Scorecard").objects.get_or_create(version=1, defaults=WEIGHTS)


def unseed(apps: Any, schema_editor: Any) -> None:
    apps.get_model("quality", "SamplingRule").objects.all().delete()
    apps.get_model("quality", "Scorecard").objects.filter(version=1).delete()


class Migration(migrations.Migration):
    dependencies = [("quality", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]

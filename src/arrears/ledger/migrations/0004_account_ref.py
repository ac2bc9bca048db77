"""Accounts get an internal reference, so that URLs, look-ups and links never carry the card number."""

from typing import Any

from django.db import migrations, models

import arrears.kernel.pan


def backfill(apps: Any, schema_editor: Any) -> None:
    Account = apps.get_model("ledger", "Account")
    used: set[str] = set()
    batch: list[Any] = []
    for account in Account.objects.filter(ref__isnull=True).only("id").order_by("id").iterator(chunk_size=5000):
        ref = arrears.kernel.pan.new_account_ref()
        while ref in used:
            ref = arrears.kernel.pan.new_account_ref()
        used.add(ref)
        account.ref = ref
        batch.append(account)
        if len(batch) == 5000:
            Account.objects.bulk_update(batch, ["ref"])
            batch = []
    Account.objects.bulk_update(batch, ["ref"])


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0003_plan_component"),
    ]

    operations = [
        migrations.AddField(
            model_name="account",
            name="ref",
            field=models.CharField(max_length=16, null=True, editable=False, verbose_name="account reference"),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]

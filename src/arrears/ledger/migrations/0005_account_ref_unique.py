"""The account reference, once every account has one, is unique and set on creation (its own
migration: PostgreSQL cannot build the index in the transaction that filled the column)."""

from django.db import migrations, models

import arrears.kernel.pan


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0004_account_ref"),
    ]

    operations = [
        migrations.AlterField(
            model_name="account",
            name="ref",
            field=models.CharField(
                default=arrears.kernel.pan.new_account_ref,
                editable=False,
                max_length=16,
                unique=True,
                verbose_name="account reference",
            ),
        ),
        migrations.AlterField(
            model_name="account",
            name="number",
            field=models.CharField(max_length=32, unique=True, verbose_name="card number"),
        ),
    ]

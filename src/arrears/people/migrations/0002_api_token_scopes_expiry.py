"""API tokens gain scopes, an expiry and the time of their last use.

Tokens issued before this could only read (every write was refused by the CSRF check), so they keep
`read`, and they expire ARREARS_API_TOKEN_DAYS after this migration: their holders get a grace period,
then need a new token with the scopes they need."""

import datetime as dt

from django.conf import settings
from django.db import migrations, models

from arrears.kernel import clock


def read_only_with_an_expiry(apps, schema_editor):
    ApiToken = apps.get_model("people", "ApiToken")
    expires = clock.now() + dt.timedelta(days=settings.ARREARS_API_TOKEN_DAYS)
    ApiToken.objects.update(scopes=["read"], expires_at=expires)


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0001_initial"),
    ]

    operations = [
        migrations.AddField(model_name="apitoken", name="scopes", field=models.JSONField(default=list)),
        migrations.AddField(model_name="apitoken", name="expires_at", field=models.DateTimeField(null=True)),
        migrations.AddField(
            model_name="apitoken", name="last_used_at", field=models.DateTimeField(blank=True, null=True)
        ),
        migrations.RunPython(read_only_with_an_expiry, migrations.RunPython.noop),
        migrations.AlterField(model_name="apitoken", name="expires_at", field=models.DateTimeField()),
    ]

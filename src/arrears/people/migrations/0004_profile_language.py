from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0003_reveal_permissions"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="profile",
            options={"verbose_name": "staff profile", "verbose_name_plural": "staff profiles"},
        ),
        migrations.AddField(
            model_name="profile",
            name="language",
            field=models.CharField(blank=True, default="", max_length=10, verbose_name="language of the pages"),
        ),
    ]

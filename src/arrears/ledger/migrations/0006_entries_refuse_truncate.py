"""PostgreSQL refuses TRUNCATE of the ledger's entries too (its row triggers do not fire on it).

A session that has set `arrears.harness_truncate` to `on` is let through: the test harness only
(arrears/audit/immutability.py). SQLite has no TRUNCATE.
"""

from django.db import migrations


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            """
            CREATE OR REPLACE FUNCTION ledger_entry_no_truncate() RETURNS trigger AS $$
            BEGIN
                IF current_setting('arrears.harness_truncate', true) = 'on' THEN RETURN NULL; END IF;
                RAISE EXCEPTION 'ledger entries are immutable: TRUNCATE of % refused', TG_TABLE_NAME;
            END;
            $$ LANGUAGE plpgsql;
            CREATE TRIGGER ledger_entry_no_truncate BEFORE TRUNCATE ON ledger_entry
            FOR EACH STATEMENT EXECUTE FUNCTION ledger_entry_no_truncate();
            """,
            params=None,  # no placeholders: the % is PL/pgSQL's
        )


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "DROP TRIGGER IF EXISTS ledger_entry_no_truncate ON ledger_entry;"
            "DROP FUNCTION IF EXISTS ledger_entry_no_truncate();"
        )


class Migration(migrations.Migration):
    dependencies = [("ledger", "0005_account_ref_unique")]
    operations = [migrations.RunPython(create_trigger, drop_trigger)]

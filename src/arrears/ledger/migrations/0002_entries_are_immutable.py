"""Ledger entries can be neither changed nor deleted: the database itself refuses."""

from django.db import migrations


def create_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(
            """
            CREATE OR REPLACE FUNCTION ledger_entry_immutable() RETURNS trigger AS $$
            BEGIN RAISE EXCEPTION 'ledger entries are immutable; post a reversal instead'; END;
            $$ LANGUAGE plpgsql;
            CREATE TRIGGER ledger_entry_no_update BEFORE UPDATE OR DELETE ON ledger_entry
            FOR EACH ROW EXECUTE FUNCTION ledger_entry_immutable();
            """
        )
    elif vendor == "sqlite":
        for event in ("UPDATE", "DELETE"):
            schema_editor.execute(
                f"CREATE TRIGGER ledger_entry_no_{event.lower()} BEFORE {event} ON ledger_entry "
                "WHEN arrears_ledger_locked() "
                "BEGIN SELECT RAISE(ABORT, 'ledger entries are immutable; post a reversal instead'); END;"
            )


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP TRIGGER IF EXISTS ledger_entry_no_update ON ledger_entry;")
    else:
        for event in ("update", "delete"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS ledger_entry_no_{event};")


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial")]
    operations = [migrations.RunPython(create_triggers, drop_triggers)]

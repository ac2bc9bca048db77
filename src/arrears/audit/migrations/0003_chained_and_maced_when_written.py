"""Every entry chained and MAC-ed when written, in per-writer chains, anchored; the database refuses
to change or remove the trail (docs/architecture.md, "The audit trail").

Entries written before this migration, sealed or not, become one chain (in id order), MAC-ed now.
"""

import dataclasses
import secrets

import django.db.models.deletion
from django.db import migrations, models

REFUSED = "the audit trail is append-only"


def chain_existing_entries(apps, schema_editor):
    # The chaining code itself, so that these entries verify as any other; nothing else imports it.
    from arrears.audit import operations
    from arrears.kernel import clock, sql

    entry_model = apps.get_model("audit", "AuditEntry")
    chain_model = apps.get_model("audit", "AuditChain")
    using = schema_editor.connection.alias
    entries = entry_model.objects.using(using).order_by("id")
    if not entries.exists():
        return
    key = operations._key()
    head = operations._Head(chain_id=0, token=secrets.token_hex(16), seq=0, hash=operations.GENESIS)
    chain = chain_model.objects.using(using).create(
        writer="migration: the entries written before chains", token=head.token, created_at=clock.now(), hash=""
    )
    head = dataclasses.replace(head, chain_id=chain.pk)
    last_id = 0
    while batch := list(entries.filter(id__gt=last_id)[:5000]):
        head = operations._link(key, head, batch)
        for entry in batch:
            entry.chain_id = chain.pk
        sql.update_objects(batch, ["chain", "seq", "prev_hash", "hash"])
        last_id = batch[-1].id
    chain_model.objects.using(using).filter(pk=chain.pk).update(
        seq=head.seq, hash=head.hash, mac=operations._head_mac(key, head.token, head.seq, head.hash)
    )


POSTGRESQL = f"""
CREATE OR REPLACE FUNCTION audit_append_only() RETURNS trigger AS $$
BEGIN RAISE EXCEPTION '{REFUSED}: % of % refused', TG_OP, TG_TABLE_NAME; END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_entry_append_only BEFORE UPDATE OR DELETE ON audit_auditentry
FOR EACH ROW EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_anchor_append_only BEFORE UPDATE OR DELETE ON audit_auditanchor
FOR EACH ROW EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_chain_kept BEFORE DELETE ON audit_auditchain
FOR EACH ROW EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_chain_forward_only BEFORE UPDATE ON audit_auditchain
FOR EACH ROW WHEN (NEW.seq < OLD.seq OR NEW.id <> OLD.id OR NEW.token <> OLD.token)
EXECUTE FUNCTION audit_append_only();

-- The test harness alone sets arrears.harness_truncate (arrears/audit/immutability.py).
CREATE OR REPLACE FUNCTION audit_no_truncate() RETURNS trigger AS $$
BEGIN
    IF current_setting('arrears.harness_truncate', true) = 'on' THEN RETURN NULL; END IF;
    RAISE EXCEPTION '{REFUSED}: TRUNCATE of % refused', TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_entry_no_truncate BEFORE TRUNCATE ON audit_auditentry
FOR EACH STATEMENT EXECUTE FUNCTION audit_no_truncate();
CREATE TRIGGER audit_anchor_no_truncate BEFORE TRUNCATE ON audit_auditanchor
FOR EACH STATEMENT EXECUTE FUNCTION audit_no_truncate();
CREATE TRIGGER audit_chain_no_truncate BEFORE TRUNCATE ON audit_auditchain
FOR EACH STATEMENT EXECUTE FUNCTION audit_no_truncate();
"""

SQLITE = [
    (name, f"BEFORE {event} ON {table} WHEN arrears_audit_locked(){condition}")
    for name, event, table, condition in [
        ("audit_entry_no_update", "UPDATE", "audit_auditentry", ""),
        ("audit_entry_no_delete", "DELETE", "audit_auditentry", ""),
        ("audit_anchor_no_update", "UPDATE", "audit_auditanchor", ""),
        ("audit_anchor_no_delete", "DELETE", "audit_auditanchor", ""),
        ("audit_chain_kept", "DELETE", "audit_auditchain", ""),
        (
            "audit_chain_forward_only",
            "UPDATE",
            "audit_auditchain",
            " AND (NEW.seq < OLD.seq OR NEW.id <> OLD.id OR NEW.token <> OLD.token)",
        ),
    ]
]


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRESQL, params=None)  # no placeholders: the % are PL/pgSQL's
    elif schema_editor.connection.vendor == "sqlite":
        for name, when in SQLITE:
            schema_editor.execute(f"CREATE TRIGGER {name} {when} BEGIN SELECT RAISE(ABORT, '{REFUSED}'); END;")


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name, table in [
            ("audit_entry_append_only", "audit_auditentry"),
            ("audit_anchor_append_only", "audit_auditanchor"),
            ("audit_chain_kept", "audit_auditchain"),
            ("audit_chain_forward_only", "audit_auditchain"),
            ("audit_entry_no_truncate", "audit_auditentry"),
            ("audit_anchor_no_truncate", "audit_auditanchor"),
            ("audit_chain_no_truncate", "audit_auditchain"),
        ]:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table};")
        schema_editor.execute(
            "DROP FUNCTION IF EXISTS audit_append_only(); DROP FUNCTION IF EXISTS audit_no_truncate();"
        )
    elif schema_editor.connection.vendor == "sqlite":
        for name, _ in SQLITE:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name};")


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_audit_sealed_later")]

    operations = [
        migrations.CreateModel(
            name="AuditChain",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("writer", models.CharField(max_length=200)),
                ("token", models.CharField(max_length=32)),
                ("created_at", models.DateTimeField()),
                ("seq", models.BigIntegerField(default=0)),
                ("hash", models.CharField(max_length=64)),
                ("mac", models.CharField(max_length=64)),
            ],
            options={"verbose_name": "audit chain"},
        ),
        migrations.CreateModel(
            name="AuditAnchor",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("seq", models.BigIntegerField(unique=True)),
                ("at", models.DateTimeField()),
                ("heads", models.JSONField()),
                ("prev_mac", models.CharField(max_length=64)),
                ("mac", models.CharField(max_length=64)),
            ],
            options={"verbose_name": "audit anchor"},
        ),
        migrations.RemoveIndex(model_name="auditentry", name="audit_unsealed"),
        migrations.AlterField(model_name="auditentry", name="seq", field=models.BigIntegerField(null=True)),
        migrations.AlterField(model_name="auditentry", name="hash", field=models.CharField(max_length=64)),
        migrations.AlterField(model_name="auditentry", name="prev_hash", field=models.CharField(max_length=64)),
        migrations.AddField(
            model_name="auditentry",
            name="chain",
            field=models.ForeignKey(
                null=True,
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="audit.auditchain",
            ),
        ),
        migrations.RunPython(chain_existing_entries, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="auditentry",
            name="chain",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="audit.auditchain",
            ),
        ),
        migrations.AlterField(model_name="auditentry", name="seq", field=models.BigIntegerField()),
        migrations.AddConstraint(
            model_name="auditentry",
            constraint=models.UniqueConstraint(fields=("chain", "seq"), name="audit_place_in_chain"),
        ),
        migrations.DeleteModel(name="AuditHead"),
        migrations.RunPython(create_triggers, drop_triggers),
    ]

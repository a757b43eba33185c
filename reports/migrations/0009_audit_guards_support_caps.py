"""The audit guards of migration 0008 on the support caps' history (programmes 0018): re-applied to
every history table (the statements are idempotent), so the new one refuses UPDATE and DELETE too."""

from django.db import migrations

from programmes.audit import append_only_sql, history_tables

NEW_HISTORY = "programmes_historicalsupportcap"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in append_only_sql(history_tables(apps.get_models())):
        schema_editor.execute(statement, params=None)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP TRIGGER IF EXISTS {NEW_HISTORY}_kept_as_written ON {NEW_HISTORY};", params=None)
    schema_editor.execute(
        f"ALTER TABLE {NEW_HISTORY} DROP CONSTRAINT IF EXISTS {NEW_HISTORY}_names_its_author;", params=None
    )


class Migration(migrations.Migration):
    dependencies = [
        ("programmes", "0018_support_caps"),
        ("reports", "0008_audit_guards"),
    ]

    operations = [migrations.RunPython(create, drop)]

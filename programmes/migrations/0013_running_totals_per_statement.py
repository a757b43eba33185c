"""On PostgreSQL, keep the running totals per statement instead of per row.

Migration 0002's triggers update the đề án once for every payment or beneficiary written; a bulk
insert of 10.000 payments wrote 10.000 new versions of the đề án rows and of their indexes. The
statement triggers (programmes.triggers) sum the statement's rows by đề án and update each đề án
once, in the same statement, so the CHECK constraints and the row lock hold as before. SQLite has
row triggers only and keeps them.
"""

from django.db import migrations

from programmes.triggers import TOTALS, create_sql, drop_sql


def _run(schema_editor, statements):
    for statement in statements:
        schema_editor.execute(statement)


def per_statement(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    _run(schema_editor, drop_sql("postgresql") + create_sql("postgresql", digest=False))
    _run(schema_editor, [f"DROP FUNCTION IF EXISTS {table}_sync_total();" for table, _a, _t in TOTALS])


def per_row(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    _run(schema_editor, drop_sql("postgresql") + create_sql("postgresql", per_row=True, digest=False))
    _run(
        schema_editor,
        [
            f"DROP FUNCTION IF EXISTS {table}_total_{event}();"
            for table, _a, _t in TOTALS
            for event in ("insert", "delete", "update")
        ],
    )


class Migration(migrations.Migration):
    dependencies = [("programmes", "0012_payments_by_plan_and_content")]

    operations = [migrations.RunPython(per_statement, per_row)]

"""Keep Project.disbursed_amount and Project.beneficiary_support equal to the sums of their rows.

The totals are written by the database itself, in the same statement as the disbursement or
beneficiary row, so the CHECK constraints on the project row (total ≤ kc_support) refuse any
write that would overspend, whoever makes it. On PostgreSQL the UPDATE of the project row also
takes its row lock: two concurrent disbursements on one đề án are serialised there and the second
is checked against the first's total.

SQLite drops a table's triggers when Django rebuilds that table in a later migration; the
invariant tests (tests/test_invariants.py) fail if that ever happens.
"""

from django.db import migrations

from programmes.triggers import create_sql, drop_sql


def create_triggers(apps, schema_editor):
    for statement in create_sql(schema_editor.connection.vendor, per_row=True, digest=False):
        schema_editor.execute(statement)


def drop_triggers(apps, schema_editor):
    for statement in drop_sql(schema_editor.connection.vendor):
        schema_editor.execute(statement)
    if schema_editor.connection.vendor == "postgresql":
        for table in ("programmes_disbursement", "programmes_beneficiary"):
            schema_editor.execute(f"DROP FUNCTION IF EXISTS {table}_sync_total();")


class Migration(migrations.Migration):
    dependencies = [("programmes", "0001_initial")]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]

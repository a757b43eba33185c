"""An audit trail nobody can rewrite, and the period lock at the database (issue 20, point 5).

PostgreSQL only (`programmes.audit`): the history tables, the rows an import wrote, the issued
reports, their signed copies and the Ministry's answers refuse UPDATE and DELETE; an import batch
moves forward only; a period lock may only be ended, once, with a reason; a new history row names
its author or its process; a payment or an adjustment inside a locked period is refused. In this
app because the lock's table is here; the guarded tables of the register and the imports exist by
the dependencies below. SQLite keeps the Python rules only.
"""

from django.db import migrations

from programmes.audit import (
    append_only_drop_sql,
    append_only_sql,
    history_tables,
    period_lock_drop_sql,
    period_lock_sql,
)


def _histories(apps) -> list[str]:
    return history_tables(apps.get_models())


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in append_only_sql(_histories(apps)) + period_lock_sql():
        schema_editor.execute(statement, params=None)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in period_lock_drop_sql() + append_only_drop_sql(_histories(apps)):
        schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("programmes", "0016_payments_digest"),
        ("imports", "0001_batches"),
        ("reports", "0007_signed_reports"),
    ]

    operations = [migrations.RunPython(create, drop)]

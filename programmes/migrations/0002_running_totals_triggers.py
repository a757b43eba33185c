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

TOTALS = [
    # (child table, child amount column, project column)
    ("programmes_disbursement", "amount", "disbursed_amount"),
    ("programmes_beneficiary", "support_amount", "beneficiary_support"),
]


def postgres_sql(table, amount, total):
    return [
        f"""
        CREATE OR REPLACE FUNCTION {table}_sync_total() RETURNS trigger AS $$
        BEGIN
            IF TG_OP IN ('UPDATE', 'DELETE') THEN
                UPDATE programmes_project SET {total} = {total} - OLD.{amount} WHERE id = OLD.project_id;
            END IF;
            IF TG_OP IN ('INSERT', 'UPDATE') THEN
                UPDATE programmes_project SET {total} = {total} + NEW.{amount} WHERE id = NEW.project_id;
            END IF;
            RETURN NULL;
        END
        $$ LANGUAGE plpgsql;
        """,
        f"""
        CREATE TRIGGER {table}_sync_total
        AFTER INSERT OR DELETE OR UPDATE OF {amount}, project_id ON {table}
        FOR EACH ROW EXECUTE FUNCTION {table}_sync_total();
        """,
    ]


def sqlite_sql(table, amount, total):
    add = f"UPDATE programmes_project SET {total} = {total} + NEW.{amount} WHERE id = NEW.project_id;"
    sub = f"UPDATE programmes_project SET {total} = {total} - OLD.{amount} WHERE id = OLD.project_id;"
    return [
        f"CREATE TRIGGER {table}_total_insert AFTER INSERT ON {table} BEGIN {add} END;",
        f"CREATE TRIGGER {table}_total_delete AFTER DELETE ON {table} BEGIN {sub} END;",
        f"CREATE TRIGGER {table}_total_update AFTER UPDATE OF {amount}, project_id ON {table} "
        f"BEGIN {sub} {add} END;",
    ]


def drop_sql(vendor, table):
    if vendor == "postgresql":
        return [
            f"DROP TRIGGER IF EXISTS {table}_sync_total ON {table};",
            f"DROP FUNCTION IF EXISTS {table}_sync_total();",
        ]
    return [f"DROP TRIGGER IF EXISTS {table}_total_{op};" for op in ("insert", "delete", "update")]


def create_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor not in ("postgresql", "sqlite"):
        raise RuntimeError(f"running-total triggers are written for PostgreSQL and SQLite, not {vendor}")
    build = postgres_sql if vendor == "postgresql" else sqlite_sql
    for table, amount, total in TOTALS:
        for statement in build(table, amount, total):
            schema_editor.execute(statement)


def drop_triggers(apps, schema_editor):
    for table, _amount, _total in TOTALS:
        for statement in drop_sql(schema_editor.connection.vendor, table):
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("programmes", "0001_initial")]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]

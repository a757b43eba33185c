"""The triggers that keep a đề án's running totals (see migration 0002), as reusable SQL.

`running_totals_suspended()` lets a bulk loader that writes the totals itself (generate_data)
drop the triggers for the length of its transaction; they are created again before it commits.
"""

from __future__ import annotations

from contextlib import contextmanager

from django.db import connection as default_connection

TOTALS = [
    # (child table, child amount column, project column)
    ("programmes_disbursement", "amount", "disbursed_amount"),
    ("programmes_beneficiary", "support_amount", "beneficiary_support"),
]


def _postgres_create(table: str, amount: str, total: str) -> list[str]:
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


def _sqlite_create(table: str, amount: str, total: str) -> list[str]:
    add = f"UPDATE programmes_project SET {total} = {total} + NEW.{amount} WHERE id = NEW.project_id;"
    sub = f"UPDATE programmes_project SET {total} = {total} - OLD.{amount} WHERE id = OLD.project_id;"
    return [
        f"CREATE TRIGGER {table}_total_insert AFTER INSERT ON {table} BEGIN {add} END;",
        f"CREATE TRIGGER {table}_total_delete AFTER DELETE ON {table} BEGIN {sub} END;",
        f"CREATE TRIGGER {table}_total_update AFTER UPDATE OF {amount}, project_id ON {table} BEGIN {sub} {add} END;",
    ]


def _check_vendor(vendor: str) -> None:
    if vendor not in ("postgresql", "sqlite"):
        raise RuntimeError(f"running-total triggers are written for PostgreSQL and SQLite, not {vendor}")


def create_sql(vendor: str) -> list[str]:
    _check_vendor(vendor)
    build = _postgres_create if vendor == "postgresql" else _sqlite_create
    return [statement for table, amount, total in TOTALS for statement in build(table, amount, total)]


def drop_sql(vendor: str) -> list[str]:
    _check_vendor(vendor)
    if vendor == "postgresql":
        return [f"DROP TRIGGER IF EXISTS {table}_sync_total ON {table};" for table, _a, _t in TOTALS]
    return [
        f"DROP TRIGGER IF EXISTS {table}_total_{op};"
        for table, _a, _t in TOTALS
        for op in ("insert", "delete", "update")
    ]


@contextmanager
def running_totals_suspended(connection=default_connection):
    """Drop the running-total triggers inside the current transaction, and restore them."""
    if not connection.in_atomic_block:
        raise RuntimeError("Suspend the running-total triggers only inside a transaction.")
    with connection.cursor() as cursor:
        for statement in drop_sql(connection.vendor):
            cursor.execute(statement)
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            for statement in create_sql(connection.vendor):
                cursor.execute(statement)

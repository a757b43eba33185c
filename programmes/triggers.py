"""The database's own guards on money, as reusable SQL.

- The triggers that keep a đề án's running totals (migration 0002).
- On PostgreSQL, a guard that refuses any other write of those totals (migration 0007): only the
  triggers above, running one level down, may change them; a direct UPDATE is refused.
- The link from a payment to its beneficiary (migration 0007): a payment to a facility must name a
  beneficiary of its đề án, and a paid beneficiary can be neither deleted nor moved to another
  facility. On PostgreSQL a composite foreign key (project, facility) → beneficiary; on SQLite,
  which cannot add one to an existing table, triggers that do the same.

`running_totals_suspended()` lets a bulk loader that writes the totals itself (generate_data)
drop the total triggers and the guard for the length of its transaction; they are created again
before it commits.
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


GUARD_POSTGRES = [
    """
    CREATE OR REPLACE FUNCTION programmes_project_guard_totals() RETURNS trigger AS $$
    BEGIN
        -- The sync triggers write the totals from inside another trigger (depth 2 here).
        IF pg_trigger_depth() < 2 THEN
            IF TG_OP = 'INSERT' THEN
                IF NEW.disbursed_amount <> 0 OR NEW.beneficiary_support <> 0 THEN
                    RAISE EXCEPTION 'a new project starts with no money disbursed or allotted'
                        USING ERRCODE = 'check_violation';
                END IF;
            ELSIF NEW.disbursed_amount IS DISTINCT FROM OLD.disbursed_amount
               OR NEW.beneficiary_support IS DISTINCT FROM OLD.beneficiary_support THEN
                RAISE EXCEPTION 'disbursed_amount and beneficiary_support are kept by their triggers only'
                    USING ERRCODE = 'check_violation';
            END IF;
        END IF;
        RETURN NEW;
    END
    $$ LANGUAGE plpgsql;
    """,
    """
    CREATE TRIGGER programmes_project_guard_totals
    BEFORE INSERT OR UPDATE OF disbursed_amount, beneficiary_support ON programmes_project
    FOR EACH ROW EXECUTE FUNCTION programmes_project_guard_totals();
    """,
]
GUARD_POSTGRES_DROP = ["DROP TRIGGER IF EXISTS programmes_project_guard_totals ON programmes_project;"]


def guard_create_sql(vendor: str) -> list[str]:
    _check_vendor(vendor)
    return GUARD_POSTGRES if vendor == "postgresql" else []


def guard_drop_sql(vendor: str) -> list[str]:
    _check_vendor(vendor)
    return GUARD_POSTGRES_DROP if vendor == "postgresql" else []


_PAID = (
    "EXISTS (SELECT 1 FROM programmes_disbursement d "
    "WHERE d.project_id = OLD.project_id AND d.facility_id = OLD.facility_id)"
)
_NOT_A_BENEFICIARY = (
    "NEW.facility_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM programmes_beneficiary b "
    "WHERE b.project_id = NEW.project_id AND b.facility_id = NEW.facility_id)"
)


def beneficiary_link_create_sql(vendor: str) -> list[str]:
    _check_vendor(vendor)
    if vendor == "postgresql":
        return [
            """
            ALTER TABLE programmes_disbursement ADD CONSTRAINT disbursement_paid_to_a_beneficiary
            FOREIGN KEY (project_id, facility_id)
            REFERENCES programmes_beneficiary (project_id, facility_id)
            ON UPDATE RESTRICT ON DELETE RESTRICT;
            """,
        ]
    refuse = "SELECT RAISE(ABORT, 'disbursement_paid_to_a_beneficiary');"
    return [
        f"CREATE TRIGGER programmes_beneficiary_paid_delete BEFORE DELETE ON programmes_beneficiary "
        f"WHEN {_PAID} BEGIN {refuse} END;",
        f"CREATE TRIGGER programmes_beneficiary_paid_update BEFORE UPDATE OF project_id, facility_id "
        f"ON programmes_beneficiary WHEN (NEW.project_id IS NOT OLD.project_id OR NEW.facility_id IS NOT "
        f"OLD.facility_id) AND {_PAID} BEGIN {refuse} END;",
        f"CREATE TRIGGER programmes_disbursement_beneficiary_insert BEFORE INSERT ON programmes_disbursement "
        f"WHEN {_NOT_A_BENEFICIARY} BEGIN {refuse} END;",
        f"CREATE TRIGGER programmes_disbursement_beneficiary_update BEFORE UPDATE OF project_id, facility_id "
        f"ON programmes_disbursement WHEN {_NOT_A_BENEFICIARY} BEGIN {refuse} END;",
    ]


def beneficiary_link_drop_sql(vendor: str) -> list[str]:
    _check_vendor(vendor)
    if vendor == "postgresql":
        return ["ALTER TABLE programmes_disbursement DROP CONSTRAINT IF EXISTS disbursement_paid_to_a_beneficiary;"]
    return [
        f"DROP TRIGGER IF EXISTS {name};"
        for name in (
            "programmes_beneficiary_paid_delete",
            "programmes_beneficiary_paid_update",
            "programmes_disbursement_beneficiary_insert",
            "programmes_disbursement_beneficiary_update",
        )
    ]


@contextmanager
def running_totals_suspended(connection=default_connection):
    """Drop the running-total triggers and their guard inside the current transaction, and restore them."""
    if not connection.in_atomic_block:
        raise RuntimeError("Suspend the running-total triggers only inside a transaction.")
    vendor = connection.vendor
    with connection.cursor() as cursor:
        for statement in drop_sql(vendor) + guard_drop_sql(vendor):
            cursor.execute(statement)
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            for statement in create_sql(vendor) + guard_create_sql(vendor):
                cursor.execute(statement)

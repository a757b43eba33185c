"""The database's own guards on money, as reusable SQL.

- The triggers that keep a đề án's running totals (migration 0002; per statement on PostgreSQL
  since 0013).
- On PostgreSQL, a guard that refuses any other write of those totals (migration 0007): only the
  triggers above, running one level down, may change them; a direct UPDATE is refused.
- Where a row is filed (migration 0008): its province, unit of today and year equal its plan's or
  đề án's (`FILED_UNDER`).
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


def _postgres_create_per_row(table: str, amount: str, total: str) -> list[str]:
    """Migration 0002's triggers: one UPDATE of the đề án per row written (replaced by 0013)."""
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


def _postgres_create(table: str, amount: str, total: str) -> list[str]:
    """One UPDATE of the đề án rows per statement, from the statement's transition tables.

    A bulk insert of 10.000 payments updates each đề án once with the sum of its rows instead of
    10.000 times (each update writes a new version of the đề án row and of its indexes). The CHECK
    constraints on the đề án are tested on the summed total, at the end of the same statement, and
    the UPDATE takes the đề án's row lock as before. PostgreSQL allows a transition table only on a
    trigger for one event with no column list, hence three triggers; an UPDATE that moves no money
    updates no đề án.
    """
    moved = {
        "INSERT": f"SELECT project_id, {amount} AS delta FROM new_rows",
        "DELETE": f"SELECT project_id, -{amount} AS delta FROM old_rows",
        "UPDATE": (
            f"SELECT project_id, {amount} AS delta FROM new_rows UNION ALL SELECT project_id, -{amount} FROM old_rows"
        ),
    }
    transitions = {
        "INSERT": "NEW TABLE AS new_rows",
        "DELETE": "OLD TABLE AS old_rows",
        "UPDATE": "NEW TABLE AS new_rows OLD TABLE AS old_rows",
    }
    statements = []
    for event, rows in moved.items():
        function = f"{table}_total_{event.lower()}"
        statements += [
            f"""
            CREATE OR REPLACE FUNCTION {function}() RETURNS trigger AS $$
            BEGIN
                UPDATE programmes_project p SET {total} = p.{total} + moved.delta
                FROM (
                    SELECT project_id, sum(delta)::bigint AS delta FROM ({rows}) AS rows
                    GROUP BY project_id HAVING sum(delta) <> 0
                ) AS moved
                WHERE p.id = moved.project_id;
                RETURN NULL;
            END
            $$ LANGUAGE plpgsql;
            """,
            f"""
            CREATE TRIGGER {function} AFTER {event} ON {table}
            REFERENCING {transitions[event]}
            FOR EACH STATEMENT EXECUTE FUNCTION {function}();
            """,
        ]
    return statements


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


def create_sql(vendor: str, *, per_row: bool = False) -> list[str]:
    """The running-total triggers; on PostgreSQL per statement unless `per_row` (migration 0002's)."""
    _check_vendor(vendor)
    builders = {"sqlite": _sqlite_create, "postgresql": _postgres_create_per_row if per_row else _postgres_create}
    build = builders[vendor]  # SQLite has row triggers only
    return [statement for table, amount, total in TOTALS for statement in build(table, amount, total)]


def drop_sql(vendor: str) -> list[str]:
    """Drop the running-total triggers, whichever of the two PostgreSQL kinds is there."""
    _check_vendor(vendor)
    if vendor == "postgresql":
        return [
            f"DROP TRIGGER IF EXISTS {table}_{name} ON {table};"
            for table, _a, _t in TOTALS
            for name in ("sync_total", "total_insert", "total_delete", "total_update")
        ]
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


# --- Where a row is filed (migration 0008) ------------------------------------------------------
# (child table, columns on the child, parent table, the columns they must equal on the parent).
# A row's province, unit of today and year are its parent's: a plan's and a facility's unit of
# today is their province's, a đề án's and a plan line's are their plan's, and a payment's,
# beneficiary's, adjustment's and attachment's their đề án's (or plan's).
_FILED = ("province_id", "current_province_id", "year")
_FILED_IN = ("id", "province_id", "current_province_id", "year")
# As migration 0008 created it (0008 and 0010 use this list; the tables changed since).
FILED_UNDER_0008 = [
    ("programmes_plan", ("province_id", "current_province_id"), "programmes_province", ("id", "current_id")),
    ("programmes_facility", ("province_id", "current_province_id"), "programmes_province", ("id", "current_id")),
    ("programmes_planline", ("plan_id", *_FILED), "programmes_plan", _FILED_IN),
    ("programmes_project", ("plan_id", *_FILED), "programmes_plan", _FILED_IN),
    ("programmes_attachment", ("plan_id", *_FILED), "programmes_plan", _FILED_IN),
    ("programmes_projectadjustment", ("project_id", *_FILED), "programmes_project", _FILED_IN),
    ("programmes_beneficiary", ("project_id", *_FILED), "programmes_project", _FILED_IN),
    ("programmes_disbursement", ("project_id", *_FILED), "programmes_project", _FILED_IN),
    ("programmes_attachment", ("project_id", *_FILED), "programmes_project", _FILED_IN),
]
# Since migration 0012 a payment also carries its đề án's plan and activity content, so the
# reports' figures read payments without a join (reports.figures); the same key keeps them equal.
FILED_UNDER = [
    *(link for link in FILED_UNDER_0008 if link[0] != "programmes_disbursement"),
    (
        "programmes_disbursement",
        ("project_id", *_FILED, "plan_id", "content_id"),
        "programmes_project",
        (*_FILED_IN, "plan_id", "content_id"),
    ),
]
# Added with the outputs (migration 0011): an indicator is filed under its đề án or its plan.
FILED_UNDER_INDICATORS = [
    ("programmes_indicator", ("project_id", *_FILED), "programmes_project", _FILED_IN),
    ("programmes_indicator", ("plan_id", *_FILED), "programmes_plan", _FILED_IN),
]


def _filed_name(child: str, parent: str) -> str:
    return f"{child.removeprefix('programmes_')}_filed_as_{parent.removeprefix('programmes_')}"


def filed_under_create_sql(vendor: str, links=None) -> list[str]:
    """Keep each row's province and year equal to its parent's, whoever writes.

    PostgreSQL: a composite foreign key to the parent's (id, province, unit of today, year) with
    ON UPDATE CASCADE, so a row that disagrees with its parent is refused, and a parent that moves
    (a plan moved to another year, a unit merged into another) carries its rows along.
    SQLite, which cannot add a foreign key to an existing table: triggers that refuse a row that
    disagrees and copy a parent's change down.
    """
    _check_vendor(vendor)
    statements = []
    for child, columns, parent, keys in FILED_UNDER if links is None else links:
        name = _filed_name(child, parent)
        if vendor == "postgresql":
            statements.append(
                f"ALTER TABLE {child} ADD CONSTRAINT {name} FOREIGN KEY ({', '.join(columns)}) "
                f"REFERENCES {parent} ({', '.join(keys)}) ON UPDATE CASCADE ON DELETE NO ACTION;"
            )
            continue
        link, *copied = columns
        _parent_id, *sources = keys
        matches = " AND ".join(f"p.{key} = NEW.{column}" for column, key in zip(columns, keys, strict=True))
        disagrees = f"NEW.{link} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM {parent} p WHERE {matches})"
        refuse = f"SELECT RAISE(ABORT, '{name}');"
        assignments = ", ".join(f"{column} = NEW.{source}" for column, source in zip(copied, sources, strict=True))
        statements += [
            f"CREATE TRIGGER {name}_insert BEFORE INSERT ON {child} WHEN {disagrees} BEGIN {refuse} END;",
            f"CREATE TRIGGER {name}_update BEFORE UPDATE OF {', '.join(columns)} ON {child} "
            f"WHEN {disagrees} BEGIN {refuse} END;",
            f"CREATE TRIGGER {name}_cascade AFTER UPDATE OF {', '.join(sources)} ON {parent} "
            f"BEGIN UPDATE {child} SET {assignments} WHERE {link} = NEW.{_parent_id}; END;",
        ]
    return statements


def filed_under_drop_sql(vendor: str, links=None) -> list[str]:
    _check_vendor(vendor)
    links = FILED_UNDER if links is None else links
    if vendor == "postgresql":
        return [
            f"ALTER TABLE {child} DROP CONSTRAINT IF EXISTS {_filed_name(child, parent)};"
            for child, _c, parent, _k in links
        ]
    return [
        f"DROP TRIGGER IF EXISTS {_filed_name(child, parent)}_{suffix};"
        for child, _c, parent, _k in links
        for suffix in ("insert", "update", "cascade")
    ]

"""The audit trail nobody can rewrite: the database's guards, the serving role, and who wrote a row.

On PostgreSQL (reports migration 0008):

- **Kept as written.** The history tables of every register model, the rows an import wrote
  (`imports_importchange`), the issued reports with their frozen PDF and workbook, their signed
  copies and the Ministry's answers refuse UPDATE and DELETE, whoever sends them. An import batch
  moves forward only (previewed → imported → voided; what it was judged on, its file and its
  author never change), and only a batch that was never imported may be discarded. A period lock
  may only be passed on to a later version of its report, or ended, once, with its reason; it is
  never deleted.
- **Named.** A history row names its author (a user) or, failing one, the command or process that
  wrote it (`history_change_reason`); `name_unattributed` fills it in for writes outside a request.
- **The period lock.** A payment or an adjustment dated inside a period that an issued report
  locked is refused at the database, before and after the write, as `reports.locks` refuses it in
  Python (same rule: the lock's unit of today, and its unit of the time or of today).

The guards are triggers, so they hold only against a database user that does not own the tables:
the owner may drop or disable them (and a superuser can switch every trigger off). The app is
migrated by the owner and served by a role that owns nothing (`grant_serving_role`): it may read
and write rows through the guards, never ALTER, TRUNCATE, create triggers or change
`session_replication_role`. SQLite, a file anyone who can read it can rewrite, has none of this.

`append_only_suspended()` is the owner's tool for synthetic data (generate_data, the benchmark):
inside the caller's transaction, the guards let a member of the tables' owner delete.
"""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager

from django.db import connection as default_connection

from .triggers import statement_triggers

# Rows that are the record itself: kept exactly as they were written.
KEPT_AS_WRITTEN = (
    "imports_importchange",
    "reports_issuedreport",
    "reports_signedreport",
    "reports_reportreview",
)
# Tables whose rows are judged by a rule of their own (`_GUARDED`).
BATCHES = "imports_importbatch"
LOCKS = "reports_periodlock"
# (table, its date column): money the period lock holds at the database.
LOCKED_MONEY = (
    ("programmes_disbursement", "paid_on"),
    ("programmes_projectadjustment", "effective_on"),
)
# The SQLSTATE of every refusal: restrict_violation, which Django raises as an IntegrityError.
REFUSED = "23001"


def history_tables(models) -> list[str]:
    """The history tables among `models` (django-simple-history's `Historical…` models)."""
    return sorted(
        model._meta.db_table
        for model in models
        if model.__name__.startswith("Historical") and hasattr(model, "history_change_reason")
    )


# The owner's sanctioned clearing of synthetic rows (`append_only_suspended`): a setting anyone may
# set, honoured only for a member of the table's owner (the serving role is none).
_OWNER_CLEARS = (
    "current_setting('khuyencong.owner_clears', true) = 'on'"
    " AND pg_has_role(current_user, (SELECT relowner FROM pg_class WHERE oid = TG_RELID), 'MEMBER')"
)

_REFUSE = f"""
CREATE OR REPLACE FUNCTION khuyencong_kept_as_written() RETURNS trigger AS $$
BEGIN
    IF {_OWNER_CLEARS} THEN
        IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'khuyencong: % rows are kept as written (% refused)', TG_TABLE_NAME, TG_OP
        USING ERRCODE = '{REFUSED}';
END
$$ LANGUAGE plpgsql;
"""

_BATCH = f"""
CREATE OR REPLACE FUNCTION khuyencong_batch_forward() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.status = 'previewed' OR {_OWNER_CLEARS} THEN
            RETURN OLD;
        END IF;
        RAISE EXCEPTION 'khuyencong: import batch % was imported and is kept', OLD.id USING ERRCODE = '{REFUSED}';
    END IF;
    IF (NEW.id, NEW.kind, NEW.user_id, NEW.source, NEW.current_province_id, NEW.file_name, NEW.sha256,
        NEW.created_at) IS DISTINCT FROM
       (OLD.id, OLD.kind, OLD.user_id, OLD.source, OLD.current_province_id, OLD.file_name, OLD.sha256,
        OLD.created_at)
       OR NEW.file_data IS DISTINCT FROM OLD.file_data THEN
        RAISE EXCEPTION 'khuyencong: import batch % keeps its file and author', OLD.id USING ERRCODE = '{REFUSED}';
    END IF;
    IF OLD.status = 'previewed' AND NEW.status IN ('previewed', 'imported') THEN
        RETURN NEW;  -- checked again, or imported: the counts and findings of the check change
    END IF;
    IF OLD.status = 'imported' AND NEW.status = 'voided'
       AND (NEW.imported_at, NEW.rows, NEW.created, NEW.updated, NEW.unchanged, NEW.summary::text, NEW.errors::text)
           IS NOT DISTINCT FROM
           (OLD.imported_at, OLD.rows, OLD.created, OLD.updated, OLD.unchanged, OLD.summary::text, OLD.errors::text)
       AND NEW.voided_at IS NOT NULL AND NEW.void_reason <> '' THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'khuyencong: import batch % cannot go from % to %', OLD.id, OLD.status, NEW.status
        USING ERRCODE = '{REFUSED}';
END
$$ LANGUAGE plpgsql;
"""

_LOCK = f"""
CREATE OR REPLACE FUNCTION khuyencong_lock_ends_once() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.unlocked_at IS NULL AND NEW.unlocked_at IS NOT NULL AND NEW.unlock_reason <> ''
       AND (NEW.id, NEW.issued_report_id, NEW.province_id, NEW.current_province_id, NEW.date_from,
            NEW.date_until, NEW.year, NEW.locked_at) IS NOT DISTINCT FROM
           (OLD.id, OLD.issued_report_id, OLD.province_id, OLD.current_province_id, OLD.date_from,
            OLD.date_until, OLD.year, OLD.locked_at) THEN
        RETURN NEW;
    END IF;
    IF TG_OP = 'UPDATE' AND OLD.unlocked_at IS NULL AND NEW.unlocked_at IS NULL
       AND (NEW.id, NEW.province_id, NEW.current_province_id, NEW.date_from, NEW.date_until, NEW.year,
            NEW.locked_at, NEW.unlocked_by_id, NEW.unlock_reason) IS NOT DISTINCT FROM
           (OLD.id, OLD.province_id, OLD.current_province_id, OLD.date_from, OLD.date_until, OLD.year,
            OLD.locked_at, OLD.unlocked_by_id, OLD.unlock_reason)
       AND (NEW.issued_report_id = OLD.issued_report_id OR EXISTS (
            SELECT 1 FROM reports_issuedreport later JOIN reports_issuedreport earlier
            ON earlier.report_id = later.report_id AND earlier.version < later.version
            WHERE later.id = NEW.issued_report_id AND earlier.id = OLD.issued_report_id)) THEN
        RETURN NEW;  -- unchanged, or passed on to a later version of the same report
    END IF;
    RAISE EXCEPTION 'khuyencong: period lock % may only be ended, once, with a reason (% refused)', OLD.id, TG_OP
        USING ERRCODE = '{REFUSED}';
END
$$ LANGUAGE plpgsql;
"""


def _locked_rows(day: str, rows: str) -> str:
    return f"""
        SELECT l.id, l.date_from, l.date_until, r.{day} AS day FROM {rows} r JOIN {LOCKS} l
        ON l.unlocked_at IS NULL AND l.current_province_id = r.current_province_id
           AND l.province_id IN (r.current_province_id, r.province_id)
           AND r.{day} BETWEEN l.date_from AND l.date_until"""


def _period_lock_sql(table: str, day: str) -> list[str]:
    """Statement triggers that refuse a write of `table` touching a locked period (one join per statement)."""
    refuse = f"""
                SELECT * INTO held FROM ({{found}}) AS found LIMIT 1;
                IF FOUND THEN
                    RAISE EXCEPTION 'khuyencong: % of % dated % is inside the period %..% locked by period lock %',
                        TG_OP, TG_TABLE_NAME, held.day, held.date_from, held.date_until, held.id
                        USING ERRCODE = '{REFUSED}';
                END IF;"""
    sources = {"INSERT": ("new_rows",), "UPDATE": ("new_rows", "old_rows"), "DELETE": ("old_rows",)}
    bodies = {
        event: refuse.format(found=" UNION ALL ".join(_locked_rows(day, rows) for rows in tables))
        for event, tables in sources.items()
    }
    return statement_triggers(table, bodies, name="period_lock", declare="held record;")


def _period_lock_drop_sql(table: str) -> list[str]:
    return [
        statement
        for event in ("insert", "update", "delete")
        for statement in (
            f"DROP TRIGGER IF EXISTS {table}_period_lock_{event} ON {table};",
            f"DROP FUNCTION IF EXISTS {table}_period_lock_{event}();",
        )
    ]


def _row_trigger(table: str, name: str, function: str) -> list[str]:
    return [
        f"DROP TRIGGER IF EXISTS {table}_{name} ON {table};",
        f"CREATE TRIGGER {table}_{name} BEFORE UPDATE OR DELETE ON {table} FOR EACH ROW EXECUTE FUNCTION {function}();",
    ]


def _named_author(table: str) -> list[str]:
    # NOT VALID: rows written before the guard are kept as they are; every new one names its author.
    return [
        f"ALTER TABLE {table} DROP CONSTRAINT IF EXISTS {table}_names_its_author;",
        f"ALTER TABLE {table} ADD CONSTRAINT {table}_names_its_author "
        "CHECK (history_user_id IS NOT NULL OR coalesce(history_change_reason, '') <> '') NOT VALID;",
    ]


def append_only_sql(histories: list[str]) -> list[str]:
    """The guards on the kept tables, the batches and the locks (idempotent)."""
    statements = [_REFUSE, _BATCH, _LOCK]
    for table in (*histories, *KEPT_AS_WRITTEN):
        statements += _row_trigger(table, "kept_as_written", "khuyencong_kept_as_written")
    for table in histories:
        statements += _named_author(table)
    statements += _row_trigger(BATCHES, "forward_only", "khuyencong_batch_forward")
    statements += _row_trigger(LOCKS, "ends_once", "khuyencong_lock_ends_once")
    return statements


def append_only_drop_sql(histories: list[str]) -> list[str]:
    statements = [
        f"DROP TRIGGER IF EXISTS {table}_kept_as_written ON {table};" for table in (*histories, *KEPT_AS_WRITTEN)
    ]
    statements += [f"ALTER TABLE {table} DROP CONSTRAINT IF EXISTS {table}_names_its_author;" for table in histories]
    statements += [
        f"DROP TRIGGER IF EXISTS {BATCHES}_forward_only ON {BATCHES};",
        f"DROP TRIGGER IF EXISTS {LOCKS}_ends_once ON {LOCKS};",
        "DROP FUNCTION IF EXISTS khuyencong_kept_as_written();",
        "DROP FUNCTION IF EXISTS khuyencong_batch_forward();",
        "DROP FUNCTION IF EXISTS khuyencong_lock_ends_once();",
    ]
    return statements


def new_history_guards(*new_histories: str):
    """The (forward, backward) pair of a migration that adds history tables: forward re-applies the
    idempotent guards of every history table (so the new ones refuse UPDATE and DELETE too),
    backward drops the new tables' guards only. PostgreSQL; nothing on SQLite."""

    def forward(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in append_only_sql(history_tables(apps.get_models())):
                schema_editor.execute(statement, params=None)

    def backward(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for table in new_histories:
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_kept_as_written ON {table};", params=None)
                schema_editor.execute(
                    f"ALTER TABLE {table} DROP CONSTRAINT IF EXISTS {table}_names_its_author;", params=None
                )

    return forward, backward


def period_lock_sql() -> list[str]:
    return [statement for table, day in LOCKED_MONEY for statement in _period_lock_sql(table, day)]


def period_lock_drop_sql() -> list[str]:
    return [statement for table, _day in LOCKED_MONEY for statement in _period_lock_drop_sql(table)]


@contextmanager
def append_only_suspended(connection=None):
    """Let the owner delete synthetic history (generate_data, the benchmark) inside its transaction.

    Sets `khuyencong.owner_clears` for the rest of the block; the guards honour it only for a
    member of the tables' owner, so the serving role gains nothing by setting it. A no-op off
    PostgreSQL.
    """
    connection = connection or default_connection
    if connection.vendor != "postgresql":
        yield
        return
    if not connection.in_atomic_block:
        raise RuntimeError("Suspend the audit guards only inside a transaction.")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL khuyencong.owner_clears = 'on'")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL khuyencong.owner_clears = 'off'")


# --- Who wrote it ---------------------------------------------------------------------------------


def process_name() -> str:
    """The command or program writing outside a request: "manage.py import_data", "db_worker", …"""
    argv = sys.argv or [""]
    program = os.path.basename(argv[0]) or "python"
    if program == "manage.py" and len(argv) > 1:
        return f"manage.py {argv[1]}"
    return program


def name_unattributed(history_instance) -> None:
    """Name the process on a history row that has neither a user nor a reason."""
    if history_instance.history_user_id is None and not history_instance.history_change_reason:
        history_instance.history_change_reason = process_name()[:100]


# --- The serving role -----------------------------------------------------------------------------


def serving_role_sql(role: str, histories: list[str], database: str, schema: str = "public") -> list[str]:
    """Grant `role` what the app needs and nothing more (idempotent; run by the owner after each migrate)."""
    quoted = _identifier(role)
    statements = [
        f'GRANT CONNECT ON DATABASE "{database}" TO {quoted};',
        f"GRANT USAGE ON SCHEMA {schema} TO {quoted};",
        f"REVOKE CREATE ON SCHEMA {schema} FROM {quoted};",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {quoted};",
        f"REVOKE TRUNCATE, TRIGGER, REFERENCES ON ALL TABLES IN SCHEMA {schema} FROM {quoted};",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {quoted};",
        # The trail is also refused by privilege, so a dropped trigger alone does not open it.
        *(f"REVOKE UPDATE, DELETE ON {table} FROM {quoted};" for table in (*histories, *KEPT_AS_WRITTEN)),
        f"REVOKE DELETE ON {LOCKS} FROM {quoted};",
        # Tables a later migration creates are usable at once (their guards come with the migration).
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {quoted};",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT USAGE, SELECT ON SEQUENCES TO {quoted};",
    ]
    return statements


def _identifier(name: str) -> str:
    if not name or not all(char.isalnum() or char == "_" for char in name) or name[0].isdigit():
        raise ValueError(f"Not a plain role name: {name!r}")
    return f'"{name}"'


ROLE_PROBLEMS = """
SELECT r.rolsuper, r.rolcreaterole, r.rolcreatedb, r.rolbypassrls,
       (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relowner = r.oid AND n.nspname = current_schema() AND c.relkind IN ('r', 'p')) AS owned
FROM pg_roles r WHERE r.rolname = %s
"""


def serving_role_grant(role: str, *, create: bool = False, password: str | None = None, connection=None) -> list[str]:
    """Make `role` the app's serving role on this database and return the statements run.

    Refused (ValueError) off PostgreSQL and for a role that could lift the guards: a superuser, a
    role that creates roles or bypasses row security, or one that owns tables here.
    """
    from django.apps import apps

    connection = connection or default_connection
    if connection.vendor != "postgresql":
        raise ValueError("A serving role exists on PostgreSQL only; SQLite has no roles.")
    quoted = _identifier(role)
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_database(), current_schema()")
        database, schema = cursor.fetchone()
        cursor.execute(ROLE_PROBLEMS, [role])
        found = cursor.fetchone()
        statements = []
        if found is None:
            if not create:
                raise ValueError(f"Role {role} does not exist (add --create).")
            statements.append(f"CREATE ROLE {quoted} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS")
            if password:
                statements[-1] += " PASSWORD %s"
        elif problems := _role_problems(found):
            raise ValueError(f"Role {role} could lift the guards ({', '.join(problems)}): serve with another.")
        statements += serving_role_sql(role, history_tables(apps.get_models()), database, schema)
        for statement in statements:
            cursor.execute(statement, [password] if "%s" in statement else None)
    return statements


def serving_role_problems(connection=None) -> list[str]:
    """What makes the connection's own role able to rewrite the trail (empty for a proper serving role)."""
    connection = connection or default_connection
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        cursor.execute(ROLE_PROBLEMS, [cursor.fetchone()[0]])
        return _role_problems(cursor.fetchone())


def _role_problems(found) -> list[str]:
    """What in a `ROLE_PROBLEMS` row would let the role lift the guards (or more than it needs)."""
    superuser, create_role, create_db, bypass, owned = found
    flags = (
        ("superuser", superuser),
        (f"owns {owned} tables", owned),
        ("may create roles", create_role),
        ("may create databases", create_db),
        ("bypasses row security", bypass),
    )
    return [label for label, present in flags if present]

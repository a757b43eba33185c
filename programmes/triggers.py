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
# Since migration 0016 the payment triggers also keep a digest of the đề án's payments, kept the
# same way, so the lag rules (programmes.lags) read a đề án's row instead of its payments: the
# day of its first payment and the sum of its advances (tạm ứng). Migrations before 0016 create
# the triggers without it (`digest=False`).
ADVANCE = "tam_ung"  # money.PaymentKind.ADVANCE (this module imports nothing of the project)
DIGEST_COLUMNS = ("first_paid_on", "advanced_amount")
_ADVANCED = "CASE WHEN {row}.kind = '" + ADVANCE + "' THEN {row}.amount ELSE 0 END"


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
    update = """
                UPDATE programmes_project p SET {total} = p.{total} + moved.delta
                FROM (
                    SELECT project_id, sum(delta)::bigint AS delta FROM ({rows}) AS rows
                    GROUP BY project_id HAVING sum(delta) <> 0
                ) AS moved
                WHERE p.id = moved.project_id;"""
    return statement_triggers(table, {event: update.format(total=total, rows=rows) for event, rows in moved.items()})


_TRANSITIONS = {
    "INSERT": "NEW TABLE AS new_rows",
    "DELETE": "OLD TABLE AS old_rows",
    "UPDATE": "NEW TABLE AS new_rows OLD TABLE AS old_rows",
}


def statement_triggers(table: str, bodies: dict[str, str], *, name: str = "total", declare: str = "") -> list[str]:
    """One AFTER … FOR EACH STATEMENT trigger per event on `table`, `{table}_{name}_{event}`, running its
    body over the transition tables (`declare`: the function's variables)."""
    statements = []
    for event, body in bodies.items():
        function = f"{table}_{name}_{event.lower()}"
        statements += [
            f"""
            CREATE OR REPLACE FUNCTION {function}() RETURNS trigger AS $$
            {f"DECLARE {declare}" if declare else ""}
            BEGIN
                {body}
                RETURN NULL;
            END
            $$ LANGUAGE plpgsql;
            """,
            f"""
            CREATE TRIGGER {function} AFTER {event} ON {table}
            REFERENCING {_TRANSITIONS[event]}
            FOR EACH STATEMENT EXECUTE FUNCTION {function}();
            """,
        ]
    return statements


def _postgres_create_payments() -> list[str]:
    """`_postgres_create` for the payments, with the digest (first payment day, advances).

    An insert moves the first day earlier at most; a delete or an update that touches a payment's
    đề án, amount, kind or day reads the đề án's first day again from the index on (đề án, day).
    An update of anything else (a note, a voucher number) updates no đề án.
    """
    relevant = (
        "(n.project_id, n.amount, n.kind, n.paid_on) IS DISTINCT FROM (o.project_id, o.amount, o.kind, o.paid_on)"
    )
    first_day = "(SELECT min(d.paid_on) FROM programmes_disbursement d WHERE d.project_id = p.id)"
    bodies = {
        "INSERT": f"""
            UPDATE programmes_project p SET
                disbursed_amount = p.disbursed_amount + moved.delta,
                advanced_amount = p.advanced_amount + moved.advanced,
                first_paid_on = LEAST(p.first_paid_on, moved.first_day)
            FROM (
                SELECT project_id, sum(amount)::bigint AS delta,
                       sum({_ADVANCED.format(row="new_rows")})::bigint AS advanced, min(paid_on) AS first_day
                FROM new_rows GROUP BY project_id
            ) AS moved
            WHERE p.id = moved.project_id;
            """,
        "DELETE": f"""
            UPDATE programmes_project p SET
                disbursed_amount = p.disbursed_amount - moved.delta,
                advanced_amount = p.advanced_amount - moved.advanced,
                first_paid_on = {first_day}
            FROM (
                SELECT project_id, sum(amount)::bigint AS delta,
                       sum({_ADVANCED.format(row="old_rows")})::bigint AS advanced
                FROM old_rows GROUP BY project_id
            ) AS moved
            WHERE p.id = moved.project_id;
            """,
        "UPDATE": f"""
            UPDATE programmes_project p SET
                disbursed_amount = p.disbursed_amount + moved.delta,
                advanced_amount = p.advanced_amount + moved.advanced,
                first_paid_on = {first_day}
            FROM (
                SELECT project_id, sum(delta)::bigint AS delta, sum(advanced)::bigint AS advanced
                FROM (
                    SELECT n.project_id, n.amount AS delta, {_ADVANCED.format(row="n")} AS advanced
                    FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE {relevant}
                    UNION ALL
                    SELECT o.project_id, -o.amount, -{_ADVANCED.format(row="o")}
                    FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE {relevant}
                ) AS rows
                GROUP BY project_id
            ) AS moved
            WHERE p.id = moved.project_id;
            """,
    }
    return statement_triggers("programmes_disbursement", bodies)


def _sqlite_create_payments() -> list[str]:
    """`_sqlite_create` for the payments, with the digest (first payment day, advances)."""
    first_day = "(SELECT min(d.paid_on) FROM programmes_disbursement d WHERE d.project_id = {row}.project_id)"
    add = (
        "UPDATE programmes_project SET disbursed_amount = disbursed_amount + NEW.amount, "
        f"advanced_amount = advanced_amount + {_ADVANCED.format(row='NEW')}, "
        "first_paid_on = CASE WHEN first_paid_on IS NULL OR NEW.paid_on < first_paid_on THEN NEW.paid_on "
        "ELSE first_paid_on END WHERE id = NEW.project_id;"
    )
    sub = (
        "UPDATE programmes_project SET disbursed_amount = disbursed_amount - OLD.amount, "
        f"advanced_amount = advanced_amount - {_ADVANCED.format(row='OLD')}, "
        f"first_paid_on = {first_day.format(row='OLD')} WHERE id = OLD.project_id;"
    )
    again = f"UPDATE programmes_project SET first_paid_on = {first_day.format(row='NEW')} WHERE id = NEW.project_id;"
    table = "programmes_disbursement"
    return [
        f"CREATE TRIGGER {table}_total_insert AFTER INSERT ON {table} BEGIN {add} END;",
        f"CREATE TRIGGER {table}_total_delete AFTER DELETE ON {table} BEGIN {sub} END;",
        f"CREATE TRIGGER {table}_total_update AFTER UPDATE OF amount, project_id, kind, paid_on ON {table} "
        f"BEGIN {sub} {add} {again} END;",
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


def create_sql(vendor: str, *, per_row: bool = False, digest: bool = True) -> list[str]:
    """The running-total triggers; on PostgreSQL per statement unless `per_row` (migration 0002's).

    With `digest` (from migration 0016 on) the payments' triggers keep the digest as well.
    """
    _check_vendor(vendor)
    builders = {"sqlite": _sqlite_create, "postgresql": _postgres_create_per_row if per_row else _postgres_create}
    build = builders[vendor]  # SQLite has row triggers only
    statements = []
    for table, amount, total in TOTALS:
        if digest and table == "programmes_disbursement":
            if per_row:
                raise ValueError("the digest is kept by the statement triggers (PostgreSQL) or SQLite's")
            statements += _postgres_create_payments() if vendor == "postgresql" else _sqlite_create_payments()
        else:
            statements += build(table, amount, total)
    return statements


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


def _guard_postgres(digest: bool) -> list[str]:
    """Only the triggers above write the totals (and, from migration 0016, the digest); anyone else is refused."""
    columns = ["disbursed_amount", "beneficiary_support", *(DIGEST_COLUMNS if digest else ())]
    fresh = " OR ".join(
        [f"NEW.{column} <> 0" for column in columns if column != "first_paid_on"]
        + (["NEW.first_paid_on IS NOT NULL"] if digest else [])
    )
    changed = "\n               OR ".join(f"NEW.{column} IS DISTINCT FROM OLD.{column}" for column in columns)
    kept = " and ".join([", ".join(columns[:-1]), columns[-1]])
    return [
        f"""
    CREATE OR REPLACE FUNCTION programmes_project_guard_totals() RETURNS trigger AS $$
    BEGIN
        -- The sync triggers write the totals from inside another trigger (depth 2 here).
        IF pg_trigger_depth() < 2 THEN
            IF TG_OP = 'INSERT' THEN
                IF {fresh} THEN
                    RAISE EXCEPTION 'a new project starts with no money disbursed or allotted'
                        USING ERRCODE = 'check_violation';
                END IF;
            ELSIF {changed} THEN
                RAISE EXCEPTION '{kept} are kept by their triggers only'
                    USING ERRCODE = 'check_violation';
            END IF;
        END IF;
        RETURN NEW;
    END
    $$ LANGUAGE plpgsql;
    """,
        f"""
    CREATE TRIGGER programmes_project_guard_totals
    BEFORE INSERT OR UPDATE OF {", ".join(columns)} ON programmes_project
    FOR EACH ROW EXECUTE FUNCTION programmes_project_guard_totals();
    """,
    ]


GUARD_POSTGRES = _guard_postgres(digest=False)  # as migration 0007 created it
GUARD_POSTGRES_DROP = ["DROP TRIGGER IF EXISTS programmes_project_guard_totals ON programmes_project;"]


def guard_create_sql(vendor: str, *, digest: bool = True) -> list[str]:
    _check_vendor(vendor)
    return _guard_postgres(digest) if vendor == "postgresql" else []


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

# A facility's link alone (migration 0020 rebuilds its table on SQLite), and the consultancy
# services' (0020), filed under their unit like a facility.
FILED_UNDER_FACILITY = [link for link in FILED_UNDER_0008 if link[0] == "programmes_facility"]
FILED_UNDER_CONSULTANCY = [
    (
        "programmes_consultancyservice",
        ("province_id", "current_province_id"),
        "programmes_province",
        ("id", "current_id"),
    )
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


# --- A multi-year đề án's shares by year (migration 0022) ------------------------------------------
#
# Checked at commit (a deferred constraint trigger): the shares and the đề án's money change in one
# transaction, in either order. A đề án with shares has one for each year from its plan's year to
# `final_year`, at least two, adding up to its support, counterpart and other funds; one without
# has no `final_year`. A đề án of one year never fires it (the trigger's WHEN).

SHARES_CHECK = """
CREATE OR REPLACE FUNCTION programmes_shares_check() RETURNS trigger AS $$
DECLARE
    target bigint;
    project record;
    shares record;
BEGIN
    IF TG_TABLE_NAME = 'programmes_project' THEN
        target := NEW.id;
    ELSIF TG_OP = 'DELETE' THEN
        target := OLD.project_id;
    ELSE
        target := NEW.project_id;
    END IF;
    SELECT id, year, final_year, kc_support, counterpart_funds, other_funds INTO project
        FROM programmes_project WHERE id = target;
    IF NOT FOUND THEN
        RETURN NULL;  -- deleted with its shares
    END IF;
    SELECT count(*) AS years, min(year) AS first, max(year) AS last,
           coalesce(sum(kc_support), 0) AS kc_support,
           coalesce(sum(counterpart_funds), 0) AS counterpart_funds,
           coalesce(sum(other_funds), 0) AS other_funds
        INTO shares FROM programmes_projectallocation WHERE project_id = target;
    IF shares.years = 0 AND project.final_year IS NULL THEN
        RETURN NULL;
    END IF;
    IF shares.years < 2 OR shares.first <> project.year OR shares.last - shares.first + 1 <> shares.years
        OR project.final_year IS DISTINCT FROM shares.last
        OR shares.kc_support <> project.kc_support OR shares.counterpart_funds <> project.counterpart_funds
        OR shares.other_funds <> project.other_funds THEN
        RAISE EXCEPTION 'khuyencong: the shares by year of project % do not cover its years or add up to its money',
            target USING ERRCODE = '23514';
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;
"""


def shares_check_create_sql(vendor: str) -> list[str]:
    """PostgreSQL only: SQLite has no deferred trigger (the service's check holds there)."""
    _check_vendor(vendor)
    if vendor != "postgresql":
        return []
    return [
        SHARES_CHECK,
        *shares_check_drop_sql(vendor, function=False),
        """
        CREATE CONSTRAINT TRIGGER programmes_projectallocation_shares_check
        AFTER INSERT OR UPDATE OR DELETE ON programmes_projectallocation
        DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION programmes_shares_check();
        """,
        """
        CREATE CONSTRAINT TRIGGER programmes_project_shares_check
        AFTER INSERT OR UPDATE OF year, final_year, kc_support, counterpart_funds, other_funds ON programmes_project
        DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
        WHEN (NEW.final_year IS NOT NULL) EXECUTE FUNCTION programmes_shares_check();
        """,
        """
        CREATE CONSTRAINT TRIGGER programmes_project_shares_removed_check
        AFTER UPDATE OF final_year ON programmes_project
        DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
        WHEN (OLD.final_year IS NOT NULL AND NEW.final_year IS NULL) EXECUTE FUNCTION programmes_shares_check();
        """,
    ]


def shares_check_drop_sql(vendor: str, *, function: bool = True) -> list[str]:
    _check_vendor(vendor)
    if vendor != "postgresql":
        return []
    statements = [
        "DROP TRIGGER IF EXISTS programmes_projectallocation_shares_check ON programmes_projectallocation;",
        "DROP TRIGGER IF EXISTS programmes_project_shares_check ON programmes_project;",
        "DROP TRIGGER IF EXISTS programmes_project_shares_removed_check ON programmes_project;",
    ]
    return statements + (["DROP FUNCTION IF EXISTS programmes_shares_check();"] if function else [])

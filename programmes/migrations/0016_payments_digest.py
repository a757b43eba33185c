"""A digest of each đề án's payments, kept by the payments' triggers, for the lag rules (issue 18).

`first_paid_on` (the day of the first payment) and `advanced_amount` (the sum of the advances, tạm
ứng) are filled from the payments, then kept by the same triggers as `disbursed_amount`
(programmes.triggers, `digest=True`) and refused to anyone else by the guard on PostgreSQL; a CHECK
keeps the advances within what is disbursed. The lag rules (programmes.lags) read them from the đề
án's row (and the reports' index on the year's đề án) instead of reading its payments. Two indexes
change too: a đề án's payments by day with their amount and kind, a year's payments by day with
their đề án and kind, both read from the index alone.

SQLite rebuilds the đề án table here, so every trigger that names it is dropped first and created
again at the end (as in 0010 and 0012).
"""

from django.db import migrations, models

from programmes.triggers import (
    ADVANCE,
    FILED_UNDER,
    FILED_UNDER_INDICATORS,
    beneficiary_link_create_sql,
    beneficiary_link_drop_sql,
    create_sql,
    drop_sql,
    filed_under_create_sql,
    filed_under_drop_sql,
    guard_create_sql,
    guard_drop_sql,
)


def _run(schema_editor, statements):
    for statement in statements:
        schema_editor.execute(statement)


def _sqlite_links(create: bool) -> list[str]:
    if create:
        return (
            beneficiary_link_create_sql("sqlite")
            + filed_under_create_sql("sqlite", FILED_UNDER)
            + filed_under_create_sql("sqlite", FILED_UNDER_INDICATORS)
        )
    return (
        beneficiary_link_drop_sql("sqlite")
        + filed_under_drop_sql("sqlite", FILED_UNDER)
        + filed_under_drop_sql("sqlite", FILED_UNDER_INDICATORS)
    )


def drop_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    _run(schema_editor, drop_sql(vendor) + guard_drop_sql(vendor))
    if vendor == "sqlite":
        _run(schema_editor, _sqlite_links(create=False))


def fill_and_keep(apps, schema_editor):
    """Fill the digest from the payments, then the triggers that keep it (and the totals)."""
    vendor = schema_editor.connection.vendor
    advanced = f"CASE WHEN d.kind = '{ADVANCE}' THEN d.amount ELSE 0 END"
    if vendor == "postgresql":
        schema_editor.execute(
            "UPDATE programmes_project p SET first_paid_on = digest.first_day, advanced_amount = digest.advanced "
            f"FROM (SELECT d.project_id, min(d.paid_on) AS first_day, sum({advanced})::bigint AS advanced "
            "FROM programmes_disbursement d GROUP BY d.project_id) AS digest WHERE p.id = digest.project_id"
        )
    else:
        schema_editor.execute(
            "UPDATE programmes_project SET "
            "first_paid_on = (SELECT min(d.paid_on) FROM programmes_disbursement d WHERE d.project_id = programmes_project.id), "
            f"advanced_amount = COALESCE((SELECT sum({advanced}) FROM programmes_disbursement d "
            "WHERE d.project_id = programmes_project.id), 0)"
        )
    _run(schema_editor, create_sql(vendor) + guard_create_sql(vendor))
    if vendor == "sqlite":
        _run(schema_editor, _sqlite_links(create=True))


def drop_digest_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    _run(schema_editor, drop_sql(vendor) + guard_drop_sql(vendor))
    if vendor == "sqlite":
        _run(schema_editor, _sqlite_links(create=False))


def keep_without_digest(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    _run(schema_editor, create_sql(vendor, digest=False) + guard_create_sql(vendor, digest=False))
    if vendor == "sqlite":
        _run(schema_editor, _sqlite_links(create=True))


class Migration(migrations.Migration):
    dependencies = [
        ("programmes", "0015_facility_name_key"),
    ]

    operations = [
        migrations.RunPython(drop_triggers, keep_without_digest),
        migrations.RemoveIndex(model_name="disbursement", name="disbursement_year_paid_idx"),
        migrations.RemoveIndex(model_name="disbursement", name="disbursement_project_idx"),
        migrations.RemoveIndex(model_name="project", name="project_report_idx"),
        migrations.AddField(
            model_name="project",
            name="advanced_amount",
            field=models.BigIntegerField(default=0, editable=False, verbose_name="advanced (đồng)"),
        ),
        migrations.AddField(
            model_name="project",
            name="first_paid_on",
            field=models.DateField(editable=False, null=True, verbose_name="first paid on"),
        ),
        migrations.AddConstraint(
            model_name="project",
            constraint=models.CheckConstraint(
                condition=models.Q(("advanced_amount__gte", 0), ("advanced_amount__lte", models.F("disbursed_amount"))),
                name="project_advances_within_disbursed",
            ),
        ),
        migrations.RunPython(fill_and_keep, drop_digest_triggers),
        migrations.AddIndex(
            model_name="disbursement",
            index=models.Index(
                fields=["year", "paid_on", "id"],
                include=("amount", "project", "kind"),
                name="disbursement_year_paid_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="disbursement",
            index=models.Index(
                fields=["project", "paid_on"], include=("amount", "kind"), name="disbursement_project_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="project",
            index=models.Index(
                fields=["year", "current_province"],
                include=(
                    "id", "province", "plan", "content", "status", "decision_date", "started_on", "accepted_on",
                    "stopped_on", "settled_on", "end_date", "kc_support", "counterpart_funds", "disbursed_amount",
                    "first_paid_on", "advanced_amount",
                ),
                name="project_report_idx",
            ),
        ),
    ]

"""Payments carry their đề án's plan and activity content, kept equal by the filed-under key.

The reports sum a period's payments by plan (hence level) and content; with the two columns on the
payment and a covering index, they read no đề án row (reports.figures). PostgreSQL: the composite
foreign key to the đề án grows to (id, province, unit of today, year, plan, content) with ON UPDATE
CASCADE. SQLite rebuilds the tables changed here, so every trigger that names them is dropped
first and created again at the end (as in 0010).
"""

import django.db.models.deletion
from django.db import migrations, models

from programmes.triggers import (
    FILED_UNDER,
    FILED_UNDER_0008,
    FILED_UNDER_INDICATORS,
    beneficiary_link_create_sql,
    beneficiary_link_drop_sql,
    create_sql,
    drop_sql,
    filed_under_create_sql,
    filed_under_drop_sql,
)

OLD_LINK = [link for link in FILED_UNDER_0008 if link[0] == "programmes_disbursement"]
NEW_LINK = [link for link in FILED_UNDER if link[0] == "programmes_disbursement"]


def _sqlite_all(filed_under) -> tuple[list[str], list[str]]:
    drop = (
        drop_sql("sqlite")
        + beneficiary_link_drop_sql("sqlite")
        + filed_under_drop_sql("sqlite", filed_under)
        + filed_under_drop_sql("sqlite", FILED_UNDER_INDICATORS)
    )
    create = (
        create_sql("sqlite", digest=False)
        + beneficiary_link_create_sql("sqlite")
        + filed_under_create_sql("sqlite", filed_under)
        + filed_under_create_sql("sqlite", FILED_UNDER_INDICATORS)
    )
    return drop, create


def _run(schema_editor, statements):
    for statement in statements:
        schema_editor.execute(statement)


def drop_old_guards(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        _run(schema_editor, _sqlite_all(FILED_UNDER_0008)[0])
    else:
        _run(schema_editor, filed_under_drop_sql("postgresql", OLD_LINK))


def create_old_guards(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        _run(schema_editor, _sqlite_all(FILED_UNDER_0008)[1])
    else:
        _run(schema_editor, filed_under_create_sql("postgresql", OLD_LINK))


def create_new_guards(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        _run(schema_editor, _sqlite_all(FILED_UNDER)[1])
    else:
        _run(schema_editor, filed_under_create_sql("postgresql", NEW_LINK))


def drop_new_guards(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        _run(schema_editor, _sqlite_all(FILED_UNDER)[0])
    else:
        _run(schema_editor, filed_under_drop_sql("postgresql", NEW_LINK))


def copy_from_projects(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "UPDATE programmes_disbursement d SET plan_id = p.plan_id, content_id = p.content_id "
            "FROM programmes_project p WHERE p.id = d.project_id"
        )
    else:
        schema_editor.execute(
            "UPDATE programmes_disbursement SET "
            "plan_id = (SELECT p.plan_id FROM programmes_project p WHERE p.id = project_id), "
            "content_id = (SELECT p.content_id FROM programmes_project p WHERE p.id = project_id)"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("programmes", "0011_outputs"),
    ]

    operations = [
        migrations.RunPython(drop_old_guards, create_old_guards),
        migrations.AddField(
            model_name="disbursement",
            name="plan",
            field=models.ForeignKey(
                db_index=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="programmes.plan",
                verbose_name="plan",
            ),
        ),
        migrations.AddField(
            model_name="disbursement",
            name="content",
            field=models.ForeignKey(
                db_index=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="programmes.activitycontent",
                verbose_name="activity content",
            ),
        ),
        migrations.RunPython(copy_from_projects, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="disbursement",
            name="plan",
            field=models.ForeignKey(
                db_index=False,
                editable=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="programmes.plan",
                verbose_name="plan",
            ),
        ),
        migrations.AlterField(
            model_name="disbursement",
            name="content",
            field=models.ForeignKey(
                db_index=False,
                editable=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="programmes.activitycontent",
                verbose_name="activity content",
            ),
        ),
        migrations.AddConstraint(
            model_name="project",
            constraint=models.UniqueConstraint(
                fields=("id", "province", "current_province", "year", "plan", "content"), name="project_report_key"
            ),
        ),
        migrations.AddIndex(
            model_name="project",
            index=models.Index(
                fields=["year", "current_province"],
                include=[
                    "id",
                    "province",
                    "plan",
                    "content",
                    "status",
                    "decision_date",
                    "started_on",
                    "accepted_on",
                    "stopped_on",
                    "kc_support",
                    "counterpart_funds",
                    "disbursed_amount",
                ],
                name="project_report_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="disbursement",
            index=models.Index(
                fields=["paid_on"],
                include=["year", "plan", "content", "amount", "province", "current_province", "project"],
                name="disbursement_report_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="disbursement",
            index=models.Index(
                fields=["current_province", "paid_on"],
                include=["year", "plan", "content", "amount", "province", "project"],
                name="disbursement_scope_report_idx",
            ),
        ),
        migrations.RunPython(create_new_guards, drop_new_guards),
    ]

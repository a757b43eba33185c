"""Each row stores the province (unit valid at the time), its unit of today and the year of its plan,
and the database keeps them equal to the plan's, whoever writes (models.FiledUnder)."""

import pytest
from django.db import IntegrityError, connection, transaction

from programmes import services
from programmes.models import Attachment, Beneficiary, Disbursement, Plan, PlanLine, Project, ProjectAdjustment
from tests.factories import (
    BeneficiaryFactory,
    PlanFactory,
    PlanLineFactory,
    ProjectFactory,
    current_province,
    disburse,
    old_province,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def filed():
    """A 2024 đề án of old Quảng Nam (now Đà Nẵng) with a beneficiary, a payment, a plan line and files."""
    plan = PlanFactory(province=old_province("49"), year=2024)
    project = ProjectFactory(plan=plan)
    beneficiary = BeneficiaryFactory(project=project)
    payment = disburse(project, 10_000_000, facility=beneficiary.facility, paid_on=project.decision_date)
    line = PlanLineFactory(plan=plan)
    file = Attachment.objects.create(project=project, kind="khac", title="Tệp", file="tep-dinh-kem/a.pdf")
    plan_file = Attachment.objects.create(plan=plan, kind="khac", title="Tệp", file="tep-dinh-kem/b.pdf")
    return {
        "plan": plan,
        "project": project,
        "beneficiary": beneficiary,
        "payment": payment,
        "line": line,
        "file": file,
        "plan_file": plan_file,
    }


def test_rows_take_the_province_and_year_of_their_plan(filed):
    quang_nam, da_nang = old_province("49"), current_province("48")
    plan = Plan.objects.get(pk=filed["plan"].pk)
    assert (plan.province_id, plan.current_province_id) == (quang_nam.pk, da_nang.pk)
    for model, key in [
        (Project, "project"),
        (Beneficiary, "beneficiary"),
        (Disbursement, "payment"),
        (PlanLine, "line"),
        (Attachment, "file"),
        (Attachment, "plan_file"),
    ]:
        row = model.objects.get(pk=filed[key].pk)
        assert (row.province_id, row.current_province_id, row.year) == (quang_nam.pk, da_nang.pk, 2024), model


def test_the_scope_reads_the_stored_unit_of_today(filed, danang_officer, thanhhoa_officer):
    assert Disbursement.objects.for_user(danang_officer).filter(pk=filed["payment"].pk).exists()
    assert not Disbursement.objects.for_user(thanhhoa_officer).exists()
    sql = str(Disbursement.objects.for_user(danang_officer).query)
    assert "JOIN" not in sql, "the scope must be one indexed column, not a join through the plan"


def test_moving_a_project_to_another_plan_moves_its_rows(filed, administrator):
    project = Project.objects.get(pk=filed["project"].pk)
    project.plan = PlanFactory(province=old_province("49"), year=2025)
    services.project_save(project=project, user=administrator)
    for model, key in [(Beneficiary, "beneficiary"), (Disbursement, "payment"), (Attachment, "file")]:
        assert model.objects.get(pk=filed[key].pk).year == 2025, model


def _refused(sql: str, params: list) -> None:
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


@pytest.mark.parametrize(
    ("table", "key", "column"),
    [
        ("programmes_project", "project", "year"),
        ("programmes_project", "project", "current_province_id"),
        ("programmes_project", "project", "province_id"),
        ("programmes_disbursement", "payment", "year"),
        ("programmes_disbursement", "payment", "current_province_id"),
        ("programmes_beneficiary", "beneficiary", "current_province_id"),
        ("programmes_planline", "line", "year"),
        ("programmes_attachment", "file", "current_province_id"),
        ("programmes_attachment", "plan_file", "year"),
        ("programmes_plan", "plan", "current_province_id"),
    ],
)
def test_the_database_refuses_a_row_filed_elsewhere_than_its_plan(filed, table, key, column):
    other = current_province("38").pk if column != "year" else 2023
    _refused(f"UPDATE {table} SET {column} = %s WHERE id = %s", [other, filed[key].pk])
    stored = type(filed[key]).objects.get(pk=filed[key].pk)
    assert getattr(stored, column) == getattr(filed[key], column)


def test_the_database_refuses_a_new_row_filed_elsewhere(filed):
    project = filed["project"]
    _refused(
        "INSERT INTO programmes_projectadjustment (project_id, province_id, current_province_id, year, effective_on,"
        " reason, old_kc_support, new_kc_support, old_counterpart_funds, new_counterpart_funds, old_other_funds,"
        " new_other_funds, decision_number, decision_issuer, decision_date, created_at)"
        " VALUES (%s, %s, %s, %s, %s, '', 0, 0, 0, 0, 0, 0, '1/QĐ', 'Sở', %s, %s)",
        [
            project.pk,
            project.province_id,
            current_province("38").pk,
            project.year,
            project.decision_date,
            project.decision_date,
            "2024-06-01 00:00:00+00:00",
        ],
    )
    assert not ProjectAdjustment.objects.exists()


def test_a_plan_moved_in_raw_sql_carries_its_rows(filed):
    with connection.cursor() as cursor:
        cursor.execute("UPDATE programmes_plan SET year = 2025 WHERE id = %s", [filed["plan"].pk])
    for model, key in [
        (Project, "project"),
        (Beneficiary, "beneficiary"),
        (Disbursement, "payment"),
        (PlanLine, "line"),
        (Attachment, "file"),
        (Attachment, "plan_file"),
    ]:
        assert model.objects.get(pk=filed[key].pk).year == 2025, model

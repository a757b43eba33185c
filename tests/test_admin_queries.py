"""Every admin list page runs the same number of queries for 5 rows as for 50."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from programmes.models import Attachment, Organisation, ProjectAdjustment, Scheme
from tests.factories import BeneficiaryFactory, PlanFactory, ProjectFactory, disburse, old_province

pytestmark = pytest.mark.django_db

CHANGELISTS = [
    "plan",
    "project",
    "projectadjustment",
    "facility",
    "beneficiary",
    "disbursement",
    "attachment",
    "organisation",
    "scheme",
    "province",
    "commune",
    "activitycontent",
    "activitycatalogue",
]


def add_rows(count: int, start: int) -> None:
    """Add `count` rows of every kind, each on its own plan, project and facility."""
    province = old_province("38")
    for i in range(start, start + count):
        scheme = Scheme.objects.create(
            code=f"Q-{i}",
            name=f"Chương trình {i}",
            level="kcdp",
            province=province,
            legal_basis="QĐ",
            start_year=2021,
            end_year=2025,
        )
        plan = PlanFactory(province=province, scheme=scheme, year=2022 if i == 0 else 2024)
        project = ProjectFactory(plan=plan, code=f"Q-{i:03d}")
        beneficiary = BeneficiaryFactory(project=project)
        disburse(project, 10_000_000, facility=beneficiary.facility, paid_on=project.decision_date)
        ProjectAdjustment.objects.create(
            project=project,
            decision_number=f"{i}/QĐ",
            decision_issuer="Sở",
            decision_date=project.decision_date,
            effective_on=project.decision_date,
            old_kc_support=project.kc_support,
            new_kc_support=project.kc_support,
        )
        Attachment.objects.create(project=project, kind="khac", title=f"Tệp {i}", file=f"tep-dinh-kem/{i}.pdf")
        Organisation.objects.create(name=f"Đơn vị {i}", kind="don_vi", province=province.current)


def count_queries(client, url: str) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured), [q["sql"] for q in captured.captured_queries]


@pytest.mark.parametrize("user_fixture", ["administrator", "thanhhoa_officer"])
def test_list_pages_do_not_grow_with_the_rows(client, request, user_fixture):
    client.force_login(request.getfixturevalue(user_fixture))
    add_rows(5, start=0)
    small = {name: count_queries(client, reverse(f"admin:programmes_{name}_changelist")) for name in CHANGELISTS}
    add_rows(45, start=5)
    for name in CHANGELISTS:
        url = reverse(f"admin:programmes_{name}_changelist")
        large_count, large_sql = count_queries(client, url)
        small_count, small_sql = small[name]
        assert large_count == small_count, (
            f"{name}: {small_count} queries for 5 rows, {large_count} for 50\n" + "\n".join(large_sql)
        )


def test_the_user_list_does_not_grow_with_the_users(client, administrator):
    from programmes import services
    from programmes.models import Role
    from tests.factories import UserFactory, current_province

    client.force_login(administrator)
    url = reverse("admin:auth_user_changelist")

    def add_users(count):
        for _ in range(count):
            services.user_set_role(user=UserFactory(), role=Role.PROVINCE_STAFF, province=current_province("38"))

    add_users(5)
    small, _ = count_queries(client, url)
    add_users(45)
    large, sql = count_queries(client, url)
    assert large == small, "\n".join(sql)


def test_the_project_list_totals_cover_the_filtered_rows(client, administrator):
    add_rows(3, start=0)
    client.force_login(administrator)
    response = client.get(reverse("admin:programmes_project_changelist"), {"nam": "2022"})
    totals = {str(label): value for label, value in response.context["totals"]}
    assert totals["số đề án"] == "1"
    assert totals["kinh phí KC của các đề án trong danh sách"] == "300.000.000"
    assert totals["đã giải ngân đến nay"] == "10.000.000"
    assert totals["tỷ lệ đã giải ngân đến nay so với kinh phí KC (%)"] == "3,33%"


def test_the_plan_list_shows_each_plans_figures_and_their_totals(client, thanhhoa_officer):
    from tests.factories import PlanLineFactory

    line = PlanLineFactory(planned_amount=900_000_000)
    first = ProjectFactory(plan=line.plan, kc_support=300_000_000)
    ProjectFactory(plan=line.plan, kc_support=200_000_000)
    disburse(first, 150_000_000)
    client.force_login(thanhhoa_officer)
    response = client.get(reverse("admin:programmes_plan_changelist"))
    plan = next(row for row in response.context["cl"].result_list if row.pk == line.plan_id)
    assert (plan.planned_total, plan.project_count, plan.support_total, plan.disbursed_total) == (
        900_000_000,
        2,
        500_000_000,
        150_000_000,
    )
    totals = {str(label): value for label, value in response.context["totals"]}
    assert totals["kế hoạch"] == "900.000.000"
    assert totals["giải ngân / kế hoạch (%)"] == "16,67%"
    assert "16,67%" in response.content.decode()

"""A start page for each role, its figures read from reports.status (the report's own figures)."""

import pytest
from django.urls import reverse

from programmes.models import ProjectStatus
from reports import status
from tests.factories import BeneficiaryFactory, PlanFactory, PlanLineFactory, ProjectFactory, disburse, old_province

pytestmark = pytest.mark.django_db
S = ProjectStatus


@pytest.fixture
def thanhhoa():
    plan = PlanFactory(province=old_province("38"), year=2024)
    PlanLineFactory(plan=plan, planned_amount=3_000_000_000)
    paid = ProjectFactory(plan=plan, kc_support=1_000_000_000)
    beneficiary = BeneficiaryFactory(project=paid)
    disburse(paid, 400_000_000, facility=beneficiary.facility, paid_on=paid.decision_date)
    registered = ProjectFactory.build(plan=plan, status=S.REGISTERED, decision_number="", decision_date=None)
    for field in ("appraised_on", "contracted_on", "started_on", "accepted_on", "settled_on"):
        setattr(registered, field, None)
    registered.save()
    return {"plan": plan, "paid": paid, "registered": registered}


def test_staff_start_from_their_projects_with_money_left(client, thanhhoa_officer, danang_officer, thanhhoa):
    client.force_login(thanhhoa_officer)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    left = response.context["money_left"]
    assert left["left"] == 600_000_000 and left["count"] == 1
    assert [p.pk for p in left["rows"]] == [thanhhoa["paid"].pk]
    page = response.content.decode()
    assert "600.000.000" in page
    assert response.context["waiting"]["registered"] == 1
    assert "Chờ anh/chị nhập liệu" in page
    # Another province's officer sees none of it.
    client.force_login(danang_officer)
    response = client.get(reverse("admin:index"))
    assert response.context["money_left"]["count"] == 0


def test_managers_start_from_what_waits_for_their_approval(client, thanhhoa_manager, thanhhoa):
    client.force_login(thanhhoa_manager)
    page = client.get(reverse("admin:index")).content.decode()
    assert "Chờ anh/chị phê duyệt" in page
    assert "?status__exact=tham_dinh" in page


def test_reviewers_start_from_the_years_national_figures(client, ministry_reviewer, thanhhoa):
    client.force_login(ministry_reviewer)
    response = client.get(reverse("admin:index"), {"nam": "2024"})
    national = response.context["national"]
    assert national.year == 2024
    old_thanh_hoa = old_province("38")
    row = next(r for r in national.rows if r.unit_id == old_thanh_hoa.pk)
    # The report's figures: the registered đề án is not approved, so not listed.
    assert (row.planned, row.projects, row.approved, row.disbursed) == (3_000_000_000, 1, 1_000_000_000, 400_000_000)
    assert national.total.disbursed == 400_000_000
    # 2024's units: the 63 provinces of the time, as the year's reports show them.
    assert len(national.rows) == 63 and not national.units_of_today
    page = response.content.decode()
    assert f"?tinh={old_thanh_hoa.pk}&amp;nam=2024" in page
    assert "40,00%" in page
    assert "63 tỉnh, thành phố" in page


def test_a_link_to_a_unit_of_the_time_lists_its_rows(client, ministry_reviewer, thanhhoa):
    client.force_login(ministry_reviewer)
    url = reverse("admin:programmes_project_changelist") + f"?tinh={old_province('38').pk}&nam=2024"
    response = client.get(url)
    assert response.status_code == 200
    assert {project.pk for project in response.context["cl"].result_list} == {
        thanhhoa["paid"].pk,
        thanhhoa["registered"].pk,
    }


def test_a_year_nobody_planned_falls_back_to_the_newest(client, ministry_reviewer, thanhhoa):
    client.force_login(ministry_reviewer)
    response = client.get(reverse("admin:index"), {"nam": "1999x"})
    assert response.context["national"].year == 2024


def test_the_status_selectors_read_only_the_users_scope(thanhhoa_officer, danang_officer, thanhhoa):
    assert status.work_waiting(thanhhoa_officer)["registered"] == 1
    assert status.work_waiting(danang_officer)["registered"] == 0

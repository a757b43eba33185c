"""The start page, the lists and the report agree wherever they share a label (issue 17).

The probe of the architecture review: Thanh Hóa 2024, one plan line of 1.000 triệu, two đề án of
300 triệu; one paid 100 in 2024 and 50 in 2025, the other paid 100 and then stopped. The report of
2024 says approved 400 (300, and the stopped one for its 100), disbursed 200 (2024's payments),
50 %; the start page said 600, 250, 41,67 % under the same labels. Now it prints the report's
figures; the lists sum what they list and say so ("KC support of the listed projects",
"disbursed to date").
"""

import pytest
from django.urls import reverse

from programmes import services
from programmes.models import ProjectStatus
from reports import figures
from reports.periods import period_for
from tests.factories import PlanFactory, PlanLineFactory, ProjectFactory, disburse, old_province
from tests.report_data import TRIEU, d

pytestmark = pytest.mark.django_db


@pytest.fixture
def probe(thanhhoa_manager):
    province = old_province("38")
    plan = PlanFactory(province=province, year=2024)
    PlanLineFactory(plan=plan, planned_amount=1_000 * TRIEU)
    paid_over_two_years = ProjectFactory(plan=plan, kc_support=300 * TRIEU)
    disburse(paid_over_two_years, 100 * TRIEU, paid_on=d(2024, 6, 1))
    disburse(paid_over_two_years, 50 * TRIEU, paid_on=d(2025, 3, 1))
    stopped = ProjectFactory(plan=plan, kc_support=300 * TRIEU)
    disburse(stopped, 100 * TRIEU, paid_on=d(2024, 5, 2))
    stopped.status, stopped.stopped_on, stopped.stop_reason = ProjectStatus.STOPPED, d(2024, 8, 1), "Cơ sở giải thể"
    services.project_save(project=stopped, user=thanhhoa_manager, reason="Cơ sở giải thể")
    return province


def test_the_start_page_prints_the_reports_figures(client, ministry_reviewer, probe):
    report = figures.summary(figures.coverage(period_for(2024, "year"), province=probe))
    assert (report.status_total.approved_total, report.status_total.paid_total) == (400 * TRIEU, 200 * TRIEU)

    client.force_login(ministry_reviewer)
    response = client.get(reverse("admin:index"), {"nam": "2024"})
    row = next(row for row in response.context["national"].rows if row.unit_id == probe.pk)
    assert (row.planned, row.approved, row.disbursed) == (1_000 * TRIEU, 400 * TRIEU, 200 * TRIEU)
    assert (row.approved, row.disbursed) == (report.status_total.approved_total, report.status_total.paid_total)
    page = response.content.decode()
    assert "400.000.000" in page and "200.000.000" in page and "50,00%" in page
    assert "600.000.000" not in page and "41,67%" not in page


def test_the_list_totals_say_what_they_sum(client, ministry_reviewer, probe):
    client.force_login(ministry_reviewer)
    response = client.get(reverse("admin:programmes_project_changelist"), {"tinh": probe.pk, "nam": "2024"})
    totals = {str(label): value for label, value in response.context["totals"]}
    assert totals["kinh phí KC của các đề án trong danh sách"] == "600.000.000"
    assert totals["đã giải ngân đến nay"] == "250.000.000"
    # No label of the list is one the report or the start page uses for another sum.
    start = client.get(reverse("admin:index"), {"nam": "2024"}).content.decode()
    for label in totals:
        if label not in ("số đề án", "vốn đối ứng"):
            assert label not in start, label


def test_a_settled_project_is_not_payable_anywhere(client, thanhhoa_officer, probe):
    from programmes.models import Project
    from programmes.statuses import PAYABLE

    project = Project.objects.filter(status=ProjectStatus.APPROVED).first()
    project.status = ProjectStatus.SETTLED
    assert not project.accepts_payments and ProjectStatus.SETTLED not in PAYABLE
    client.force_login(thanhhoa_officer)
    left = client.get(reverse("admin:index")).context["money_left"]
    assert all(row.status in PAYABLE for row in left["rows"])

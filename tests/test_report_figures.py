"""Report figures, hand-computed: the Thanh Hóa 2024 case of domain.md §7 (tests/report_data.py) and the edge cases."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from programmes.lib.formatting import millions, percent
from programmes.models import Indicator, IndicatorKind, ProjectAdjustment, ProjectStatus, SchemeLevel
from reports import figures
from reports.models import Level
from reports.periods import period_for
from tests.factories import (
    BeneficiaryFactory,
    FacilityFactory,
    PlanFactory,
    PlanLineFactory,
    content,
    current_province,
    disburse,
    national_scheme,
    old_province,
)
from tests.report_data import TRIEU, d, project

pytestmark = pytest.mark.django_db
S = ProjectStatus


def summary_for(province, year, preset="year", level=Level.ALL, **dates):
    return figures.summary(figures.coverage(period_for(year, preset, **dates), level=level, province=province))


def block(summary, level):
    return next(b for b in summary.blocks if b.level == level)


def line(summary, level, code):
    return next(item for item in block(summary, level).lines if item.content_code == code)


def test_first_half_of_2024_as_published(thanhhoa_2024):
    result = summary_for(thanhhoa_2024["province"], 2024, "h1")
    machinery = line(result, SchemeLevel.LOCAL, "ND45-3")
    assert machinery.accepted_of_planned == "02/08"
    assert millions(machinery.performed) == "600"
    assert machinery.started == 2
    local = block(result, SchemeLevel.LOCAL).subtotal
    assert millions(local.performed) == "600"
    assert millions(local.planned_amount) == "3.277"
    assert percent(local.percent_of_plan) == "18,31%"  # 600 / 3.277
    national = block(result, SchemeLevel.NATIONAL).subtotal
    assert millions(national.performed) == "1.000"
    assert millions(result.total.performed) == "1.600"


def test_second_half_and_year_as_published(thanhhoa_2024):
    second_half = summary_for(thanhhoa_2024["province"], 2024, "h2")
    local = block(second_half, SchemeLevel.LOCAL).subtotal
    assert millions(local.performed) == "2.677"
    assert millions(local.cumulative) == "3.277"
    assert percent(local.percent_of_plan) == "100,00%"
    assert line(second_half, SchemeLevel.LOCAL, "ND45-3").accepted_of_planned == "06/08"
    assert line(second_half, SchemeLevel.LOCAL, "ND45-4").accepted_of_planned == "02/02"
    year = summary_for(thanhhoa_2024["province"], 2024, "year")
    national = block(year, SchemeLevel.NATIONAL).subtotal
    assert millions(national.cumulative) == "2.950"
    assert percent(national.percent_of_plan) == "100,00%"
    assert millions(year.total.cumulative) == "6.227"
    status = year.status_total
    assert millions(status.approved["kcqg"]) == "2.950" and percent(status.percent("kcqg")) == "100,00%"
    assert millions(status.approved["kcdp"]) == "3.277" and percent(status.percent("kcdp")) == "100,00%"


def test_a_level_alone(thanhhoa_2024):
    local_only = summary_for(thanhhoa_2024["province"], 2024, "year", level=Level.LOCAL)
    assert [b.level for b in local_only.blocks] == [SchemeLevel.LOCAL]
    assert millions(local_only.total.cumulative) == "3.277"
    assert local_only.status_total.approved["kcqg"] == 0
    national_only = summary_for(thanhhoa_2024["province"], 2024, "year", level=Level.NATIONAL)
    assert millions(national_only.total.cumulative) == "2.950"


def test_the_province_of_today_rolls_up_its_predecessor_and_says_so(thanhhoa_2024):
    cov = figures.coverage(period_for(2024, "h1"), province=current_province("38"))
    assert "Thanh Hóa (cũ)" in cov.lineage_note
    assert millions(figures.summary(cov).total.performed) == "1.600"
    # The old unit over its own year: the same figures, no lineage note.
    old = figures.coverage(period_for(2024, "h1"), province=thanhhoa_2024["province"])
    assert old.lineage_note == ""


def test_another_province_counts_nothing_here(thanhhoa_2024):
    danang = PlanFactory(province=old_province("48"), year=2024)
    PlanLineFactory(plan=danang, planned_amount=999 * TRIEU, planned_projects=9)
    other = project(danang, 100, started=d(2024, 3, 1), accepted=d(2024, 5, 1))
    disburse(other, 100 * TRIEU, paid_on=d(2024, 5, 2))
    result = summary_for(thanhhoa_2024["province"], 2024, "h1")
    assert millions(result.total.performed) == "1.600"
    assert millions(block(result, SchemeLevel.LOCAL).subtotal.planned_amount) == "3.277"


def test_payments_on_the_first_and_last_day_count_the_day_after_does_not():
    plan = PlanFactory(province=old_province("38"), year=2024)
    PlanLineFactory(plan=plan, planned_amount=1_000 * TRIEU, planned_projects=1)
    item = project(plan, 900, started=d(2024, 1, 1), decision_date=d(2024, 1, 1), registered_on=d(2024, 1, 1))
    for day, amount in ((d(2024, 1, 1), 100), (d(2024, 6, 30), 200), (d(2024, 7, 1), 400)):
        disburse(item, amount * TRIEU, paid_on=day)
    result = summary_for(plan.province, 2024, "h1")
    assert result.total.performed == 300 * TRIEU
    assert result.total.cumulative == 300 * TRIEU
    assert summary_for(plan.province, 2024, "h2").total.performed == 400 * TRIEU


def test_the_ministry_cut_off_period(thanhhoa_2024):
    period = period_for(2024, "cutoff_h1")
    assert (period.date_from, period.date_until) == (d(2023, 12, 15), d(2024, 6, 14))
    result = figures.summary(figures.coverage(period, province=thanhhoa_2024["province"]))
    # The 20/06 payments of the two machinery đề án fall after the 14/06 cut-off.
    assert millions(result.total.performed) == "1.000"
    assert period_for(2024, "cutoff_year").date_until == d(2024, 12, 14)


def test_an_adjusted_project_before_and_after_its_effective_date():
    plan = PlanFactory(province=old_province("38"), year=2024)
    item = project(plan, 300)
    ProjectAdjustment.objects.create(
        project=item,
        decision_number="55/QĐ-SCT",
        decision_date=d(2024, 8, 1),
        effective_on=d(2024, 8, 1),
        old_kc_support=300 * TRIEU,
        new_kc_support=250 * TRIEU,
        old_counterpart_funds=300 * TRIEU,
        new_counterpart_funds=260 * TRIEU,
    )
    item.kc_support, item.counterpart_funds = 250 * TRIEU, 260 * TRIEU
    item.save()
    before = figures.coverage(period_for(2024, "h1"), province=plan.province)
    after = figures.coverage(period_for(2024, "year"), province=plan.province)
    assert figures.summary(before).status_total.approved_total == 300 * TRIEU
    assert figures.summary(after).status_total.approved_total == 250 * TRIEU
    assert line(figures.summary(before), SchemeLevel.LOCAL, "ND45-3").counterpart == 300 * TRIEU
    assert line(figures.summary(after), SchemeLevel.LOCAL, "ND45-3").counterpart == 260 * TRIEU
    [row_before] = [row for row in figures.project_rows(before) if isinstance(row, figures.ProjectRow)]
    [row_after] = [row for row in figures.project_rows(after) if isinstance(row, figures.ProjectRow)]
    assert (row_before.support, row_before.note) == (300 * TRIEU, "")
    assert row_after.support == 250 * TRIEU and "55/QĐ-SCT" in row_after.note


def test_a_stopped_project_counts_what_was_paid():
    plan = PlanFactory(province=old_province("38"), year=2024)
    item = project(plan, 300, started=d(2024, 3, 5))
    disburse(item, 100 * TRIEU, paid_on=d(2024, 4, 1))
    item.refresh_from_db()
    item.status, item.stopped_on, item.stop_reason = S.STOPPED, d(2024, 5, 1), "Cơ sở không đủ vốn đối ứng"
    item.save()
    result = summary_for(plan.province, 2024, "h1")
    assert result.status_total.approved_total == 100 * TRIEU
    assert percent(result.status_total.percent()) == "100,00%"
    [row] = [row for row in figures.project_rows(result.coverage) if isinstance(row, figures.ProjectRow)]
    assert row.status == "Ngừng thực hiện" and "không đủ vốn" in row.note


def test_money_paid_on_an_earlier_year_is_carried_over():
    plan_2023 = PlanFactory(province=old_province("38"), year=2023)
    item = project(plan_2023, 500, started=d(2023, 9, 1), end_date=d(2024, 6, 30))
    disburse(item, 200 * TRIEU, paid_on=d(2023, 11, 1))
    disburse(item, 300 * TRIEU, paid_on=d(2024, 3, 1))
    result = summary_for(plan_2023.province, 2024, "h1")
    assert result.carry_over.performed == 300 * TRIEU
    assert result.total.performed == 300 * TRIEU
    assert sum(b.subtotal.performed for b in result.blocks) == 0
    rows = [row for row in figures.project_rows(result.coverage) if isinstance(row, figures.ProjectRow)]
    assert [(r.code, r.paid_in_period, r.paid_to_date) for r in rows] == [(item.code, 300 * TRIEU, 500 * TRIEU)]
    assert rows[0].note.startswith("Chuyển tiếp từ năm 2023")


def test_same_period_last_year():
    province = old_province("38")
    for year, amount in ((2023, 400), (2024, 600)):
        plan = PlanFactory(province=province, year=year)
        PlanLineFactory(plan=plan, planned_amount=1_000 * TRIEU)
        disburse(project(plan, amount), amount * TRIEU, paid_on=d(year, 5, 1))
    result = summary_for(province, 2024, "h1")
    assert percent(result.total.percent_of_last_year) == "150,00%"


def test_a_merged_province_over_a_period_spanning_1_july_2025():
    bac_lieu, old_ca_mau, ca_mau = old_province("95"), old_province("96"), current_province("96")
    before = PlanFactory(province=bac_lieu, year=2025)
    PlanLineFactory(plan=before, planned_amount=500 * TRIEU, planned_projects=1)
    disburse(project(before, 500), 200 * TRIEU, paid_on=d(2025, 3, 10))
    after = PlanFactory(province=ca_mau, year=2025, scheme=national_scheme(2025))
    disburse(project(after, 300, decision_date=d(2025, 7, 5)), 300 * TRIEU, paid_on=d(2025, 9, 10))
    whole_year = figures.coverage(period_for(2025, "year"), province=ca_mau)
    assert "Bạc Liêu (cũ)" in whole_year.lineage_note and "Cà Mau (cũ)" in whole_year.lineage_note
    assert figures.summary(whole_year).total.performed == 500 * TRIEU
    first_half = figures.coverage(period_for(2025, "h1"), province=bac_lieu)
    assert figures.summary(first_half).total.performed == 200 * TRIEU
    assert figures.summary(figures.coverage(period_for(2025, "h1"), province=old_ca_mau)).total.performed == 0
    with pytest.raises(ValidationError, match="Cà Mau"):
        figures.coverage(period_for(2025, "year"), province=bac_lieu)


def test_codes_resolve_with_the_period_dates():
    assert figures.resolve_province("52", d(2024, 12, 31)).name == "Bình Định"
    assert figures.resolve_province("52", d(2025, 12, 31)).name == "Gia Lai"
    with pytest.raises(ValidationError):
        figures.resolve_province("99", d(2025, 12, 31))


def test_an_empty_province_has_zero_figures():
    result = summary_for(current_province("01"), 2026, "h1")
    assert result.total.performed == 0 and result.total.planned_amount == 0
    assert result.status_total.percent() is None
    assert list(figures.project_rows(result.coverage))[-1].kind == "total"


def test_outputs_planned_and_achieved_by_the_period_end(thanhhoa_2024):
    trainees = IndicatorKind.objects.get(code="CS_MMTB")
    Indicator.objects.create(plan=thanhhoa_2024["local"], content=content("ND45-3"), kind=trainees, planned=8)
    machinery = thanhhoa_2024["local"].projects.filter(content__code="ND45-3").order_by("accepted_on")
    for item in machinery:
        Indicator.objects.create(project=item, kind=trainees, planned=1, achieved=1, achieved_on=item.accepted_on)
    [h1] = summary_for(thanhhoa_2024["province"], 2024, "h1").outputs
    assert (h1.name, h1.unit, h1.planned, h1.achieved) == ("Cơ sở được hỗ trợ máy móc thiết bị", "cơ sở", 8, 2)
    assert percent(h1.percent) == "25,00%"
    [year] = summary_for(thanhhoa_2024["province"], 2024, "year").outputs
    assert year.achieved == 8 and year.percent == Decimal(100)


def test_group_project_lists_one_line_per_facility(thanhhoa_2024):
    for name in ("Cơ sở cơ khí Lam Sơn", "HTX cơ khí Đông Sơn"):
        BeneficiaryFactory(
            project=thanhhoa_2024["group"],
            facility=FacilityFactory(name=name, province=current_province("38")),
            support_amount=100 * TRIEU,
        )
    cov = figures.coverage(period_for(2024, "year"), province=thanhhoa_2024["province"], level=Level.NATIONAL)
    [row] = [row for row in figures.project_rows(cov) if isinstance(row, figures.ProjectRow)]
    assert row.beneficiaries == ["Cơ sở cơ khí Lam Sơn", "HTX cơ khí Đông Sơn"]
    assert (row.paid_to_date, percent(row.percent_paid)) == (2_950 * TRIEU, "100,00%")


def test_region_and_nation_group_units_by_region(thanhhoa_2024):
    nation = figures.summary(figures.coverage(period_for(2024, "year")))
    assert len(nation.status_rows) == 63  # the units of 2024
    thanh_hoa = next(row for row in nation.status_rows if row.label == "Thanh Hóa")
    assert millions(thanh_hoa.paid_total) == "6.227"
    groups = figures.status_by_region(nation)
    assert [len(members) for _subtotal, members in groups] and sum(len(m) for _s, m in groups) == 63
    north = figures.summary(figures.coverage(period_for(2024, "year"), region="bac"))
    assert millions(north.total.cumulative) == "6.227"
    south = figures.summary(figures.coverage(period_for(2024, "year"), region="nam"))
    assert south.total.cumulative == 0
    assert len(figures.summary(figures.coverage(period_for(2026, "h1"))).status_rows) == 34


@pytest.mark.parametrize("scope", ["province", "nation"])
def test_the_figures_take_a_constant_number_of_queries(thanhhoa_2024, scope):
    def count():
        cov = figures.coverage(
            period_for(2024, "year"), province=thanhhoa_2024["province"] if scope == "province" else None
        )
        with CaptureQueriesContext(connection) as queries:
            figures.summary(cov)
            list(figures.project_rows(cov))
        return len(queries)

    before = count()
    more = PlanFactory(province=old_province("40"), year=2024)
    for _ in range(5):
        item = project(more, 100, started=d(2024, 3, 1))
        disburse(item, 50 * TRIEU, paid_on=d(2024, 4, 1))
    assert count() == before == 16  # 11 for the summary, 5 for Biểu 03 (1 and 1 over the shares by year)

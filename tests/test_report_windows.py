"""Reports over any window up to five years (issue 19, point 2): the figures of a window across years
are those of its report years added up, carry-over money has its own row and is never set against a
plan, and a unit's money counts in its region of the time."""

import pytest
from django.core.exceptions import ValidationError

from programmes.lib.formatting import ratio
from programmes.models import SchemeLevel
from reports import document, figures, locks, render
from reports.models import Level
from reports.periods import period_for
from tests.factories import (
    PlanFactory,
    PlanLineFactory,
    content,
    current_province,
    disburse,
    national_scheme,
    old_province,
)
from tests.report_data import TRIEU, d, project
from tests.test_document_issuer import flat
from tests.test_report_documents import pdf_text

pytestmark = pytest.mark.django_db

LINE_COLUMNS = (
    "planned_projects",
    "planned_amount",
    "started",
    "accepted",
    "performed",
    "cumulative",
    "last_year",
    "counterpart",
    "carried_over",
)


@pytest.fixture
def three_years(db):
    """Thanh Hóa (before the merger) over 2022–2024: a 2022 đề án still paid in 2023 and 2024, two
    2023 đề án (one finished paying in 2024), a national one, and the 2024 đề án."""
    province = old_province("38")
    machinery, fairs = content("ND45-3"), content("ND45-4")
    plan_2022 = PlanFactory(province=province, year=2022)
    PlanLineFactory(plan=plan_2022, content=machinery, planned_amount=300 * TRIEU, planned_projects=1)
    old = project(plan_2022, 300, started=d(2022, 3, 5))
    disburse(old, 100 * TRIEU, paid_on=d(2022, 6, 1))
    disburse(old, 100 * TRIEU, paid_on=d(2023, 3, 1))
    disburse(old, 100 * TRIEU, paid_on=d(2024, 2, 1))

    plan_2023 = PlanFactory(province=province, year=2023)
    PlanLineFactory(plan=plan_2023, content=machinery, planned_amount=1_000 * TRIEU, planned_projects=2)
    PlanLineFactory(plan=plan_2023, content=fairs, planned_amount=150 * TRIEU, planned_projects=1)
    done = project(plan_2023, 400, started=d(2023, 3, 5), accepted=d(2023, 10, 1))
    disburse(done, 400 * TRIEU, paid_on=d(2023, 11, 2))
    late = project(plan_2023, 500, started=d(2023, 4, 2))
    disburse(late, 200 * TRIEU, paid_on=d(2023, 12, 1))
    disburse(late, 300 * TRIEU, paid_on=d(2024, 3, 1))
    fair = project(plan_2023, 150, code_content="ND45-4", started=d(2023, 8, 1), accepted=d(2023, 9, 1))
    disburse(fair, 150 * TRIEU, paid_on=d(2023, 9, 5))
    national = PlanFactory(province=province, year=2023, scheme=national_scheme(2023))
    PlanLineFactory(plan=national, content=machinery, planned_amount=800 * TRIEU, planned_projects=1)
    disburse(project(national, 800, started=d(2023, 5, 1)), 800 * TRIEU, paid_on=d(2023, 9, 1))

    plan_2024 = PlanFactory(province=province, year=2024)
    PlanLineFactory(plan=plan_2024, content=machinery, planned_amount=1_200 * TRIEU, planned_projects=2)
    current = project(plan_2024, 600, started=d(2024, 3, 10))
    disburse(current, 250 * TRIEU, paid_on=d(2024, 4, 1))
    disburse(current, 100 * TRIEU, paid_on=d(2024, 8, 1))  # after the window
    project(plan_2024, 500, decision_date=d(2024, 5, 2))
    return {"province": province}


def summary_of(province, period, level=Level.ALL):
    return figures.summary(figures.coverage(period, province=province, level=level))


def lines_of(summary) -> dict:
    found = {(block.level, line.content_code): line for block in summary.blocks for line in block.lines}
    found.update({(block.level, "subtotal"): block.subtotal for block in summary.blocks})
    found["carry_over"], found["total"] = summary.carry_over, summary.total
    return found


def status_of(row) -> dict:
    return {"approved": row.approved, "paid": row.paid, "planned": row.planned, "performed": row.performed}


def added(*summaries) -> dict:
    """Every money and count column of the summaries, added up line by line."""
    total: dict = {}
    for summary in summaries:
        for key, line in lines_of(summary).items():
            columns = total.setdefault(key, dict.fromkeys(LINE_COLUMNS, 0))
            for name in LINE_COLUMNS:
                columns[name] += getattr(line, name)
    return total


def columns(summary) -> dict:
    return {key: {name: getattr(line, name) for name in LINE_COLUMNS} for key, line in lines_of(summary).items()}


def test_a_window_across_two_years_is_the_sum_of_its_reports(three_years):
    province = three_years["province"]
    window = period_for(2024, "custom", date_from=d(2023, 1, 1), date_until=d(2024, 6, 30))
    assert [segment.dates for segment in window.segments()] == ["01/01/2023 – 31/12/2023", "01/01/2024 – 30/06/2024"]
    whole = summary_of(province, window)
    year_2023, first_half_2024 = (
        summary_of(province, period_for(2023, "year")),
        summary_of(province, period_for(2024, "h1")),
    )

    assert columns(whole) == added(year_2023, first_half_2024)
    for level in (Level.NATIONAL, Level.LOCAL):
        assert columns(summary_of(province, window, level)) == added(
            summary_of(province, period_for(2023, "year"), level), summary_of(province, period_for(2024, "h1"), level)
        )
    parts = [status_of(part.status_total) for part in (year_2023, first_half_2024)]
    assert status_of(whole.status_total) == {
        name: {level: parts[0][name][level] + parts[1][name][level] for level in figures.LEVELS} for name in parts[0]
    }
    # The figures themselves, by hand: plans of both years, each payment in its own year.
    assert whole.total.planned_amount == (1_000 + 150 + 800 + 1_200) * TRIEU
    assert whole.carry_over.performed == (100 + 100 + 300) * TRIEU  # 2022's in 2023 and 2024, 2023's in 2024
    assert whole.total.performed == (400 + 200 + 150 + 800 + 250) * TRIEU + whole.carry_over.performed
    assert whole.total.started == 5 and whole.total.accepted == 2


def test_carry_over_is_never_divided_by_a_plan(three_years):
    province = three_years["province"]
    # 365 days across two years: once 112 % (the carry-over counted against one year's plan).
    window = period_for(2024, "custom", date_from=d(2023, 7, 1), date_until=d(2024, 6, 30))
    result = summary_of(province, window)
    assert result.carry_over.performed > 0
    assert result.carry_over.percent_of_plan is None and result.carry_over.percent_of_last_year is None
    paid_on_plans = result.total.cumulative - result.carry_over.cumulative
    assert result.total.percent_of_plan == ratio(paid_on_plans, result.total.planned_amount)
    for period in (window, period_for(2024, "h1"), period_for(2024, "year"), period_for(2023, "year")):
        summary = summary_of(province, period)
        for line in lines_of(summary).values():
            assert line.percent_of_plan is None or line.percent_of_plan <= 100, (period, line)


def test_the_presets_and_the_five_year_limit():
    period = period_for(2022, "year_and_months", months=9)
    assert (period.date_from, period.date_until) == (d(2021, 1, 1), d(2022, 9, 30))
    assert period.label == "năm 2021 và 9 tháng đầu năm 2022"
    assert period.plan_heading == "Kế hoạch năm 2021–2022"
    assert period.cumulative_heading == "Lũy kế từ 01/01/2021"
    five = period_for(2024, "custom", date_from=d(2020, 1, 1), date_until=d(2024, 12, 31))
    assert five.years == [2020, 2021, 2022, 2023, 2024]
    with pytest.raises(ValidationError) as refused:
        period_for(2025, "custom", date_from=d(2020, 1, 1), date_until=d(2025, 1, 1))
    assert "date_until" in refused.value.message_dict
    # One report year stays one: a cut-off year from 15/12 of the year before, a calendar year.
    assert period_for(2024, "cutoff_year").segments() == [period_for(2024, "cutoff_year")]
    assert period_for(2024, "h1").plan_heading == "Kế hoạch năm 2024"
    assert period_for(2024, "h1").cumulative_heading == "Lũy kế từ đầu năm"


def test_a_window_lists_each_project_once_and_notes_what_came_before(three_years):
    cov = figures.coverage(
        period_for(2023, "year_and_months", months=6), province=three_years["province"], level=Level.LOCAL
    )
    rows = [item for item in figures.project_rows(cov) if isinstance(item, figures.ProjectRow)]
    assert len(rows) == len({row.name for row in rows}) == 4  # 2022's and 2023's local đề án
    assert [row.note for row in rows if row.note] == []
    later = figures.coverage(
        period_for(2024, "custom", date_from=d(2023, 1, 1), date_until=d(2024, 6, 30)),
        province=three_years["province"],
        level=Level.LOCAL,
    )
    rows = [item for item in figures.project_rows(later) if isinstance(item, figures.ProjectRow)]
    assert len(rows) == len({row.name for row in rows}) == 6
    assert sum("Chuyển tiếp từ năm 2022" in row.note for row in rows) == 1


def test_the_pdf_of_a_window_says_which_years(three_years, tmp_path):
    cov = figures.coverage(period_for(2024, "year_and_months", months=6), province=three_years["province"])
    text = flat(pdf_text(render.pdf(document.build(cov)), tmp_path))
    for expected in (
        "năm 2023 và 6 tháng đầu năm 2024",
        "Kế hoạch năm 2023–",  # the column heading wraps after the dash
        "Kế hoạch kinh phí khuyến công năm 2023–2024 được giao",
        "Kinh phí năm trước chuyển sang",
    ):
        assert expected in text, expected
    html = render.html(document.build(cov))
    assert "Kế hoạch năm 2023–2024" in html and "Lũy kế từ 01/01/2023" in html


def test_a_locked_window_holds_the_plans_of_every_year_it_covers(three_years):
    from reports.models import PeriodLock

    lock = PeriodLock(date_from=d(2023, 1, 1), date_until=d(2024, 6, 30), year=2024)
    assert locks._years(lock) == [2023, 2024]
    plan_line = PlanLineFactory.build(year=2023)
    assert locks._holds(lock, plan_line, None)
    assert not locks._holds(lock, PlanLineFactory.build(year=2022), None)


# --- Regions of the time ----------------------------------------------------------------------------


@pytest.fixture
def binh_thuan_2025(db):
    """Old Bình Thuận (the South until 30/06/2025) paid in H1 2025; Lâm Đồng of today, which it became
    part of (the Central region), paid after 1/7/2025."""
    old = old_province("60")
    assert old.region == "nam"
    plan = PlanFactory(province=old, year=2025)
    PlanLineFactory(plan=plan, content=content("ND45-3"), planned_amount=500 * TRIEU, planned_projects=1)
    disburse(project(plan, 500, started=d(2025, 3, 1)), 200 * TRIEU, paid_on=d(2025, 5, 10))
    today = current_province("68")
    assert today.region == "trung" and old.current_id == today.pk
    plan_after = PlanFactory(province=today, year=2025)
    PlanLineFactory(plan=plan_after, content=content("ND45-3"), planned_amount=700 * TRIEU, planned_projects=1)
    after = project(plan_after, 700, decision_date=d(2025, 7, 20), started=d(2025, 8, 1), start_date=d(2025, 8, 1))
    disburse(after, 300 * TRIEU, paid_on=d(2025, 9, 10))
    return {"old": old, "today": today}


def region_rows(summary, region):
    return next(members for subtotal, members in figures.status_by_region(summary) if subtotal.region == region)


def test_a_units_money_counts_in_its_region_of_the_time(binh_thuan_2025):
    year = period_for(2025, "year")
    south = figures.summary(figures.coverage(year, region="nam"))
    (part,) = [row for row in region_rows(south, "nam") if row.unit_id == binh_thuan_2025["today"].pk]
    assert part.paid[SchemeLevel.LOCAL] == 200 * TRIEU and part.planned[SchemeLevel.LOCAL] == 500 * TRIEU
    assert part.label == "Lâm Đồng (số liệu trước 01/07/2025 của Bình Thuận)"
    assert all(subtotal.region == "nam" for subtotal, _members in figures.status_by_region(south))

    nation = figures.summary(figures.coverage(year))
    by_region = {subtotal.region: subtotal for subtotal, _members in figures.status_by_region(nation)}
    assert by_region["nam"].paid[SchemeLevel.LOCAL] == 200 * TRIEU
    assert by_region["trung"].paid[SchemeLevel.LOCAL] == 300 * TRIEU
    rows = [row for row in nation.status_rows if row.unit_id == binh_thuan_2025["today"].pk]
    assert sorted(row.region for row in rows) == ["nam", "trung"]
    assert sum(row.paid_total for row in rows) == nation.status_total.paid_total == 500 * TRIEU

    # After the merger only, one row in the unit's own region.
    second_half = figures.summary(figures.coverage(period_for(2025, "h2")))
    rows = [row for row in second_half.status_rows if row.unit_id == binh_thuan_2025["today"].pk]
    assert [(row.region, row.label) for row in rows] == [("trung", "Lâm Đồng")]

"""The Ministry's pages in a real browser (Chromium through Playwright), at 1366, 1024 and 768 px (issue 18).

A reviewer opens the status page, sorts it, filters it, drills down from a province to a đề án and
its payment, and accepts one report and returns another; an officer sees their province only.
Nothing is cut off (no sideways scroll of the page) and axe-core finds no serious or critical
violation. Screenshots go to $SCREENSHOTS_DIR when it is set.
"""

from __future__ import annotations

import datetime
import os
from pathlib import Path

import pytest
from django.urls import reverse

from programmes.models import Disbursement
from reports import services as report_services
from reports.models import PeriodLock, ReportReview
from tests.factories import (
    PlanFactory,
    PlanLineFactory,
    content,
    current_province,
    disburse,
    draft_report,
    old_province,
)
from tests.report_data import TRIEU, project
from tests.test_browser import CHROMIUM, IN_CI, axe_problems, chromium, log_in  # noqa: F401  (fixtures)

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("committed_reference_data"),
    pytest.mark.skipif(CHROMIUM is None and not IN_CI, reason="Chromium is not installed (apt-get install chromium)"),
]

WIDTHS = {"laptop": 1366, "small-laptop": 1024, "tablet": 768}
d = datetime.date


@pytest.fixture(params=list(WIDTHS), ids=list(WIDTHS))
def tab(request, chromium, live_server, tmp_path):  # noqa: F811
    width = WIDTHS[request.param]
    context = chromium.new_context(viewport={"width": width, "height": 900}, locale="vi-VN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.base, page.width_name, page.width = live_server.url, request.param, width
    page.shots = Path(os.environ.get("SCREENSHOTS_DIR") or tmp_path)
    page.shots.mkdir(parents=True, exist_ok=True)
    yield page
    context.close()


def shot(page, name: str) -> None:
    page.screenshot(path=str(page.shots / f"oversight-{name}-{page.width_name}.png"), full_page=True)


def fits(page) -> None:
    """Nothing is cut off: the page itself never scrolls sideways (wide tables scroll in their box)."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.width, f"the page is {width} px wide at {page.width} px"


@pytest.fixture
def register(thanhhoa_manager):
    thanh_hoa = old_province("38")
    plan = PlanFactory(province=thanh_hoa, year=2024)
    PlanLineFactory(plan=plan, content=content("ND45-3"), planned_amount=900 * TRIEU)
    paid = project(plan, 300, started=d(2024, 3, 5), name="Hỗ trợ máy chế biến gỗ rừng trồng")
    disburse(paid, 120 * TRIEU, paid_on=d(2024, 5, 20), voucher_number="UNC-TH-01")
    late = project(plan, 200, started=d(2024, 3, 5), end_date=d(2024, 10, 1))
    disburse(late, 20 * TRIEU, paid_on=d(2024, 4, 2))
    quang_nam = PlanFactory(province=old_province("49"), year=2024)
    disburse(project(quang_nam, 150, started=d(2024, 4, 1)), 150 * TRIEU, paid_on=d(2024, 6, 1))
    reports = []
    for preset, until, number, issued_on in (
        ("h1", d(2024, 6, 30), "15/BC-SCT", d(2024, 7, 5)),
        ("year", d(2024, 12, 31), "3/BC-SCT", d(2025, 1, 10)),
    ):
        report = report_services.report_save(
            report=draft_report(province=current_province("38"), year=2024, preset=preset, date_from=d(2024, 1, 1),
                          date_until=until),
            user=thanhhoa_manager,
        )  # fmt: skip
        reports.append(report_services.report_issue(report=report, user=thanhhoa_manager, number=number,
                                                    issued_on=issued_on))  # fmt: skip
    return {"paid": paid, "late": late, "reports": reports}


def test_a_reviewer_reads_sorts_filters_drills_down_and_answers(tab, ministry_reviewer, register):
    page = tab
    log_in(page, ministry_reviewer)
    page.goto(page.base + reverse("reports:status") + "?year=2024&preset=h1&level=all&units=then")
    assert "Thanh Hóa" in page.inner_text(".status-grid") and "Quảng Nam" in page.inner_text(".status-grid")
    fits(page)
    assert not axe_problems(page)
    shot(page, "status")
    # Sort by money disbursed to date, the most first.
    page.click(".status-grid thead th:nth-child(4) a")
    page.click(".status-grid thead th:nth-child(4) a")
    assert page.get_attribute(".status-grid thead th:nth-child(4)", "aria-sort") == "descending"
    north = page.locator(".status-grid tbody").first.locator("tr:not(.region) th").first.inner_text()
    assert north == "Thanh Hóa"
    # Filter: the Centre only.
    page.select_option("#id_region", "trung")
    page.click(".report-parameters button[type=submit]")
    rows = page.inner_text(".status-grid")
    assert "Quảng Nam" in rows and "Thanh Hóa" not in rows
    # Drill down: the North again, Thanh Hóa → its đề án → one of them, with its payment.
    page.goto(page.base + reverse("reports:status") + "?year=2024&preset=year&level=all&units=then")
    page.click(".status-grid th.name a:text-is('Thanh Hóa')")
    page.wait_for_load_state("load")
    assert "Hỗ trợ máy chế biến gỗ rừng trồng" in page.inner_text("#result_list")
    page.click("#result_list a:text('" + register["paid"].code + "')")
    page.wait_for_load_state("load")
    assert "120.000.000" in page.content() and "UNC-TH-01" in page.content()
    fits(page)
    page.go_back()
    assert "tinh=" in page.url and "nam=2024" in page.url  # back keeps the filters
    # The lagging count opens the lagging đề án.
    page.go_back()
    page.click(".status-grid a.lagging")
    page.wait_for_load_state("load")
    assert register["late"].code in page.inner_text("#result_list")

    # Who has reported: accept the first half, return the year with a reason.
    page.goto(page.base + reverse("reports:completeness") + "?nam=2024")
    fits(page)
    assert not axe_problems(page)
    shot(page, "completeness")
    first, annual = register["reports"]
    page.goto(page.base + reverse("reports:review", args=[first.pk]))
    assert not axe_problems(page)
    page.click("button:text('Chấp nhận báo cáo')")
    page.wait_for_load_state("load")
    assert ReportReview.objects.get(issued_report=first).action == "accepted"
    page.goto(page.base + reverse("reports:review", args=[annual.pk]))
    page.fill("#id_reason", "Thiếu số liệu đề án nhóm")
    shot(page, "review")
    page.click("button:text('Trả lại kèm lý do này')")
    page.wait_for_load_state("load")
    assert not PeriodLock.objects.get(issued_report=annual).is_active
    assert "Thiếu số liệu đề án nhóm" in page.inner_text(".completeness-grid")
    shot(page, "completeness-answered")


def test_an_officer_sees_their_province_and_cannot_answer(tab, thanhhoa_officer, register):
    page = tab
    log_in(page, thanhhoa_officer)
    page.goto(page.base + reverse("reports:status") + "?year=2024&preset=h1&level=all&units=then")
    names = page.locator(".status-grid th.name").all_inner_texts()
    assert names == ["Thanh Hóa"]
    assert page.locator("#id_region").count() == 0
    fits(page)
    assert not axe_problems(page)
    shot(page, "status-officer")
    page.goto(page.base + reverse("reports:review", args=[register["reports"][0].pk]))
    assert page.locator("button:text('Chấp nhận báo cáo')").count() == 0
    assert not Disbursement.objects.filter(amount=0).exists()

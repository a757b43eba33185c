"""Issuing a report: its date not in the future, its number once a year, written as on the document.

Issue 16, finding 2.
"""

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse

from reports import services as report_services
from reports.models import IssuedReport, PeriodLock, Report
from tests.factories import current_province, draft_report
from tests.report_data import d

pytestmark = pytest.mark.django_db

TODAY = "2026-12-06 10:00 +07:00"


def draft_of(year: int, user, preset="year", province_code="38") -> Report:
    date_from, date_until = (d(year, 1, 1), d(year, 12, 31)) if preset == "year" else (d(year, 1, 1), d(year, 6, 30))
    report = draft_report(province=current_province(province_code), year=year, preset=preset, date_from=date_from,
                    date_until=date_until)  # fmt: skip
    return report_services.report_save(report=report, user=user)


def refusal(report, user, **fields) -> dict:
    values = {"number": "15/BC-SCT", "issued_on": d(2026, 7, 5), **fields}
    with pytest.raises(ValidationError) as refused:
        report_services.report_issue(report=report, user=user, **values)
    return refused.value.message_dict


@time_machine.travel(TODAY, tick=False)
@pytest.mark.parametrize("issued_on", [d(2027, 12, 31), d(2026, 12, 7), d(2100, 12, 31), d(9999, 12, 31)])
def test_a_report_is_not_issued_in_the_future(thanhhoa_manager, issued_on):
    report = draft_of(2026, thanhhoa_manager, preset="h1")
    errors = refusal(report, thanhhoa_manager, issued_on=issued_on)
    assert "tương lai" in " ".join(errors["issued_on"]) and "06/12/2026" in " ".join(errors["issued_on"])
    assert not IssuedReport.objects.exists() and not PeriodLock.objects.exists()


@time_machine.travel(TODAY, tick=False)
def test_a_2027_report_cannot_lock_2027_ahead(thanhhoa_manager):
    report = draft_of(2027, thanhhoa_manager)
    errors = refusal(report, thanhhoa_manager, issued_on=d(2027, 12, 31))
    assert "issued_on" in errors
    assert not PeriodLock.objects.exists()


@time_machine.travel(TODAY, tick=False)
def test_today_and_the_days_after_the_period_are_accepted(thanhhoa_manager):
    report = draft_of(2026, thanhhoa_manager, preset="h1")
    issued = report_services.report_issue(report=report, user=thanhhoa_manager, number="15/BC-SCT",
                                          issued_on=d(2026, 12, 6))  # fmt: skip
    assert issued.issued_on == d(2026, 12, 6)


JUNK_NUMBERS = [
    "",
    "\ufeff",
    "\u202egnp.exe",
    "15/BC-SCT\u202e",
    "𝟏𝟓/𝔅ℭ-𝔖ℭ𝔗",  # fraktur and mathematical digits
    "１５/ＢＣ-ＳＣＴ",  # fullwidth
    "../../etc/passwd",
    "{{7*7}}",
    "15",
    "BC-SCT",
    "15/QĐ-SCT",  # a decision's symbol, not a report's
    "15/BC-",
    "15/BC-SCT-" + "X" * 30,
]


@time_machine.travel(TODAY, tick=False)
@pytest.mark.parametrize("number", JUNK_NUMBERS)
def test_junk_numbers_are_refused_at_the_field(thanhhoa_manager, number):
    report = draft_of(2026, thanhhoa_manager, preset="h1")
    errors = refusal(report, thanhhoa_manager, number=number)
    assert list(errors) == ["number"]
    assert not IssuedReport.objects.exists()


@time_machine.travel(TODAY, tick=False)
def test_the_number_is_cleaned_like_a_code(thanhhoa_manager):
    report = draft_of(2026, thanhhoa_manager, preset="h1")
    issued = report_services.report_issue(report=report, user=thanhhoa_manager, number=" 15 / bc-sct ",
                                          issued_on=d(2026, 7, 5))  # fmt: skip
    assert issued.number == "15/BC-SCT"
    issued = report_services.report_issue(report=report, user=thanhhoa_manager, number="16/BC-SCT-QLCN",
                                          issued_on=d(2026, 7, 6))  # fmt: skip
    assert issued.number == "16/BC-SCT-QLCN"


@time_machine.travel(TODAY, tick=False)
def test_a_number_is_issued_once_a_year_by_a_province(thanhhoa_manager, danang_officer, settings):
    from tests.conftest import _persona

    report = draft_of(2026, thanhhoa_manager, preset="h1")
    report_services.report_issue(report=report, user=thanhhoa_manager, number="15/BC-SCT", issued_on=d(2026, 7, 5))
    # The same number on another day of the year: refused, saying so.
    errors = refusal(report, thanhhoa_manager, number="15/bc-sct", issued_on=d(2026, 7, 9))
    assert "15/BC-SCT" in " ".join(errors["number"]) and "2026" in " ".join(errors["number"])
    # Another province's register: its own numbers.
    danang_manager = _persona("danang.manager", "province_manager", "48")
    other = draft_of(2026, danang_manager, preset="h1", province_code="48")
    report_services.report_issue(report=other, user=danang_manager, number="15/BC-SCT", issued_on=d(2026, 7, 5))
    # Each year's register starts again: 15/BC-SCT of 2025 is another document.
    year_2025 = draft_of(2025, thanhhoa_manager, preset="h1")
    report_services.report_issue(report=year_2025, user=thanhhoa_manager, number="15/BC-SCT", issued_on=d(2025, 7, 5))
    assert IssuedReport.objects.filter(number="15/BC-SCT").count() == 3


@time_machine.travel(TODAY, tick=False)
def test_re_issuing_keeps_one_lock_and_marks_the_old_version(client, thanhhoa_manager):
    report = draft_of(2026, thanhhoa_manager, preset="h1")
    first = report_services.report_issue(report=report, user=thanhhoa_manager, number="15/BC-SCT",
                                         issued_on=d(2026, 7, 5))  # fmt: skip
    second = report_services.report_issue(report=report, user=thanhhoa_manager, number="21/BC-SCT",
                                          issued_on=d(2026, 7, 20))  # fmt: skip
    lock = PeriodLock.objects.get()
    assert lock.issued_report == second and lock.is_active
    assert "15/BC-SCT" in lock.history.latest().history_change_reason
    assert IssuedReport.objects.get(pk=first.pk).pdf_sha256 == first.pdf_sha256  # the old version stays
    client.force_login(thanhhoa_manager)
    page = client.get(reverse("reports:draft", args=[report.pk])).content.decode()
    assert "Được thay thế bởi phiên bản 2 (số 21/BC-SCT)" in page
    call_command("find_formula_workbooks")  # nothing to re-issue: exits normally


@time_machine.travel(TODAY, tick=False)
def test_the_page_shows_a_refused_issue_at_its_fields_keeping_what_was_typed(client, thanhhoa_manager):
    report = draft_of(2026, thanhhoa_manager, preset="h1")
    client.force_login(thanhhoa_manager)
    page = client.post(reverse("reports:issue", args=[report.pk]), {"number": "15/BC-SCT", "issued_on": "2027-12-31"})
    assert page.status_code == 200
    form = page.context["issue_form"]
    assert "issued_on" in form.errors and form["number"].value() == "15/BC-SCT"
    assert "tương lai" in page.content.decode()
    page = client.post(
        reverse("reports:issue", args=[report.pk]), {"number": "\u202egnp.exe", "issued_on": "2026-07-05"}
    )
    assert page.status_code == 200 and "number" in page.context["issue_form"].errors
    assert "U+202E" in page.content.decode()
    assert not IssuedReport.objects.exists()

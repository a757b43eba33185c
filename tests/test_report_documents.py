"""The report in every format, issued and frozen, and the period lock it sets.

The PDF is read back with pdftotext and pdffonts (poppler-utils), the workbook with openpyxl and
converted by LibreOffice headless; CI installs both (`.ci/run`). Locally they skip when missing,
never under CI=true.
"""

import os
import shutil
import subprocess

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from openpyxl import load_workbook

from programmes import services
from programmes.models import Disbursement, Indicator, IndicatorKind, PlanLine
from reports import document, figures, render
from reports import services as report_services
from reports.models import IssuedReport, PeriodLock
from reports.periods import period_for
from tests.factories import current_province, disburse, draft_report
from tests.report_data import TRIEU, d, project

pytestmark = pytest.mark.django_db


def need(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{tool} is missing: .ci/run installs it")
        pytest.skip(f"{tool} is not installed")
    return path


def h1_document(province, **kwargs):
    cov = figures.coverage(period_for(2024, "h1"), province=province)
    return document.build(cov, **kwargs)


@pytest.fixture
def pdf_bytes(thanhhoa_2024):
    return render.pdf(h1_document(thanhhoa_2024["province"], number="123/BC-SCT", issued_on=d(2024, 7, 5)))


def pdf_text(data: bytes, tmp_path) -> str:
    need("pdftotext")
    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_the_pdf_holds_the_headings_and_figures(pdf_bytes, tmp_path):
    text = pdf_text(pdf_bytes, tmp_path)
    for expected in (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "UBND TỈNH THANH HÓA",
        "SỞ CÔNG THƯƠNG",
        "Số: 123/BC-SCT",
        "Thanh Hóa, ngày 05 tháng 7 năm 2024",
        "BÁO CÁO",
        "6 tháng đầu năm 2024",
        "I. KẾT QUẢ THỰC HIỆN",
        "II. ĐÁNH GIÁ CHUNG",
        "IV. KIẾN NGHỊ, ĐỀ XUẤT",
        "Nơi nhận:",
        "Kèm theo Báo cáo số 123/BC-SCT ngày 05/07/2024",
        "ĐVT: triệu đồng",
        "02/08",
        "3.277",
        "18,31%",
        "Biểu 03. Danh mục đề án",
    ):
        assert expected in text, expected
    assert " 600 " in text or " 600\n" in text


def test_every_glyph_comes_from_the_bundled_font(pdf_bytes, tmp_path):
    need("pdffonts")
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf_bytes)
    listing = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    fonts = [line.split()[0] for line in listing.splitlines()[2:] if line.strip()]
    assert fonts, listing
    # WeasyPrint names an embedded font after its @font-face family: only the bundled one may appear.
    assert all(name.split("+")[-1].startswith("Report-Serif") for name in fonts), listing


def test_the_pdf_has_a_landscape_appendix_and_numbered_pages(pdf_bytes, tmp_path):
    need("pdfinfo")
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf_bytes)
    info = subprocess.run(["pdfinfo", "-f", "1", "-l", "99", str(path)], capture_output=True, text=True, check=True)
    sizes = [
        line.split(":", 1)[1].split("pts")[0].strip()
        for line in info.stdout.splitlines()
        if line.startswith("Page") and "size:" in line
    ]
    assert sizes[0] == "595.276 x 841.89"  # A4 portrait
    assert sizes[-1] == "841.89 x 595.276"  # the appendix, landscape

    def page(number):
        return subprocess.run(
            ["pdftotext", "-f", str(number), "-l", str(number), str(path), "-"], capture_output=True, text=True
        ).stdout.strip()

    assert page(2).startswith("2")  # numbered at the top from page 2
    assert not page(1).startswith("1")


def test_the_workbook_reads_back_with_the_same_numbers(thanhhoa_2024, tmp_path):
    data = render.xlsx(h1_document(thanhhoa_2024["province"]))
    path = tmp_path / "report.xlsx"
    path.write_bytes(data)
    workbook = load_workbook(path)
    assert workbook.sheetnames == ["Biểu 01", "Biểu 02", "Biểu 03", "Biểu 04"]
    sheet = workbook["Biểu 01"]
    assert sheet["A2"].value == "ĐVT: triệu đồng"
    assert [cell.value for cell in sheet[4]][:3] == ["STT", "Nội dung hoạt động", "Kế hoạch năm 2024 – số đề án"]
    assert sheet.freeze_panes == "A5"
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.print_title_rows == "$4:$4"
    rows = {row[1]: row for row in sheet.iter_rows(min_row=5, values_only=True) if row[1]}
    machinery = rows["Mô hình trình diễn, ứng dụng máy móc thiết bị"]
    assert machinery[2:8] == (8, 2927, 2, 2, 600, 600)
    assert isinstance(machinery[6], int | float)
    assert rows["Cộng KCĐP"][3] == 3277
    assert abs(rows["Cộng KCĐP"][8] - 600 / 3277) < 1e-9
    number_formats = {cell.number_format for row in sheet.iter_rows(min_row=5) for cell in row[6:8] if cell.value}
    assert number_formats == {"#,##0"}
    for name in workbook.sheetnames:
        assert workbook[name]["A2"].value, name  # every table states its unit
    # Converted by LibreOffice without error.
    soffice = need("soffice")
    result = subprocess.run(
        [soffice, "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(path)],
        capture_output=True,
        text=True,
        timeout=180,
        env={**os.environ, "HOME": str(tmp_path)},
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "report.pdf").stat().st_size > 1000


def test_the_preview_shows_the_same_figures(thanhhoa_2024):
    page = render.html(h1_document(thanhhoa_2024["province"]))
    assert "02/08" in page and "3.277" in page and "18,31%" in page and "ĐVT: triệu đồng" in page


# --- Issuing, freezing, locking -------------------------------------------------------------------


@pytest.fixture
def draft(thanhhoa_2024, thanhhoa_officer):
    report = draft_report(
        province=current_province("38"),
        year=2024,
        preset="h1",
        date_from=d(2024, 1, 1),
        date_until=d(2024, 6, 30),
        advantages="Được UBND tỉnh quan tâm chỉ đạo.",
    )
    return report_services.report_save(report=report, user=thanhhoa_officer)


def test_an_issued_report_downloads_the_same_bytes_after_the_data_changes(
    draft, thanhhoa_manager, thanhhoa_2024, administrator
):
    issued = report_services.report_issue(
        report=draft, user=thanhhoa_manager, number="123/BC-SCT", issued_on=d(2024, 7, 5)
    )
    pdf, xlsx = bytes(issued.pdf), bytes(issued.xlsx)
    assert issued.pdf_sha256 == IssuedReport.digest(pdf) and len(issued.pdf_sha256) == 64
    # The narrative changes; the period is unlocked and a payment inside it removed: the live
    # figures move, the issued files do not.
    draft.advantages = "Khác hẳn"
    report_services.report_save(report=draft, user=thanhhoa_manager)
    report_services.period_unlock(lock=issued.lock, user=administrator, reason="Chứng từ ghi trùng")
    advance = Disbursement.objects.get(project=thanhhoa_2024["group"], paid_on=d(2024, 5, 15))
    services.disbursement_delete(disbursement=advance, user=administrator)
    assert figures.summary(report_services.coverage_of(draft)).total.performed == 600 * TRIEU
    again = IssuedReport.objects.get(pk=issued.pk)
    assert bytes(again.pdf) == pdf and bytes(again.xlsx) == xlsx
    assert IssuedReport.digest(bytes(again.pdf)) == issued.pdf_sha256
    # Issuing again makes a new version.
    second = report_services.report_issue(
        report=draft, user=thanhhoa_manager, number="130/BC-SCT", issued_on=d(2024, 7, 20)
    )
    assert second.version == 2 and bytes(second.pdf) != pdf


def test_only_a_manager_issues(draft, thanhhoa_officer, ministry_reviewer, danang_officer):
    for user in (thanhhoa_officer, ministry_reviewer, danang_officer):
        with pytest.raises(PermissionDenied):
            report_services.report_issue(report=draft, user=user, number="1/BC-SCT", issued_on=d(2024, 7, 5))
    with pytest.raises(PermissionDenied):
        draft.advantages = "x"
        report_services.report_save(report=draft, user=ministry_reviewer)


def test_a_locked_period_refuses_writes_naming_the_report(
    draft, thanhhoa_manager, thanhhoa_officer, thanhhoa_2024, administrator
):
    report_services.report_issue(report=draft, user=thanhhoa_manager, number="123/BC-SCT", issued_on=d(2024, 7, 5))
    group = thanhhoa_2024["group"]
    for user in (thanhhoa_officer, thanhhoa_manager, administrator, None):
        with pytest.raises(ValidationError, match="123/BC-SCT"):
            disburse(group, 1 * TRIEU, paid_on=d(2024, 6, 1), user=user)
    payment = Disbursement.objects.get(project=group, paid_on=d(2024, 5, 15))
    with pytest.raises(ValidationError, match="123/BC-SCT"):
        services.disbursement_delete(disbursement=payment, user=thanhhoa_officer)
    line = PlanLine.objects.filter(plan=thanhhoa_2024["local"]).first()
    line.planned_amount += TRIEU
    with pytest.raises(ValidationError, match="123/BC-SCT"):
        services.plan_line_save(line=line, user=thanhhoa_manager)
    kind = IndicatorKind.objects.first()
    with pytest.raises(ValidationError, match="123/BC-SCT"):
        services.indicator_save(
            indicator=Indicator(project=group, kind=kind, planned=1, achieved=1, achieved_on=d(2024, 6, 1)),
            user=thanhhoa_officer,
        )
    # After the period: allowed (a đề án with money left, written before the lock).
    open_project = project(thanhhoa_2024["local"], 100, started=d(2024, 3, 1))
    disburse(open_project, 1 * TRIEU, paid_on=d(2024, 12, 20), user=thanhhoa_officer)
    # An administrator unlocks, with a reason in the history; the write then goes through.
    lock = PeriodLock.objects.get()
    with pytest.raises(PermissionDenied):
        report_services.period_unlock(lock=lock, user=thanhhoa_manager, reason="Sửa số liệu")
    with pytest.raises(ValidationError):
        report_services.period_unlock(lock=lock, user=administrator, reason=" ")
    report_services.period_unlock(lock=lock, user=administrator, reason="Sửa chứng từ ghi sai ngày")
    latest = lock.history.latest()
    assert latest.history_user == administrator and latest.unlock_reason == "Sửa chứng từ ghi sai ngày"
    assert latest.history_change_reason == "Sửa chứng từ ghi sai ngày"
    disburse(open_project, 1 * TRIEU, paid_on=d(2024, 6, 1), user=thanhhoa_officer)


def test_the_lock_holds_only_its_province(draft, thanhhoa_manager, thanhhoa_officer, danang_officer, thanhhoa_2024):
    from tests.factories import PlanFactory, ProjectFactory, old_province

    report_services.report_issue(report=draft, user=thanhhoa_manager, number="123/BC-SCT", issued_on=d(2024, 7, 5))
    # Inside the period: Thanh Hóa's own payment is refused, naming the report ...
    own = project(thanhhoa_2024["local"], 100, started=d(2024, 3, 1))
    with pytest.raises(ValidationError, match="123/BC-SCT"):
        disburse(own, TRIEU, paid_on=d(2024, 6, 1), user=thanhhoa_officer)
    assert not Disbursement.objects.filter(project=own).exists()
    # ... and Đà Nẵng's, the same day, is written.
    other = ProjectFactory(plan=PlanFactory(province=old_province("48"), year=2024))
    payment = disburse(other, TRIEU, paid_on=d(2024, 6, 1), user=danang_officer)
    assert Disbursement.objects.filter(pk=payment.pk, project=other, amount=TRIEU).exists()


def test_the_year_prints_the_published_national_and_local_figures(thanhhoa_2024, tmp_path):
    """KCQG 2.950 triệu, 100 %; KCĐP 3.277 triệu, 100 %: in the PDF, the workbook and the preview."""
    cov = figures.coverage(period_for(2024, "year"), province=thanhhoa_2024["province"])
    doc = document.build(cov, number="250/BC-SCT", issued_on=d(2025, 1, 10))
    text = pdf_text(render.pdf(doc), tmp_path)
    for line in (_line(text, "Cộng KCQG"), _line(text, "Cộng KCĐP")):
        assert "100,00%" in line, line
    assert "2.950" in _line(text, "Cộng KCQG") and "3.277" in _line(text, "Cộng KCĐP")
    path = tmp_path / "year.xlsx"
    path.write_bytes(render.xlsx(doc))
    rows = {row[1]: row for row in load_workbook(path)["Biểu 01"].iter_rows(min_row=5, values_only=True) if row[1]}
    assert (rows["Cộng KCQG"][7], rows["Cộng KCQG"][8]) == (2950, 1.0)
    assert (rows["Cộng KCĐP"][7], rows["Cộng KCĐP"][8]) == (3277, 1.0)
    page = render.html(doc)
    assert page.count("100,00%") >= 2 and "2.950" in page and "3.277" in page


def _line(text: str, label: str) -> str:
    return next(line for line in text.splitlines() if label in line)

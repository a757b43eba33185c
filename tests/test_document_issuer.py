"""The document around the figures follows its issuer and NĐ 30/2020 (issue 19, first part): the
date's zeros, the issuing body and its parent for a province, a city and the nation, the number's
symbol, the place name, Kính gửi and Nơi nhận; an indicator's name keeps its commas. Read back from
the generated PDF (pdftotext)."""

import datetime
import subprocess

import pytest

from programmes import services
from programmes.models import Indicator, IndicatorKind
from reports import document, figures, render
from reports import services as report_services
from reports.forms import NarrativeForm
from reports.models import Report
from reports.periods import period_for
from tests.factories import current_province, draft_report
from tests.report_data import d, project
from tests.test_report_documents import need, pdf_text

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("vietnamese")]


def flat(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize(
    ("day", "written"),
    [
        (datetime.date(2024, 7, 5), "ngày 05 tháng 7 năm 2024"),
        (datetime.date(2024, 1, 15), "ngày 15 tháng 01 năm 2024"),
        (datetime.date(2025, 2, 3), "ngày 03 tháng 02 năm 2025"),
        (datetime.date(2025, 3, 9), "ngày 09 tháng 3 năm 2025"),
        (datetime.date(2025, 12, 31), "ngày 31 tháng 12 năm 2025"),
    ],
)
def test_dates_are_written_as_nd30_asks(day, written):
    assert document.nd30_date(day) == written


def test_a_provinces_report_is_its_sos(thanhhoa_2024, tmp_path):
    cov = figures.coverage(period_for(2024, "h1"), province=thanhhoa_2024["province"])
    text = flat(pdf_text(render.pdf(document.build(cov, number="123/BC-SCT", issued_on=d(2024, 7, 5))), tmp_path))
    for expected in (
        "UBND TỈNH THANH HÓA",
        "SỞ CÔNG THƯƠNG",
        "Thanh Hóa, ngày 05 tháng 7 năm 2024",
        "Kính gửi:",
        "- Bộ Công Thương (Cục Đổi mới sáng tạo, Chuyển đổi xanh và Khuyến công);",
        "- Ủy ban nhân dân tỉnh Thanh Hóa.",
        "- Như trên;",
        "- Lưu: VT, QLCN.",
        "(Kèm theo Báo cáo số 123/BC-SCT ngày 05/07/2024 của Sở Công Thương Thanh Hóa)",
    ):
        assert expected in text, expected
    assert "Cục Công nghiệp" not in text


def test_a_citys_report_is_headed_by_the_city_once(tmp_path):
    danang = current_province("48")
    cov = figures.coverage(period_for(2026, "h1"), province=danang)
    text = flat(pdf_text(render.pdf(document.build(cov, number="15/BC-SCT", issued_on=d(2026, 7, 10))), tmp_path))
    assert "UBND THÀNH PHỐ ĐÀ NẴNG" in text
    assert "THÀNH PHỐ THÀNH PHỐ" not in text
    assert "Đà Nẵng, ngày 10 tháng 7 năm 2026" in text
    assert "Thành phố Đà Nẵng, ngày" not in text
    assert "Ủy ban nhân dân thành phố Đà Nẵng." in text
    assert "UBND tỉnh" not in text and "Ủy ban nhân dân tỉnh" not in text


def test_the_nations_report_is_the_ministry_departments(thanhhoa_2024, tmp_path):
    cov = figures.coverage(period_for(2024, "h1"))
    text = flat(pdf_text(render.pdf(document.build(cov)), tmp_path))
    for expected in (
        "BỘ CÔNG THƯƠNG",
        "CỤC ĐỔI MỚI SÁNG TẠO,",  # the name wraps in its column, beside the motto
        "CHUYỂN ĐỔI XANH VÀ KHUYẾN CÔNG",
        "Số: /BC-ĐMST",
        "Hà Nội, ngày",
        "Kính gửi: Lãnh đạo Bộ Công Thương.",
        "của Cục Đổi mới sáng tạo, Chuyển đổi xanh và Khuyến công, Bộ Công Thương)",
    ):
        assert expected in text, expected
    for wrong in ("CỤC CÔNG NGHIỆP", "/BC-SCT", "Sở Công Thương toàn quốc"):
        assert wrong not in text, wrong


def test_the_issuer_follows_the_settings(settings, thanhhoa_2024):
    settings.KHUYENCONG_MINISTRY_DEPARTMENT = "Cục Thử nghiệm"
    settings.KHUYENCONG_MINISTRY_DEPARTMENT_SYMBOL = "CTN"
    doc = document.build(figures.coverage(period_for(2024, "h1")))
    assert doc.issuing_body == "CỤC THỬ NGHIỆM"
    assert doc.number_line.endswith("/BC-CTN")


def test_a_draft_starts_from_its_issuers_lists_and_keeps_its_own(thanhhoa_2024, thanhhoa_officer):
    report = Report(province=thanhhoa_2024["province"], year=2024, preset="h1", date_from=d(2024, 1, 1),
                    date_until=d(2024, 6, 30), level="all")  # fmt: skip
    report_services.report_save(report=report, user=thanhhoa_officer)
    form = NarrativeForm(instance=report, issuer=document.issuer_of(report_services.coverage_of(report)))
    assert form.initial["addressees"].splitlines() == [
        "Bộ Công Thương (Cục Đổi mới sáng tạo, Chuyển đổi xanh và Khuyến công)",
        "Ủy ban nhân dân tỉnh Thanh Hóa",
    ]
    report.addressees = "Bộ Công Thương"
    report.recipients = "- Như trên;\nGiám đốc Sở (để b/c)\nLưu: VT, QLCN"
    doc = document.build(report_services.coverage_of(report), report=report)
    assert doc.addressees == ["Bộ Công Thương."]
    assert doc.recipients == ["Như trên;", "Giám đốc Sở (để b/c);", "Lưu: VT, QLCN."]


def test_an_indicators_name_keeps_its_commas(thanhhoa_2024, thanhhoa_officer):
    trained = IndicatorKind.objects.get(code="LD_DAO_TAO")
    item = project(thanhhoa_2024["local"], 100, started=d(2024, 3, 1))
    services.indicator_save(
        indicator=Indicator(project=item, kind=trained, planned=1500, achieved=1234, achieved_on=d(2024, 6, 1)),
        user=thanhhoa_officer,
    )
    doc = document.build(figures.coverage(period_for(2024, "h1"), province=thanhhoa_2024["province"]))
    results = " ".join(doc.results)
    assert "lao động được đào tạo, truyền nghề 1.234 người" in results


def pdf_pages(data: bytes, tmp_path) -> list[str]:
    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout.split("\f")


def test_the_signers_title_keeps_its_lines_when_saved(thanhhoa_2024, thanhhoa_officer, tmp_path):
    report = draft_report(province=thanhhoa_2024["province"], year=2024, preset="h1", date_from=d(2024, 1, 1),
                          date_until=d(2024, 6, 30), signer_title="KT. GIÁM ĐỐC\nPHÓ GIÁM ĐỐC")  # fmt: skip
    report_services.report_save(report=report, user=thanhhoa_officer)
    report.refresh_from_db()
    assert report.signer_title == "KT. GIÁM ĐỐC\nPHÓ GIÁM ĐỐC"
    need("pdftotext")
    doc = document.build(report_services.coverage_of(report), report=report, with_projects=False)
    signed = next(page for page in pdf_pages(render.pdf(doc), tmp_path) if "Nguyễn Văn An" in page)
    assert "KT. GIÁM ĐỐC\nPHÓ GIÁM ĐỐC" in signed


def test_the_signature_stays_with_the_last_paragraph_and_keeps_its_lines(thanhhoa_2024, tmp_path):
    # Section IV grows a paragraph (two lines) at a time; the signature block (about eight lines)
    # would be pushed alone onto the next page for a run of about four lengths each page, so
    # every third length meets each such run.
    need("pdftotext")
    cov = figures.coverage(period_for(2024, "h1"), province=thanhhoa_2024["province"])
    for count in range(0, 40, 3):
        paragraphs = [f"Kiến nghị thứ {i}: đề nghị Bộ Công Thương quan tâm hỗ trợ kinh phí cho các đề án." for i in
                      range(count)]  # fmt: skip
        section_iv = "\n".join([*paragraphs, "Đoạn cuối mục IV."])
        report = draft_report(province=thanhhoa_2024["province"], year=2024, preset="h1", date_from=d(2024, 1, 1),
                              date_until=d(2024, 6, 30), recommendations=section_iv)  # fmt: skip
        pages = pdf_pages(render.pdf(document.build(cov, report=report, with_projects=False)), tmp_path)
        signed = next(page for page in pages if "Nguyễn Văn An" in page)
        assert "Đoạn cuối mục IV." in signed, count
        assert "Nơi nhận:" in signed, count
        assert "KT. GIÁM ĐỐC\nPHÓ GIÁM ĐỐC" in signed, count


@pytest.mark.parametrize("scope", ["province", "city", "region", "nation"])
def test_every_issuers_pdf_reserves_both_signature_fields_beside_its_signer(thanhhoa_2024, tmp_path, scope):
    """A province's, a city's, a region's and the nation's report: the issuer's heading, and the two
    fields of NĐ 30 (ô 7c, ô 8) on the page of the signer's name."""
    from reports import signing

    where = {
        "province": {"province": thanhhoa_2024["province"]},
        "city": {"province": current_province("48")},
        "region": {"region": "bac"},
        "nation": {},
    }[scope]
    year = 2026 if scope == "city" else 2024
    cov = figures.coverage(period_for(year, "h1"), **where)
    data = render.pdf(document.build(cov, number="", issued_on=None))
    pages = pdf_pages(data, tmp_path)
    heading = {"province": "UBND TỈNH THANH HÓA", "city": "UBND THÀNH PHỐ ĐÀ NẴNG", "region": "BỘ CÔNG THƯƠNG",
               "nation": "BỘ CÔNG THƯƠNG"}[scope]  # fmt: skip
    assert heading in pages[0]
    if scope in ("region", "nation"):
        assert "/BC-ĐMST" in pages[0] and "Sở Công Thương" not in flat(pages[0])
    if scope == "region":
        assert cov.name in flat(" ".join(pages))  # "Miền Bắc" / the region's name, as the report names it
    reserved = signing.reserved_fields(data)
    assert set(reserved) == {signing.SIGNER_FIELD, signing.SEAL_FIELD}
    (signer_page, _box), (seal_page, _seal) = reserved[signing.SIGNER_FIELD], reserved[signing.SEAL_FIELD]
    assert signer_page == seal_page
    assert "Nơi nhận:" in pages[signer_page]

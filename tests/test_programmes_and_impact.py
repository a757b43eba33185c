"""The programme's results and the centre's other programmes (issue 21, points 3, 4 and 5).

- Impact (hiệu quả sau hỗ trợ): a facility's revenue, assets, workers and products before and after
  support, with their years, arrive by the facility import (an unknown column is named in the
  preview, a blank cell erases nothing) and print in Biểu 05 of the HTML, the PDF and the workbook.
- Programme kinds: an energy-saving scheme's money is in no khuyến công figure (the report, the
  status page, Biểu 03), and is shown beside it on request (Biểu 06, the status page's programme).
- Schemes by import, with their programme; a plan's row names its programme.
"""

import io

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction

from programmes import services
from programmes.models import Beneficiary, ConsultancyService, Facility, Plan, Programme, Scheme, SchemeLevel
from reports import document, figures, render, status
from reports.periods import period_for
from tests.factories import (
    PlanFactory,
    PlanLineFactory,
    current_province,
    disburse,
    local_scheme,
    old_province,
)
from tests.import_files import headers, xlsx
from tests.report_data import TRIEU, d, project
from tests.test_imports import run
from tests.test_report_documents import pdf_text

pytestmark = pytest.mark.django_db


# --- Impact --------------------------------------------------------------------------------------

# Two facilities of Thanh Hóa as a province's news report gives them: revenue and assets in đồng,
# workers, products, and the years the figures are of.
IMPACT = {
    "2800111222": ("Cơ sở chế biến chè Thanh Hương", 2_500, 3_600, 1_800, 2_700, 25, 32, 3, 5),
    "2800333444": ("Hợp tác xã mây tre đan Hoằng Hóa", 1_200, 1_500, 900, 1_100, 12, 15, None, None),
}


def _facility_file(extra_header=None):
    names = headers("facilities")
    rows = []
    for tax_code, (name, rb, ra, ab, aa, wb, wa, pb, pa) in IMPACT.items():
        values = dict.fromkeys(names, None)
        values.update({
            "Mã số thuế": tax_code, "Tên cơ sở": name, "Loại hình": "Hộ kinh doanh", "Mã tỉnh": "38",
            "Doanh thu trước hỗ trợ (đồng)": rb * TRIEU, "Doanh thu sau hỗ trợ (đồng)": ra * TRIEU,
            "Tổng tài sản trước hỗ trợ (đồng)": ab * TRIEU, "Tổng tài sản sau hỗ trợ (đồng)": aa * TRIEU,
            "Lao động trước hỗ trợ": wb, "Lao động sau hỗ trợ": wa,
            "Số sản phẩm trước hỗ trợ": pb, "Số sản phẩm sau hỗ trợ": pa,
            "Năm số liệu trước hỗ trợ": 2023, "Năm số liệu sau hỗ trợ": 2025,
        })  # fmt: skip
        rows.append([values[name] for name in names] + (["x"] if extra_header else []))
    return xlsx(names + ([extra_header] if extra_header else []), rows)


@pytest.fixture
def supported(thanhhoa_2024, thanhhoa_officer):
    """The two facilities imported with their figures, each a beneficiary of an approved machinery đề án."""
    _batch, outcome = run("facilities", _facility_file(), thanhhoa_officer)
    assert outcome.written, outcome.errors
    item = project(thanhhoa_2024["local"], 300)
    names = headers("beneficiaries")
    rows = []
    for tax_code in IMPACT:
        values = dict.fromkeys(names, None)
        values.update({"Mã đề án": item.code, "Mã số thuế": tax_code, "Kinh phí hỗ trợ (đồng)": 100 * TRIEU})
        rows.append([values[name] for name in names])
    _batch, outcome = run("beneficiaries", xlsx(names, rows), thanhhoa_officer)
    assert outcome.written, outcome.errors
    return thanhhoa_2024


def test_the_facility_import_keeps_the_figures_before_and_after_with_their_years(supported):
    tea = Facility.objects.get(tax_code="2800111222")
    assert (tea.revenue_before, tea.revenue_after, tea.assets_before, tea.assets_after) == (
        2_500 * TRIEU, 3_600 * TRIEU, 1_800 * TRIEU, 2_700 * TRIEU,
    )  # fmt: skip
    assert (tea.workers_before, tea.workers_after, tea.products_before, tea.products_after) == (25, 32, 3, 5)
    assert (tea.impact_year_before, tea.impact_year_after) == (2023, 2025)


def test_biểu_05_prints_the_imported_figures_with_their_growth(supported, tmp_path):
    cov = figures.coverage(period_for(2024, "h1"), province=supported["province"])
    (machinery, total) = figures.impact(cov)
    assert machinery.label and total.kind == "total"
    assert (machinery.facilities, machinery.with_figures) == (2, 2)
    assert (machinery.revenue.before, machinery.revenue.after) == (3_700 * TRIEU, 5_100 * TRIEU)
    assert f"{machinery.revenue.growth:.2f}" == "37.84"  # 5.100 / 3.700 − 1
    assert f"{machinery.assets.growth:.2f}" == "40.74"  # 3.800 / 2.700 − 1
    assert (machinery.workers.before, machinery.workers.after) == (37, 47)
    # Products only where a facility gives both: the tea facility alone.
    assert (machinery.products.before, machinery.products.after, machinery.products.facilities) == (3, 5, 1)

    doc = document.build(cov)
    html = render.html(doc)
    assert "Biểu 05. Hiệu quả sau hỗ trợ" in html and "37,84%" in html
    text = pdf_text(render.pdf(doc), tmp_path)
    assert "Biểu 05. Hiệu quả sau hỗ trợ" in text
    for expected in ("3.700", "5.100", "37,84%", "40,74%", "27,03%", "66,67%"):
        assert expected in text, expected
    sheet = openpyxl.load_workbook(io.BytesIO(render.xlsx(doc)))["Biểu 05"]
    cells = [[cell.value for cell in row] for row in sheet.iter_rows()]
    machinery_row = next(row for row in cells if row[1] == machinery.label)
    assert machinery_row[2:7] == [2, 2, 3_700, 5_100, pytest.approx(0.378378, abs=1e-6)]


def test_a_facility_in_two_contents_counts_once_in_the_total(supported):
    tea = Facility.objects.get(tax_code="2800111222")
    fair = project(supported["local"], 100, code_content="ND45-4")
    services.save(Beneficiary(project=fair, facility=tea, support_amount=50 * TRIEU), user=None)
    rows = figures.impact(figures.coverage(period_for(2024, "year"), province=supported["province"]))
    total = rows[-1]
    assert sum(row.facilities for row in rows[:-1]) == 3 and total.facilities == 2
    assert total.revenue.before == 3_700 * TRIEU


def test_an_unknown_column_is_named_in_the_preview_and_a_blank_cell_erases_nothing(supported, thanhhoa_officer, client):
    names = headers("facilities")
    values = dict.fromkeys(names, None)
    values.update({"Mã số thuế": "2800111222", "Tên cơ sở": "Cơ sở chế biến chè Thanh Hương",
                   "Loại hình": "Hộ kinh doanh", "Mã tỉnh": "38"})  # fmt: skip
    data = xlsx([*names, "Doanh thu truoc ho tro"], [[*(values[name] for name in names), 9_000_000_000]])
    batch, outcome = run("facilities", data, thanhhoa_officer, commit=False)
    assert outcome.ignored_columns == ["Doanh thu truoc ho tro"]
    assert batch.summary["ignored_columns"] == ["Doanh thu truoc ho tro"]
    client.force_login(thanhhoa_officer)
    page = client.get(f"/admin/nhap-du-lieu/{batch.pk}/").content.decode()
    assert "“Doanh thu truoc ho tro”" in page
    batch, outcome = run("facilities", data, thanhhoa_officer)
    assert outcome.written or outcome.unchanged
    assert Facility.objects.get(tax_code="2800111222").revenue_before == 2_500 * TRIEU


def test_the_figures_years_are_checked_at_their_column_and_by_the_database(thanhhoa_officer):
    names = headers("facilities")
    values = dict.fromkeys(names, None)
    values.update({"Mã số thuế": "2800555666", "Tên cơ sở": "Cơ sở A", "Loại hình": "Hộ kinh doanh", "Mã tỉnh": "38",
                   "Năm số liệu trước hỗ trợ": 2025, "Năm số liệu sau hỗ trợ": 2023})  # fmt: skip
    _batch, outcome = run("facilities", xlsx(names, [[values[name] for name in names]]), thanhhoa_officer)
    assert not outcome.ok and not Facility.objects.filter(tax_code="2800555666").exists()
    assert [column for _n, column, _m in outcome.errors] == ["Năm số liệu sau hỗ trợ"], outcome.errors
    facility = Facility.objects.create(name="Cơ sở B", kind="hkd", province=current_province("38"))
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE programmes_facility SET impact_year_before = 2025, impact_year_after = 2023 WHERE id = %s",
            [facility.pk],
        )


# --- Programme kinds ------------------------------------------------------------------------------


@pytest.fixture
def energy(thanhhoa_2024):
    return _energy(thanhhoa_2024)


def _energy(thanhhoa_2024):
    """Thanh Hóa's energy-saving programme of 2024: 500 triệu planned, 400 approved, 200 paid."""
    province = thanhhoa_2024["province"]
    scheme = Scheme.objects.create(
        code="TKNL-38-2021-2025", name="Chương trình sử dụng năng lượng tiết kiệm và hiệu quả tỉnh Thanh Hóa",
        level=SchemeLevel.LOCAL, province=province, legal_basis="Quyết định số 280/QĐ-TTg ngày 13/3/2019",
        start_year=2021, end_year=2025, programme=Programme.ENERGY_EFFICIENCY,
    )  # fmt: skip
    plan = PlanFactory(province=province, year=2024, scheme=scheme)
    PlanLineFactory(plan=plan, planned_amount=500 * TRIEU, planned_projects=1)
    item = project(plan, 400, started=d(2024, 3, 5))
    disburse(item, 200 * TRIEU, paid_on=d(2024, 5, 10))
    return {**thanhhoa_2024, "energy_plan": plan, "energy_project": item}


def _kc_figures(province):
    cov = figures.coverage(period_for(2024, "year"), province=province)
    found = figures.summary(cov)
    listed = [getattr(row, "code", None) for row in figures.project_rows(cov)]
    return (
        found.total.planned_amount,
        found.total.performed,
        found.total.cumulative,
        found.status_total.approved_total,
        found.status_total.paid_total,
        [sum(month for _day, month in figures.monthly_payments(cov))],
    ), listed


def test_an_energy_saving_schemes_money_appears_in_no_khuyen_cong_figure(thanhhoa_2024):
    before, listed_before = _kc_figures(thanhhoa_2024["province"])
    # The published figures of 2024 (domain.md §7): 3.277 triệu KCĐP plan, 2.950 KCQG.
    assert before[0] == (3_277 + 2_950) * TRIEU
    fixture = _energy(thanhhoa_2024)
    after, listed_after = _kc_figures(thanhhoa_2024["province"])
    assert after == before and listed_after == listed_before
    assert fixture["energy_project"].code not in listed_after


def test_the_other_programmes_are_shown_beside_khuyen_cong_on_request(energy, tmp_path):
    province = energy["province"]
    ConsultancyService.objects.create(province=province, year=2024, service="Tư vấn lập dự án đầu tư",
                                      contracts=4, revenue=180 * TRIEU)  # fmt: skip
    cov = figures.coverage(period_for(2024, "year"), province=province)
    others = figures.other_programmes(cov)
    saving = next(row for row in others.programmes if row.label.startswith("Sử dụng năng lượng"))
    assert (saving.planned, saving.approved, saving.paid) == (500 * TRIEU, 400 * TRIEU, 200 * TRIEU)
    assert f"{saving.percent:.2f}" == "50.00"
    assert [(row.service, row.contracts, row.revenue) for row in others.consultancy] == [
        ("Tư vấn lập dự án đầu tư", 4, 180 * TRIEU)
    ]
    plain = document.build(cov)
    assert plain.others is None and "Biểu 06. Các chương trình khác" not in render.html(plain)
    beside = document.build(cov, with_others=True)
    text = pdf_text(render.pdf(beside), tmp_path)
    assert "Biểu 06. Các chương trình khác" in text and "Tư vấn lập dự án đầu tư" in text
    book = openpyxl.load_workbook(io.BytesIO(render.xlsx(beside)))
    rows = [[cell.value for cell in row] for row in book["Biểu 06"].iter_rows()]
    assert any(row[1] == saving.label and row[3] == 400 for row in rows)
    # The draft's choice carries it into the issued document.
    assert document.build(cov, report=type("Draft", (), {"other_programmes": True, "title": ""})()).others


def test_the_status_page_defaults_to_khuyen_cong_and_shows_energy_saving_when_asked(energy, ministry_reviewer):
    period = period_for(2024, "year")
    default = status.province_status(ministry_reviewer, period)
    saving = status.province_status(ministry_reviewer, period, programme=Programme.ENERGY_EFFICIENCY)
    assert saving.total.approved == 400 * TRIEU and saving.total.paid == 200 * TRIEU
    assert default.total.paid == (3_277 + 2_950) * TRIEU
    with pytest.raises(ValidationError):
        figures.coverage(period, programme="xyz")


def test_the_status_page_offers_the_programme(energy, ministry_reviewer, client):
    client.force_login(ministry_reviewer)
    page = client.get("/admin/bao-cao/tinh-hinh/", {"year": 2024, "preset": "year", "level": "all",
                                                   "units": "then", "programme": "nang_luong"})  # fmt: skip
    assert page.status_code == 200
    content = page.content.decode()
    assert 'name="programme"' in content and str(Programme.ENERGY_EFFICIENCY.label) in content


def test_the_database_knows_only_the_programmes(energy):
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE programmes_scheme SET programme = 'xyz' WHERE code = 'TKNL-38-2021-2025'")


def test_consultancy_is_kept_by_the_provinces_staff_only(thanhhoa_officer, danang_officer, ministry_reviewer):
    row = ConsultancyService(province=current_province("38"), year=2026, service="Tư vấn kiểm toán năng lượng",
                             contracts=2, revenue=60 * TRIEU)  # fmt: skip
    for stranger in (danang_officer, ministry_reviewer):
        with pytest.raises(PermissionDenied):
            services.save(row, user=stranger)
    services.save(row, user=thanhhoa_officer)
    assert row.history.get().history_user == thanhhoa_officer
    twin = ConsultancyService(province=current_province("38"), year=2026, service="Tư vấn kiểm toán năng lượng")
    with pytest.raises(ValidationError):
        services.save(twin, user=thanhhoa_officer)
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE programmes_consultancyservice SET revenue = -1 WHERE id = %s", [row.pk])


# --- Schemes and a plan's programme by import ------------------------------------------------------

SCHEME_ROWS = [
    ["TKNL-38-2026-2030", "Chương trình sử dụng năng lượng tiết kiệm và hiệu quả tỉnh Thanh Hóa 2026–2030", "KCĐP",
     "38", "Nghị quyết số 45/2025/NQ-HĐND ngày 10/12/2025", 2026, 2030, "TKNL"],
    ["KCDP-38-2026-2030-TH", "Chương trình khuyến công tỉnh Thanh Hóa 2026–2030", "KCĐP", "38",
     "Nghị quyết số 44/2025/NQ-HĐND ngày 10/12/2025", 2026, 2030, ""],
]  # fmt: skip


def test_a_manager_imports_the_provinces_schemes_with_their_programme(thanhhoa_manager):
    _batch, outcome = run("schemes", xlsx(headers("schemes"), SCHEME_ROWS), thanhhoa_manager)
    assert outcome.written, outcome.errors
    saving = Scheme.objects.get(code="TKNL-38-2026-2030")
    assert (saving.programme, saving.level, saving.province, saving.start_year) == (
        Programme.ENERGY_EFFICIENCY, SchemeLevel.LOCAL, current_province("38"), 2026,
    )  # fmt: skip
    assert Scheme.objects.get(code="KCDP-38-2026-2030-TH").programme == Programme.INDUSTRY_PROMOTION
    _batch, again = run("schemes", xlsx(headers("schemes"), SCHEME_ROWS), thanhhoa_manager, commit=False)
    assert {row.action for row in again.rows} == {"unchanged"}


@pytest.mark.parametrize(
    "row, column",
    [
        (["KCQG-X", "Chương trình khuyến công quốc gia", "KCQG", "", "Quyết định số 1881/QĐ-TTg", 2026, 2030, ""],
         ""),  # a national scheme is the administrators'
        (["KCDP-X", "Chương trình khuyến công", "KCĐP", "", "Nghị quyết", 2026, 2030, ""], "Mã tỉnh"),
        (["KCDP-Y", "Chương trình khuyến công", "KCĐP", "48", "Nghị quyết", 2026, 2030, ""], "Mã tỉnh"),  # Đà Nẵng's
    ],
)  # fmt: skip
def test_a_scheme_row_the_manager_may_not_write_is_refused(thanhhoa_manager, row, column):
    _batch, outcome = run("schemes", xlsx(headers("schemes"), [row]), thanhhoa_manager)
    assert not outcome.ok and not Scheme.objects.filter(code=row[0]).exists()
    assert any(c == column for _n, c, _m in outcome.errors), outcome.errors


def test_an_officer_may_not_import_schemes(thanhhoa_officer):
    _batch, outcome = run("schemes", xlsx(headers("schemes"), SCHEME_ROWS), thanhhoa_officer)
    assert not outcome.ok and not Scheme.objects.filter(code="TKNL-38-2026-2030").exists()


def test_a_plan_row_is_filed_under_its_programmes_scheme(thanhhoa_manager):
    run("schemes", xlsx(headers("schemes"), SCHEME_ROWS), thanhhoa_manager)
    names = headers("plans")

    def row(programme):
        values = dict.fromkeys(names, None)
        values.update({"Mã tỉnh": "38", "Năm": 2026, "Cấp": "KCĐP", "Mã nội dung": "ND45-3",
                       "Kinh phí kế hoạch (đồng)": 800 * TRIEU, "Chương trình": programme})  # fmt: skip
        return [values[name] for name in names]

    _batch, outcome = run("plans", xlsx(names, [row(""), row("Sử dụng năng lượng tiết kiệm và hiệu quả")]),
                          thanhhoa_manager)  # fmt: skip
    assert outcome.written, outcome.errors
    plans = Plan.objects.filter(year=2026, province=current_province("38"))
    assert sorted(plan.scheme.programme for plan in plans) == ["khuyen_cong", "nang_luong"]
    # A programme without a scheme covering the year is refused at its column.
    _batch, outcome = run("plans", xlsx(names, [row("Chương trình khác")]), thanhhoa_manager)
    assert not outcome.ok and any(c == "Chương trình" for _n, c, _m in outcome.errors)


def test_the_khuyen_cong_scheme_is_found_although_an_energy_scheme_covers_the_year(thanhhoa_officer):
    province = old_province("38")
    Scheme.objects.create(
        code="AAA-TKNL-38", name="Năng lượng", level=SchemeLevel.LOCAL, province=province,
        legal_basis="QĐ", start_year=2021, end_year=2025, programme=Programme.ENERGY_EFFICIENCY,
    )  # fmt: skip
    kc = local_scheme(province)
    names = headers("plans")
    values = dict.fromkeys(names, None)
    values.update({"Mã tỉnh": "38", "Năm": 2024, "Cấp": "KCĐP", "Mã nội dung": "ND45-3",
                   "Kinh phí kế hoạch (đồng)": 800 * TRIEU})  # fmt: skip
    _batch, outcome = run("plans", xlsx(names, [[values[name] for name in names]]), thanhhoa_officer)
    assert outcome.written, outcome.errors
    assert Plan.objects.get(year=2024, province=province).scheme == kc


def test_every_existing_scheme_is_khuyen_cong():
    # The national schemes the migrations ship stay khuyến công (the field's default for every row).
    assert Scheme.objects.exists()
    assert set(Scheme.objects.values_list("programme", flat=True)) == {Programme.INDUSTRY_PROMOTION}


def test_biểu_05_takes_three_queries_whatever_the_number_of_facilities(supported):
    from django.test.utils import CaptureQueriesContext

    from tests.factories import BeneficiaryFactory

    cov = figures.coverage(period_for(2024, "year"), province=supported["province"])
    with CaptureQueriesContext(connection) as few:
        figures.impact(cov)
    item = project(supported["local"], 300)
    for _ in range(12):
        BeneficiaryFactory(project=item, support_amount=10 * TRIEU)
    with CaptureQueriesContext(connection) as many:
        rows = figures.impact(cov)
    assert len(few.captured_queries) == len(many.captured_queries) == 3
    assert rows[-1].facilities == 14

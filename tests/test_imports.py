"""Imports, kind by kind: a good file imports; again it changes nothing; one bad row writes nothing
and is named exactly; export → import is a no-op; a merged province's old code resolves by date."""

import datetime
import io

import openpyxl
import pytest
from django.urls import reverse

from programmes.imports import services
from programmes.imports.models import ImportBatch, ImportChange
from programmes.models import (
    Beneficiary,
    Disbursement,
    Facility,
    Indicator,
    Organisation,
    Plan,
    PlanLine,
    Project,
    ProjectStatus,
    Scheme,
)
from tests.factories import (
    BeneficiaryFactory,
    FacilityFactory,
    PlanFactory,
    current_province,
    disburse,
    old_province,
)
from tests.import_files import csv_bytes, headers, xlsx

pytestmark = pytest.mark.django_db
d = datetime.date


def run(kind, data, user, *, name=None, commit=True):
    """Upload, preview and (with `commit`) import, as the page does; return (batch, outcome)."""
    batch = services.batch_create(kind=kind, name=name or f"{kind}.xlsx", data=data, user=user)
    outcome = services.batch_preview(batch=batch, user=user)
    if commit and outcome.ok:
        outcome = services.batch_import(batch=batch, user=user)
    return batch, outcome


def snapshot(model):
    return sorted(model.objects.values_list(*[f.attname for f in model._meta.concrete_fields]))


# --- The rows of each kind -------------------------------------------------------------------------


def rows_for(kind, thanhhoa):
    """Three good rows of each kind for the Thanh Hóa data."""
    plan, (first, second), facility = thanhhoa
    if kind == "plans":
        return [
            ["38", 2024, "KCĐP", "ND45-3", 1_500_000_000, 5, "", "", "", ""],
            ["38", 2024, "KCĐP", "ND45-4", "350.000.000", 2, "", "", "", "Khuyến công"],
            ["38", 2024, "KCQG", "QD1881-3", 2_950_000_000, 1, "15/QĐ-BCT", "20/01/2024", "Bộ Công Thương", ""],
        ]
    if kind == "projects":
        return [
            ["TH-2024-10", "Hỗ trợ máy ép viên nén mùn cưa", "38", 2024, "KCĐP", "ND45-3",
             "Trung tâm Khuyến công và Tư vấn phát triển công nghiệp Thanh Hóa", "", "", 250_000_000, 0,
             "", "", "Đăng ký", ""],
            ["TH-2024-11", "Hội chợ hàng công nghiệp nông thôn", "38", 2024, "KCĐP", "ND45-4",
             "Công ty TNHH Sự kiện Xứ Thanh", "", "", "150.000.000", "", "", "", "Thẩm định", "KC"],
            [first.code, first.name, "38", 2024, "KCĐP", "ND45-3", first.implementing_unit.name,
             first.decision_number, first.decision_date, first.kc_support, first.counterpart_funds,
             first.start_date, first.end_date, "Đang thực hiện", ""],
        ]  # fmt: skip
    if kind == "facilities":
        return [
            ["2800999001", "Cơ sở chế biến nước mắm Hải Tiến", "Hộ kinh doanh", "38", "", "Hoằng Hóa", "a",
             "Lê Văn Tiến", "0912345678", 12, 2_500_000_000, "3.000.000.000", 800_000_000, 950_000_000, 10, 12,
             2, 3, 2023, 2025],
            ["2800999002", "Công ty TNHH Cơ khí Đông Sơn", "Doanh nghiệp nhỏ và vừa", "38", "", "", "d", "", "", 40,
             *[""] * 10],
            [facility.tax_code, facility.name, "Hợp tác xã", "38", "", "Nga Sơn", "đ", "", "", 25,
             1_200_000_000, 1_500_000_000, "", "", "", "", "", "", 2024, 2025],
        ]  # fmt: skip
    if kind == "beneficiaries":
        others = FacilityFactory.create_batch(2)
        return [
            [first.code, facility.tax_code, 100_000_000, 120_000_000, "Máy dệt chiếu", "MMTB", 220_000_000, "Có", ""],
            [first.code, others[0].tax_code, "50.000.000", 0, "", "", "", "", ""],
            [
                second.code,
                others[1].tax_code,
                80_000_000,
                "",
                "Máy sấy",
                "may moc thiet bi",
                200_000_000,
                "",
                "12/QĐ-UBND",
            ],
        ]
    if kind == "disbursements":
        return [
            [first.code, d(2024, 6, 1), 100_000_000, "", "Tạm ứng", "UNC-01", "Tạm ứng đợt 1"],
            [first.code, "20/09/2024", "50.000.000", "Ngân sách tỉnh", "Thanh toán", "UNC-02", ""],
            [second.code, d(2024, 7, 15), 30_000_000, "", "thanh toán", "", "không số chứng từ"],
        ]
    if kind == "schemes":
        return [
            ["KCDP-38-2026-2030-TH", "Chương trình khuyến công tỉnh Thanh Hóa giai đoạn 2026–2030", "KCĐP", "38",
             "Nghị quyết số 44/2025/NQ-HĐND ngày 10/12/2025", 2026, 2030, ""],
            ["TKNL-38-2026-2030", "Chương trình sử dụng năng lượng tiết kiệm và hiệu quả tỉnh Thanh Hóa", "KCĐP",
             "38", "Nghị quyết số 45/2025/NQ-HĐND ngày 10/12/2025", "2026", "2030", "TKNL"],
            ["KHAC-38-2026", "Chương trình hỗ trợ doanh nghiệp nhỏ và vừa tỉnh Thanh Hóa", "KCĐP", "38",
             "Quyết định số 12/QĐ-UBND ngày 05/01/2026", 2026, 2026, "Chương trình khác"],
        ]  # fmt: skip
    if kind == "indicators":
        return [
            [first.code, "Cơ sở được hỗ trợ máy móc thiết bị", "cơ sở", 3, 1, d(2024, 9, 1)],
            [first.code, "LD_DAO_TAO", "", 40, 0, ""],
            [second.code, "co so duoc ho tro may moc thiet bi", "", 2, 2, ""],
        ]
    raise AssertionError(kind)


KIND_MODELS = {
    "plans": PlanLine,
    "projects": Project,
    "facilities": Facility,
    "beneficiaries": Beneficiary,
    "disbursements": Disbursement,
    "indicators": Indicator,
    "schemes": Scheme,
}
KINDS = list(KIND_MODELS)

# A bad row of each kind: (row, the column named, a piece of the reason).
BAD_ROWS = {
    "plans": (["99", 2024, "KCĐP", "ND45-3", 1, 1], "Mã tỉnh", "99"),
    "projects": (
        ["TH-2024-12", "Đề án lỗi", "38", 2024, "KCĐP", "ND45-3", "Trung tâm", "", "", -5, 0, "", "", "Đăng ký"],
        "Kinh phí khuyến công (đồng)",
        "âm",
    ),
    "facilities": (["2800999003", "Cơ sở lỗi", "Trang trại", "38", "", "", "", "", "", 3], "Loại hình", "Trang trại"),
    "beneficiaries": (["KHONG-CO", "2800123456", 1, 0, ""], "Mã đề án", "KHONG-CO"),
    "disbursements": (
        ["TH-2024-01", "31/02/2024", 1_000_000, "", "Thanh toán", "UNC-09", ""],
        "Ngày giải ngân",
        "31/02/2024",
    ),
    "indicators": (["TH-2024-01", "Số cây trồng", "", 1, 0, ""], "Chỉ tiêu", "Số cây trồng"),
    "schemes": (["KCDP-Z", "Chương trình khuyến công", "KCĐP", "", "Nghị quyết", 2026, 2030, ""], "Mã tỉnh", "mã tỉnh"),
}


@pytest.mark.parametrize("kind", KINDS)
def test_a_good_file_imports_and_again_changes_nothing(kind, thanhhoa, thanhhoa_manager):
    rows = rows_for(kind, thanhhoa)
    model = KIND_MODELS[kind]
    before = model.objects.count()
    batch, outcome = run(kind, xlsx(headers(kind), rows), thanhhoa_manager)
    assert outcome.ok, outcome.errors
    assert outcome.written
    assert outcome.created + outcome.updated + outcome.unchanged == 3
    assert model.objects.count() == before + outcome.created
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.IMPORTED
    assert batch.changes.filter(action=ImportChange.Action.CREATED).count() >= outcome.created

    state = snapshot(model)
    again_batch, again = run(kind, csv_bytes(headers(kind), rows), thanhhoa_manager, name=f"{kind}.csv")
    assert again.ok, again.errors
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert snapshot(model) == state
    assert again_batch.changes.count() == 0


@pytest.mark.parametrize("kind", KINDS)
def test_one_bad_row_among_good_ones_writes_nothing_and_is_named(kind, thanhhoa, thanhhoa_manager):
    rows = rows_for(kind, thanhhoa)
    bad, column, reason = BAD_ROWS[kind]
    rows.insert(1, bad)  # row 3 of the sheet
    states = {model: snapshot(model) for model in (*KIND_MODELS.values(), Plan, Organisation)}
    batch, outcome = run(kind, xlsx(headers(kind), rows), thanhhoa_manager)
    assert not outcome.written
    assert [(number, col) for number, col, _message in outcome.errors] == [(3, column)]
    assert reason in outcome.errors[0][2]
    for model, state in states.items():
        assert snapshot(model) == state, model
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.PREVIEWED
    assert batch.errors == [list(error) for error in outcome.errors] or batch.errors == outcome.errors
    with pytest.raises(Exception):  # noqa: B017  (a batch with errors cannot be imported)
        services.batch_import(batch=batch, user=thanhhoa_manager)
        raise AssertionError("imported")  # only reached if batch_import did not raise
    for model, state in states.items():
        assert snapshot(model) == state, model


@pytest.mark.parametrize("kind", KINDS)
def test_export_then_import_is_a_no_op(kind, thanhhoa, thanhhoa_manager, client):
    run(kind, xlsx(headers(kind), rows_for(kind, thanhhoa)), thanhhoa_manager)
    admin_list = {
        "plans": ("plan", "plans"),
        "projects": ("project", "projects"),
        "facilities": ("facility", "facilities"),
        "beneficiaries": ("beneficiary", "beneficiaries"),
        "disbursements": ("disbursement", "disbursements"),
        "indicators": ("project", "indicators"),
        "schemes": ("scheme", "schemes"),
    }[kind]
    client.force_login(thanhhoa_manager)
    model = KIND_MODELS[kind]
    state = snapshot(model)
    for file_type in ("xlsx", "csv"):
        response = client.get(reverse(f"admin:programmes_{admin_list[0]}_export", args=[admin_list[1], file_type]))
        assert response.status_code == 200
        data = b"".join(response.streaming_content)
        batch, outcome = run(kind, data, thanhhoa_manager, name=f"export.{file_type}")
        assert outcome.ok, outcome.errors
        expected = (
            model.objects.count() if kind != "indicators" else Indicator.objects.filter(project__isnull=False).count()
        )
        assert (outcome.created, outcome.updated, outcome.unchanged) == (0, 0, expected)
        assert snapshot(model) == state


def test_a_merged_provinces_code_resolves_by_the_rows_year(thanhhoa_manager, administrator):
    # 52 was Bình Định until 30/6/2025 and is Gia Lai (Bình Định merged into it) from 1/7/2025.
    rows = [["52", 2024, "KCQG", "QD1881-3", 1_000_000_000, 2], ["52", 2026, "KCQG", "QD1881-3", 2_000_000_000, 3]]
    _batch, outcome = run("plans", xlsx(headers("plans"), rows), administrator)
    assert outcome.ok, outcome.errors
    assert Plan.objects.get(year=2024).province == old_province("52")
    assert Plan.objects.get(year=2024).province.name == "Bình Định"
    assert Plan.objects.get(year=2026).province == current_province("52")
    assert Plan.objects.get(year=2026).province.name == "Gia Lai"
    # A Thanh Hóa manager may not import Gia Lai's (or old Bình Định's) rows.
    _batch, refused = run("plans", xlsx(headers("plans"), rows), thanhhoa_manager, commit=False)
    assert [column for _n, column, _m in refused.errors] == ["Mã tỉnh", "Mã tỉnh"]
    assert "Bình Định" in refused.errors[0][2] and "Gia Lai" in refused.errors[1][2]


def test_a_project_row_resolves_the_old_unit_and_creates_its_organisation(administrator):
    plan = PlanFactory(province=old_province("52"), year=2024)
    rows = [
        ["BD-2024-01", "Hỗ trợ máy chế biến gỗ", "52", 2024, "KCĐP", "ND45-3", "Công ty TNHH Gỗ Quy Nhơn",
         "12/QĐ-SCT", d(2024, 4, 2), 300_000_000, 200_000_000, d(2024, 5, 1), d(2024, 11, 30), "Đang thực hiện"],
    ]  # fmt: skip
    _batch, outcome = run("projects", xlsx(headers("projects"), rows), administrator)
    assert outcome.ok, outcome.errors
    project = Project.objects.get(code="BD-2024-01")
    assert project.plan == plan
    assert project.status == ProjectStatus.IN_PROGRESS
    assert (project.decision_date, project.started_on) == (d(2024, 4, 2), d(2024, 5, 1))
    assert project.implementing_unit.name == "Công ty TNHH Gỗ Quy Nhơn"
    assert project.implementing_unit.province == current_province("52")
    assert any("Quy Nhơn" in note for note in outcome.notes)


# --- What is refused, row by row -------------------------------------------------------------------


def test_every_bad_row_is_named_with_its_column_and_reason(thanhhoa, thanhhoa_manager):
    _plan, (first, second), _facility = thanhhoa
    rows = [
        [first.code, d(2024, 6, 1), 10_000_000, "", "Thanh toán", "A-1", ""],
        ["KHONG-CO", d(2024, 6, 1), 1, "", "Thanh toán", "", ""],  # unknown đề án
        [first.code, "1/13/2024", 1, "", "Thanh toán", "A-2", ""],  # bad date
        [first.code, d(2024, 6, 2), "-5.000", "", "Thanh toán", "A-3", ""],  # negative
        [first.code, d(2024, 6, 3), "1.5", "", "Thanh toán", "A-4", ""],  # decimals
        [second.code, d(2024, 6, 4), 400_000_000, "", "Thanh toán", "A-5", ""],  # over the support
        [first.code, d(2024, 6, 1), 10_000_000, "", "Thanh toán", "A-1", ""],  # duplicate of row 2
        [first.code, d(2024, 6, 5), 1, "Ngân sách trung ương", "Thanh toán", "A-6", ""],  # wrong source
        [first.code, d(2024, 6, 6), 1, "", "Ứng trước", "A-7", ""],  # unknown kind
        ["", "", "", "", "", "", ""],  # blank: ignored
        [first.code, d(2030, 1, 1), 1, "", "Thanh toán", "A-8", ""],  # in the future
    ]
    _batch, outcome = run("disbursements", xlsx(headers("disbursements"), rows), thanhhoa_manager)
    assert not outcome.written
    named = {(number, column) for number, column, _m in outcome.errors}
    assert named == {
        (3, "Mã đề án"),
        (4, "Ngày giải ngân"),
        (5, "Số tiền (đồng)"),
        (6, "Số tiền (đồng)"),
        (7, "Số tiền (đồng)"),
        (8, ""),
        (9, "Nguồn"),
        (10, "Loại"),
        (12, "Ngày giải ngân"),
    }
    reasons = {number: message for number, _c, message in outcome.errors}
    assert "KHONG-CO" in reasons[3]
    assert "âm" in reasons[5]
    assert "300.000.000" in reasons[7]  # the approved support, in đồng
    assert "2" in reasons[8]  # duplicate of row 2
    assert Disbursement.objects.count() == 0


def test_another_provinces_rows_are_errors_and_reviewers_cannot_import(thanhhoa, danang_officer, ministry_reviewer):
    _plan, (first, _second), _facility = thanhhoa
    data = xlsx(headers("disbursements"), [[first.code, d(2024, 6, 1), 1_000_000, "", "Thanh toán", "X", ""]])
    _batch, outcome = run("disbursements", data, danang_officer)
    assert [(n, c) for n, c, _m in outcome.errors] == [(2, "Mã đề án")]
    assert "Thanh Hóa" in outcome.errors[0][2]
    assert services.check("disbursements", "a.xlsx", data, user=ministry_reviewer).file_error
    with pytest.raises(Exception):  # noqa: B017
        services.batch_create(kind="disbursements", name="a.xlsx", data=data, user=ministry_reviewer)
    assert Disbursement.objects.count() == 0


def test_approval_states_need_a_manager(thanhhoa, thanhhoa_officer, thanhhoa_manager):
    rows = [["TH-2024-20", "Đề án mới", "38", 2024, "KCĐP", "ND45-3", "Trung tâm Khuyến công Thanh Hóa", "5/QĐ-SCT",
             d(2024, 3, 1), 100_000_000, 0, d(2024, 3, 10), d(2024, 10, 1), "Phê duyệt"]]  # fmt: skip
    data = xlsx(headers("projects"), rows)
    _batch, outcome = run("projects", data, thanhhoa_officer)
    assert [(n, c) for n, c, _m in outcome.errors] == [(2, "Trạng thái")]
    assert not Project.objects.filter(code="TH-2024-20").exists()
    _batch, outcome = run("projects", data, thanhhoa_manager)
    assert outcome.ok and Project.objects.get(code="TH-2024-20").status == ProjectStatus.APPROVED


def test_a_locked_period_refuses_the_row(thanhhoa, thanhhoa_manager):
    from reports.services import report_issue
    from tests.factories import draft_report

    _plan, (first, _second), _facility = thanhhoa
    report = draft_report(
        province=current_province("38"), year=2024, date_from=d(2024, 1, 1), date_until=d(2024, 6, 30)
    )
    report.save()
    report_issue(report=report, user=thanhhoa_manager, number="7/BC-SCT", issued_on=d(2024, 7, 5))
    rows = [
        [first.code, d(2024, 5, 2), 1_000_000, "", "Thanh toán", "L-1", ""],  # in the locked half-year
        [first.code, d(2024, 8, 2), 1_000_000, "", "Thanh toán", "L-2", ""],
    ]
    _batch, outcome = run("disbursements", xlsx(headers("disbursements"), rows), thanhhoa_manager)
    assert [(n, c) for n, c, _m in outcome.errors] == [(2, "")]
    assert "7/BC-SCT" in outcome.errors[0][2]
    assert Disbursement.objects.count() == 0


def test_the_history_names_the_user_and_the_batch(thanhhoa, thanhhoa_manager):
    data = xlsx(headers("disbursements"), rows_for("disbursements", thanhhoa))
    batch, outcome = run("disbursements", data, thanhhoa_manager)
    assert outcome.written
    for payment in Disbursement.objects.all():
        record = payment.history.first()
        assert record.history_user == thanhhoa_manager
        assert f"{batch.pk}" in record.history_change_reason and "disbursements.xlsx" in record.history_change_reason


def test_order_within_a_file_does_not_matter(thanhhoa, administrator):
    rows = rows_for("plans", thanhhoa)
    _b, forward = run("plans", xlsx(headers("plans"), rows), administrator, commit=False)
    _b, backward = run("plans", xlsx(headers("plans"), rows[::-1]), administrator, commit=False)
    assert (forward.created, forward.updated, forward.ok) == (backward.created, backward.updated, backward.ok)


# --- Voiding ---------------------------------------------------------------------------------------


def test_an_administrator_voids_a_batch_through_the_services(thanhhoa, thanhhoa_manager, administrator):
    _plan, (first, _second), _facility = thanhhoa
    disburse(first, 5_000_000, voucher_number="OLD-1", paid_on=d(2024, 5, 1))
    rows = rows_for("disbursements", thanhhoa) + [
        [first.code, d(2024, 5, 1), 7_000_000, "", "Thanh toán", "OLD-1", "sửa"]
    ]
    batch, outcome = run("disbursements", xlsx(headers("disbursements"), rows), thanhhoa_manager)
    assert (outcome.created, outcome.updated) == (3, 1)
    first.refresh_from_db()
    assert first.disbursed_amount == 100_000_000 + 50_000_000 + 7_000_000
    with pytest.raises(Exception):  # noqa: B017  (a manager may not void)
        services.batch_void(batch=batch, user=thanhhoa_manager, reason="nhầm")
    assert services.batch_void(batch=batch, user=administrator, reason="Nhập nhầm tệp") == 4
    first.refresh_from_db()
    assert first.disbursed_amount == 5_000_000
    assert list(Disbursement.objects.values_list("voucher_number", "amount")) == [("OLD-1", 5_000_000)]
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.VOIDED and batch.voided_by == administrator
    restored = Disbursement.objects.get().history.first()
    assert restored.history_user == administrator and "Nhập nhầm tệp" in restored.history_change_reason


def test_voiding_is_refused_where_a_later_change_depends_on_it(thanhhoa, thanhhoa_manager, administrator):
    batch, outcome = run("projects", xlsx(headers("projects"), rows_for("projects", thanhhoa)), thanhhoa_manager)
    assert outcome.written
    new = Project.objects.get(code="TH-2024-10")
    BeneficiaryFactory(project=new)  # a later record hangs on a đề án the batch created
    with pytest.raises(Exception) as refused:
        services.batch_void(batch=batch, user=administrator, reason="thử")
    assert "TH-2024-10" in str(refused.value)
    assert Project.objects.filter(code="TH-2024-10").exists()
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.IMPORTED

    changed_batch, _outcome = run(
        "disbursements", xlsx(headers("disbursements"), rows_for("disbursements", thanhhoa)), thanhhoa_manager
    )
    payment = Disbursement.objects.get(voucher_number="UNC-02")
    from programmes import services as programme_services

    programme_services.disbursement_update(disbursement=payment, user=thanhhoa_manager, note="sửa tay")
    with pytest.raises(Exception) as refused:
        services.batch_void(batch=changed_batch, user=administrator, reason="thử")
    assert "changed after" in str(refused.value) or "sửa sau" in str(refused.value)
    assert Disbursement.objects.count() == 3


# --- Pages -----------------------------------------------------------------------------------------


def test_upload_preview_confirm_and_the_error_workbook(client, thanhhoa, thanhhoa_manager):
    client.force_login(thanhhoa_manager)
    page = client.get(reverse("imports:index"))
    assert page.status_code == 200
    rows = rows_for("disbursements", thanhhoa)
    upload = io.BytesIO(xlsx(headers("disbursements"), rows))
    upload.name = "giai-ngan.xlsx"
    response = client.post(reverse("imports:index"), {"kind": "disbursements", "file": upload})
    batch = ImportBatch.objects.get()
    assert response.url == reverse("imports:batch", args=[batch.pk])
    preview = client.get(response.url).content.decode()
    assert "TH-2024-01" in preview and "3" in preview  # the rows it would add
    assert "import-nothing" not in preview
    assert Disbursement.objects.count() == 0
    client.post(reverse("imports:confirm", args=[batch.pk]))
    assert Disbursement.objects.count() == 3

    upload = io.BytesIO(xlsx(headers("disbursements"), rows))
    upload.name = "giai-ngan-lan-2.xlsx"
    again = client.get(client.post(reverse("imports:index"), {"kind": "disbursements", "file": upload}).url)
    assert "import-nothing" in again.content.decode()  # the same file again: it says nothing would change

    bad = rows + [[rows[0][0], "hôm qua", 1, "", "Thanh toán", "Z", ""]]
    upload = io.BytesIO(xlsx(headers("disbursements"), bad))
    upload.name = "giai-ngan-loi.xlsx"
    client.post(reverse("imports:index"), {"kind": "disbursements", "file": upload})
    bad_batch = ImportBatch.objects.latest("pk")
    page = client.get(reverse("imports:batch", args=[bad_batch.pk])).content.decode()
    assert "hôm qua" in page
    errors = client.get(reverse("imports:errors", args=[bad_batch.pk]))
    sheet = openpyxl.load_workbook(io.BytesIO(errors.content)).worksheets[0]
    header = [cell.value for cell in sheet[1]]
    assert header[-1] == "Lỗi"
    assert sheet.cell(row=5, column=len(header)).value.startswith("Ngày giải ngân")
    assert sheet.cell(row=2, column=len(header)).value is None


def test_templates_explain_every_column(client, thanhhoa_officer):
    client.force_login(thanhhoa_officer)
    for kind in KINDS:
        response = client.get(reverse("imports:template", args=[kind]))
        workbook = openpyxl.load_workbook(io.BytesIO(response.content))
        data, guide = workbook.worksheets
        assert [cell.value for cell in data[1]] == headers(kind)
        explained = [row[0].value for row in guide.iter_rows(min_row=2, max_row=len(headers(kind)) + 1)]
        assert explained == headers(kind)


def test_reviewers_get_no_import_page(client, ministry_reviewer):
    client.force_login(ministry_reviewer)
    assert client.get(reverse("imports:index")).status_code == 403


def test_a_province_user_never_sees_another_provinces_batch(client, thanhhoa, thanhhoa_manager, danang_officer):
    batch, _outcome = run(
        "disbursements", xlsx(headers("disbursements"), rows_for("disbursements", thanhhoa)), thanhhoa_manager
    )
    client.force_login(danang_officer)
    for name in ("imports:batch", "imports:errors", "imports:file"):
        assert client.get(reverse(name, args=[batch.pk])).status_code == 404


def test_a_facility_row_takes_the_province_of_today(thanhhoa_manager, administrator):
    # A facility filed under old Bình Định (52 until 30/6/2025) belongs to Gia Lai (52 since): the row's
    # "52" is today's Gia Lai, and the facility keeps the unit it was filed under.
    old = FacilityFactory(province=old_province("52"), tax_code="4100000001", name="Cơ sở gốm Bình Định")
    rows = [
        [old.tax_code, old.name, "Hộ kinh doanh", "52", "", "", "a", "", "", None],
        ["5900000002", "Cơ sở cà phê Pleiku", "Hộ kinh doanh", "52", "", "", "a", "", "", 4],
    ]
    _batch, outcome = run("facilities", xlsx(headers("facilities"), rows), administrator)
    assert outcome.ok, outcome.errors
    assert (outcome.created, outcome.updated, outcome.unchanged) == (1, 0, 1)
    old.refresh_from_db()
    assert old.province == old_province("52")
    assert Facility.objects.get(tax_code="5900000002").province == current_province("52")
    # A code that no province bears today (Bạc Liêu's 95 merged into Cà Mau) is named as such.
    _batch, refused = run("facilities", xlsx(headers("facilities"), [["5900000003", "X", "Hộ kinh doanh", "95"]]),
                          administrator)  # fmt: skip
    assert [(n, c) for n, c, _m in refused.errors] == [(2, "Mã tỉnh")]


def test_a_negative_count_is_refused_as_a_number_not_as_money(thanhhoa_manager):
    columns = headers("facilities")
    row = {"Tên cơ sở": "Cơ sở mộc Tân Tiến", "Loại hình": "Hộ kinh doanh", "Mã tỉnh": "38", "Số lao động": -5}
    data = xlsx(columns, [[row.get(name) for name in columns]])
    _batch, outcome = run("facilities", data, thanhhoa_manager, commit=False)
    assert [(column, message) for _n, column, message in outcome.errors] == [("Số lao động", "Số không được âm.")]


def test_the_preview_names_what_each_update_changes_before_and_after(thanhhoa, thanhhoa_manager):
    """ "1 cập nhật" says which fields, from what to what (issue 22)."""
    _plan, (first, _second), _facility = thanhhoa
    disburse(first, 5_000_000, voucher_number="OLD-1", paid_on=d(2024, 5, 1))
    rows = [[first.code, d(2024, 5, 1), "7.000.000", "", "Thanh toán", "OLD-1", "sửa"]]
    batch, outcome = run("disbursements", xlsx(headers("disbursements"), rows), thanhhoa_manager, commit=False)
    assert outcome.updated == 1
    (_number, action, _label, changes), *_ = services.summary(outcome)["sample"]
    assert action == "updated"
    assert "Số tiền (đồng): 5.000.000 → 7.000.000" in changes and "Ghi chú: – → sửa" in changes
    assert not any(line.startswith("Ngày") for line in changes), "only what changes"

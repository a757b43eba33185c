"""What users see, in a real browser (Chromium through Playwright), at desk and phone widths.

The grouped amount input, an over-budget refusal, a manager's approval and the stop path. Runs
wherever Chromium is installed (`.ci/run` installs it); skipped locally without it, never in CI.
Screenshots go to $SCREENSHOTS_DIR when it is set (see DEVELOPERS.md), so a person can look at them.
"""

from __future__ import annotations

import concurrent.futures
import datetime
import os
import shutil
from pathlib import Path

import pytest
from django.urls import reverse

from programmes.models import Disbursement, Project, ProjectStatus
from tests.factories import ProjectFactory, disburse

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
IN_CI = os.environ.get("CI", "").lower() == "true"

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("committed_reference_data"),
    pytest.mark.skipif(CHROMIUM is None and not IN_CI, reason="Chromium is not installed (apt-get install chromium)"),
]

WIDTHS = {"desk": 1366, "phone": 390}


S = ProjectStatus


@pytest.fixture(scope="module")
def chromium():
    assert CHROMIUM, "CI must have Chromium: .ci/run installs it"
    sync_playwright = pytest.importorskip("playwright.sync_api").sync_playwright
    # Playwright's sync API keeps an event loop in this thread while it runs; the tests' own ORM
    # calls (and the database flush between them) are synchronous all the same.
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"]
        )
        yield browser
        browser.close()


@pytest.fixture(params=list(WIDTHS), ids=list(WIDTHS))
def page(request, chromium, live_server, tmp_path):
    width = WIDTHS[request.param]
    context = chromium.new_context(viewport={"width": width, "height": 900}, locale="vi-VN")
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    tab.base = live_server.url
    tab.width_name = request.param
    tab.shots = Path(os.environ.get("SCREENSHOTS_DIR") or tmp_path)
    tab.shots.mkdir(parents=True, exist_ok=True)
    yield tab
    context.close()


def log_in(page, user) -> None:
    page.goto(page.base + reverse("admin:login"))
    page.fill("#id_username", user.username)
    page.fill("#id_password", "password")
    page.click("input[type=submit]")
    page.wait_for_url(page.base + reverse("admin:index"))


def shot(page, name: str, near: str | None = None) -> None:
    """Save what the screen shows, scrolled to `near` when given (a whole page is too long to read)."""
    if near:
        page.locator(near).first.scroll_into_view_if_needed()
    page.screenshot(path=str(page.shots / f"{name}-{page.width_name}.png"))


def save(page) -> None:
    page.click("input[name=_continue]")
    page.wait_for_load_state("load")


def type_payment(page, project, *, amount: str, paid_on: str, voucher: str = "") -> None:
    """Open a new disbursement of `project` and type it in, leaving the amount box as a user would."""
    page.goto(page.base + reverse("admin:programmes_disbursement_add") + f"?project={project.pk}")
    page.fill("#id_paid_on", paid_on)
    page.fill("#id_amount", amount)
    page.press("#id_amount", "Tab")
    page.select_option("#id_source", "ns_tinh")
    page.select_option("#id_kind", "thanh_toan")
    page.fill("#id_voucher_number", voucher)


def test_amounts_are_grouped_as_they_are_typed_and_saved_whole(page, thanhhoa_officer):
    project = ProjectFactory(kc_support=300_000_000)
    log_in(page, thanhhoa_officer)
    type_payment(page, project, amount="12500000", paid_on="01/07/2024", voucher="PC-01/2024")
    assert page.input_value("#id_amount") == "12.500.000"
    assert page.get_attribute("#id_amount", "type") == "text"
    shot(page, "amount-typed")
    save(page)

    assert page.input_value("#id_amount") == "12.500.000"
    assert Disbursement.objects.get(project=project).amount == 12_500_000
    shot(page, "amount-saved")


def test_a_misplaced_separator_is_refused_not_rescaled(page, thanhhoa_officer):
    project = ProjectFactory(kc_support=300_000_000)
    log_in(page, thanhhoa_officer)
    type_payment(page, project, amount="1.5", paid_on="01/07/2024")
    assert page.input_value("#id_amount") == "1.5"  # left as typed, for the server to explain
    save(page)

    assert "số nguyên, ví dụ 1.234.567" in page.inner_text(".field-amount .errorlist")
    assert page.input_value("#id_amount") == "1.5"
    assert not Disbursement.objects.exists()


def test_an_over_budget_payment_is_refused_naming_what_is_left(page, thanhhoa_officer):
    project = ProjectFactory(kc_support=300_000_000)
    disburse(project, 250_000_000)
    log_in(page, thanhhoa_officer)
    type_payment(page, project, amount="100000000", paid_on="01/08/2024", voucher="PC-02/2024")
    save(page)

    errors = page.inner_text(".errorlist")
    assert "50.000.000" in errors
    assert "Vui lòng sửa các lỗi" in page.inner_text(".errornote")
    assert page.input_value("#id_amount") == "100.000.000"  # what the user typed is kept
    shot(page, "over-budget", near=".field-amount")
    project.refresh_from_db()
    assert project.disbursed_amount == 250_000_000


def test_a_manager_approves_a_project(page, thanhhoa_manager):
    project = ProjectFactory(
        status=S.APPRAISED,
        appraised_on=datetime.date(2024, 2, 1),
        decision_number="",
        decision_issuer="",
        decision_date=None,
    )
    log_in(page, thanhhoa_manager)
    page.goto(page.base + reverse("admin:programmes_project_change", args=[project.pk]))
    page.select_option("#id_status", S.APPROVED)
    page.fill("#id_decision_number", "125/QĐ-SCT")
    page.fill("#id_decision_issuer", "Sở Công Thương Thanh Hóa")
    page.fill("#id_decision_date", "01/03/2024")
    shot(page, "approval-form", near=".field-decision_date")
    save(page)

    project.refresh_from_db()
    assert project.status == S.APPROVED, page.inner_text("#content")
    assert project.decision_number == "125/QĐ-SCT"
    # After approval the money is read only, grouped, and changes only by adjustment.
    assert "300.000.000" in page.inner_text(".field-kc_support_display")
    shot(page, "approved", near=".field-kc_support_display")


def test_a_manager_stops_a_project_that_has_received_money(page, thanhhoa_manager):
    project = ProjectFactory(status=S.APPROVED)
    disburse(project, 120_000_000, paid_on=datetime.date(2024, 5, 10))
    project.refresh_from_db()
    project.status, project.started_on = S.IN_PROGRESS, datetime.date(2024, 3, 10)
    project.contracted_on = datetime.date(2024, 3, 5)
    Project.objects.filter(pk=project.pk).update(
        status=S.IN_PROGRESS, contracted_on=project.contracted_on, started_on=project.started_on
    )
    log_in(page, thanhhoa_manager)
    page.goto(page.base + reverse("admin:programmes_project_change", args=[project.pk]))
    page.select_option("#id_status", S.STOPPED)
    page.fill("#id_stopped_on", "01/04/2024")  # before the last payment: refused
    page.fill("#id_stop_reason", "Cơ sở không đủ vốn đối ứng")
    page.fill("#id_change_reason", "Quyết định số 210/QĐ-SCT ngừng thực hiện")
    save(page)
    assert "10/05/2024" in page.inner_text("#content")
    shot(page, "stop-refused", near=".field-stopped_on")

    page.fill("#id_stopped_on", "15/06/2024")
    save(page)
    project.refresh_from_db()
    assert project.status == S.STOPPED, page.inner_text("#content")
    assert project.stopped_on == datetime.date(2024, 6, 15)
    assert project.disbursed_amount == 120_000_000  # the payments stay
    shot(page, "stopped", near=".field-stopped_on")


# --- Lists, start pages and accessibility (axe-core) --------------------------------------------

LAYOUT_WIDTHS = {"laptop": 1366, "wide": 1920, "tablet": 768, "phone": 390}
BLOCKING = ("critical", "serious")


@pytest.fixture
def register(thanhhoa_officer):
    """Some đề án with long names and payments, so the lists have rows to lay out."""
    projects = [
        ProjectFactory(
            name=f"Hỗ trợ ứng dụng máy móc thiết bị tiên tiến vào sản xuất chế biến nông sản, số {i}",
            kc_support=1_234_567_000 + i,
        )
        for i in range(3)
    ]
    for number, project in enumerate(projects):
        disburse(project, 300_000_000, voucher_number=f"UNC-TH-{number:02}")
    return projects


def axe_problems(page) -> list[str]:
    """The critical and serious violations axe-core finds on the page, one line each."""
    from axe_playwright_python.sync_playwright import Axe

    # static/js/accessibility.js names the autocomplete boxes as select2 draws them; wait for it.
    page.wait_for_function(
        "() => [...document.querySelectorAll('.select2-selection[role=combobox]')]"
        ".every((box) => box.getAttribute('aria-label'))"
    )
    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {', '.join(str(n['target']) for n in v['nodes'][:3])}"
        for v in results.response["violations"]
        if v["impact"] in BLOCKING
    ]


@pytest.mark.parametrize("role", ["thanhhoa_officer", "thanhhoa_manager", "ministry_reviewer", "administrator"])
def test_no_serious_accessibility_problem_for_any_role(page, request, role, register):
    user = request.getfixturevalue(role)
    page.goto(page.base + reverse("admin:login"))
    problems = {"login": axe_problems(page)}
    log_in(page, user)
    project, payment = register[0], register[0].disbursements.first()
    can_add = role != "ministry_reviewer"
    paths = {
        "start": reverse("admin:index"),
        "projects": reverse("admin:programmes_project_changelist"),
        "project": reverse("admin:programmes_project_change", args=[project.pk]),
        "payments": reverse("admin:programmes_disbursement_changelist"),
        "payment": reverse("admin:programmes_disbursement_change", args=[payment.pk]),
    }
    if can_add:
        paths["new project"] = reverse("admin:programmes_project_add")
        paths["new payment"] = reverse("admin:programmes_disbursement_add")
    if role == "administrator":  # the user page had an unlabelled field (issue 22)
        paths["user"] = reverse("admin:auth_user_change", args=[user.pk])
        paths["new user"] = reverse("admin:auth_user_add")
        paths["group"] = reverse("admin:auth_group_add")
    for name, path in paths.items():
        page.goto(page.base + path)
        page.wait_for_load_state("load")
        problems[name] = axe_problems(page)
    assert not any(problems.values()), {name: found for name, found in problems.items() if found}


@pytest.fixture(params=list(LAYOUT_WIDTHS), ids=list(LAYOUT_WIDTHS))
def screen(request, chromium, live_server, tmp_path):
    width = LAYOUT_WIDTHS[request.param]
    context = chromium.new_context(viewport={"width": width, "height": 768 if width > 500 else 844}, locale="vi-VN")
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    tab.base = live_server.url
    tab.width_name = request.param
    tab.width = width
    tab.shots = Path(os.environ.get("SCREENSHOTS_DIR") or tmp_path)
    tab.shots.mkdir(parents=True, exist_ok=True)
    yield tab
    context.close()


@pytest.mark.parametrize("role", ["thanhhoa_officer", "ministry_reviewer"])
def test_lists_show_code_name_and_money_without_sideways_scrolling(screen, request, role, register):
    log_in(screen, request.getfixturevalue(role))
    shot(screen, f"start-{role}")
    for name, money_columns in [
        ("project", ["support_column", "disbursed_column", "percent_column"]),
        ("disbursement", ["amount_column"]),
    ]:
        screen.goto(screen.base + reverse(f"admin:programmes_{name}_changelist"))
        shot(screen, f"list-{name}-{role}")
        # Never the whole page: at most the table scrolls, on a phone.
        assert screen.evaluate("document.documentElement.scrollWidth") <= screen.width + 1
        if screen.width < 1366:
            continue
        for column in ["code" if name == "project" else "paid_on", *money_columns]:
            box = screen.locator(f"#result_list .field-{column}").first.bounding_box()
            assert box and box["x"] + box["width"] <= screen.width, f"{name}: {column} is past the right edge"
        amount = screen.locator(f"#result_list td.field-{money_columns[0]}").first
        assert amount.evaluate("cell => getComputedStyle(cell).textAlign") == "right"
        assert "." in amount.inner_text(), "amounts are grouped: 1.234.567.000"
        if name == "project" and role == "thanhhoa_officer":
            assert screen.locator("#result_list th.column-province_column").count() == 0


def test_a_manager_previews_issues_and_downloads_a_report(page, thanhhoa_manager, thanhhoa_2024):
    """The Reports page as a manager: preview the first half of 2024, draft, issue, download."""
    log_in(page, thanhhoa_manager)
    page.click("text=Báo cáo (PDF, Excel)")
    page.select_option("#id_year", "2024") if page.locator("select#id_year").count() else page.fill("#id_year", "2024")
    page.select_option("#id_preset", "h1")
    page.click("button:has-text('Xem trước')")
    page.wait_for_selector(".report-doc")
    assert "02/08" in page.locator(".report-doc table.b01").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTHS[page.width_name] + 1
    if WIDTHS[page.width_name] >= 1000:
        # Biểu 03 keeps to the paper: its columns wrap inside the page box rather than scroll past it.
        fits = page.evaluate(
            "() => { const t = document.querySelector('.report-doc table.b03');"
            " const d = document.querySelector('.report-doc');"
            " return t.scrollWidth <= t.clientWidth + 1"
            " && t.getBoundingClientRect().right <= d.getBoundingClientRect().right; }"
        )
        assert fits
    shot(page, "reports-preview", ".report-doc")
    shot(page, "reports-preview-table", ".report-doc table.b01")
    assert not axe_problems(page)
    page.click("button:has-text('Tạo bản thảo')")
    page.wait_for_selector("#id_advantages")
    page.fill("#id_advantages", "Được UBND tỉnh quan tâm chỉ đạo; các cơ sở chủ động đối ứng.")
    page.fill("#id_tasks", "Tiếp tục triển khai các đề án theo kế hoạch.")
    page.fill("#id_recommendations", "Đề nghị Bộ Công Thương hỗ trợ kinh phí khuyến công quốc gia.")
    page.fill("#id_signer_name", "Nguyễn Văn An")
    page.click("button:has-text('Lưu bản thảo')")
    page.wait_for_selector(".messagelist")
    shot(page, "reports-draft")
    assert not axe_problems(page)
    page.fill("#id_number", "123/BC-SCT")
    page.fill("#id_issued_on", "2024-07-05")
    page.click("button:has-text('Ban hành báo cáo này')")
    page.wait_for_selector("code.sha")
    shot(page, "reports-issued", ".report-lists")
    assert not axe_problems(page), "the issued versions' PDF and Excel links read against their text"
    page.goto(page.base + reverse("reports:index"))
    assert not axe_problems(page)
    with page.expect_download() as download:
        page.click("a:has-text('PDF') >> nth=0")
    path = download.value.path()
    data = Path(path).read_bytes()
    assert data.startswith(b"%PDF")
    from reports.models import IssuedReport

    assert data == bytes(IssuedReport.objects.get().pdf)


def test_a_manager_uploads_the_pdf_signed_elsewhere(page, settings, thanhhoa_manager, thanhhoa_2024, tmp_path):
    """The issued PDF, signed outside the app with a throw-away key, uploaded on the report's page: its
    signer, time and validity shown, the signed copy downloadable beside the issued one; a file that
    is not the issued version refused at the field."""
    from reports import services as report_services
    from reports import signing
    from reports.models import SignedReport
    from tests.factories import current_province, draft_report
    from tests.test_signing import PASSPHRASE, make_key

    p12, pem = make_key(tmp_path, "Nguyễn Văn An", "ky-trinh-duyet")
    settings.KHUYENCONG_SIGNING_TRUST_ROOTS = [str(pem)]
    draft = draft_report(province=current_province("38"), year=2024, preset="h1",
                         date_from=datetime.date(2024, 1, 1), date_until=datetime.date(2024, 6, 30))  # fmt: skip
    report = report_services.report_save(report=draft, user=thanhhoa_manager)
    issued = report_services.report_issue(report=report, user=thanhhoa_manager, number="123/BC-SCT",
                                          issued_on=datetime.date(2024, 7, 5))  # fmt: skip
    # pyHanko runs its own event loop: in another thread than Playwright's.
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        signed = pool.submit(
            signing.sign_pdf, bytes(issued.pdf), pkcs12=str(p12), passphrase=PASSPHRASE.encode()
        ).result()
    (tmp_path / "da-ky.pdf").write_bytes(signed)
    (tmp_path / "khac.pdf").write_bytes(signed[:-200])
    log_in(page, thanhhoa_manager)
    page.goto(page.base + reverse("reports:draft", args=[report.pk]))
    page.set_input_files(f"#signed-{issued.pk}", str(tmp_path / "khac.pdf"))
    page.click("button:has-text('Tải lên và kiểm tra')")
    page.wait_for_selector(f"#signed-{issued.pk}-error")
    assert page.locator(f"#signed-{issued.pk}").get_attribute("aria-invalid") == "true"
    shot(page, "signed-upload-refused", f"#signed-{issued.pk}")
    assert not SignedReport.objects.exists()
    page.set_input_files(f"#signed-{issued.pk}", str(tmp_path / "da-ky.pdf"))
    page.click("button:has-text('Tải lên và kiểm tra')")
    page.wait_for_selector(".messagelist")
    cell = page.locator("td.signatures").first.inner_text()
    assert "Nguyễn Văn An" in cell and "hợp lệ" in cell
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTHS[page.width_name] + 1
    shot(page, "signed-upload-kept", ".report-lists")
    with page.expect_download() as download:
        page.click("a:has-text('Tải bản PDF đã ký số')")
    assert Path(download.value.path()).read_bytes() == signed


def test_an_officer_imports_payments_and_fixes_a_bad_file(page, thanhhoa_officer, tmp_path):
    """Upload → preview → confirm; then a file with a bad row: nothing written, the error workbook downloaded."""
    import io

    import openpyxl

    from tests.import_files import headers, xlsx

    project = ProjectFactory(code="TH-IMPORT-01", status=S.IN_PROGRESS, started_on=datetime.date(2024, 3, 5))
    rows = [
        [project.code, datetime.date(2024, 6, 1), 100_000_000, "", "Tạm ứng", "UNC-01", "Tạm ứng đợt 1"],
        [project.code, "20/09/2024", "50.000.000", "", "Thanh toán", "UNC-02", ""],
    ]
    good = tmp_path / "giai-ngan-2024.xlsx"
    good.write_bytes(xlsx(headers("disbursements"), rows))
    log_in(page, thanhhoa_officer)
    page.click("text=Nhập từ Excel")
    page.select_option("#id_kind", "disbursements")
    page.set_input_files("#id_file", str(good))
    shot(page, "imports-upload")
    assert not axe_problems(page)
    page.click("button:has-text('Kiểm tra tệp')")
    page.wait_for_selector(".import-summary")
    assert "TH-IMPORT-01" in page.locator(".import-rows").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTHS[page.width_name] + 1
    shot(page, "imports-preview")
    assert not axe_problems(page)
    assert Disbursement.objects.count() == 0
    page.click("button:has-text('Nhập các dòng này')")
    page.wait_for_selector(".messagelist .success")
    assert Disbursement.objects.filter(project=project).count() == 2
    shot(page, "imports-done")

    bad = tmp_path / "giai-ngan-loi.xlsx"
    bad.write_bytes(xlsx(headers("disbursements"), [*rows, [project.code, "hôm qua", "-5", "", "Thanh toán", "", ""]]))
    page.goto(page.base + reverse("imports:index"))
    page.select_option("#id_kind", "disbursements")
    page.set_input_files("#id_file", str(bad))
    page.click("button:has-text('Kiểm tra tệp')")
    page.wait_for_selector(".import-errors")
    errors = page.locator(".import-errors table").inner_text()
    assert "Ngày giải ngân" in errors and "Số tiền (đồng)" in errors
    assert not page.locator("button:has-text('Nhập các dòng này')").count()
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTHS[page.width_name] + 1
    shot(page, "imports-errors", ".import-errors")
    assert not axe_problems(page)
    with page.expect_download() as download:
        page.click("a:has-text('Tải tệp kèm cột lỗi')")
    assert download.value.suggested_filename == "giai-ngan-loi-loi.xlsx"
    sheet = openpyxl.load_workbook(io.BytesIO(Path(download.value.path()).read_bytes())).worksheets[0]
    assert sheet.cell(row=1, column=8).value == "Lỗi"
    assert sheet.cell(row=4, column=8).value.startswith("Ngày giải ngân")
    assert Disbursement.objects.filter(project=project).count() == 2

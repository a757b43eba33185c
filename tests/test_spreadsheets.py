"""No workbook or CSV the app writes runs someone's text as a formula (issue 16, finding 1 and 3).

Every writer — the report workbooks (province, nation, draft, issued version), the list exports,
`export_data`, the import templates and the error files — is run over a đề án, an implementing
unit, a facility, a beneficiary and a payment whose text starts with =, +, - or @. The files are
read back with openpyxl (no cell is a formula, and the text is there as text) and, for the
workbooks, converted by LibreOffice headless to flat ODS (no `table:formula` anywhere).
"""

from __future__ import annotations

import csv
import io
import subprocess
import zipfile

import openpyxl
import pytest
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse

from programmes.audit import append_only_suspended
from programmes.imports import workbooks
from programmes.imports.formats import FORMATS
from programmes.jobs.models import Job
from programmes.jobs.services import job_run
from programmes.lib.spreadsheets import FORMULA_STARTS
from programmes.models import Organisation
from reports import figures, render
from reports import services as report_services
from reports.models import IssuedReport
from reports.periods import period_for
from tests.factories import BeneficiaryFactory, FacilityFactory, disburse, draft_report
from tests.report_data import TRIEU, d, project
from tests.test_report_documents import need

pytestmark = pytest.mark.django_db

HYPERLINK = '=HYPERLINK("http://x.example/?leak","click")'
COMMAND = "+cmd|' /C calc'!A0"
AT = "@SUM(1+1)*cmd|' /C calc'!A0"
MINUS = "-2+3+cmd|' /C calc'!A0"
HOSTILE_TEXTS = (HYPERLINK, COMMAND, AT, MINUS)


@pytest.fixture
def formulas(thanhhoa_2024, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    province = thanhhoa_2024["province"]
    unit = Organisation.objects.create(name=MINUS, kind=Organisation.Kind.PEOPLES_COMMITTEE, province=province.current)
    facility = FacilityFactory(province=province.current, name=HYPERLINK, address=AT, representative=COMMAND)
    item = project(
        thanhhoa_2024["local"],
        100,
        started=d(2024, 3, 5),
        code="TH-F-01",
        name=HYPERLINK,
        location=COMMAND,
        note=AT,
        implementing_unit=unit,
    )
    BeneficiaryFactory(project=item, facility=facility, support_amount=50 * TRIEU, note=MINUS)
    disburse(item, 10 * TRIEU, paid_on=d(2024, 5, 2), voucher_number="PC-F", note=HYPERLINK)
    return {**thanhhoa_2024, "project": item, "facility": facility}


def formula_cells(data: bytes) -> list[tuple]:
    """Every formula in a workbook: cells openpyxl reads as formulas, and <f> elements in the XML."""
    found = []
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            found.extend((sheet.title, cell.coordinate, cell.value) for cell in row if cell.data_type == "f")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/") and (b"<f>" in archive.read(name) or b"<f " in archive.read(name)):
                found.append((name, "<f>", ""))
    return found


def text_cells(data: bytes) -> set[str]:
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    values = set()
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    values.add(cell.value)
                    values.update(cell.value.split("\n"))
    return values


def assert_safe_workbook(data: bytes, *expected: str) -> None:
    assert formula_cells(data) == []
    texts = text_cells(data)
    for value in expected:
        assert value in texts, f"{value!r} is not in the workbook as text"


def assert_safe_csv(data: bytes, *expected: str) -> None:
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    cells = [cell for row in rows for cell in row]
    assert not [cell for cell in cells if cell.startswith(FORMULA_STARTS)]
    for value in expected:
        assert "'" + value in cells, f"{value!r} is not in the CSV, guarded"


def _content(response) -> bytes:
    if hasattr(response, "streaming_content"):
        return b"".join(response.streaming_content)
    return response.content


def test_the_report_workbooks_write_text_as_text(formulas, client, thanhhoa_manager, ministry_reviewer):
    province = formulas["province"]
    cov = figures.coverage(period_for(2024, "h1"), province=province)
    _doc, data = render.rendered(cov, "xlsx")
    assert_safe_workbook(data, HYPERLINK, MINUS, COMMAND + ", Thanh Hóa")

    nation = figures.coverage(period_for(2024, "h1"))
    _doc, data = render.rendered(nation, "xlsx")
    assert_safe_workbook(data, HYPERLINK)

    client.force_login(ministry_reviewer)
    page = client.get(reverse("reports:index"), {"scope": "nation", "year": 2024, "preset": "h1", "level": "all",
                                                 "format": "xlsx"})  # fmt: skip
    # The nation's workbook is a background job: run it, download its result.
    assert page.status_code == 302
    job = Job.objects.get(user=ministry_reviewer)
    job_run(job.pk)
    page = client.get(reverse("jobs:download", args=[job.pk]))
    assert page.status_code == 200
    assert_safe_workbook(b"".join(page.streaming_content), HYPERLINK)

    client.force_login(thanhhoa_manager)
    report = report_services.report_save(
        report=draft_report(
            province=province, year=2024, preset="h1", date_from=d(2024, 1, 1), date_until=d(2024, 6, 30)
        ),
        user=thanhhoa_manager,
    )
    page = client.get(reverse("reports:draft_download", args=[report.pk, "xlsx"]))
    assert_safe_workbook(page.content, HYPERLINK)
    issued = report_services.report_issue(report=report, user=thanhhoa_manager, number="15/BC-SCT",
                                          issued_on=d(2024, 7, 5))  # fmt: skip
    assert_safe_workbook(bytes(issued.xlsx), HYPERLINK)
    page = client.get(reverse("reports:issued_download", args=[issued.pk, "xlsx"]))
    assert_safe_workbook(page.content, HYPERLINK)


EXPORTS = [
    ("plan", "plans"),
    ("project", "projects"),
    ("project", "indicators"),
    ("facility", "facilities"),
    ("beneficiary", "beneficiaries"),
    ("disbursement", "disbursements"),
]


@pytest.mark.parametrize(("model", "kind"), EXPORTS)
def test_every_list_export_writes_text_as_text(formulas, client, thanhhoa_officer, model, kind):
    client.force_login(thanhhoa_officer)
    url = reverse(f"admin:programmes_{model}_export", args=[kind, "xlsx"])
    workbook = _content(client.get(url))
    assert formula_cells(workbook) == []
    spreadsheet = _content(client.get(reverse(f"admin:programmes_{model}_export", args=[kind, "csv"])))
    assert_safe_csv(spreadsheet)
    expected = {
        "projects": (HYPERLINK, MINUS),
        "facilities": (HYPERLINK, AT, COMMAND),
        "beneficiaries": (MINUS,),
        "disbursements": (HYPERLINK,),
    }.get(kind, ())
    assert_safe_workbook(workbook, *expected)
    assert_safe_csv(spreadsheet, *expected)


def test_export_data_writes_text_as_text(formulas, tmp_path):
    for file_type in ("xlsx", "csv"):
        target = tmp_path / f"projects.{file_type}"
        call_command("export_data", "projects", "-o", str(target))
        if file_type == "xlsx":
            assert_safe_workbook(target.read_bytes(), HYPERLINK, MINUS)
        else:
            assert_safe_csv(target.read_bytes(), HYPERLINK, MINUS)


def test_the_templates_hold_no_formula():
    for kind in FORMATS:
        assert formula_cells(workbooks.template_workbook(kind)) == []


def _uploaded_xlsx(rows) -> bytes:
    """An upload as Excel saves text that starts with "=": a text cell."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(FORMATS["disbursements"].headers())
    for values in rows:
        sheet.append(values)
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"
    # And one real formula, as a user's own workbook might hold.
    sheet.cell(row=sheet.max_row, column=7, value="=1+1")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_the_error_files_write_the_uploaded_text_as_text():
    errors = [(2, "Mã đề án", "Không có đề án mã “=cmd|x”.")]
    row = ["=cmd|x", "01/06/2024", "1.000.000", "", "", HYPERLINK, AT]
    data, extension = workbooks.error_file("xlsx", _uploaded_xlsx([row]), errors)
    assert extension == "xlsx"
    assert_safe_workbook(data, "=cmd|x", HYPERLINK)
    assert "=1+1" in text_cells(data)  # the user's own formula comes back as its text

    uploaded = "\ufeff" + ",".join(FORMATS["disbursements"].headers()) + "\n" + ",".join(
        f'"{value}"' if "," in value or '"' in value else value for value in (v.replace('"', '""') for v in row)
    ) + "\n"  # fmt: skip
    data, extension = workbooks.error_file("csv", uploaded.encode(), errors)
    assert extension == "csv"
    assert_safe_csv(data, "=cmd|x", HYPERLINK, AT)


def test_libreoffice_finds_no_formula_in_any_workbook(formulas, client, thanhhoa_officer, tmp_path):
    soffice = need("soffice")
    cov = figures.coverage(period_for(2024, "h1"), province=formulas["province"])
    files = {"report.xlsx": render.rendered(cov, "xlsx")[1]}
    client.force_login(thanhhoa_officer)
    for model, kind in EXPORTS:
        files[f"{kind}.xlsx"] = _content(client.get(reverse(f"admin:programmes_{model}_export", args=[kind, "xlsx"])))
    row = ["=cmd|x", "01/06/2024", "1.000.000", "", "", HYPERLINK, AT]
    files["errors.xlsx"] = workbooks.error_file("xlsx", _uploaded_xlsx([row]), [(2, "", "x")])[0]
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    result = subprocess.run(
        [soffice, "--headless", "--convert-to", "fods", "--outdir", str(tmp_path / "out"),
         *(str(tmp_path / name) for name in files)],
        capture_output=True, text=True, timeout=300, env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    for name in files:
        converted = (tmp_path / "out" / name.replace(".xlsx", ".fods")).read_text()
        assert "table:formula=" not in converted, name
    assert "HYPERLINK(&quot;http://x.example" in (tmp_path / "out" / "report.fods").read_text()


def test_frozen_workbooks_with_formulas_are_listed(formulas, thanhhoa_manager, monkeypatch, capsys):
    """An issued version frozen before the fix keeps its formulas: the command names it for re-issuing."""
    province = formulas["province"]
    report = report_services.report_save(
        report=draft_report(
            province=province, year=2024, preset="h1", date_from=d(2024, 1, 1), date_until=d(2024, 6, 30)
        ),
        user=thanhhoa_manager,
    )
    safe = report_services.report_issue(report=report, user=thanhhoa_manager, number="15/BC-SCT",
                                        issued_on=d(2024, 7, 5))  # fmt: skip
    # A version as the old renderer froze it: the same workbook with the name as a live formula.
    unsafe = report_services.report_issue(report=report, user=thanhhoa_manager, number="16/BC-SCT",
                                          issued_on=d(2024, 7, 6))  # fmt: skip
    workbook = openpyxl.load_workbook(io.BytesIO(bytes(unsafe.xlsx)))
    workbook["Biểu 03"]["C8"] = HYPERLINK
    buffer = io.BytesIO()
    workbook.save(buffer)
    with transaction.atomic(), append_only_suspended():  # as the owner: an issued row is kept as written
        IssuedReport.objects.filter(pk=unsafe.pk).update(xlsx=buffer.getvalue())
    assert formula_cells(buffer.getvalue())

    with pytest.raises(SystemExit) as exited:
        call_command("find_formula_workbooks")
    assert exited.value.code == 1
    out = capsys.readouterr().out
    assert "16/BC-SCT" in out and "15/BC-SCT" not in out
    assert safe.pk != unsafe.pk

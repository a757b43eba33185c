"""“Xuất Excel/CSV” on the lists: scoped like the list, formulae defused, streamed; and the import's query count."""

import csv
import datetime
import io

import openpyxl
import pytest
from django.db import connection
from django.http import FileResponse, StreamingHttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from programmes.imports import services
from programmes.models import Disbursement
from tests.factories import PlanFactory, ProjectFactory, current_province, unit_for_year
from tests.import_files import headers, xlsx

pytestmark = pytest.mark.django_db
d = datetime.date


def _export(client, model, kind, file_type, query=""):
    response = client.get(reverse(f"admin:programmes_{model}_export", args=[kind, file_type]) + query)
    assert response.status_code == 200, response.status_code
    return response


def _xlsx_rows(response):
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).worksheets[0]
    return [[cell.value for cell in row] for row in sheet.iter_rows()], sheet


def _csv_rows(response):
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_exports_follow_the_lists_scope_and_filters(client, thanhhoa_officer, ministry_reviewer):
    ProjectFactory(code="TH-1", name="Thanh Hóa một")
    ProjectFactory(code="TH-2", name="Thanh Hóa hai")
    ProjectFactory(code="DN-1", plan=PlanFactory(province=unit_for_year("48", 2024)))
    client.force_login(thanhhoa_officer)
    rows, _sheet = _xlsx_rows(_export(client, "project", "projects", "xlsx"))
    assert rows[0] == headers("projects")
    assert sorted(row[0] for row in rows[1:]) == ["TH-1", "TH-2"]
    rows = _csv_rows(_export(client, "project", "projects", "csv", "?q=hai"))
    assert [row[0] for row in rows[1:]] == ["TH-2"]
    client.force_login(ministry_reviewer)
    rows = _csv_rows(_export(client, "project", "projects", "csv"))
    assert sorted(row[0] for row in rows[1:]) == ["DN-1", "TH-1", "TH-2"]


def test_formulae_never_run(client, thanhhoa_officer):
    ProjectFactory(code='=HYPERLINK("http://x")', name="+cmd|' /C calc'!A0", location="@SUM(1)")
    client.force_login(thanhhoa_officer)
    rows, sheet = _xlsx_rows(_export(client, "project", "projects", "xlsx"))
    assert sheet["A2"].value == '=HYPERLINK("http://x")' and sheet["A2"].data_type == "s"
    assert sheet["B2"].data_type == "s"
    rows = _csv_rows(_export(client, "project", "projects", "csv"))
    assert rows[1][0] == '\'=HYPERLINK("http://x")' and rows[1][1].startswith("'+cmd")


def test_large_exports_are_streamed(client, thanhhoa_officer):
    ProjectFactory()
    client.force_login(thanhhoa_officer)
    assert isinstance(_export(client, "project", "projects", "csv"), StreamingHttpResponse)
    assert isinstance(_export(client, "project", "projects", "xlsx"), FileResponse)
    assert client.get(reverse("admin:programmes_project_export", args=["plans", "xlsx"])).status_code == 404
    assert client.get(reverse("admin:programmes_project_export", args=["projects", "pdf"])).status_code == 404


def test_the_lists_offer_export_and_import(client, thanhhoa_officer):
    client.force_login(thanhhoa_officer)
    page = client.get(reverse("admin:programmes_disbursement_changelist") + "?year=2024").content.decode()
    assert "xuat/disbursements.xlsx?year=2024" in page and "xuat/disbursements.csv?year=2024" in page
    assert reverse("imports:index") + "?kind=disbursements" in page


def _disbursement_rows(projects):
    return [[p.code, d(2024, 6, 1), 1_000_000, "", "Thanh toán", f"Q-{p.pk}", ""] for p in projects]


def _queries(user, rows):
    data = xlsx(headers("disbursements"), rows)
    with CaptureQueriesContext(connection) as queries:
        outcome = services.check("disbursements", "q.xlsx", data, user=user)
    assert outcome.ok, outcome.errors
    return len(queries)


# A file of new payments: the file's keys, the period locks, the vouchers and the advances are read
# once; its đề án are locked twice (when the file is read, so that a file confirmed at the same
# moment waits, and again by the payment service); the payments and their history are written in
# bulk (one INSERT each per 1.000 rows, one lock query per 2.000 đề án). So no query depends on the
# row below those.
QUERIES_PER_FILE = 16


def test_an_import_runs_a_fixed_number_of_queries_per_row(thanhhoa_manager):
    plan = PlanFactory()
    projects = [ProjectFactory(plan=plan) for _ in range(30)]
    current_province("38")
    small = _queries(thanhhoa_manager, _disbursement_rows(projects[:10]))
    large = _queries(thanhhoa_manager, _disbursement_rows(projects))
    assert small == large == QUERIES_PER_FILE, (small, large)
    assert Disbursement.objects.count() == 0


# --- Rows read as tuples, cells written by column (issue 20, point 2) --------------------------------


def _every_kind_of_row():
    """Rows of every export kind, with empty optional links, formula-looking text and both levels."""
    from programmes.models import Indicator, IndicatorKind
    from tests.factories import BeneficiaryFactory, FacilityFactory, PlanLineFactory, disburse

    project = ProjectFactory(code="=HYPERLINK(1)", name='+đề án; "trích"', counterpart_funds=0)
    PlanLineFactory(plan=project.plan, content=project.content, planned_amount=900_000_000, planned_projects=3)
    ProjectFactory(code="TH-EX-2", status="dang_ky", decision_number="", decision_date=None, start_date=None)
    facility = FacilityFactory(tax_code="0101234567", commune=None, phone="-1", workforce=None)
    BeneficiaryFactory(project=project, facility=facility, support_amount=10_000_000, note="@ghi chú")
    disburse(project, 5_000_000, voucher_number="=1+1", note="")
    Indicator.objects.create(project=project, kind=IndicatorKind.objects.first(), planned=3, achieved=0)


@pytest.mark.parametrize("kind", ["plans", "projects", "facilities", "beneficiaries", "disbursements", "indicators"])
def test_rows_read_as_tuples_equal_the_rows_read_as_records(kind):
    from programmes.imports.formats import FORMATS

    _every_kind_of_row()
    format_ = FORMATS[kind]
    queryset = format_.model._default_manager.all()
    by_record = [format_.export_row(obj) for obj in format_.export_queryset(queryset)]
    by_tuple = list(format_.export_rows(queryset))
    assert by_record and plain(by_tuple) == plain(by_record)


def plain(rows):
    """Lazy labels (a status, a level) as the text a file gets."""
    return [[v if v is None or isinstance(v, (int, datetime.date)) else str(v) for v in row] for row in rows]


@pytest.mark.parametrize("kind", ["projects", "facilities", "disbursements"])
def test_cells_written_by_column_are_the_cells_written_by_value(kind):
    import zipfile

    from programmes.imports.formats import FORMATS
    from programmes.imports.workbooks import xlsx_file

    _every_kind_of_row()
    format_ = FORMATS[kind]
    rows = list(format_.export_rows(format_.model._default_manager.all()))

    class Untyped:  # the same columns without their kinds: every cell is judged by its value
        title, headers = format_.title, format_.headers

    def sheet_xml(source) -> bytes:
        with source, zipfile.ZipFile(source) as archive:
            return archive.read("xl/worksheets/sheet1.xml")  # constant-memory mode writes strings inline

    assert sheet_xml(xlsx_file(format_, rows)) == sheet_xml(xlsx_file(Untyped, rows))


@pytest.mark.parametrize("kind", ["projects", "facilities", "disbursements", "indicators"])
@pytest.mark.parametrize("rows_per_piece", [1, 2, 1_000])
def test_csv_cells_written_by_column_are_the_cells_written_by_value(kind, rows_per_piece):
    from programmes.imports.formats import FORMATS
    from programmes.imports.workbooks import csv_stream
    from programmes.lib.spreadsheets import csv_text

    _every_kind_of_row()
    format_ = FORMATS[kind]
    queryset = format_.model._default_manager.all()
    expected = io.StringIO()
    writer = csv.writer(expected)
    writer.writerow(format_.headers())
    for row in format_.export_rows(queryset):
        writer.writerow([csv_text(value) for value in row])
    assert "".join(csv_stream(format_, queryset, rows_per_piece=rows_per_piece)) == "\ufeff" + expected.getvalue()

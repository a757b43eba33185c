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

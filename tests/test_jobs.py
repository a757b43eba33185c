"""Background jobs: big exports, report files and imports run by a worker, followed on “Việc của tôi”.

These tests run the queued job in the test's process (`_run_queued`); tests/test_jobs_worker.py runs
the same jobs through a real worker process on PostgreSQL.
"""

import csv
import datetime
import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from programmes.imports.models import ImportBatch
from programmes.jobs import services
from programmes.jobs.models import Job
from programmes.models import Disbursement
from tests.factories import PlanFactory, ProjectFactory, unit_for_year
from tests.import_files import headers, xlsx

pytestmark = pytest.mark.django_db(databases="__all__")
d = datetime.date


def _run_queued():
    for pk in Job.objects.filter(state=Job.State.QUEUED).order_by("created_at").values_list("pk", flat=True):
        services.job_run(pk)


def _job_of(response) -> Job:
    assert response.status_code == 302, response.status_code
    job = Job.objects.get(pk=response.url.rstrip("/").split("/")[-1])
    assert response.url == reverse("jobs:detail", args=[job.pk])
    return job


def _export_job(client, settings, user, file_type: str) -> Job:
    """A đề án list export started as a job by `user` (one đề án in the list)."""
    settings.KHUYENCONG_JOB_EXPORT_ROWS = 0
    ProjectFactory()
    client.force_login(user)
    return _job_of(client.get(reverse("admin:programmes_project_export", args=["projects", file_type])))


def _download(client, job) -> bytes:
    response = client.get(reverse("jobs:download", args=[job.pk]))
    assert response.status_code == 200, response.status_code
    return b"".join(response.streaming_content)


def test_a_big_export_is_a_job_that_follows_the_lists_scope(client, settings, thanhhoa_officer, ministry_reviewer):
    settings.KHUYENCONG_JOB_EXPORT_ROWS = 1
    ProjectFactory(code="TH-1", name="Thanh Hóa một")
    ProjectFactory(code="TH-2", name="Thanh Hóa hai")
    ProjectFactory(code="DN-1", plan=PlanFactory(province=unit_for_year("48", 2024)))
    client.force_login(thanhhoa_officer)
    job = _job_of(client.get(reverse("admin:programmes_project_export", args=["projects", "csv"])))
    page = client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert "máy xử lý chưa nhận việc" in page
    assert '<meta http-equiv="refresh"' in page
    _run_queued()
    job.refresh_from_db()
    assert job.state == Job.State.DONE and job.done == job.total == 2, (job.state, job.error)
    rows = list(csv.reader(io.StringIO(_download(client, job).decode("utf-8-sig"))))
    assert rows[0] == headers("projects") and sorted(r[0] for r in rows[1:]) == ["TH-1", "TH-2"]
    page = client.get(reverse("jobs:index")).content.decode()
    assert reverse("jobs:download", args=[job.pk]) in page and 'http-equiv="refresh"' not in page
    # The list's search goes with the job; the reviewer's job sees every province.
    client.force_login(ministry_reviewer)
    settings.KHUYENCONG_JOB_EXPORT_ROWS = 0
    job = _job_of(client.get(reverse("admin:programmes_project_export", args=["projects", "xlsx"]) + "?q=mot"))
    assert client.get(reverse("jobs:detail", args=[job.pk])).status_code == 200
    job2 = _job_of(client.get(reverse("admin:programmes_project_export", args=["projects", "xlsx"])))
    _run_queued()
    import openpyxl

    def codes(j):
        sheet = openpyxl.load_workbook(io.BytesIO(_download(client, j))).worksheets[0]
        return sorted(row[0] for row in sheet.iter_rows(min_row=2, values_only=True))

    assert codes(Job.objects.get(pk=job.pk)) == ["TH-1"]
    assert codes(Job.objects.get(pk=job2.pk)) == ["DN-1", "TH-1", "TH-2"]


def test_a_job_is_its_owners_only(client, settings, thanhhoa_officer, danang_officer):
    settings.KHUYENCONG_JOB_EXPORT_ROWS = 0
    ProjectFactory(code="TH-1")
    client.force_login(thanhhoa_officer)
    job = _job_of(client.get(reverse("admin:programmes_project_export", args=["projects", "csv"])))
    _run_queued()
    client.force_login(danang_officer)
    for name in ("jobs:detail", "jobs:download"):
        assert client.get(reverse(name, args=[job.pk])).status_code == 404
    assert client.post(reverse("jobs:cancel", args=[job.pk])).status_code == 404
    assert job.title not in client.get(reverse("jobs:index")).content.decode()
    client.logout()
    response = client.get(reverse("jobs:download", args=[job.pk]))
    assert response.status_code == 302 and reverse("admin:login") in response.url


def test_a_cancelled_job_never_runs(client, settings, thanhhoa_officer, vietnamese):
    settings.KHUYENCONG_JOB_EXPORT_ROWS = 0
    ProjectFactory()
    client.force_login(thanhhoa_officer)
    job = _job_of(client.get(reverse("admin:programmes_project_export", args=["projects", "csv"])))
    response = client.post(reverse("jobs:cancel", args=[job.pk]), follow=True)
    assert "Đã hủy việc" in response.content.decode()
    _run_queued()
    job.refresh_from_db()
    assert job.state == Job.State.CANCELLED and not job.result
    response = client.post(reverse("jobs:cancel", args=[job.pk]), follow=True)
    assert "Việc đã xong" in response.content.decode()
    assert client.get(reverse("jobs:download", args=[job.pk])).status_code == 404


def _payments_file(projects, amount=1_000_000):
    rows = [[p.code, d(2024, 6, 1), amount, "", "Thanh toán", f"Q-{p.pk}", ""] for p in projects]
    return xlsx(headers("disbursements"), rows)


def _upload(client, data, name="chi.xlsx"):
    upload = io.BytesIO(data)
    upload.name = name
    return client.post(reverse("imports:index"), {"kind": "disbursements", "file": upload})


def test_a_big_import_is_checked_then_imported_by_jobs(client, settings, thanhhoa, thanhhoa_manager):
    settings.KHUYENCONG_JOB_IMPORT_ROWS = 1
    _plan, projects, _facility = thanhhoa
    client.force_login(thanhhoa_manager)
    job = _job_of(_upload(client, _payments_file(projects)))
    batch = ImportBatch.objects.get()
    assert job.kind == "import_check" and job.params == {"batch": batch.pk}
    _run_queued()
    job.refresh_from_db()
    assert job.state == Job.State.DONE, job.error
    # Done, the job's page leads to the batch, which shows the preview.
    response = client.get(reverse("jobs:detail", args=[job.pk]))
    assert response.status_code == 302 and response.url == reverse("imports:batch", args=[batch.pk])
    batch.refresh_from_db()
    assert batch.rows == 2 and not batch.errors and Disbursement.objects.count() == 0
    job = _job_of(client.post(reverse("imports:confirm", args=[batch.pk])))
    assert job.kind == "import_confirm"
    _run_queued()
    job.refresh_from_db()
    batch.refresh_from_db()
    assert job.state == Job.State.DONE and batch.status == ImportBatch.Status.IMPORTED
    assert Disbursement.objects.count() == 2
    assert set(Disbursement.history.values_list("history_user__username", flat=True)) == {thanhhoa_manager.username}


def test_a_failed_import_job_says_why_in_vietnamese_and_writes_nothing(
    client, settings, thanhhoa, thanhhoa_manager, vietnamese
):
    settings.KHUYENCONG_JOB_IMPORT_ROWS = 1
    _plan, projects, _facility = thanhhoa
    client.force_login(thanhhoa_manager)
    _job_of(_upload(client, _payments_file(projects)))
    _run_queued()
    batch = ImportBatch.objects.get()
    job = _job_of(client.post(reverse("imports:confirm", args=[batch.pk])))
    # Someone imports the same file by hand before the worker gets to it.
    from programmes.imports import services as imports

    imports.batch_import(batch=batch, user=thanhhoa_manager)
    count = Disbursement.objects.count()
    _run_queued()
    job.refresh_from_db()
    assert job.state == Job.State.FAILED and "đã được nhập" in job.error, job.error
    assert Disbursement.objects.count() == count
    page = client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert job.error in page and 'role="alert"' in page


def test_an_unexpected_error_fails_the_job_with_a_message_not_a_traceback(
    client, settings, thanhhoa_officer, monkeypatch, vietnamese, caplog
):
    job = _export_job(client, settings, thanhhoa_officer, "csv")

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("programmes.imports.workbooks.csv_stream", broken)
    _run_queued()
    job.refresh_from_db()
    assert job.state == Job.State.FAILED and "disk full" not in job.error and str(job.pk) in job.error
    assert "lỗi" in job.error.lower()
    assert "disk full" in caplog.text


def test_a_result_that_cannot_be_kept_fails_the_job_instead_of_leaving_it_running(
    client, settings, thanhhoa_officer, monkeypatch, vietnamese
):
    job = _export_job(client, settings, thanhhoa_officer, "xlsx")

    def refused(*args, **kwargs):
        raise PermissionError("[Errno 13] Permission denied: '/srv/khuyencong/media/tac-vu/x.xlsx'")

    monkeypatch.setattr(Job.result.field.storage, "save", refused)  # a full disk, a bucket out of reach
    _run_queued()
    job.refresh_from_db()
    assert job.state == Job.State.FAILED and str(job.pk) in job.error and not job.result


def test_a_region_report_is_a_job_and_its_pdf_is_the_reports(client, thanhhoa_2024, ministry_reviewer):
    client.force_login(ministry_reviewer)
    query = {"scope": "region", "region": "bac", "year": 2024, "preset": "year", "level": "all", "format": "pdf"}
    job = _job_of(client.get(reverse("reports:index"), query))
    assert job.kind == "report"
    _run_queued()
    job.refresh_from_db()
    assert job.state == Job.State.DONE, job.error
    assert job.total == job.done == 3
    data = _download(client, job)
    assert data.startswith(b"%PDF") and job.result_name.endswith(".pdf")


def test_results_expire(client, settings, thanhhoa_officer):
    settings.KHUYENCONG_JOB_EXPORT_ROWS = 0
    ProjectFactory()
    client.force_login(thanhhoa_officer)
    job = _job_of(client.get(reverse("admin:programmes_project_export", args=["projects", "csv"])))
    _run_queued()
    job.refresh_from_db()
    storage, name = job.result.storage, job.result.name
    assert storage.exists(name)
    Job.objects.filter(pk=job.pk).update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    assert client.get(reverse("jobs:download", args=[job.pk])).status_code == 404
    call_command("expire_jobs", verbosity=0)
    assert not Job.objects.filter(pk=job.pk).exists() and not storage.exists(name)


def test_a_job_left_running_by_a_stopped_worker_fails_with_a_message(settings, thanhhoa_officer, vietnamese):
    settings.KHUYENCONG_JOB_MAX_MINUTES = 60
    now = timezone.now()
    left = Job.objects.create(
        user=thanhhoa_officer, kind="export", title="x", state=Job.State.RUNNING,
        started_at=now - datetime.timedelta(minutes=61),
    )  # fmt: skip
    busy = Job.objects.create(
        user=thanhhoa_officer, kind="export", title="y", state=Job.State.RUNNING,
        started_at=now - datetime.timedelta(minutes=5),
    )  # fmt: skip
    call_command("expire_jobs", verbosity=0)
    left.refresh_from_db()
    busy.refresh_from_db()
    assert left.state == Job.State.FAILED and "gián đoạn" in left.error and left.finished_at
    assert busy.state == Job.State.RUNNING

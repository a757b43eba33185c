"""Jobs end to end through a real worker process (`manage.py db_worker`) on PostgreSQL.

The test's writes are committed (a transactional test), the page enqueues through django-tasks'
database backend, and a separate process picks the task up, as `make run` and production do.
"""

import datetime
import io
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection
from django.urls import reverse

from programmes.imports.models import ImportBatch
from programmes.jobs.models import Job
from programmes.models import Disbursement, ProjectStatus
from tests.factories import PlanFactory, ProjectFactory
from tests.import_files import headers, xlsx

pytestmark = [
    pytest.mark.django_db(transaction=True, databases="__all__"),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the worker shares the test database on PostgreSQL"),
]
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def worker(committed_reference_data):
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "khuyencong.settings_test"}
    env.update(KHUYENCONG_TASKS="database", KHUYENCONG_JOB_EXPORT_ROWS="0", KHUYENCONG_JOB_IMPORT_ROWS="0")
    process = subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--interval", "0.2", "--no-startup-delay"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip
    yield process
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()


def _wait(job, states=Job.FINISHED, timeout=90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.state in states:
            return job
        time.sleep(0.2)
    raise AssertionError(f"job still {job.state} after {timeout} s")


def _job_of(response) -> Job:
    assert response.status_code == 302, response.status_code
    return Job.objects.get(pk=response.url.rstrip("/").split("/")[-1])


def _manager(province_code="38"):
    from programmes.access import Role
    from tests.conftest import _persona

    return _persona("worker.manager", Role.PROVINCE_MANAGER, province_code)


def _project(plan):
    day = datetime.date(2024, 3, 5)
    return ProjectFactory(plan=plan, status=ProjectStatus.IN_PROGRESS, started_on=day, contracted_on=day)


def _upload(client, data):
    upload = io.BytesIO(data)
    upload.name = "chi.xlsx"
    return client.post(reverse("imports:index"), {"kind": "disbursements", "file": upload})


def test_a_worker_runs_an_export_and_an_import_and_reports_progress(client, settings, worker):
    settings.KHUYENCONG_JOB_EXPORT_ROWS = settings.KHUYENCONG_JOB_IMPORT_ROWS = 0
    manager = _manager()
    plan = PlanFactory(year=2024)
    projects = [_project(plan) for _ in range(3)]
    client.force_login(manager)
    job = _wait(_job_of(client.get(reverse("admin:programmes_project_export", args=["projects", "csv"]))))
    assert job.state == Job.State.DONE and job.total == job.done == 3, (job.state, job.error)
    content = b"".join(client.get(reverse("jobs:download", args=[job.pk])).streaming_content).decode("utf-8-sig")
    assert all(p.code in content for p in projects)

    rows = [[p.code, datetime.date(2024, 6, 1), 1_000_000, "", "Thanh toán", f"Q-{p.pk}", ""] for p in projects]
    check = _wait(_job_of(_upload(client, xlsx(headers("disbursements"), rows))))
    assert check.state == Job.State.DONE, check.error
    batch = ImportBatch.objects.get()
    assert batch.rows == 3 and not batch.errors
    confirm = _wait(_job_of(client.post(reverse("imports:confirm", args=[batch.pk]))))
    assert confirm.state == Job.State.DONE, confirm.error
    assert Disbursement.objects.count() == 3
    # Confirmed again (a second tab): refused at once, with the reason on the batch's page.
    again = client.post(reverse("imports:confirm", args=[batch.pk]), follow=True)
    assert again.redirect_chain[-1][0] == reverse("imports:batch", args=[batch.pk])
    assert Disbursement.objects.count() == 3 and Job.objects.filter(kind="import_confirm").count() == 1


def test_a_running_import_cancelled_writes_nothing(client, settings, worker):
    settings.KHUYENCONG_JOB_IMPORT_ROWS = 0
    manager = _manager()
    plan = PlanFactory(year=2024)
    projects = [_project(plan) for _ in range(40)]
    day = datetime.date(2024, 6, 1)
    rows = [
        [projects[i % 40].code, day + datetime.timedelta(days=i % 20), 1_000, "", "Thanh toán", f"Q-{i}", ""]
        for i in range(3000)
    ]
    client.force_login(manager)
    _wait(_job_of(_upload(client, xlsx(headers("disbursements"), rows))))
    batch = ImportBatch.objects.get()
    assert not batch.errors, batch.errors[:3]
    job = _job_of(client.post(reverse("imports:confirm", args=[batch.pk])))
    _wait(job, states=(Job.State.RUNNING, *Job.FINISHED))
    client.post(reverse("jobs:cancel", args=[job.pk]))
    job = _wait(job)
    assert job.state == Job.State.CANCELLED, (job.state, job.done, job.total)
    assert Disbursement.objects.count() == 0
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.PREVIEWED


def test_the_worker_reads_with_the_owners_scope(client, settings, worker):
    settings.KHUYENCONG_JOB_EXPORT_ROWS = 0
    from tests.factories import unit_for_year

    ProjectFactory(code="TH-1")
    ProjectFactory(code="DN-1", plan=PlanFactory(province=unit_for_year("48", 2024)))
    client.force_login(_manager("48"))
    job = _wait(_job_of(client.get(reverse("admin:programmes_project_export", args=["projects", "csv"]))))
    content = b"".join(client.get(reverse("jobs:download", args=[job.pk])).streaming_content).decode("utf-8-sig")
    assert "DN-1" in content and "TH-1" not in content


def _redis_url() -> str | None:
    """A Redis database of this test process's own (parallel test processes do not share a queue)."""
    import redis

    number = 10 + int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0) % 5
    url = f"redis://127.0.0.1:6379/{number}"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.exceptions.ConnectionError:
        if os.environ.get("CI") == "true":
            raise
        return None
    return url


def test_the_same_job_runs_on_rq_with_a_worker_elsewhere(client, settings, committed_reference_data):
    url = _redis_url()
    if url is None:
        pytest.skip("no Redis at 127.0.0.1:6379 (CI starts one)")
    import redis

    redis.Redis.from_url(url).flushdb()
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    settings.RQ_QUEUES = {"default": {"URL": url}}
    settings.INSTALLED_APPS = [*settings.INSTALLED_APPS, "django_rq"]
    settings.KHUYENCONG_JOB_EXPORT_ROWS = 0
    ProjectFactory(code="TH-RQ-1")
    client.force_login(_manager())
    job = _job_of(client.get(reverse("admin:programmes_project_export", args=["projects", "csv"])))
    assert job.task_id and job.state == Job.State.QUEUED
    db = connection.settings_dict
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "khuyencong.settings_test", "KHUYENCONG_TASKS": "rq"}
    env.update(
        DATABASE_URL=f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        REDIS_URL=url,
    )
    # A worker as another machine runs it: its own process, the queue on Redis, --burst to end when empty.
    done = subprocess.run(
        [sys.executable, "manage.py", "rqworker", "default", "--job-class", "django_tasks_rq.Job", "--burst"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    job.refresh_from_db()
    if job.state != Job.State.DONE:
        print(done.stdout, done.stderr)
    assert job.state == Job.State.DONE, (job.state, job.error)
    content = b"".join(client.get(reverse("jobs:download", args=[job.pk])).streaming_content).decode("utf-8-sig")
    assert "TH-RQ-1" in content
    # /health/ on RQ reads the workers' heartbeats from Redis: the burst worker has gone, so no worker.
    settings.KHUYENCONG_TASKS = "rq"
    health = client.get(reverse("health"))
    assert health.status_code == 503, health.content
    queue = health.json()["queue"]
    assert queue["backend"] == "rq" and queue["workers"] == 0 and queue["depth"] == 0

"""/health/: 200 with every check passed, 503 naming the one that failed; no login, nothing of the data."""

import datetime

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from khuyencong import health
from programmes.jobs.tasks import run_job

pytestmark = pytest.mark.django_db


def test_a_healthy_server_says_so(client):
    response = client.get(reverse("health"))
    assert response.status_code == 200 and response["Cache-Control"].startswith("max-age=0")
    body = response.json()
    assert body["ok"] and body["database"]["ok"] and body["migrations"] == {"ok": True, "pending": []}
    assert body["queue"]["ok"] and body["queue"]["backend"] == "database" and body["queue"]["depth"] == 0
    assert client.post(reverse("health")).status_code == 405


def test_a_job_waiting_too_long_means_no_worker(client, settings):
    settings.KHUYENCONG_HEALTH_QUEUE_MINUTES = 10
    run_job.enqueue("00000000-0000-0000-0000-000000000000")
    body = client.get(reverse("health")).json()
    assert body["queue"]["ok"] and body["queue"]["depth"] == 1
    DBTaskResult.objects.update(enqueued_at=timezone.now() - datetime.timedelta(minutes=11))
    response = client.get(reverse("health"))
    assert response.status_code == 503
    assert not response.json()["ok"] and not response.json()["queue"]["ok"]


def test_a_pending_migration_or_a_dead_database_fails_by_name(client, monkeypatch):
    class Pending:
        app_label, name = "programmes", "9999_next"

    monkeypatch.setattr(health.MigrationExecutor, "migration_plan", lambda self, targets: [(Pending, False)])
    response = client.get(reverse("health"))
    assert response.status_code == 503
    assert response.json()["migrations"] == {"ok": False, "pending": ["programmes.9999_next"]}

    def down():
        raise ConnectionError("connection refused on 10.0.0.5")

    monkeypatch.setitem(health.CHECKS, "database", down)
    body = client.get(reverse("health")).json()
    assert body["database"] == {"ok": False, "error": "ConnectionError"}  # the class, not the address


def test_it_says_whether_the_apps_role_could_rewrite_the_audit_trail(client):
    body = client.get(reverse("health")).json()
    problems = body["database"]["role_may_rewrite_audit"]
    if connection.vendor == "postgresql":
        assert problems[0] == "superuser" and body["ok"]  # the tests' role: said, not failed on
    else:
        assert problems == []


@pytest.mark.django_db(databases=["default", "replica"])
@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="the replica is a PostgreSQL database")
def test_the_replica_is_checked_when_there_is_one(client, monkeypatch):
    monkeypatch.setitem(health.CHECKS, "replica", health._replica)
    body = client.get(reverse("health")).json()
    assert body["replica"] == {"ok": True, "lag_seconds": None}  # a second database, not replaying

"""Read-heavy work on a read replica (issue 20, point 8): a second database stands for the replica.

The replica here is its own test database, migrated like the primary but without the rows each test
writes to the primary: what a page shows tells which database it read.
"""

import pytest
from django.apps import apps
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from programmes import replica
from programmes.models import Disbursement, Project
from tests.factories import ProjectFactory, disburse

pytestmark = [
    pytest.mark.django_db(databases=["default", "replica"]),
    pytest.mark.skipif("connection.vendor != 'postgresql'", reason="the replica is a PostgreSQL database"),
]


REFERENCE = ("province", "commune", "activitycatalogue", "activitycontent", "organisation", "scheme", "indicatorkind")


@pytest.fixture
def routed(settings):
    """The replica holds the reference data (as a real one would: the migrations install it); the
    primary holds one đề án more."""
    for name in REFERENCE:
        model = apps.get_model("programmes", name)
        if not model.objects.using("replica").exists():
            model.objects.using("replica").bulk_create(model.objects.order_by("pk"), batch_size=2_000)
    settings.KHUYENCONG_READ_REPLICA = True
    return ProjectFactory(code="REPLICA-01")


def replica_sql(captured) -> str:
    return " ".join(query["sql"] for query in captured.captured_queries)


def test_the_api_reads_the_register_from_the_replica_and_the_user_from_the_primary(routed, ministry_reviewer, settings):
    api = APIClient()
    api.force_authenticate(ministry_reviewer)  # the reviewer exists on the primary only
    with CaptureQueriesContext(connections["replica"]) as on_replica:
        projects = api.get("/api/v1/provinces/38/projects/", {"year": 2024})
    assert projects.status_code == 200 and projects.json()["count"] == 0  # the replica has none yet
    assert "programmes_project" in replica_sql(on_replica) and "auth_user" not in replica_sql(on_replica)
    settings.KHUYENCONG_READ_REPLICA = False
    assert api.get("/api/v1/provinces/38/projects/", {"year": 2024}).json()["count"] == 1


def test_the_status_page_reads_the_replica_and_the_session_stays_on_the_primary(routed, client, ministry_reviewer):
    client.force_login(ministry_reviewer)
    with CaptureQueriesContext(connections["replica"]) as on_replica, CaptureQueriesContext(connection) as on_primary:
        page = client.get(reverse("reports:status"), {"year": 2024, "preset": "year", "level": "all", "units": "then"})
    assert page.status_code == 200
    assert "programmes_project" in replica_sql(on_replica)
    assert "django_session" in replica_sql(on_primary) and "django_session" not in replica_sql(on_replica)
    thanh_hoa = next(row for row in page.context["table"].rows if row.name == "Thanh Hóa")
    assert thanh_hoa.projects == 0  # the primary holds one, approved in 2024


def test_writes_and_the_reads_of_a_write_go_to_the_primary(routed, thanhhoa_officer):
    with replica.replica_reads(), CaptureQueriesContext(connections["replica"]) as on_replica:
        payment = disburse(routed, 1_000_000, user=thanhhoa_officer)  # the đề án is not on the replica
        assert Project.objects.filter(pk=routed.pk).count() == 0  # a plain read outside a write: the replica
    assert Disbursement.objects.get(pk=payment.pk).amount == 1_000_000
    assert "INSERT" not in replica_sql(on_replica) and "FOR UPDATE" not in replica_sql(on_replica)


def test_without_a_replica_everything_reads_the_primary(routed, settings):
    settings.KHUYENCONG_READ_REPLICA = False
    with replica.replica_reads(), CaptureQueriesContext(connections["replica"]) as on_replica:
        assert Project.objects.filter(pk=routed.pk).count() == 1
    assert not on_replica.captured_queries

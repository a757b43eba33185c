"""A payment form posted twice saves once; two files with one payment confirmed together write it once.

Issue 16, finding 4.

The parallel cases run on PostgreSQL only (SQLite has a single writer); the sequential ones on both.
"""

import re
import uuid

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from programmes.imports import services as import_services
from programmes.models import Disbursement
from tests.admin_posts import disbursement_post, page_data
from tests.factories import ProjectFactory
from tests.import_files import headers, xlsx
from tests.report_data import d
from tests.test_concurrency import run_in_parallel

postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="needs parallel writers")


def _token(page) -> str:
    return re.search(r'name="entry_token" value="([0-9a-f-]{36})"', page.content.decode()).group(1)


def add_form(client, project, **fields) -> dict:
    page = client.get(reverse("admin:programmes_disbursement_add"))
    assert page.status_code == 200
    return {**disbursement_post(project, voucher_number="", **fields), "entry_token": _token(page)}


@pytest.mark.django_db
def test_the_add_form_posted_twice_saves_once(client, thanhhoa_officer):
    project = ProjectFactory(kc_support=300_000_000)
    client.force_login(thanhhoa_officer)
    data = add_form(client, project)
    for _ in range(2):
        assert client.post(reverse("admin:programmes_disbursement_add"), data).status_code == 302
    assert Disbursement.objects.filter(project=project).count() == 1
    project.refresh_from_db()
    assert project.disbursed_amount == 12_500_000
    assert Disbursement.history.filter(project_id=project.pk).count() == 1
    # A new form (a new token) is a new payment, even when it is the same as the first.
    assert client.post(reverse("admin:programmes_disbursement_add"), add_form(client, project)).status_code == 302
    assert Disbursement.objects.filter(project=project).count() == 2


@pytest.mark.django_db
def test_a_refused_form_keeps_its_token_and_saves_once_when_corrected(client, thanhhoa_officer):
    project = ProjectFactory(kc_support=10_000_000)
    client.force_login(thanhhoa_officer)
    data = add_form(client, project)
    refused = client.post(reverse("admin:programmes_disbursement_add"), data)
    assert refused.status_code == 200 and _token(refused) == data["entry_token"]
    corrected = {**data, "amount": "5.000.000"}
    for _ in range(2):
        client.post(reverse("admin:programmes_disbursement_add"), corrected)
    assert Disbursement.objects.filter(project=project).count() == 1


def _inline_post(client, project, amounts) -> dict:
    page = client.get(reverse("admin:programmes_project_change", args=[project.pk]))
    data = page_data(page)
    data["entry_token"] = _token(page)
    start = int(data["disbursements-TOTAL_FORMS"])
    for offset, amount in enumerate(amounts):
        index = start + offset
        data.update({
            f"disbursements-{index}-paid_on": "02/07/2024", f"disbursements-{index}-kind": "thanh_toan",
            f"disbursements-{index}-amount": amount, f"disbursements-{index}-source": "ns_tinh",
        })  # fmt: skip
    data["disbursements-TOTAL_FORMS"] = start + len(amounts)
    return data


@pytest.mark.django_db
def test_the_project_form_posted_twice_saves_its_new_payments_once(client, thanhhoa_officer):
    project = ProjectFactory(kc_support=300_000_000)
    client.force_login(thanhhoa_officer)
    data = _inline_post(client, project, ["10.000.000", "10.000.000"])  # two identical rows: two payments
    for _ in range(2):
        response = client.post(reverse("admin:programmes_project_change", args=[project.pk]), data)
        assert response.status_code == 302, response.context and response.context["errors"]
    assert Disbursement.objects.filter(project=project).count() == 2
    project.refresh_from_db()
    assert project.disbursed_amount == 20_000_000


@pytest.mark.django_db
def test_a_junk_token_is_ignored_not_a_500(client, thanhhoa_officer):
    project = ProjectFactory(kc_support=300_000_000)
    client.force_login(thanhhoa_officer)
    data = {**add_form(client, project), "entry_token": "not-a-uuid"}
    assert client.post(reverse("admin:programmes_disbursement_add"), data).status_code == 302
    assert Disbursement.objects.filter(project=project, entry_token__isnull=True).count() == 1


@postgres_only
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("committed_reference_data")
def test_ten_parallel_posts_of_one_form_save_once(thanhhoa_officer):
    project = ProjectFactory(kc_support=300_000_000)
    clients = []
    for _ in range(10):
        client = Client()
        client.force_login(thanhhoa_officer)
        clients.append(client)
    token = str(uuid.uuid4())
    data = {**disbursement_post(project, voucher_number=""), "entry_token": token}
    statuses = []
    outcomes = run_in_parallel(
        lambda i: statuses.append(clients[i].post(reverse("admin:programmes_disbursement_add"), data).status_code), 10
    )
    assert outcomes == ["ok"] * 10 and set(statuses) == {302}
    assert Disbursement.objects.filter(project=project).count() == 1
    project.refresh_from_db()
    assert project.disbursed_amount == 12_500_000


@postgres_only
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("committed_reference_data")
def test_two_files_with_the_same_voucherless_payment_confirmed_together_write_it_once(thanhhoa_officer):
    project = ProjectFactory(kc_support=300_000_000, code="TH-PAR-01")
    row = ["TH-PAR-01", d(2024, 7, 1), 20_000_000, "", "Thanh toán", "", ""]
    data = xlsx(headers("disbursements"), [row])
    batches = [
        import_services.batch_create(kind="disbursements", name=f"file-{i}.xlsx", data=data, user=thanhhoa_officer)
        for i in range(2)
    ]
    for batch in batches:
        assert import_services.batch_preview(batch=batch, user=thanhhoa_officer).created == 1
    results = []
    outcomes = run_in_parallel(
        lambda i: results.append(import_services.batch_import(batch=batches[i], user=thanhhoa_officer)), 2
    )
    assert outcomes == ["ok", "ok"]
    assert sorted((outcome.created, outcome.unchanged) for outcome in results) == [(0, 1), (1, 0)]
    assert Disbursement.objects.filter(project=project).count() == 1

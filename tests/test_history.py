"""Changes to plans, đề án, facilities, beneficiaries and disbursements are recorded: who, when, what."""

import pytest
from django.urls import reverse

from programmes.models import Project
from tests.factories import ProjectFactory, disburse

pytestmark = pytest.mark.django_db


def test_an_admin_edit_records_the_user_and_the_changed_field(client, thanhhoa_officer):
    project = ProjectFactory(status="dang_ky", decision_number="", decision_date=None, name="Tên cũ")
    client.force_login(thanhhoa_officer)
    url = reverse("admin:programmes_project_change", args=[project.pk])
    form = client.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None and name in form.fields}
    data.update(
        {
            "name": "Tên mới",
            "cooperating_units": [],
            "content": project.content_id,
            "plan": project.plan_id,
            "implementing_unit": project.implementing_unit_id,
        }
    )
    for prefix in ("beneficiaries", "disbursements", "adjustments", "allocations", "indicators", "attachments"):
        data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})
    for key in ("registered_on", "start_date", "end_date"):
        if getattr(project, key):
            data[key] = getattr(project, key).strftime("%d/%m/%Y")
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""

    latest = Project.history.filter(id=project.pk).first()
    assert latest.history_user == thanhhoa_officer
    delta = latest.diff_against(latest.prev_record)
    assert delta.changed_fields == ["name"]

    page = client.get(reverse("admin:programmes_project_history", args=[project.pk]))
    assert page.status_code == 200
    assert "Tên mới" in page.content.decode()
    assert "Lịch sử" in page.content.decode()
    assert "2 thay đổi" in page.content.decode()


def test_service_writes_record_their_author(thanhhoa_officer):
    project = ProjectFactory()
    disbursement = disburse(project, 5_000_000, user=thanhhoa_officer)
    record = disbursement.history.first()
    assert record.history_type == "+"
    assert record.history_user == thanhhoa_officer


def test_an_administrator_reads_the_history_of_a_deleted_disbursement(client, administrator, thanhhoa_officer):
    from programmes import services

    project = ProjectFactory()
    disbursement = disburse(project, 5_000_000, user=thanhhoa_officer)
    pk = disbursement.pk
    services.disbursement_delete(disbursement=disbursement, user=thanhhoa_officer)
    client.force_login(administrator)
    response = client.get(reverse("admin:programmes_disbursement_history", args=[pk]))
    assert response.status_code == 200
    assert "Xóa" in response.content.decode()
    client.force_login(thanhhoa_officer)
    assert client.get(reverse("admin:programmes_disbursement_history", args=[pk])).status_code == 404


def test_a_projects_history_shows_its_payments_and_names_the_authors(client, thanhhoa_officer, danang_officer):
    """The đề án's history page lists its payments' changes too, and every author by name."""
    from programmes import services

    thanhhoa_officer.first_name, thanhhoa_officer.last_name = "Lê Thị", "Hoa"
    thanhhoa_officer.save()
    project = ProjectFactory()
    payment = disburse(project, 40_000_000, voucher_number="TT-TH-01", user=thanhhoa_officer)
    services.disbursement_delete(disbursement=payment, user=thanhhoa_officer, reason="Nhập nhầm số tiền")
    project.name = "Hỗ trợ máy sấy nông sản"
    services.project_save(project=project, user=thanhhoa_officer)
    client.force_login(thanhhoa_officer)
    page = client.get(reverse("admin:programmes_project_history", args=[project.pk]))
    text = page.content.decode()
    assert page.status_code == 200
    assert "TT-TH-01" in text and "40.000.000" in text and "Nhập nhầm số tiền" in text
    assert text.count("Hoa") >= 3 and ">thanhhoa.officer<" not in text  # by name, not by login
    # Another province's officer sees neither the đề án nor its payments.
    client.force_login(danang_officer)
    assert client.get(reverse("admin:programmes_project_history", args=[project.pk])).status_code == 404

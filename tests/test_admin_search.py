"""Admin search ignores Vietnamese accents and case, on SQLite and PostgreSQL alike."""

import unicodedata

import pytest
from django.urls import reverse

from tests.factories import FacilityFactory, ProjectFactory

pytestmark = pytest.mark.django_db


def found(client, model: str, term: str) -> set[int]:
    response = client.get(reverse(f"admin:programmes_{model}_changelist"), {"q": term})
    assert response.status_code == 200
    return set(response.context["cl"].queryset.values_list("pk", flat=True))


def test_quang_nam_finds_quang_nam(client, administrator):
    client.force_login(administrator)
    ids = found(client, "province", "quang nam")
    assert len(ids) == 1


def test_project_search_ignores_accents_case_and_decomposed_input(client, administrator):
    project = ProjectFactory(name="Hỗ trợ ứng dụng máy dệt chiếu cói Nga Sơn")
    ProjectFactory(name="Đào tạo nghề mây tre đan")
    client.force_login(administrator)
    assert found(client, "project", "chieu coi nga son") == {project.pk}
    assert found(client, "project", "CHIẾU CÓI") == {project.pk}
    assert found(client, "project", unicodedata.normalize("NFD", "chiếu cói")) == {project.pk}
    assert found(client, "project", project.code.lower()) == {project.pk}


def test_facility_search_by_name_and_tax_code(client, thanhhoa_officer):
    facility = FacilityFactory(name="Hợp tác xã Đồng Tiến", tax_code="2801234567")
    FacilityFactory(name="Cơ sở khác")
    client.force_login(thanhhoa_officer)
    assert found(client, "facility", "dong tien") == {facility.pk}
    assert found(client, "facility", "2801234567") == {facility.pk}


def test_search_stays_within_the_province(client, thanhhoa_officer, danang_officer):
    from tests.factories import current_province

    FacilityFactory(name="Cơ sở Đà Nẵng", province=current_province("48"))
    client.force_login(thanhhoa_officer)
    assert found(client, "facility", "da nang") == set()


def test_a_voucher_number_finds_its_payment(client, ministry_reviewer):
    """The reviewer's payment list finds a payment by its voucher number, as typed or in lower case."""
    from tests.factories import disburse

    project = ProjectFactory()
    payment = disburse(project, 50_000_000, voucher_number="TT-TH-KCDP-2024-01")
    disburse(project, 40_000_000, voucher_number="TT-TH-KCDP-2024-02")
    client.force_login(ministry_reviewer)
    assert found(client, "disbursement", "TT-TH-KCDP-2024-01") == {payment.pk}
    assert found(client, "disbursement", "tt-th-kcdp-2024-01") == {payment.pk}
    # Any other text still searches the đề án's.
    assert len(found(client, "disbursement", "may moc")) == 2


def test_the_plan_picker_finds_a_year_and_a_level(client, thanhhoa_officer):
    """ "2024", "KCĐP" and "thanh hoa 2024" find the plans they name (the picker found nothing)."""
    from programmes.models import Plan
    from tests.factories import PlanFactory, national_scheme, old_province

    local = PlanFactory(year=2024)
    national = PlanFactory(year=2024, province=old_province("38"), scheme=national_scheme(2024))
    earlier = PlanFactory(year=2023)
    client.force_login(thanhhoa_officer)
    assert found(client, "plan", "2024") == {local.pk, national.pk}
    assert found(client, "plan", "KCĐP") == {local.pk, earlier.pk}
    assert found(client, "plan", "thanh hoa kcdp 2024") == {local.pk}
    assert found(client, "plan", "da nang 2024") == set()
    # The picker of a đề án's plan (the admin's autocomplete) answers the same.
    response = client.get(
        reverse("admin:autocomplete"),
        {"term": "KCĐP 2024", "app_label": "programmes", "model_name": "project", "field_name": "plan"},
    )
    assert [int(item["id"]) for item in response.json()["results"]] == [local.pk]
    assert Plan.objects.count() == 3

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

"""Personas (healthchecks-style): a Thanh Hóa officer and manager, a Đà Nẵng officer, a Ministry
reviewer and an administrator; each a real user with the role's groups."""

import datetime

import pytest
from django.apps import apps
from django.utils import translation
from rest_framework.authtoken.models import Token

from programmes import services
from programmes.models import ProjectStatus, Province, Role
from programmes.reference_data import install_reference_data
from tests.factories import FacilityFactory, PlanFactory, ProjectFactory, UserFactory, current_province
from tests.report_data import thanhhoa_2024  # noqa: F401  (a fixture for the report tests)
from tests.worlds import build_world, fresh, kept_for_the_module


def _persona(username: str, role: str, province_code: str | None = None):
    user = UserFactory(username=username)
    province = current_province(province_code) if province_code else None
    return services.user_set_role(user=user, role=role, province=province)


@pytest.fixture
def thanhhoa_officer(db):
    return _persona("thanhhoa.officer", Role.PROVINCE_STAFF, "38")


@pytest.fixture
def thanhhoa_manager(db):
    return _persona("thanhhoa.manager", Role.PROVINCE_MANAGER, "38")


@pytest.fixture
def danang_officer(db):
    return _persona("danang.officer", Role.PROVINCE_STAFF, "48")


@pytest.fixture
def ministry_reviewer(db):
    return _persona("ministry.reviewer", Role.MINISTRY_REVIEWER)


@pytest.fixture
def administrator(db):
    return _persona("administrator", Role.ADMINISTRATOR)


@pytest.fixture
def personas(thanhhoa_officer, thanhhoa_manager, danang_officer, ministry_reviewer, administrator):
    return {
        "thanhhoa_officer": thanhhoa_officer,
        "thanhhoa_manager": thanhhoa_manager,
        "danang_officer": danang_officer,
        "ministry_reviewer": ministry_reviewer,
        "administrator": administrator,
    }


@pytest.fixture
def committed_reference_data(transactional_db):
    """Reference data for tests whose writes are committed (a live server, parallel writers).

    Those tests empty the database after each one; put back what the migrations installed
    (provinces, communes, contents, national bodies and schemes) when it is gone.
    """
    if not Province.objects.exists():
        install_reference_data(apps)


@pytest.fixture
def thanhhoa(db):
    """A Thanh Hóa 2024 local plan (approved) with two đề án in progress and a facility."""
    plan = PlanFactory(year=2024)
    projects = [
        ProjectFactory(
            plan=plan,
            code=f"TH-2024-0{i}",
            status=ProjectStatus.IN_PROGRESS,
            started_on=datetime.date(2024, 3, 5),
            contracted_on=datetime.date(2024, 3, 2),
        )  # fmt: skip
        for i in (1, 2)
    ]
    facility = FacilityFactory(tax_code="2800123456", name="HTX Mây tre đan Nga Sơn")
    return plan, projects, facility


@pytest.fixture
def vietnamese():
    """Messages in Vietnamese, whatever the test client's language (tests that read them use it)."""
    with translation.override("vi"):
        yield


PERSONAS = {
    "thanhhoa_officer": ("thanhhoa.officer", Role.PROVINCE_STAFF, "38"),
    "thanhhoa_manager": ("thanhhoa.manager", Role.PROVINCE_MANAGER, "38"),
    "danang_officer": ("danang.officer", Role.PROVINCE_STAFF, "48"),
    "ministry_reviewer": ("ministry.reviewer", Role.MINISTRY_REVIEWER, None),
    "administrator": ("administrator", Role.ADMINISTRATOR, None),
}


@pytest.fixture(scope="module")
def _two_provinces(django_db_setup, django_db_blocker, tmp_path_factory):
    media = tmp_path_factory.mktemp("media")
    with kept_for_the_module(django_db_blocker, media):
        world = {"thanhhoa": build_world("38", "TH"), "quangnam": build_world("49", "QNA")}
        people = {key: _persona(*values) for key, values in PERSONAS.items()}
        yield world, people


@pytest.fixture
def two_province_world(_two_provinces, db):
    """Thanh Hóa's and Quảng Nam's worlds (tests/worlds.py), built once per module."""
    return fresh(_two_provinces[0])


@pytest.fixture
def module_personas(_two_provinces, db):
    """The five personas, created once per module with the two provinces' worlds."""
    return fresh(_two_provinces[1])


@pytest.fixture(scope="module")
def _thanh_hoa(django_db_setup, django_db_blocker, tmp_path_factory):
    media = tmp_path_factory.mktemp("media")
    with kept_for_the_module(django_db_blocker, media):
        world = build_world("38", "TH")
        # An API token too, so that the admin's token pages are tried with the rest.
        Token.objects.create(user=UserFactory(username="api.thanhhoa"))
        yield world


@pytest.fixture
def thanh_hoa_world(_thanh_hoa, db):
    """Thanh Hóa's world alone, built once per module."""
    return fresh(_thanh_hoa)

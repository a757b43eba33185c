"""The access matrix: for each role and each model, list / view / change / delete / history of an
object of the user's own province and of another province, through the admin's real URLs.

"Own" objects belong to Thanh Hóa (filed under the pre-merger unit, 2024); "other" objects to
Quảng Nam 2024, which is part of Đà Nẵng since 1/7/2025 — so the Đà Nẵng officer owns them.
"""

import pytest
from django.urls import reverse

from tests.factories import (
    current_province,
)

pytestmark = pytest.mark.django_db

MODELS = [
    "plan",
    "project",
    "projectadjustment",
    "facility",
    "beneficiary",
    "disbursement",
    "attachment",
    "organisation",
    "scheme",
]
ROLES = ["thanhhoa_officer", "thanhhoa_manager", "danang_officer", "ministry_reviewer", "administrator"]
# Which region's objects each role may change, besides seeing them.
OWNER = {"thanhhoa_officer": "thanhhoa", "thanhhoa_manager": "thanhhoa", "danang_officer": "quangnam"}
# Adjustments are decisions on record: nobody edits or deletes them, they are superseded.
IMMUTABLE = {"projectadjustment"}


@pytest.fixture
def world(two_province_world):
    return two_province_world


@pytest.fixture
def personas(module_personas):
    return module_personas


def expected(role: str, model: str, region: str) -> dict:
    if role in OWNER:
        visible = writable = OWNER[role] == region
    else:
        visible, writable = True, role == "administrator"
    if model == "scheme" and role != "administrator":
        # Local schemes are kept by the Sở's managers; only administrators delete one.
        writable = writable and role == "thanhhoa_manager"
        return {
            "list": visible,
            "view": 200 if visible else 302,
            "change": writable,
            "delete": 403 if visible or role in OWNER else 302,
            "history": 200 if visible else 404,
        }
    if model in IMMUTABLE:
        return {
            "list": visible,
            "view": 200 if visible else 302,
            "change": False,
            "delete": 403,
            "history": 200 if visible else 404,
        }
    return {
        "list": visible,
        "view": 200 if visible else 302,
        "change": writable,
        "delete": (200 if writable else 403) if visible else 302,
        "history": 200 if visible else 404,
    }


@pytest.mark.parametrize("region", ["thanhhoa", "quangnam"])
@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("role", ROLES)
def test_access_matrix(client, personas, world, role, model, region):
    obj = world[region][model]
    client.force_login(personas[role])
    want = expected(role, model, region)
    name = f"admin:programmes_{model}"

    changelist = client.get(reverse(f"{name}_changelist"))
    assert changelist.status_code == 200
    listed = changelist.context["cl"].queryset.filter(pk=obj.pk).exists()
    assert listed is want["list"], f"{role} list {model} of {region}"

    view = client.get(reverse(f"{name}_change", args=[obj.pk]))
    assert view.status_code == want["view"], f"{role} view {model} of {region}"
    if view.status_code == 200:
        assert view.context["has_change_permission"] is want["change"], f"{role} change {model} of {region}"

    delete = client.get(reverse(f"{name}_delete", args=[obj.pk]))
    assert delete.status_code == want["delete"], f"{role} delete {model} of {region}"

    history = client.get(reverse(f"{name}_history", args=[obj.pk]))
    assert history.status_code == want["history"], f"{role} history {model} of {region}"


@pytest.mark.parametrize("model", ["plan", "project", "facility", "disbursement"])
def test_an_out_of_scope_historical_version_is_not_shown(client, thanhhoa_officer, world, model):
    obj = world["quangnam"][model]
    version = obj.history.first()
    client.force_login(thanhhoa_officer)
    response = client.get(reverse(f"admin:programmes_{model}_simple_history", args=[obj.pk, version.history_id]))
    assert response.status_code == 404


def test_a_ministry_reviewer_cannot_post_a_change(client, ministry_reviewer, world):
    project = world["thanhhoa"]["project"]
    client.force_login(ministry_reviewer)
    response = client.post(reverse("admin:programmes_project_change", args=[project.pk]), {"name": "Đổi tên"})
    assert response.status_code == 403
    project.refresh_from_db()
    assert project.name == "Đề án TH"


def test_a_ministry_reviewer_cannot_delete(client, ministry_reviewer, world):
    disbursement = world["thanhhoa"]["disbursement"]
    client.force_login(ministry_reviewer)
    response = client.post(reverse("admin:programmes_disbursement_delete", args=[disbursement.pk]), {"post": "yes"})
    assert response.status_code == 403
    assert type(disbursement).objects.filter(pk=disbursement.pk).exists()


def test_an_officer_cannot_post_a_change_to_another_province(client, thanhhoa_officer, world):
    project = world["quangnam"]["project"]
    client.force_login(thanhhoa_officer)
    response = client.post(reverse("admin:programmes_project_change", args=[project.pk]), {"name": "Đổi tên"})
    assert response.status_code == 302  # "does not exist", back to the admin index
    project.refresh_from_db()
    assert project.name == "Đề án QNA"


def test_anonymous_users_are_sent_to_the_login_page(client, world):
    for model in MODELS:
        response = client.get(reverse(f"admin:programmes_{model}_changelist"))
        assert response.status_code == 302
        assert "/admin/login/" in response["Location"]


def test_a_user_without_a_role_sees_nothing(client, world, django_user_model):
    user = django_user_model.objects.create_user("norole", password="x", is_staff=True)
    client.force_login(user)
    assert client.get(reverse("admin:programmes_project_changelist")).status_code == 403


class TestChoices:
    """Foreign-key choices, list filters and autocomplete only offer the user's province."""

    def form_choices(self, client, url, field):
        response = client.get(url)
        return {str(value) for value, _label in response.context["adminform"].form.fields[field].choices if value}

    def test_plan_province_choices_are_the_users_lineage(self, client, thanhhoa_officer, danang_officer, world):
        client.force_login(danang_officer)
        choices = self.form_choices(client, reverse("admin:programmes_plan_add"), "province")
        names = {str(p) for p in current_province("48").lineage.all()}
        from programmes.models import Province

        assert {str(p) for p in Province.objects.filter(pk__in=choices)} == names
        assert len(choices) == 3  # Đà Nẵng of today, old Đà Nẵng, old Quảng Nam

    def test_a_crafted_post_with_another_provinces_plan_is_refused(self, client, thanhhoa_officer, world):
        client.force_login(thanhhoa_officer)
        other_plan = world["quangnam"]["plan"]
        response = client.post(
            reverse("admin:programmes_project_add"),
            {
                "plan": other_plan.pk,
                "code": "X-1",
                "name": "x",
                "content": world["thanhhoa"]["project"].content_id,
                "implementing_unit": world["thanhhoa"]["project"].implementing_unit_id,
                "status": "dang_ky",
                "kc_support": 0,
                "counterpart_funds": 0,
                "other_funds": 0,
            },
        )
        assert response.status_code == 200
        assert "plan" in response.context["adminform"].form.errors
        assert not type(other_plan).objects.get(pk=other_plan.pk).projects.filter(code="X-1").exists()

    def test_facility_autocomplete_only_returns_own_facilities(self, client, thanhhoa_officer, world):
        client.force_login(thanhhoa_officer)
        response = client.get(
            reverse("admin:autocomplete"),
            {
                "app_label": "programmes",
                "model_name": "beneficiary",
                "field_name": "facility",
                "term": "",
            },
        )
        ids = {int(item["id"]) for item in response.json()["results"]}
        assert world["thanhhoa"]["facility"].pk in ids
        assert world["quangnam"]["facility"].pk not in ids

    def test_a_provincial_list_names_no_other_province(self, client, thanhhoa_officer, world):
        client.force_login(thanhhoa_officer)
        response = client.get(reverse("admin:programmes_project_changelist"))
        html = response.content.decode()
        assert "Quảng Nam" not in html and "Đà Nẵng" not in html
        # Their own province is neither a filter nor a column: it would be the same on every row.
        assert "?tinh=" not in html


@pytest.mark.parametrize("model", ["province", "commune", "activitycontent", "activitycatalogue"])
@pytest.mark.parametrize("role", ROLES)
def test_reference_data_is_readable_by_all_and_changed_by_administrators(client, personas, role, model):
    from django.apps import apps

    obj = apps.get_model("programmes", model).objects.first()
    client.force_login(personas[role])
    assert client.get(reverse(f"admin:programmes_{model}_changelist")).status_code == 200
    view = client.get(reverse(f"admin:programmes_{model}_change", args=[obj.pk]))
    assert view.status_code == 200
    assert view.context["has_change_permission"] is (role == "administrator")


def test_the_user_admin_is_for_administrators_only(client, personas):
    url = reverse("admin:auth_user_changelist")
    for role in ROLES:
        client.force_login(personas[role])
        assert client.get(url).status_code == (200 if role == "administrator" else 403), role


def test_an_administrator_creates_a_provincial_user_only_with_a_province(client, administrator, django_user_model):
    client.force_login(administrator)
    data = {
        "username": "nguoimoi",
        "password1": "Mat-khau-dai-2026",
        "password2": "Mat-khau-dai-2026",
        "usable_password": "true",
        "profile-TOTAL_FORMS": 1,
        "profile-INITIAL_FORMS": 0,
        "profile-MIN_NUM_FORMS": 0,
        "profile-MAX_NUM_FORMS": 1,
        "profile-0-role": "province_staff",
        "profile-0-province": "",
    }
    response = client.post(reverse("admin:auth_user_add"), data)
    assert response.status_code == 200
    assert "Vai trò cấp tỉnh phải gắn với một tỉnh." in response.content.decode()
    assert not django_user_model.objects.filter(username="nguoimoi").exists()

    data["profile-0-province"] = current_province("38").pk
    response = client.post(reverse("admin:auth_user_add"), data)
    assert response.status_code == 302
    user = django_user_model.objects.get(username="nguoimoi")
    assert user.is_staff and list(user.groups.values_list("name", flat=True)) == ["province_staff"]

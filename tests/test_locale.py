"""The admin speaks Vietnamese by default and English on request."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_admin_is_in_vietnamese_by_default(client, thanhhoa_officer):
    client.force_login(thanhhoa_officer)
    html = client.get(reverse("admin:index")).content.decode()
    assert "Hệ thống theo dõi khuyến công" in html
    assert "Đề án khuyến công" in html


def test_an_english_browser_still_gets_vietnamese(client, thanhhoa_officer):
    client.force_login(thanhhoa_officer)
    html = client.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "Hệ thống theo dõi khuyến công" in html


def test_the_switch_chooses_english_and_back(client, thanhhoa_officer):
    client.force_login(thanhhoa_officer)
    client.post(reverse("set_language"), {"language": "en", "next": "/admin/"})
    html = client.get(reverse("admin:index")).content.decode()
    assert "Industry promotion tracker" in html
    assert "Projects (đề án)" in html
    client.post(reverse("set_language"), {"language": "vi", "next": "/admin/"})
    assert "Hệ thống theo dõi khuyến công" in client.get(reverse("admin:index")).content.decode()


def test_the_login_page_has_the_language_switch(client):
    html = client.get(reverse("admin:login")).content.decode()
    assert 'class="language-switch"' in html
    assert '<option value="en" lang="en">English</option>' in html


def test_djangos_wording_is_replaced_where_it_reads_wrong(client, thanhhoa_officer):
    client.force_login(thanhhoa_officer)
    changelist = client.get(reverse("admin:programmes_project_changelist")).content.decode()
    assert "Thao tác:" in changelist
    assert "Theo tỉnh" in changelist or "Theo " in changelist
    assert "Hoạt động:" not in changelist
    assert "Bởi " not in changelist
    index = client.get(reverse("admin:index")).content.decode()
    assert "Thêm vào" not in index
    form = client.post(reverse("admin:programmes_facility_add"), {"name": ""}).content.decode()
    assert "<title>Lỗi:" in form
    assert "Error:" not in form


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize("page", ["reports:index", "reports:status"])
def test_the_period_dates_are_typed_and_shown_day_first_in_either_language(client, ministry_reviewer, language, page):
    # A native date box follows the browser's language (mm/dd/yyyy in an English one): these are text.
    client.force_login(ministry_reviewer)
    client.post(reverse("set_language"), {"language": language, "next": "/admin/"})
    params = {"year": 2025, "preset": "custom", "date_from": "01/07/2025", "date_until": "31/12/2025", "level": "all",
              "units": "then", "scope": "nation"}  # fmt: skip
    response = client.get(reverse(page), params)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'type="date"' not in html
    assert 'name="date_from" value="01/07/2025"' in html
    assert 'name="date_until" value="31/12/2025"' in html
    assert 'placeholder="dd/mm/yyyy"' in html
    form = response.context["form"]
    assert form.is_valid(), form.errors
    assert form.cleaned_data["date_from"].isoformat() == "2025-07-01"

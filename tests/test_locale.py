"""The admin speaks Vietnamese by default and English on request."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_admin_is_in_vietnamese_by_default(client, thanhhoa_officer):
    client.force_login(thanhhoa_officer)
    html = client.get(reverse("admin:index")).content.decode()
    assert "Hệ thống theo dõi khuyến công" in html
    assert "Đề án khuyến công" in html


def test_an_english_browser_gets_english(client, thanhhoa_officer):
    client.force_login(thanhhoa_officer)
    html = client.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Industry promotion tracker" in html
    assert "Projects (đề án)" in html

"""With DEBUG off (the default), errors are pages of the app, in Vietnamese, and show no settings."""

import os
import subprocess
import sys

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def browser(settings):
    settings.DEBUG = False
    return Client(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE="vi")


def page(response) -> str:
    return response.content.decode()


def test_debug_is_off_unless_asked_for():
    from django.conf import settings

    assert settings.DEBUG is False


def test_404_is_the_apps_page_in_vietnamese(browser, thanhhoa_officer):
    browser.force_login(thanhhoa_officer)
    response = browser.get("/khong-co-trang-nay/")
    assert response.status_code == 404
    assert "Không tìm thấy trang" in page(response)
    assert "Về trang đầu" in page(response)


def test_a_foreign_record_answers_404_without_saying_whose_it_is(browser, danang_officer):
    project = ProjectFactory()  # Thanh Hóa's
    browser.force_login(danang_officer)
    response = browser.get(reverse("admin:programmes_project_history", args=[project.pk]))
    assert response.status_code in (302, 404)
    assert project.name not in page(response)


def test_403_is_the_apps_page_in_vietnamese(browser, ministry_reviewer):
    project = ProjectFactory()
    record = project.history.first()
    browser.force_login(ministry_reviewer)
    url = reverse("admin:programmes_project_simple_history", args=[project.pk, record.history_id])
    response = browser.post(url, {"name": "Đổi tên"})
    assert response.status_code == 403
    assert "Không có quyền truy cập" in page(response)


@pytest.mark.urls("tests.error_urls")
def test_500_is_the_apps_page_in_vietnamese_and_shows_no_settings(browser, settings):
    settings.DATABASES["default"]["PASSWORD"] = "mat-khau-bi-mat"
    response = browser.get("/hong/")
    assert response.status_code == 500
    body = page(response)
    assert "Đã có lỗi xảy ra" in body
    for secret in ("DATABASE", "SECRET_KEY", "mat-khau-bi-mat", "Traceback", "RuntimeError"):
        assert secret not in body


def test_400_is_the_apps_page(browser):
    response = browser.get("/admin/?q=a%00b")
    assert response.status_code == 400
    assert "Yêu cầu không hợp lệ" in page(response)


def test_the_app_refuses_to_serve_without_a_secret_key_when_debug_is_off():
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "SECRET_KEY", "DJANGO_SETTINGS_MODULE")}
    served = subprocess.run([sys.executable, "-c", "import khuyencong.wsgi"], env=env, capture_output=True, text=True)
    assert served.returncode != 0
    assert "SECRET_KEY must be set" in served.stderr
    # Management commands still run (migrate, check), with a throw-away key.
    checked = subprocess.run([sys.executable, "manage.py", "check"], env=env, capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr

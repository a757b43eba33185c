"""Structured logs: a line per request with its id, user and duration; the id on every line written
meanwhile and on the response; JSON, one object per line, in production."""

import json
import logging

import pytest
from django.conf import settings
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice
from pythonjsonlogger.json import JsonFormatter

from khuyencong.log import RequestContext

pytestmark = pytest.mark.django_db


def test_each_request_is_logged_with_its_id_user_and_duration(client, thanhhoa_officer, caplog):
    client.force_login(thanhhoa_officer)
    with caplog.at_level(logging.INFO, logger="khuyencong.request"):
        response = client.get(reverse("admin:index"), HTTP_X_REQUEST_ID="abc123def456")
    assert response["X-Request-ID"] == "abc123def456"
    (record,) = [r for r in caplog.records if r.name == "khuyencong.request"]
    assert (record.method, record.path, record.status) == ("GET", "/admin/", 200)
    assert record.duration_ms > 0
    RequestContext().filter(record)
    assert record.user == "thanhhoa.officer"


def test_a_request_id_that_is_not_a_plain_token_is_replaced(client):
    response = client.get(reverse("admin:login"), HTTP_X_REQUEST_ID="x\r\nSet-Cookie: a=b")
    assert len(response["X-Request-ID"]) == 32 and "\n" not in response["X-Request-ID"]


def test_lines_written_during_a_request_carry_its_id_as_json(client, thanhhoa_officer):
    lines = []

    class Keep(logging.Handler):
        def emit(self, record):
            lines.append(self.format(record))

    handler = Keep()
    handler.addFilter(RequestContext())
    handler.setFormatter(
        JsonFormatter(**{k: v for k, v in settings.LOGGING["formatters"]["json"].items() if k != "()"})
    )
    security = logging.getLogger("khuyencong.security")
    security.addHandler(handler)
    try:
        TOTPDevice.objects.create(user=thanhhoa_officer, name="app", confirmed=True)
        client.force_login(thanhhoa_officer)
        response = client.post(reverse("accounts:verify"), {"token": "12345678"}, HTTP_X_REQUEST_ID="req-0001-abcd")
    finally:
        security.removeHandler(handler)
    assert response.status_code == 200  # the code was refused, at the field
    entry = json.loads(lines[-1])
    assert entry["message"] == "second factor refused" and entry["event"] == "otp_refused"
    assert entry["request_id"] == "req-0001-abcd" and entry["user"] == "thanhhoa.officer"
    assert entry["level"] == "WARNING" and entry["logger"] == "khuyencong.security" and "time" in entry

"""Serving on a government server: `check --deploy` clean, security headers and a CSP without inline
script, cookies, HTTPS, the client's address behind a trusted proxy, static files through WhiteNoise."""

import datetime
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import time_machine
from django.conf import settings as django_settings
from django.contrib.sessions.models import Session
from django.test import RequestFactory
from django.urls import reverse

from khuyencong.middleware import ClientAddressMiddleware

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = {
    **{k: v for k, v in os.environ.items() if k not in ("DEBUG", "DJANGO_SETTINGS_MODULE", "DATABASE_URL")},
    "SECRET_KEY": "a-long-production-key-" + "x" * 60,
    "ALLOWED_HOSTS": "khuyencong.sct.example.gov.vn",
    "DEBUG": "False",
}


def run(args: list[str], env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True)


def test_check_deploy_is_clean_with_production_settings():
    checked = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], PRODUCTION)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "no issues" in checked.stdout


@pytest.mark.django_db
def test_every_page_sends_the_security_headers(client, thanhhoa_officer, settings):
    settings.SECURE_HSTS_SECONDS = 31_536_000
    client.force_login(thanhhoa_officer)
    response = client.get(reverse("admin:index"), secure=True)
    assert response.status_code == 200
    policy = dict(part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";"))
    assert policy["script-src"] == "'self'" and policy["default-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'" and policy["object-src"] == "'none'"
    assert "unsafe" not in policy["style-src-elem"]
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert "Server" not in response


def test_no_template_holds_an_inline_script_or_handler():
    """The CSP allows scripts from files only: a <script> with a body or an on…= attribute would not run."""
    inline_script = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>\s*\S", re.IGNORECASE)
    handler = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)
    found = []
    for folder in ("templates", "khuyencong/templates", "programmes", "reports"):
        for path in (ROOT / folder).rglob("*.html"):
            text = path.read_text(encoding="utf-8")
            if inline_script.search(text) or handler.search(text):
                found.append(str(path.relative_to(ROOT)))
    assert found == []


def test_cookies_are_secure_and_out_of_scripts_reach():
    production = run(
        [
            "-c",
            "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'khuyencong.settings'; django.setup();"
            "from django.conf import settings as s;"
            "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, s.CSRF_COOKIE_HTTPONLY,"
            " s.SESSION_EXPIRE_AT_BROWSER_CLOSE, s.SESSION_COOKIE_AGE, s.SECURE_SSL_REDIRECT)",
        ],
        PRODUCTION,
    )
    assert production.stdout.split() == ["True", "True", "True", "True", "True", "28800", "True"], production.stderr


@pytest.mark.django_db
def test_http_is_sent_to_https_but_the_health_check_is_not(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    response = client.get(reverse("admin:login"))
    assert response.status_code == 301 and response["Location"].startswith("https://")
    assert client.get(reverse("health")).status_code == 200


@pytest.mark.django_db
def test_a_session_ends_with_the_browser_and_after_a_working_days_idle_time(client, thanhhoa_officer):
    start = datetime.datetime(2026, 12, 7, 8, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False):
        client.force_login(thanhhoa_officer)
        assert client.get(reverse("admin:index")).status_code == 200
        first = Session.objects.get().expire_date
        assert first == start + datetime.timedelta(hours=8)
    # Working: each request within the day moves the end on (at most every five minutes).
    with time_machine.travel(start + datetime.timedelta(hours=7), tick=False):
        response = client.get(reverse("admin:index"))
        assert response.status_code == 200
        assert Session.objects.get().expire_date == start + datetime.timedelta(hours=15)
        cookie = response.cookies[django_settings.SESSION_COOKIE_NAME]
        assert cookie["max-age"] == "" and cookie["expires"] == ""  # gone when the browser closes
    # Idle for longer than the working day: signed out.
    with time_machine.travel(start + datetime.timedelta(hours=15, minutes=1), tick=False):
        response = client.get(reverse("admin:index"))
        assert response.status_code == 302 and reverse("admin:login") in response["Location"]


@pytest.mark.parametrize(
    ("remote", "forwarded", "client_address"),
    [
        ("127.0.0.1", "203.0.113.7", "203.0.113.7"),  # nginx on the machine vouches for the client
        ("127.0.0.1", "6.6.6.6, 203.0.113.7", "203.0.113.7"),  # the client's own claim on the left is ignored
        ("127.0.0.1", "203.0.113.7, 10.0.0.2", "203.0.113.7"),  # two trusted hops (a balancer, then nginx)
        ("198.51.100.9", "203.0.113.7", "198.51.100.9"),  # not through the proxy: the header is not believed
        ("127.0.0.1", "", "127.0.0.1"),
        ("127.0.0.1", "not-an-address", "127.0.0.1"),
    ],
)
def test_the_clients_address_is_read_behind_a_trusted_proxy_only(settings, remote, forwarded, client_address):
    settings.KHUYENCONG_TRUSTED_PROXIES = ["127.0.0.1", "10.0.0.0/8"]
    seen = {}
    middleware = ClientAddressMiddleware(lambda request: seen.setdefault("address", request.META["REMOTE_ADDR"]))
    middleware(RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded))
    assert seen["address"] == client_address


def test_without_trusted_proxies_the_header_is_ignored(settings):
    settings.KHUYENCONG_TRUSTED_PROXIES = []
    seen = {}
    middleware = ClientAddressMiddleware(lambda request: seen.setdefault("address", request.META["REMOTE_ADDR"]))
    middleware(RequestFactory().get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.7"))
    assert seen["address"] == "127.0.0.1"


def test_static_files_are_served_by_whitenoise_under_hashed_names(tmp_path):
    """collectstatic as at deployment, then the app itself serves a hashed, compressed, long-cached file."""
    env = {**PRODUCTION, "STATIC_ROOT": str(tmp_path / "static"), "SECURE_SSL_REDIRECT": "False"}
    collected = run(["manage.py", "collectstatic", "--noinput", "-v", "0"], env)
    assert collected.returncode == 0, collected.stderr
    served = run(
        [
            "-c",
            "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'khuyencong.settings'; django.setup();"
            "from django.templatetags.static import static; from django.test import Client;"
            "url = static('css/khuyencong.css'); r = Client().get(url, HTTP_ACCEPT_ENCODING='gzip', secure=True);"
            "print(url, r.status_code, r.headers.get('Cache-Control'), r.headers.get('Content-Encoding'), sep='|')",
        ],
        {**env, "ALLOWED_HOSTS": "testserver"},
    )
    url, status, cache, encoding = served.stdout.strip().split("|")
    assert re.fullmatch(r"/static/css/khuyencong\.[0-9a-f]{12}\.css", url), served.stderr
    assert status == "200" and "max-age=315360000" in cache and encoding == "gzip"

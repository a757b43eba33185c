"""Signing in: lockout after failed logins (per username and per address) and the administrator's unlock;
the second factor required of Ministry reviewers and administrators, optional for others, with recovery
codes; every URL that needs a role refuses anonymous users."""

import datetime
import re
import uuid

import pytest
import time_machine
from axes.models import AccessAttempt
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from programmes.lib.benchmarking import signed_in_client
from programmes.services import sign_in as services

pytestmark = pytest.mark.django_db
PASSWORD = "mat-khau-dung-2026"
LOGIN = "/admin/login/"


@pytest.fixture(autouse=True)
def _passwords(personas):
    for user in personas.values():
        user.set_password(PASSWORD)
        user.save()


def sign_in(client, username, password=PASSWORD, address="203.0.113.10"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def signed_in(client) -> bool:
    return SESSION_KEY in client.session


# --- Lockout -------------------------------------------------------------------------------------


def test_five_wrong_passwords_lock_the_username_then_the_right_one_is_refused(client, settings):
    settings.AXES_FAILURE_LIMIT = 5
    for _attempt in range(4):
        assert sign_in(client, "thanhhoa.officer", "sai").status_code == 200  # the form, with its error
    response = sign_in(client, "thanhhoa.officer", "sai")
    assert response.status_code == 429
    response = sign_in(client, "thanhhoa.officer")
    assert response.status_code == 429 and not signed_in(client)
    page = response.content.decode()
    assert "Tạm khóa đăng nhập" in page and "30 phút" in page
    # From another address too: the username itself is locked.
    assert sign_in(client, "thanhhoa.officer", address="198.51.100.20").status_code == 429


def test_wrong_passwords_for_many_usernames_lock_the_address(client, settings, personas):
    settings.AXES_FAILURE_LIMIT = 5
    for number in range(5):
        sign_in(client, f"khong-co-{number}", "sai", address="203.0.113.66")
    assert sign_in(client, "danang.officer", address="203.0.113.66").status_code == 429
    assert not signed_in(client)
    assert sign_in(client, "danang.officer", address="198.51.100.20").status_code == 302
    assert signed_in(client)


def test_a_right_login_before_the_limit_clears_the_count(client, settings):
    settings.AXES_FAILURE_LIMIT = 3
    sign_in(client, "thanhhoa.officer", "sai")
    sign_in(client, "thanhhoa.officer", "sai")
    assert sign_in(client, "thanhhoa.officer").status_code == 302
    client.logout()
    sign_in(client, "thanhhoa.officer", "sai")
    sign_in(client, "thanhhoa.officer", "sai")
    assert sign_in(client, "thanhhoa.officer").status_code == 302


def test_the_administrator_unlocks_a_user_from_the_users_list(client, settings, personas):
    settings.AXES_FAILURE_LIMIT = 5
    officer, admin = personas["thanhhoa_officer"], personas["administrator"]
    for _attempt in range(5):
        sign_in(client, officer.username, "sai")
    assert sign_in(client, officer.username).status_code == 429
    staff = client.__class__()
    staff.force_login(admin)
    listing = staff.get(reverse("admin:auth_user_changelist"))
    row = listing.content.decode().split(f">{officer.username}<")[1].split("</tr>")[0]
    assert "icon-yes" in row.split("field-locked_column")[1]  # shown as locked
    response = staff.post(
        reverse("admin:auth_user_changelist"),
        {"action": "unlock_sign_in", "_selected_action": [officer.pk]},
        follow=True,
    )
    assert "Đã mở khóa đăng nhập cho 1 người dùng" in response.content.decode()
    assert not AccessAttempt.objects.filter(username=officer.username).exists()
    assert sign_in(client, officer.username).status_code == 302 and signed_in(client)


def test_only_an_administrator_may_unlock(personas):
    with pytest.raises(services.PermissionDenied):
        services.login_unlock(actor=personas["thanhhoa_manager"], username="thanhhoa.officer")


# --- The second factor -----------------------------------------------------------------------------


@pytest.fixture
def required(settings):
    settings.KHUYENCONG_OTP_REQUIRED = True


def code_for(user) -> str:
    device = TOTPDevice.objects.get(user=user)
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def set_up_second_factor(client, user) -> list[str]:
    page = client.get(reverse("accounts:setup"))
    assert page.status_code == 200 and 'src="data:image/svg+xml' in page.content.decode()
    response = client.post(reverse("accounts:setup"), {"token": code_for(user), "next": "/admin/"})
    assert response.status_code == 200, response.content.decode()
    assert "Mã khôi phục của anh/chị" in response.content.decode(), response.content.decode()[-3000:]
    return re.findall(r"<code>(\w+)</code>", response.content.decode())


@pytest.mark.parametrize("persona", ["ministry_reviewer", "administrator"])
def test_reviewers_and_administrators_must_set_up_the_second_factor(client, personas, required, persona):
    user = personas[persona]
    assert sign_in(client, user.username).status_code == 302
    # Every page leads to the set-up until it is done, the API says why.
    response = client.get(reverse("admin:programmes_project_changelist"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:setup"))
    api = client.get("/api/v1/status/")
    assert api.status_code == 403 and "xác thực hai bước" in api.json()["detail"]
    # A wrong code is refused at the field; nothing is confirmed.
    client.get(reverse("accounts:setup"))
    wrong = client.post(reverse("accounts:setup"), {"token": "000000" if code_for(user) != "000000" else "111111"})
    assert "Mã không đúng" in wrong.content.decode()
    assert not TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    # Right away another code is refused: wrong codes slow the next try (1, 2, 4 … seconds).
    hurried = client.post(reverse("accounts:setup"), {"token": code_for(user)})
    assert "hãy đợi" in hurried.content.decode()
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=3)):
        codes = set_up_second_factor(client, user)
    assert len(codes) == 10 and StaticToken.objects.filter(device__user=user).count() == 10
    assert client.get(reverse("admin:programmes_project_changelist")).status_code == 200


def test_the_next_sign_in_asks_for_the_code_and_a_recovery_code_works_once(client, personas, required):
    reviewer = personas["ministry_reviewer"]
    sign_in(client, reviewer.username)
    codes = set_up_second_factor(client, reviewer)
    client.logout()

    assert sign_in(client, reviewer.username).status_code == 302
    response = client.get(reverse("admin:index"))
    assert response["Location"].startswith(reverse("accounts:verify"))
    refused = client.post(reverse("accounts:verify"), {"token": "12345678"})
    assert refused.status_code == 200 and "Mã không đúng" in refused.content.decode()
    assert client.get(reverse("admin:index")).status_code == 302
    later = time_machine.travel(timezone.now() + datetime.timedelta(seconds=3))
    later.start()
    assert client.post(reverse("accounts:verify"), {"token": codes[0], "next": "/admin/"}).status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200
    client.logout()

    sign_in(client, reviewer.username)
    again = client.post(reverse("accounts:verify"), {"token": codes[0]})
    assert again.status_code == 200  # used already
    later.stop()
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=90)):  # the next 30-second code
        assert client.post(reverse("accounts:verify"), {"token": code_for(reviewer)}).status_code == 302
        assert client.get(reverse("admin:index")).status_code == 200


def test_officers_may_turn_it_on_and_off_for_themselves(client, personas, required):
    officer = personas["thanhhoa_officer"]
    sign_in(client, officer.username)
    assert client.get(reverse("admin:index")).status_code == 200  # not required of an officer
    assert "Xác thực hai bước đang tắt" in client.get(reverse("accounts:security")).content.decode()
    set_up_second_factor(client, officer)
    client.logout()
    sign_in(client, officer.username)
    assert client.get(reverse("admin:index"))["Location"].startswith(reverse("accounts:verify"))
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=90)):  # the next 30-second code
        assert client.post(reverse("accounts:verify"), {"token": code_for(officer)}).status_code == 302
        client.post(reverse("accounts:remove"))
    assert not TOTPDevice.objects.filter(user=officer).exists()


def test_a_reviewer_cannot_turn_it_off_but_the_administrator_can_reset_it(client, personas, required):
    reviewer, admin = personas["ministry_reviewer"], personas["administrator"]
    sign_in(client, reviewer.username)
    set_up_second_factor(client, reviewer)
    assert client.post(reverse("accounts:remove")).status_code == 403
    assert TOTPDevice.objects.filter(user=reviewer, confirmed=True).exists()
    services.second_factor_remove(actor=admin, user=reviewer)
    assert not TOTPDevice.objects.filter(user=reviewer).exists()
    assert not StaticToken.objects.filter(device__user=reviewer).exists()


def test_a_next_address_elsewhere_is_not_followed(client, personas, required):
    reviewer = personas["ministry_reviewer"]
    sign_in(client, reviewer.username)
    client.get(reverse("accounts:setup"))
    response = client.post(reverse("accounts:setup"), {"token": code_for(reviewer), "next": "https://evil.example/"})
    assert "evil.example" not in response.content.decode()


# --- Anonymous users ---------------------------------------------------------------------------------

# Open to anyone: signing in (and out), the language switch, the health check, the API's schema and its
# documentation (the API's data asks for a token), the admin's translations for its scripts.
PUBLIC = {
    "admin:login",
    "admin:logout",
    "set_language",
    "health",
    "api:schema",
    "api:docs",
    "api:redoc",
    "admin:jsi18n",
}
SAMPLE = {"int": "1", "str": "38", "uuid": str(uuid.uuid4()), "path": "a/b.pdf", "slug": "a"}


def every_url(resolver=None, prefix="", namespace=""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        route = str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from every_url(pattern, prefix + route, inner)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}{pattern.name}" if pattern.name else None
            yield name, prefix + route


def concrete(route: str) -> str | None:
    if route.startswith("^") or "(?P" in route:
        route = re.sub(r"\(\?P<\w+>[^)]*\)", "1", route).lstrip("^").rstrip("$").replace("\\", "")
        if any(ch in route for ch in "[]()*+?"):
            return None
    route = re.sub(r"<(?:(\w+):)?\w+>", lambda m: SAMPLE.get(m.group(1) or "str", "1"), route)
    return "/" + route


def test_every_url_that_needs_a_role_refuses_anonymous_users(client):
    checked = 0
    for name, route in every_url():
        url = concrete(route)
        if url is None or name in PUBLIC or url in ("/", "/static/"):
            continue
        response = client.get(url)
        refused = response.status_code in (401, 403, 404) or (
            response.status_code == 302 and "/admin/login/" in response["Location"]
        )
        if response.status_code == 301:  # the admin's trailing-slash and catch-all redirects
            refused = True
        assert refused, (name, url, response.status_code)
        checked += 1
    assert checked > 150


def test_the_benchmarks_signed_in_client_gets_the_pages_people_get(ministry_reviewer, thanhhoa_officer, settings):
    """`manage.py benchmark` measures pages, not the redirect to the second-factor form."""
    settings.KHUYENCONG_OTP_REQUIRED = True
    for user in (ministry_reviewer, thanhhoa_officer):
        assert signed_in_client(user).get(reverse("reports:status")).status_code == 200
    plain = Client()
    plain.force_login(ministry_reviewer)
    assert plain.get(reverse("reports:status")).status_code == 302  # a password alone is not enough

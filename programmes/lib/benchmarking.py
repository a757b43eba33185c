"""What the parts of `manage.py benchmark` share: the command's output and the figures that miss."""

from __future__ import annotations


class BenchmarkPart:
    def __init__(self, command):
        self.out = command.stdout
        self.style = command.style
        self.failures: list[str] = []

    def check(self, label: str, value: float, target: float, unit: str) -> None:
        """Print a figure beside its target (≤); a figure over it is marked and kept in `failures`."""
        ok = value <= target
        line = f"  {label:<62} {value:>9.1f} {unit}  (target ≤ {target:g} {unit})"
        self.out.write(line if ok else self.style.WARNING(line + "  MISSED"))
        if not ok:
            self.failures.append(f"{label}: {value:.1f} {unit} > {target:g} {unit}")


def signed_in_session(user):
    """A saved session of `user` as a real sign-in leaves it: the password's keys and, for a user who
    must have a second factor (a reviewer, an administrator), the TOTP device that verified it (one
    made for the benchmark). Pages measured with it are the pages people get, not a redirect to the
    second-factor form."""
    import time

    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from programmes.services.sign_in import second_factor_required

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session["_kc_seen"] = int(time.time())  # khuyencong.middleware.IdleSessionMiddleware's stamp
    if second_factor_required(user):
        device, _created = TOTPDevice.objects.get_or_create(user=user, name="benchmark", defaults={"confirmed": True})
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.create()
    return session


def signed_in_client(user, **defaults):
    """A test client holding `signed_in_session(user)`."""
    from django.conf import settings
    from django.test import Client

    client = Client(**defaults)
    client.cookies[settings.SESSION_COOKIE_NAME] = signed_in_session(user).session_key
    return client

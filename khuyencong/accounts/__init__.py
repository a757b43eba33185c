"""Signing in: the lockout after failed logins (django-axes) and the second factor (django-otp: TOTP,
with recovery codes), required for Ministry reviewers and administrators, optional for others."""


def client_address(request) -> str | None:
    """The client's address for the lockout: REMOTE_ADDR, as the trusted-proxy middleware left it."""
    return request.META.get("REMOTE_ADDR") or None

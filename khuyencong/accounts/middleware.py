"""A user who owes the second factor reaches only the pages that ask for it."""

from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from programmes.services import sign_in as services

# Owed: set at login when the user has a key or must have one (no query on later requests).
SESSION_KEY = "_kc_second_factor_owed"
# Open while the second factor is owed: signing out, the pages that ask for it, the switch of
# language, static files and the health check.
OPEN_PREFIXES = ("/tai-khoan/", "/admin/logout/", "/admin/login/", "/i18n/", "/static/", "/health/", "/admin/jsi18n/")


def mark_at_login(sender, request, user, **kwargs):
    """user_logged_in: does this session owe a second factor?"""
    if request is None or not hasattr(request, "session"):
        return
    if services.second_factor_required(user) or services.has_second_factor(user):
        request.session[SESSION_KEY] = True


class SecondFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and not user.is_verified() and not request.path.startswith(OPEN_PREFIXES):
            owed = request.session.get(SESSION_KEY) or services.second_factor_required(user)
            if owed:
                if request.path.startswith("/api/"):
                    detail = _("Sign in with your second factor first.")
                    return JsonResponse({"detail": detail}, status=403)
                page = "accounts:verify" if services.has_second_factor(user) else "accounts:setup"
                return redirect(f"{reverse(page)}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)

"""The second factor: asked for after the password, set up (QR code and key, then a code to confirm),
recovery codes shown once, renewed or (where not required) turned off."""

from __future__ import annotations

from base64 import b32encode

import segno
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp import match_token

from programmes.services import sign_in as services

from .forms import CodeForm, SetupForm
from .middleware import SESSION_KEY


def _context(request, **extra) -> dict:
    return {**admin.site.each_context(request), **extra}


def _next(request) -> str:
    asked = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(asked, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return asked
    return reverse("admin:index")


def _verified(request, device) -> None:
    otp_login(request, device)
    request.session.pop(SESSION_KEY, None)


@never_cache
@login_required
def verify(request):
    """After the password: the code from the app, or a recovery code (each works once)."""
    if not services.has_second_factor(request.user):
        return HttpResponseRedirect(f"{reverse('accounts:setup')}?next={_next(request)}")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        wait = services.wait_seconds(request.user)
        device = None if wait else match_token(request.user, form.cleaned_data["token"])
        if wait:
            form.add_error("token", services.too_soon(wait).message_dict["token"][0])
        elif device is not None:
            _verified(request, device)
            if device.persistent_id.startswith("otp_static"):
                left = device.token_set.count()
                messages.warning(
                    request,
                    _("You signed in with a recovery code; %(left)s are left. Make new ones on the security page.")
                    % {"left": left},
                )
            services.log.info("second factor verified", extra={"event": "otp_verified"})
            return HttpResponseRedirect(_next(request))
        else:
            services.log.warning("second factor refused", extra={"event": "otp_refused"})
            form.add_error("token", _("The code is not right, or it was used already. Try the code the app shows now."))
    return TemplateResponse(
        request,
        "accounts/verify.html",
        _context(request, title=_("Two-step sign-in"), form=form, next=_next(request)),
    )


def _qr(device) -> str:
    return segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=2)


def _key_groups(device) -> str:
    key = b32encode(device.bin_key).decode()
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


@never_cache
@login_required
def setup(request):
    """Add the key to an authenticator app (QR code or typed), then confirm it with a code."""
    device = services.totp_pending(request.user)
    if device is None or request.method == "GET" and request.GET.get("moi") is not None:
        device = services.totp_begin(user=request.user)
    form = SetupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = services.totp_confirm(user=request.user, device=device, token=form.cleaned_data["token"])
        except ValidationError as exc:
            for message in exc.message_dict.get("token", exc.messages):
                form.add_error("token", message)
        else:
            _verified(request, device)
            return TemplateResponse(
                request,
                "accounts/recovery_codes.html",
                _context(request, title=_("Your recovery codes"), codes=codes, next=_next(request)),
            )
    return TemplateResponse(
        request,
        "accounts/setup.html",
        _context(
            request,
            title=_("Set up two-step sign-in"),
            form=form,
            qr=_qr(device),
            key=_key_groups(device),
            required=services.second_factor_required(request.user),
            next=_next(request),
        ),
    )


@never_cache
@login_required
def security(request):
    """The user's sign-in: whether the second factor is on, and what they can do about it."""
    user = request.user
    return TemplateResponse(
        request,
        "accounts/security.html",
        _context(
            request,
            title=_("Sign-in security"),
            has_second_factor=services.has_second_factor(user),
            required=services.second_factor_required(user),
            codes_left=services.recovery_codes_left(user),
        ),
    )


@never_cache
@login_required
@require_POST
def recovery_renew(request):
    codes = services.recovery_codes_renew(user=request.user)
    return TemplateResponse(
        request,
        "accounts/recovery_codes.html",
        _context(request, title=_("Your recovery codes"), codes=codes, next=reverse("accounts:security")),
    )


@login_required
@require_POST
def remove(request):
    services.second_factor_remove(actor=request.user, user=request.user)
    messages.success(request, _("Two-step sign-in is off for your account."))
    return HttpResponseRedirect(reverse("accounts:security"))


def locked_out(request, original_response=None, credentials=None):
    """django-axes' answer to a login refused by the lockout (AXES_LOCKOUT_CALLABLE): in Vietnamese, with
    how long to wait; 429, and the password was not even checked."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    services.log.warning("login refused: locked out", extra={"event": "login_locked_out"})
    return TemplateResponse(request, "registration/locked_out.html", {"cooloff_minutes": minutes}, status=429).render()

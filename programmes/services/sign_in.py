"""Sign-in changes: the second factor set up, confirmed, renewed or removed, and a locked-out login
unlocked (django-otp, django-axes). Each takes the acting user, checks who may do it, logs what was done."""

from __future__ import annotations

import logging
import math

from axes.models import AccessAttempt
from axes.utils import reset as axes_reset
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp import devices_for_user
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from ..access import Role, user_role

log = logging.getLogger("khuyencong.security")

RECOVERY_CODES = 10
TOTP_NAME = "Ứng dụng xác thực"
RECOVERY_NAME = "Mã khôi phục"


def second_factor_required(user) -> bool:
    """Ministry reviewers and administrators must sign in with a second factor; others may."""
    if not settings.KHUYENCONG_OTP_REQUIRED or not user.is_authenticated:
        return False
    return user.is_superuser or user_role(user) in (Role.MINISTRY_REVIEWER, Role.ADMINISTRATOR)


def has_second_factor(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def totp_begin(*, user) -> TOTPDevice:
    """A new, unconfirmed authenticator key for the user (the one being set up replaces any earlier
    unconfirmed one; a confirmed one stays in force until the new one is confirmed)."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        return TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)


def totp_pending(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()


def wait_seconds(user) -> int:
    """After wrong codes the app's key and the recovery codes refuse every code for a while (1, 2, 4 …
    seconds, django-otp's throttling): how long is left, 0 when a code may be tried."""
    waits = []
    for device in devices_for_user(user):
        allowed, data = device.verify_is_allowed()
        if not allowed and data and data.get("locked_until"):
            waits.append(_seconds_until(data["locked_until"]))
    return min(waits) if waits else 0


def _seconds_until(moment) -> int:
    """Whole seconds left until `moment`, rounded up, at least 1."""
    return max(1, math.ceil((moment - timezone.now()).total_seconds()))


def too_soon(seconds: int) -> ValidationError:
    return ValidationError(
        {
            "token": _("Too many wrong codes: wait %(seconds)s seconds, then type the code shown then.")
            % {"seconds": seconds}
        }
    )


def totp_confirm(*, user, device: TOTPDevice, token: str) -> list[str]:
    """Confirm the key with a code from the app; the earlier key and recovery codes are replaced.
    Returns the new recovery codes (shown once)."""
    if device.user_id != user.pk or device.confirmed:
        raise PermissionDenied
    allowed, data = device.verify_is_allowed()
    if not allowed:
        raise too_soon(_seconds_until(data["locked_until"]))
    if not device.verify_token(token):
        raise ValidationError({"token": _("The code is not right. Type the 6 digits the app shows now.")})
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=True).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = _new_recovery_codes(user)
    log.info("second factor set up", extra={"event": "otp_setup", "target": user.username})
    return codes


def recovery_codes_renew(*, user) -> list[str]:
    """New recovery codes for a user with a confirmed key; the old ones stop working."""
    if not has_second_factor(user):
        raise PermissionDenied
    with transaction.atomic():
        codes = _new_recovery_codes(user)
    log.info("recovery codes renewed", extra={"event": "otp_recovery_renewed", "target": user.username})
    return codes


def _new_recovery_codes(user) -> list[str]:
    device, _created = StaticDevice.objects.get_or_create(user=user, name=RECOVERY_NAME)
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _i in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def second_factor_remove(*, actor, user) -> None:
    """Take away a user's key and recovery codes (a lost phone): an administrator for anyone, a user
    for themselves when the second factor is not required of them."""
    if actor.pk != user.pk and not actor.is_superuser:
        raise PermissionDenied
    if actor.pk == user.pk and second_factor_required(user):
        raise PermissionDenied
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
    log.warning(
        "second factor removed", extra={"event": "otp_removed", "target": user.username, "actor": actor.username}
    )


def login_unlock(*, actor, username: str) -> int:
    """Clear the failed logins that locked a username out (an administrator only)."""
    if not actor.is_superuser:
        raise PermissionDenied
    # The addresses its failures came from are cleared too: an office's one address is not left locked.
    addresses = set(AccessAttempt.objects.filter(username=username).values_list("ip_address", flat=True))
    cleared = axes_reset(username=username) + sum(axes_reset(ip=address) for address in addresses if address)
    log.warning("login unlocked", extra={"event": "login_unlocked", "target": username, "actor": actor.username})
    return cleared


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user).count()

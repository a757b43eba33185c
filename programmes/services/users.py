"""Users and their roles."""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ..access import (
    PROVINCE_ROLES,
    Role,
)
from ..models import (
    Province,
    UserProfile,
)


@transaction.atomic
def user_set_role(*, user, role: str, province: Province | None = None):
    """Give a user a role (and, for provincial roles, a province of today)."""
    if role in PROVINCE_ROLES:
        if province is None:
            raise ValidationError({"province": _("A provincial role needs a province.")})
        if province.valid_to is not None:
            raise ValidationError({"province": _("Choose a province of today (after 1/7/2025).")})
    else:
        province = None
    UserProfile.objects.update_or_create(user=user, defaults={"role": role, "province": province})
    user.is_staff = True
    user.is_superuser = role == Role.ADMINISTRATOR
    user.save(update_fields=["is_staff", "is_superuser"])
    user.groups.set(Group.objects.filter(name=role))
    user._profile_cache = None
    for cache in ("_perm_cache", "_user_perm_cache", "_group_perm_cache"):
        if hasattr(user, cache):
            delattr(user, cache)
    return user

"""Who may see what: one scope rule, used by every path (admin, imports, exports, reports).

Province staff and managers see the data of their province of today and of every unit it grew
out of (a Đà Nẵng officer keeps old Quảng Nam's records). Ministry reviewers and administrators
see all provinces; only administrators change reference data.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth.models import AnonymousUser

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser

    from .models import Province


def user_role(user: AbstractBaseUser | AnonymousUser | None) -> str | None:
    """Return the user's role, or None for anonymous and role-less users."""
    from .models import Role

    if user is None or not user.is_authenticated or not user.is_active:
        return None
    if user.is_superuser:
        return Role.ADMINISTRATOR
    profile = getattr(user, "_profile_cache", None)
    if profile is None:
        from .models import UserProfile

        profile = UserProfile.objects.filter(user=user).select_related("province").first()
        user._profile_cache = profile or False
    return profile.role if profile else None


def user_province(user) -> Province | None:
    """Return the province of today a provincial user works for; None for the others."""
    from .models import PROVINCE_ROLES

    if user_role(user) in PROVINCE_ROLES:
        return user._profile_cache.province
    return None


def sees_all_provinces(user) -> bool:
    from .models import Role

    return user_role(user) in (Role.ADMINISTRATOR, Role.MINISTRY_REVIEWER)

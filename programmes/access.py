"""Roles, and who may see and who may change what: the bottom of the house.

Models, querysets, services and the admin use these rules; this module imports none of them.

Reading and writing are two rules:

- the **read scope** (`sees_all_provinces`, `user_province`, used by `QuerySet.for_user`):
  province staff and managers see the data of their province of today and of every unit it grew
  out of (a Đà Nẵng officer keeps old Quảng Nam's records) plus national reference rows; Ministry
  reviewers and administrators see all provinces;
- the **write rule** (`may_write_in_province`, `may_write_national`, asked by every service
  and by the admin's permissions): administrators change everything; province
  staff and managers change their own province's rows only, never a national row; reviewers
  change nothing. What a role may do to a row in a given state (approve, re-open, adjust) is
  the lifecycle's business (`programmes.lifecycle`).
"""

from __future__ import annotations

from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    PROVINCE_STAFF = "province_staff", _("Province staff")
    PROVINCE_MANAGER = "province_manager", _("Province manager")
    MINISTRY_REVIEWER = "ministry_reviewer", _("Ministry reviewer")
    ADMINISTRATOR = "administrator", _("Administrator")


PROVINCE_ROLES = (Role.PROVINCE_STAFF, Role.PROVINCE_MANAGER)
# Roles that may approve, re-open, adjust and stop (domain.md §8).
APPROVER_ROLES = (Role.PROVINCE_MANAGER, Role.ADMINISTRATOR)


def _profile(user):
    """Return the user's profile (cached on the user), or None."""
    cached = getattr(user, "_profile_cache", None)
    if cached is None:
        try:
            cached = user.profile
        except ObjectDoesNotExist:
            cached = False
        user._profile_cache = cached
    return cached or None


def user_role(user) -> str | None:
    """Return the user's role, or None for anonymous, inactive and role-less users."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    if user.is_superuser:
        return Role.ADMINISTRATOR
    profile = _profile(user)
    return profile.role if profile else None


def user_province(user):
    """Return the province of today a provincial user works for; None for the others."""
    if user_role(user) in PROVINCE_ROLES:
        return _profile(user).province
    return None


def sees_all_provinces(user) -> bool:
    return user_role(user) in (Role.ADMINISTRATOR, Role.MINISTRY_REVIEWER)


def is_reviewer(user) -> bool:
    """A Ministry reviewer: reads every province, writes nothing but the answer to an issued report."""
    return user_role(user) == Role.MINISTRY_REVIEWER


def is_administrator(user) -> bool:
    return user_role(user) == Role.ADMINISTRATOR


def is_approver(user) -> bool:
    """Return whether the user may approve, re-open, adjust and stop (a manager or an administrator)."""
    return user_role(user) in APPROVER_ROLES


def may_enter_provincial_data(user) -> bool:
    """Whether the user's role enters a province's data at all (which rows: `may_write_in_province`).

    Province staff and managers (their province's rows) and administrators do; Ministry reviewers
    never. `None` is the system (a command run without --user).
    """
    return user is None or user_role(user) in (*PROVINCE_ROLES, Role.ADMINISTRATOR)


def may_import(user) -> bool:
    """Who imports files: whoever enters a province's data (the rows are checked one by one)."""
    return may_enter_provincial_data(user)


def may_write_national(user) -> bool:
    """National rows (Ministry bodies, national schemes, catalogues, provinces) are kept by administrators."""
    return is_administrator(user)


def may_write_in_province(user, current_province_id: int | None) -> bool:
    """Return whether the user may change rows filed under the province of today `current_province_id`."""
    if current_province_id is None:
        return may_write_national(user)
    role = user_role(user)
    if role == Role.ADMINISTRATOR:
        return True
    if role in PROVINCE_ROLES:
        province = user_province(user)
        return province is not None and province.pk == current_province_id
    return False

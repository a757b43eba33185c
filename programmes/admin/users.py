"""Users, their roles and groups."""

from __future__ import annotations

from axes.models import AccessAttempt
from django import forms
from django.apps import apps
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from .. import services
from ..access import Role
from ..forms import (
    TextRuleMixin,
)
from ..models import (
    UserProfile,
)
from ..services import sign_in as accounts
from .base import (
    JunkProofRelationsMixin,
)


class UserProfileInline(JunkProofRelationsMixin, admin.StackedInline):
    model = UserProfile
    can_delete = False
    fields = ["role", "province"]


# Django stores each permission's name in English at migrate time ("Can add project"); the lists of
# permissions name them in the reader's language from the model's own name instead.
PERMISSION_ACTIONS = {
    "add": _("may add %(name)s"),
    "change": _("may change %(name)s"),
    "delete": _("may delete %(name)s"),
    "view": _("may view %(name)s"),
}


def permission_label(permission) -> str:
    """'Khuyến công | đề án khuyến công | được thêm đề án khuyến công', in the reader's language."""
    content_type = permission.content_type
    model = content_type.model_class()
    name = gettext(str(model._meta.verbose_name)) if model else content_type.model
    try:
        app = gettext(str(apps.get_app_config(content_type.app_label).verbose_name))
    except LookupError:
        app = content_type.app_label
    action, _sep, rest = permission.codename.partition("_")
    if action in PERMISSION_ACTIONS and rest == content_type.model:
        what = PERMISSION_ACTIONS[action] % {"name": name}
    else:
        what = gettext(permission.name)
    return f"{app} | {name} | {what}"


def group_label(group) -> str:
    """A role's group by the role's name ("Chuyên viên Sở / Trung tâm KC"), not its code."""
    return str(Role(group.name).label) if group.name in Role.values else group.name


class PermissionLabelsMixin:
    def formfield_for_manytomany(self, db_field, request=None, **kwargs):
        field = super().formfield_for_manytomany(db_field, request=request, **kwargs)
        if db_field.name in ("permissions", "user_permissions") and field is not None:
            field.label_from_instance = permission_label
        if db_field.name == "groups" and field is not None:
            field.label_from_instance = group_label
        return field


User = get_user_model()
admin.site.unregister(User)
admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(PermissionLabelsMixin, JunkProofRelationsMixin, DjangoGroupAdmin):
    form = type("GroupForm", (TextRuleMixin, forms.ModelForm), {})
    list_display = ["name", "role_column"]

    @admin.display(description=_("role"))
    def role_column(self, obj):
        return group_label(obj) if obj.name in Role.values else "–"


@admin.register(User)
class UserAdmin(PermissionLabelsMixin, JunkProofRelationsMixin, DjangoUserAdmin):
    form = type("UserChangeForm", (TextRuleMixin, DjangoUserAdmin.form), {})
    add_form = type("UserCreationForm", (TextRuleMixin, DjangoUserAdmin.add_form), {})
    inlines = [UserProfileInline]
    # Recorded by the sign-in, not typed (and their two unlabelled boxes were axe's critical finding).
    readonly_fields = ["last_login", "date_joined"]
    list_display = [
        "username",
        "first_name",
        "last_name",
        "email",
        "role_column",
        "province_column",
        "is_active",
        "second_factor_column",
        "locked_column",
    ]
    list_select_related = ["profile__province"]
    actions = ["unlock_sign_in", "reset_second_factor"]

    def get_queryset(self, request):
        # Both columns in the page's own query (no query per row).
        cooloff_start = timezone.now() - settings.AXES_COOLOFF_TIME
        return (
            super()
            .get_queryset(request)
            .annotate(
                has_second_factor=Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)),
                locked_out=Exists(
                    AccessAttempt.objects.filter(
                        username=OuterRef("username"),
                        failures_since_start__gte=settings.AXES_FAILURE_LIMIT,
                        attempt_time__gte=cooloff_start,
                    )
                ),
            )
        )

    @admin.display(description=_("two-step sign-in"), boolean=True, ordering="has_second_factor")
    def second_factor_column(self, obj):
        return obj.has_second_factor

    @admin.display(description=_("sign-in locked"), boolean=True, ordering="locked_out")
    def locked_column(self, obj):
        return obj.locked_out

    @admin.action(description=_("Unlock sign-in of the selected users"))
    def unlock_sign_in(self, request, queryset):
        users = list(queryset)
        for user in users:
            accounts.login_unlock(actor=request.user, username=user.username)
        messages.success(
            request,
            ngettext("Sign-in unlocked for %(count)d user.", "Sign-in unlocked for %(count)d users.", len(users))
            % {"count": len(users)},
        )

    @admin.action(description=_("Reset two-step sign-in of the selected users (a lost phone)"))
    def reset_second_factor(self, request, queryset):
        users = list(queryset)
        for user in users:
            accounts.second_factor_remove(actor=request.user, user=user)
        messages.success(
            request,
            ngettext(
                "Two-step sign-in reset for %(count)d user: they set it up again at their next sign-in.",
                "Two-step sign-in reset for %(count)d users: they set it up again at their next sign-in.",
                len(users),
            )
            % {"count": len(users)},
        )

    @admin.display(description=_("role"), ordering="profile__role")
    def role_column(self, obj):
        profile = getattr(obj, "profile", None)
        return profile.get_role_display() if profile else "–"

    @admin.display(description=_("province / city"))
    def province_column(self, obj):
        profile = getattr(obj, "profile", None)
        return profile.province if profile and profile.province else "–"

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        profile = UserProfile.objects.filter(user=form.instance).first()
        if profile:
            services.user_set_role(user=form.instance, role=profile.role, province=profile.province)

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

"""Users, their roles and groups."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _

from .. import services
from ..forms import (
    TextRuleMixin,
)
from ..models import (
    UserProfile,
)
from .base import (
    JunkProofRelationsMixin,
)


class UserProfileInline(JunkProofRelationsMixin, admin.StackedInline):
    model = UserProfile
    can_delete = False
    fields = ["role", "province"]


User = get_user_model()
admin.site.unregister(User)
admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(JunkProofRelationsMixin, DjangoGroupAdmin):
    form = type("GroupForm", (TextRuleMixin, forms.ModelForm), {})


@admin.register(User)
class UserAdmin(JunkProofRelationsMixin, DjangoUserAdmin):
    form = type("UserChangeForm", (TextRuleMixin, DjangoUserAdmin.form), {})
    add_form = type("UserCreationForm", (TextRuleMixin, DjangoUserAdmin.add_form), {})
    inlines = [UserProfileInline]
    list_display = ["username", "first_name", "last_name", "email", "role_column", "province_column", "is_active"]
    list_select_related = ["profile__province"]

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

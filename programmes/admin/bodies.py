"""Organisations and schemes."""

from __future__ import annotations

from django.contrib import admin

from ..access import (
    is_approver,
    sees_all_provinces,
)
from ..lists import CurrentProvinceFilter
from ..models import (
    Organisation,
    Province,
    Scheme,
)
from .base import (
    ScopedAdmin,
)


@admin.register(Organisation)
class OrganisationAdmin(ScopedAdmin):
    list_display = ["name", "short_name", "kind", "province"]
    list_filter = ["kind", CurrentProvinceFilter]
    list_select_related = ["province"]
    autocomplete_fields = ["parent"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if not sees_all_provinces(request.user) and "province" in form.base_fields:
            # Provincial staff add their own local bodies, never national ones.
            form.base_fields["province"].required = True
        return form

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "province":
            # A body is filed under a unit of today; provincial users only under their own.
            kwargs["queryset"] = Province.objects.current_units().for_user(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Scheme)
class SchemeAdmin(ScopedAdmin):
    list_display = ["code", "name", "level", "province", "start_year", "end_year", "legal_basis"]
    list_filter = ["level", CurrentProvinceFilter]
    list_select_related = ["province"]

    def has_add_permission(self, request):
        return super().has_add_permission(request) and is_approver(request.user)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and is_approver(request.user)

"""Organisations, schemes and the support caps of the law."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from ..access import (
    is_administrator,
    is_approver,
    sees_all_provinces,
)
from ..caps import cap_amount, decimal_text, unit_label
from ..imports.exports import ExportMixin
from ..lists import CurrentProvinceFilter
from ..models import (
    ConsultancyService,
    Organisation,
    Province,
    Scheme,
    SchemeLevel,
    SupportCap,
)
from .base import (
    ScopedAdmin,
    money_column,
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
class SchemeAdmin(ExportMixin, ScopedAdmin):
    export_kinds = ("schemes",)
    list_display = ["code", "name", "programme", "level", "province", "start_year", "end_year", "legal_basis"]
    list_filter = ["programme", "level", CurrentProvinceFilter]
    list_select_related = ["province"]

    def has_add_permission(self, request):
        return super().has_add_permission(request) and is_approver(request.user)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and is_approver(request.user)


@admin.register(ConsultancyService)
class ConsultancyServiceAdmin(ScopedAdmin):
    """A centre's paid consultancy per year and province, with its revenue (reported beside khuyến công)."""

    list_display = ["service", "province", "year", "contracts", "revenue_column"]
    list_filter = [CurrentProvinceFilter, "year"]
    list_select_related = ["province"]
    ordering = ["-year", "service", "id"]
    search_fields = ["service"]
    province_columns = ("province",)
    fields = ["province", "year", "service", "contracts", "revenue", "note"]

    revenue_column = money_column("revenue", _("revenue (đồng)"))

    def get_search_results(self, request, queryset, search_term):
        # A few rows a year per province, without a search_text column: Django's own search.
        return admin.ModelAdmin.get_search_results(self, request, queryset, search_term)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "province":
            kwargs["queryset"] = Province.objects.for_user(request.user).order_by("valid_to", "name")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(SupportCap)
class SupportCapAdmin(ScopedAdmin):
    """The versioned caps: KCQG rows (Thông tư 28/2018/TT-BTC) for every province, a province's KCĐP rows
    (its HĐND resolution) for it; each names its legal basis and the dates it is in force."""

    list_display = ["item_column", "level_column", "province", "cap_column", "basis", "validity"]
    list_filter = ["level", CurrentProvinceFilter]
    list_select_related = ["item", "province"]
    ordering = ["level", "province__name", "item__number", "-valid_from"]
    search_fields = ["document", "item__name", "item__code"]
    fieldsets = [
        (None, {"fields": ["level", "province", "item"]}),
        (_("legal basis"), {"fields": ["document", "article", "clause", "valid_from", "valid_to"]}),
        (
            _("cap"),
            {
                "fields": [
                    "percent",
                    "percent_base",
                    "amount",
                    "unit",
                    "multiplier",
                    "multiplier_condition",
                    "eligibility",
                ]
            },
        ),
    ]

    @admin.display(description=_("support item"), ordering="item__number")
    def item_column(self, cap):
        # A method, not the foreign key: Django keeps a foreign key's column on one line.
        return cap.item.name

    @admin.display(description=_("level"), ordering="level")
    def level_column(self, cap):
        return "KCQG" if cap.level == SchemeLevel.NATIONAL else "KCĐP"

    @admin.display(description=_("cap"))
    def cap_column(self, cap):
        """As the law states it: "≤ 50% chi phí máy móc…; ≤ 300 triệu đồng/cơ sở (× 1,5: dây chuyền…)"."""
        parts = []
        if cap.percent is not None:
            parts.append(f"≤ {decimal_text(cap.percent)}% {cap.percent_base}")
        if cap.amount is not None:
            text = f"≤ {cap_amount(cap.amount)}/{unit_label(cap.unit)}"
            if cap.multiplier:
                text += f" (× {decimal_text(cap.multiplier)}: {cap.get_multiplier_condition_display()})"
            parts.append(text)
        return "; ".join(parts)

    @admin.display(description=_("legal basis"))
    def basis(self, cap):
        return cap.basis

    @admin.display(description=_("in force"), ordering="valid_from")
    def validity(self, cap):
        until = f"{cap.valid_to:%d/%m/%Y}" if cap.valid_to else ""
        return f"{cap.valid_from:%d/%m/%Y} – {until}"

    def get_search_results(self, request, queryset, search_term):
        # A table of a few dozen rows without a search_text column: Django's own search.
        return admin.ModelAdmin.get_search_results(self, request, queryset, search_term)

    def has_add_permission(self, request):
        return super().has_add_permission(request) and is_approver(request.user)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and is_approver(request.user)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if not is_administrator(request.user) and "level" in form.base_fields:
            # A province's managers keep its KCĐP caps; KCQG caps are the administrators'.
            form.base_fields["level"].choices = [(SchemeLevel.LOCAL, SchemeLevel.LOCAL.label)]
            form.base_fields["level"].initial = SchemeLevel.LOCAL
            form.base_fields["province"].required = True
        return form

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "province":
            # A KCĐP cap is a resolution of a unit of the time: any unit the user keeps, before or after 1/7/2025.
            kwargs["queryset"] = Province.objects.for_user(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

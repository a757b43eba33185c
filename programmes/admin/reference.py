"""Reference data (provinces, communes, the activity catalogue, output indicators): administrators change it."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from ..models import (
    ActivityCatalogue,
    ActivityContent,
    Commune,
    IndicatorKind,
    Province,
    SupportItem,
)
from .base import (
    JunkProofRelationsMixin,
    ReferenceAdmin,
    ReferenceWritesMixin,
)


class ValidityFilter(admin.SimpleListFilter):
    title = _("validity")
    parameter_name = "hieu_luc"

    def lookups(self, request, model_admin):
        return [("hien_tai", _("units of today (34)")), ("truoc", _("units before 1/7/2025"))]

    def queryset(self, request, queryset):
        if self.value() == "hien_tai":
            return queryset.filter(valid_to__isnull=True)
        if self.value() == "truoc":
            return queryset.filter(valid_to__isnull=False)
        return queryset


@admin.register(Province)
class ProvinceAdmin(ReferenceAdmin):
    list_display = ["code", "name", "kind", "region", "valid_from", "valid_to", "successor", "current"]
    list_filter = [ValidityFilter, "region", "kind"]
    list_select_related = ["successor", "current"]
    readonly_fields = ["current"]


@admin.register(Commune)
class CommuneAdmin(ReferenceAdmin):
    list_display = ["code", "name", "kind", "province"]
    list_filter = ["kind", ("province", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["province"]


class ActivityContentInline(JunkProofRelationsMixin, admin.TabularInline):
    model = ActivityContent
    fk_name = "catalogue"
    fields = ["code", "number", "short_name", "name", "group"]
    extra = 0


@admin.register(ActivityCatalogue)
class ActivityCatalogueAdmin(ReferenceWritesMixin, JunkProofRelationsMixin, admin.ModelAdmin):
    list_display = ["code", "name", "legal_basis", "valid_from", "valid_to"]
    inlines = [ActivityContentInline]


@admin.register(IndicatorKind)
class IndicatorKindAdmin(ReferenceAdmin):
    list_display = ["code", "number", "name", "unit"]
    search_fields = ["code", "name"]

    def get_search_results(self, request, queryset, search_term):
        # A catalogue of a few rows without a search_text column: Django's own search.
        return admin.ModelAdmin.get_search_results(self, request, queryset, search_term)


@admin.register(ActivityContent)
class ActivityContentAdmin(ReferenceAdmin):
    list_display = ["code", "short_name", "catalogue", "group"]
    list_filter = ["catalogue"]
    list_select_related = ["catalogue", "group"]


@admin.register(SupportItem)
class SupportItemAdmin(ReferenceAdmin):
    list_display = ["code", "number", "name"]

"""Facilities, beneficiaries, payments and attachments."""

from __future__ import annotations

from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .. import caps, totals
from ..imports.exports import ExportMixin
from ..lib.formatting import money, number
from ..lists import CurrentProvinceFilter, YearFilter
from ..models import (
    Attachment,
    Beneficiary,
    Disbursement,
    Facility,
)
from .base import (
    OneTimeEntryMixin,
    ScopedAdmin,
    TotalsChangeListMixin,
    money_column,
)


@admin.register(Facility)
class FacilityAdmin(ExportMixin, ScopedAdmin):
    export_kinds = ("facilities",)
    list_display = ["name", "tax_code", "kind", "province", "commune", "industry", "workforce"]
    list_filter = [CurrentProvinceFilter, "kind", "industry"]
    list_select_related = ["province", "commune"]
    ordering = ["name", "id"]
    sortable_by = ["name"]
    province_columns = ("province",)
    autocomplete_fields = ["commune"]
    fieldsets = [
        (None, {"fields": ["name", "kind", "tax_code", "industry", "representative", "phone", "workforce"]}),
        (_("Address"), {"fields": ["province", "commune", "address", "historic_district"]}),
        (
            _("Impact (before / after support)"),
            {
                "fields": [
                    ("revenue_before", "revenue_after"),
                    ("assets_before", "assets_after"),
                    ("workers_before", "workers_after"),
                    ("products_before", "products_after"),
                    ("impact_year_before", "impact_year_after"),
                ]
            },
        ),
        (None, {"fields": ["note"]}),
    ]


@admin.register(Beneficiary)
class BeneficiaryAdmin(ExportMixin, TotalsChangeListMixin, ScopedAdmin):
    export_kinds = ("beneficiaries",)
    lock_makes_read_only = True
    search_keys_first = True
    list_display = ["facility", "project", "support_item", "support_column", "counterpart_column", "cap_exception"]
    list_filter = [CurrentProvinceFilter, YearFilter, "support_item"]
    list_select_related = ["facility", "project", "support_item"]
    ordering = ["-id"]
    sortable_by = []
    search_text_path = "facility__search_text"
    autocomplete_fields = ["project", "facility", "support_item"]

    support_column = money_column("support_amount", _("support (đồng)"))
    counterpart_column = money_column("counterpart_amount", _("counterpart funds (đồng)"))

    def get_totals(self, changelist):
        count = changelist.result_count
        sums = totals.of("beneficiaries", changelist.queryset)
        return [
            (_("beneficiaries"), number(count)),
            (_("support"), money(sums["support"])),
            (_("counterpart funds"), money(sums["counterpart"])),
        ]

    def page_notices(self, obj) -> list[str]:
        flag = caps.double_support(obj, obj.project, caps.supported_before([obj.facility_id]))
        return [flag] if flag else []


@admin.register(Disbursement)
class DisbursementAdmin(OneTimeEntryMixin, ExportMixin, TotalsChangeListMixin, ScopedAdmin):
    export_kinds = ("disbursements",)
    lock_makes_read_only = True
    search_keys_first = True
    list_display = ["paid_on", "project_code", "facility", "kind", "source", "amount_column", "voucher_number"]
    list_filter = [CurrentProvinceFilter, YearFilter, "project__plan__scheme__level", "kind", "source"]
    list_select_related = ["project", "facility"]
    search_text_path = "project__search_text"
    search_help_text = _("Search ignores accents and case; a voucher number finds its payment.")
    autocomplete_fields = ["project", "facility"]
    ordering = ["-paid_on", "-id"]
    sortable_by = ["paid_on", "amount_column"]

    amount_column = money_column("amount", _("amount (đồng)"))

    @admin.display(description=_("project"))
    def project_code(self, obj):
        return obj.project.code

    def get_search_results(self, request, queryset, search_term):
        """A voucher number ("TT-TH-KCDP-2024-01", as typed or in capitals) finds its payments; any
        other search, the payments of the đề án whose text matches."""
        term = search_term.strip()
        if term and " " not in term and any(char.isdigit() for char in term):
            by_voucher = queryset.filter(voucher_number__in={term, term.upper()})
            if by_voucher.exists():
                return by_voucher, False
        return super().get_search_results(request, queryset, search_term)

    def get_totals(self, changelist):
        sums = totals.of("disbursements", changelist.queryset)
        return [(_("number of disbursements"), number(changelist.result_count)), (_("amount"), money(sums["amount"]))]


@admin.register(Attachment)
class AttachmentAdmin(ScopedAdmin):
    list_display = ["title", "kind", "project", "plan", "uploaded_at", "file_link"]
    list_filter = ["kind"]
    list_select_related = ["project", "plan__province", "plan__scheme"]
    search_fields = ["title"]
    autocomplete_fields = ["project", "plan"]

    def get_search_results(self, request, queryset, search_term):
        return admin.ModelAdmin.get_search_results(self, request, queryset, search_term)

    @admin.display(description=_("file"))
    def file_link(self, obj):
        return format_html('<a href="{}">{}</a>', obj.file.url, _("download")) if obj.file else ""

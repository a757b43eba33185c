"""Annual plans, with their lines, outputs and attachments."""

from __future__ import annotations

import re

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .. import lifecycle, totals
from ..access import (
    sees_all_provinces,
)
from ..imports.exports import ExportMixin
from ..lib.formatting import money, percent, ratio
from ..lib.text import search_key
from ..lists import CurrentProvinceFilter, YearFilter
from ..models import (
    Plan,
    PlanLine,
    SchemeLevel,
)
from .base import (
    AttachmentInline,
    IndicatorInline,
    LabelledInlineMixin,
    ReasonForm,
    ScopedAdmin,
    ScopedChoicesMixin,
    TotalsChangeListMixin,
    money_column,
)


class PlanLineInline(LabelledInlineMixin, ScopedChoicesMixin, admin.TabularInline):
    model = PlanLine
    fields = ["content", "planned_amount", "planned_projects", "note"]
    extra = 0


class PlanAttachmentInline(AttachmentInline):
    fk_name = "plan"


class PlanIndicatorInline(IndicatorInline):
    fk_name = "plan"
    fields = ["content", "kind", "planned", "achieved", "achieved_on"]


class PlanForm(ReasonForm):
    class Meta:
        model = Plan
        fields = "__all__"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "status" in self.fields and self.current_user is not None:
            old = self.instance.status if self.instance.pk else None
            allowed = [
                value
                for value, _label in Plan.Status.choices
                if value == old or not lifecycle.plan_move_errors(self.current_user, old, value, reason="-")
            ]
            # Offer only the moves the user may make; a crafted post still gets the service's reason.
            self.fields["status"].widget.choices = [c for c in Plan.Status.choices if c[0] in allowed]


# The words a plan's level goes by in a search (accent-free, as `search_key` writes them).
PLAN_LEVEL_WORDS = {"kcqg": SchemeLevel.NATIONAL, "kcdp": SchemeLevel.LOCAL}


@admin.register(Plan)
class PlanAdmin(ExportMixin, TotalsChangeListMixin, ScopedAdmin):
    export_kinds = ("plans",)
    form = PlanForm
    list_display = [
        "__str__",
        "status",
        "decision_number",
        "decision_date",
        "planned_column",
        "project_count_column",
        "support_column",
        "disbursed_column",
        "percent_column",
    ]
    list_filter = [YearFilter, CurrentProvinceFilter, "scheme__level", "status"]
    list_select_related = ["scheme", "province"]
    search_text_path = "province__search_text"
    inlines = [PlanLineInline, PlanIndicatorInline, PlanAttachmentInline]
    fieldsets = [
        (None, {"fields": ["scheme", "province", "year", "status"]}),
        (_("Approval decision"), {"fields": ["decision_number", "decision_issuer", "decision_date"]}),
        (None, {"fields": ["note"]}),
    ]

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if self._read_only_view(request, obj):
            return fieldsets
        return [*fieldsets, (_("Reason"), {"fields": ["change_reason"]})]

    def get_search_results(self, request, queryset, search_term):
        """A plan is named by its level, province and year ("KCĐP Thanh Hóa 2024"): a year and a level
        in the words filter those columns, the other words the province's name."""
        rest = []
        for word in search_term.split():
            key = search_key(word)
            if re.fullmatch(r"(19|20)\d\d", key):
                queryset = queryset.filter(year=int(key))
            elif key in PLAN_LEVEL_WORDS:
                queryset = queryset.filter(scheme__level=PLAN_LEVEL_WORDS[key])
            else:
                rest.append(word)
        return super().get_search_results(request, queryset, " ".join(rest))

    def decorate_page(self, plans) -> None:
        """Attach each plan's figures (`programmes.totals`: two grouped queries over the page's plans only)."""
        rows = totals.of("plan_rows", plans)
        for plan in plans:
            row = rows[plan.pk]
            plan.planned_total, plan.project_count = row["planned"], row["count"]
            plan.support_total, plan.disbursed_total = row["support"], row["disbursed"]

    planned_column = money_column("planned_total", _("planned (đồng)"), sortable=False)
    support_column = money_column("support_total", _("KC support of its projects (đồng)"), sortable=False)
    disbursed_column = money_column("disbursed_total", _("disbursed to date (đồng)"), sortable=False)

    @admin.display(description=_("projects"))
    def project_count_column(self, obj):
        return obj.project_count

    @admin.display(description=_("disbursed / plan (%)"))
    def percent_column(self, obj):
        return percent(ratio(obj.disbursed_total, obj.planned_total))

    def totals_shown(self, request, changelist) -> bool:
        # A few plans, but all the nation's đề án under them: the Ministry chooses a year or a
        # province first (the start page has the year's national figures).
        narrowed = changelist.has_active_filters or changelist.query or not sees_all_provinces(request.user)
        return narrowed and super().totals_shown(request, changelist)

    def get_totals(self, changelist):
        plans = changelist.result_list
        if changelist.result_count == len(plans):
            # Every filtered plan is on this page, with its figures: add them up.
            sums = {
                "planned": sum(plan.planned_total for plan in plans),
                "support": sum(plan.support_total for plan in plans),
                "disbursed": sum(plan.disbursed_total for plan in plans),
            }
        else:
            sums = totals.of("plans", changelist.queryset)
        return [
            (_("planned"), money(sums["planned"])),
            (_("KC support of the plans' projects"), money(sums["support"])),
            (_("disbursed to date"), money(sums["disbursed"])),
            (_("disbursed / plan (%)"), percent(ratio(sums["disbursed"], sums["planned"]))),
        ]

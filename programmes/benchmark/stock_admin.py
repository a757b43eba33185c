"""The baseline the benchmark measures our lists against: a stock Django admin over the same rows.

Plain `ModelAdmin`s (Django's own change list, paginator and full counts, field filters, search with
`icontains`) whose only addition is the same read scope as ours (`for_user`), so both read the
same rows for the same user. They show the same columns; where ours computes figures (the plans'
planned, approved and disbursed amounts) the stock one annotates them, as a stock admin would.
Mounted at /stock-admin/ by `khuyencong.benchmark_urls`, which only the benchmark uses.
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Count, OuterRef, Subquery, Sum

from programmes.models import Beneficiary, Disbursement, Facility, Plan, PlanLine, Project, ProjectAdjustment


class StockAdminSite(admin.AdminSite):
    site_header = "Stock Django admin (benchmark baseline)"

    def has_permission(self, request):
        return request.user.is_active and request.user.is_staff


site = StockAdminSite(name="stock_admin")


class StockScopedAdmin(admin.ModelAdmin):
    list_per_page = 50

    def get_queryset(self, request):
        return super().get_queryset(request).for_user(request.user)


@admin.register(Project, site=site)
class StockProjectAdmin(StockScopedAdmin):
    list_display = ["code", "name", "province", "year", "content", "status", "kc_support", "disbursed_amount"]
    list_filter = ["year", "status"]
    list_select_related = ["province", "content"]
    search_fields = ["search_text"]


@admin.register(Disbursement, site=site)
class StockDisbursementAdmin(StockScopedAdmin):
    list_display = ["paid_on", "project", "facility", "kind", "source", "amount", "voucher_number"]
    list_filter = ["year", "kind", "source"]
    list_select_related = ["project", "facility"]
    search_fields = ["project__search_text"]


@admin.register(Beneficiary, site=site)
class StockBeneficiaryAdmin(StockScopedAdmin):
    list_display = ["facility", "project", "support_amount", "counterpart_amount"]
    list_filter = ["year"]
    list_select_related = ["facility", "project"]
    search_fields = ["facility__search_text"]


@admin.register(Facility, site=site)
class StockFacilityAdmin(StockScopedAdmin):
    list_display = ["name", "tax_code", "kind", "province", "commune", "industry", "workforce"]
    list_filter = ["kind", "industry"]
    list_select_related = ["province", "commune"]
    search_fields = ["search_text"]


@admin.register(Plan, site=site)
class StockPlanAdmin(StockScopedAdmin):
    """The same figures as our plan list, the way a stock admin gets them: annotations."""

    list_display = [
        "__str__",
        "status",
        "decision_number",
        "decision_date",
        "planned",
        "projects",
        "support",
        "disbursed",
    ]
    list_filter = ["year", "status"]
    list_select_related = ["scheme", "province"]
    search_fields = ["province__search_text"]

    def get_queryset(self, request):
        planned = PlanLine.objects.filter(plan=OuterRef("pk")).values("plan").annotate(s=Sum("planned_amount"))
        return (
            super()
            .get_queryset(request)
            .annotate(
                planned_total=Subquery(planned.values("s")),
                project_count=Count("projects"),
                support_total=Sum("projects__kc_support"),
                disbursed_total=Sum("projects__disbursed_amount"),
            )
        )

    @admin.display(description="planned")
    def planned(self, obj):
        return obj.planned_total

    @admin.display(description="projects")
    def projects(self, obj):
        return obj.project_count

    @admin.display(description="support")
    def support(self, obj):
        return obj.support_total

    @admin.display(description="disbursed")
    def disbursed(self, obj):
        return obj.disbursed_total


@admin.register(ProjectAdjustment, site=site)
class StockAdjustmentAdmin(StockScopedAdmin):
    list_display = ["project", "decision_number", "decision_date", "effective_on", "old_kc_support", "new_kc_support"]
    list_filter = ["year"]
    list_select_related = ["project"]
    search_fields = ["project__search_text"]

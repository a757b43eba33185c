"""Đề án (with their beneficiaries, payments, outputs, adjustments and attachments) and adjustments."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .. import allocations, caps, lifecycle, locks, services, statuses, totals
from ..access import (
    is_approver,
)
from ..imports.exports import ExportMixin
from ..lib.formatting import money, number, percent, ratio
from ..lists import CurrentProvinceFilter, LagFilter, YearFilter
from ..models import (
    Beneficiary,
    Disbursement,
    Project,
    ProjectAdjustment,
    ProjectAllocation,
    ProjectStatus,
)
from ..money import DisbursementChange, beneficiary_limit_errors, disbursement_limit_errors
from .base import (
    AttachmentInline,
    IndicatorInline,
    LabelledInlineMixin,
    OneTimeEntryMixin,
    ReasonForm,
    ScopedAdmin,
    ScopedChoicesMixin,
    ServiceErrorsForm,
    TotalsChangeListMixin,
    entry_token,
    money_column,
)


def refuse_at_rows(rows, field: str, errors: list[str]) -> None:
    """A limit broken by the rows typed: the refusal goes at the amount of each row that was typed or
    changed (where the user is looking), or above the table when only deletions broke it."""
    if not rows:
        raise ValidationError(errors)
    for form in rows:
        form.add_error(field, errors)


class LockedRowsFormSet(forms.BaseInlineFormSet):
    """A row a lock holds as it stands (`locks.held_by`) is shown read only, its "Xóa" box too: what the
    service would refuse on saving cannot be typed in the first place."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if locks.held_by(form.instance):
            for field in form.fields.values():
                field.disabled = True


class DisbursementInlineFormSet(LockedRowsFormSet):
    def save_new(self, form, commit=True):
        payment = super().save_new(form, commit=commit)
        payment.entry_token = entry_token(self.data, form.prefix)  # the row's own one-time token
        return payment

    def clean(self):
        super().clean()
        if any(self.errors) or not self.instance.pk:
            return
        project = Project.objects.get(pk=self.instance.pk)
        project.kc_support = self.instance.kc_support
        changes, rows = [], []
        for form in self.forms:
            if not form.has_changed() and form.instance.pk:
                continue
            cleaned = getattr(form, "cleaned_data", None) or {}
            if not cleaned:
                continue
            deleting = self.can_delete and self._should_delete_form(form)
            old = form.initial if form.instance.pk else {}
            changes.append(
                DisbursementChange(
                    amount=0 if deleting else cleaned.get("amount") or 0,
                    kind=cleaned.get("kind"),
                    old_amount=old.get("amount") or 0,
                    old_kind=old.get("kind"),
                )
            )
            if not deleting:
                rows.append(form)
        errors = disbursement_limit_errors(project, changes)
        if errors:
            refuse_at_rows(rows, "amount", errors)


class BeneficiaryInlineFormSet(LockedRowsFormSet):
    def clean(self):
        super().clean()
        if any(self.errors) or not self.instance.pk:
            return
        project = Project.objects.get(pk=self.instance.pk)
        total, rows = 0, []
        for form in self.forms:
            cleaned = getattr(form, "cleaned_data", None) or {}
            if cleaned and not (self.can_delete and self._should_delete_form(form)):
                total += cleaned.get("support_amount") or 0
                if form.has_changed():
                    rows.append(form)
        errors = beneficiary_limit_errors(project, total - project.beneficiary_support)
        if errors:
            refuse_at_rows(rows, "support_amount", errors)


class BeneficiaryInline(LabelledInlineMixin, ScopedChoicesMixin, admin.TabularInline):
    model = Beneficiary
    formset = BeneficiaryInlineFormSet
    fields = [
        "facility", "support_item", "eligible_cost", "technology_line", "support_amount", "counterpart_amount", "note",
    ]  # fmt: skip
    autocomplete_fields = ["facility", "support_item"]
    # The decision allowing more than the cap is recorded on the line's own page (one more column
    # would push the table past the screen).
    show_change_link = True
    extra = 0


class DisbursementInline(LabelledInlineMixin, ScopedChoicesMixin, admin.TabularInline):
    model = Disbursement
    formset = DisbursementInlineFormSet
    fields = ["paid_on", "kind", "amount", "source", "facility", "voucher_number", "note"]
    autocomplete_fields = ["facility"]
    extra = 0


class AdjustmentInline(LabelledInlineMixin, ScopedChoicesMixin, admin.TabularInline):
    model = ProjectAdjustment
    fields = [
        "decision_number",
        "decision_date",
        "effective_on",
        "old_kc_support",
        "new_kc_support",
        "old_end_date",
        "new_end_date",
        "reason",
    ]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


class AllocationInlineFormSet(forms.BaseInlineFormSet):
    """A multi-year đề án's shares by year, checked together against the đề án as typed above them
    (`allocations.share_errors`); the service stores them with the đề án (`services.project_save`)."""

    def clean(self):
        super().clean()
        self.shares = None
        if any(self.errors):
            return
        kept = [
            form
            for form in self.forms
            if getattr(form, "cleaned_data", None) and not (self.can_delete and self._should_delete_form(form))
        ]
        if not any(form.has_changed() for form in self.forms) and not self.deleted_forms:
            # The shares as stored must still fit the money typed above them.
            stored = [form.instance for form in self.forms if form.instance.pk]
            errors = allocations.share_errors(self.instance, allocations.shares_of(stored)) if stored else []
            if errors:
                raise ValidationError([*errors, _("Change the share of each year with the project's money.")])
            return
        self.shares = allocations.shares_of(
            {"year": form.cleaned_data["year"], **{name: form.cleaned_data.get(name) for name in allocations.MONEY}}
            for form in kept
        )
        errors = allocations.share_errors(self.instance, self.shares)
        if errors:
            raise ValidationError(errors)


class AllocationInline(LabelledInlineMixin, ScopedChoicesMixin, admin.TabularInline):
    """The shares by year of a đề án "giai đoạn": none for a đề án of one year. Read only once approved
    (an adjustment decision changes them)."""

    model = ProjectAllocation
    formset = AllocationInlineFormSet
    fields = ["year", "kc_support", "counterpart_funds", "other_funds"]
    extra = 0
    verbose_name = _("share of a year (multi-year project)")
    verbose_name_plural = _("shares by year (multi-year project: one row a year from the plan's year)")

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and not _money_locked(obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not _money_locked(obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not _money_locked(obj)


class ProjectIndicatorInline(IndicatorInline):
    fk_name = "project"


class ProjectAttachmentInline(AttachmentInline):
    fk_name = "project"


class ProjectForm(ReasonForm):
    class Meta:
        model = Project
        fields = "__all__"
        widgets = {"name": forms.Textarea(attrs={"rows": 2, "cols": 80})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "status" in self.fields and self.current_user is not None:
            stored = _stored_project(self.instance)
            allowed = lifecycle.project_targets(
                self.current_user,
                stored.status if stored else None,
                paid=stored.disbursed_amount if stored else 0,
            )
            # Offer only the moves the user may make; a crafted post still gets the service's reason.
            self.fields["status"].widget.choices = [c for c in ProjectStatus.choices if c[0] in allowed]


def _stored_project(project: Project) -> Project | None:
    """Return the đề án as loaded from the database (before a posted form changed the instance)."""
    if not project.pk:
        return None
    cached = getattr(project, "_stored_copy", None)
    if cached is None:
        cached = project._stored_copy = Project.objects.get(pk=project.pk)
    return cached


# After approval these change only through an adjustment decision; shown read-only, grouped.
MONEY_AFTER_APPROVAL = {
    "kc_support": "kc_support_display",
    "counterpart_funds": "counterpart_funds_display",
    "other_funds": "other_funds_display",
    "end_date": "end_date",
}


# What a report printed of a đề án it listed (reports.locks.PROJECT_REPORTED): read only while the
# report's period is locked.
REPORTED_FIELDS = [
    "plan", "name", "content", "is_group", "implementing_unit", "commune", "location",
    "decision_number", "start_date", "end_date",
]  # fmt: skip


def _money_locked(obj) -> bool:
    stored = _stored_project(obj) if obj is not None else None
    return stored is not None and stored.status in statuses.DECIDED


PAYMENT_HISTORY_ROWS = 200  # a đề án has a few payments; its history page lists at most these changes


@admin.register(Project)
class ProjectAdmin(OneTimeEntryMixin, ExportMixin, TotalsChangeListMixin, ScopedAdmin):
    export_kinds = ("projects", "indicators")
    form = ProjectForm
    list_display = [
        "code",
        "name_column",
        "province_column",
        "year_column",
        "content_column",
        "status",
        "support_column",
        "disbursed_column",
        "percent_column",
    ]
    list_display_links = ["code"]
    list_filter = [
        CurrentProvinceFilter,
        YearFilter,
        "plan__scheme__level",
        "content",
        "status",
        "is_group",
        LagFilter,
    ]
    list_select_related = ["province", "content"]
    # Newest year first, newest entered first within it; each sortable column has its index
    # (models.Project.Meta.indexes), for one province and for the nation.
    ordering = ["-year", "-id"]
    sortable_by = ["code", "year_column", "support_column", "disbursed_column"]
    province_columns = ("province_column",)
    autocomplete_fields = ["plan", "implementing_unit", "cooperating_units", "commune"]
    readonly_fields = ["disbursed_amount_display", "beneficiary_support_display", "total_cost_display"]
    inlines = [
        BeneficiaryInline,
        DisbursementInline,
        AdjustmentInline,
        AllocationInline,
        ProjectIndicatorInline,
        ProjectAttachmentInline,
    ]
    fieldsets = [
        (None, {"fields": ["plan", "code", "name", "content", "is_group"]}),
        (
            _("Units and location"),
            {"fields": ["implementing_unit", "cooperating_units", "commune", "location", "historic_district"]},
        ),
        (_("Approval decision"), {"fields": ["decision_number", "decision_issuer", "decision_date"]}),
        (
            _("Money (đồng)"),
            {
                "fields": [
                    "kc_support",
                    "counterpart_funds",
                    "other_funds",
                    "total_cost_display",
                    "beneficiary_support_display",
                    "disbursed_amount_display",
                ]
            },
        ),
        (
            _("Lifecycle"),
            {
                "fields": [
                    "status",
                    "start_date",
                    "end_date",
                    "registered_on",
                    "appraised_on",
                    "contracted_on",
                    "started_on",
                    "accepted_on",
                    "settled_on",
                    "stopped_on",
                    "stop_reason",
                ]
            },
        ),
        (None, {"fields": ["note"]}),
    ]

    def _create_formsets(self, request, obj, change):
        formsets, inline_instances = super()._create_formsets(request, obj, change)
        request._allocation_formset = next(
            (formset for formset in formsets if isinstance(formset, AllocationInlineFormSet)), None
        )
        return formsets, inline_instances

    def save_model(self, request, obj, form, change):
        # The đề án and its shares by year in one call of the service: its money and its shares
        # change together.
        formset = getattr(request, "_allocation_formset", None)
        services.project_save(
            project=obj,
            user=request.user,
            reason=form.cleaned_data.get("change_reason", ""),
            allocations=getattr(formset, "shares", None),
        )

    def save_formset(self, request, form, formset, change):
        if isinstance(formset, AllocationInlineFormSet):
            # Stored by `save_model`; the change message of the history names none of its rows.
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
            return
        super().save_formset(request, form, formset, change)

    def page_notices(self, obj) -> list[str]:
        # A facility supported for the same content on another approved đề án (TTLT 26/2014 Điều 7.4):
        # flagged, as in an import's preview, not refused.
        lines = list(obj.beneficiaries.select_related("facility"))
        supported = caps.supported_before(line.facility_id for line in lines) if lines else {}
        return [flag for line in lines if (flag := caps.double_support(line, obj, supported))]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if _money_locked(obj):
            fields += [name for name in MONEY_AFTER_APPROVAL.values() if name not in fields]
        if locks.held_by(obj):
            fields += [name for name in REPORTED_FIELDS if name not in fields]
        return fields

    object_history_template = "admin/programmes/project/object_history.html"

    def history_view(self, request, object_id, extra_context=None):
        """The đề án's history, then its payments' and its shares by year's (entered, changed,
        deleted), newest first: they are part of what happened to the đề án."""
        self._require_in_scope(request, object_id)  # a number, of a đề án the user sees
        payments = (
            Disbursement.history.filter(project_id=object_id).select_related("history_user").order_by("-history_date")
        )
        shares = (
            ProjectAllocation.history.filter(project_id=object_id)
            .select_related("history_user")
            .order_by("-history_date")
        )
        context = {
            "payment_history": payments[:PAYMENT_HISTORY_ROWS],
            "payment_history_rows": PAYMENT_HISTORY_ROWS,
            "share_history": shares[:PAYMENT_HISTORY_ROWS],
        }
        return super().history_view(request, object_id, {**context, **(extra_context or {})})

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if _money_locked(obj):
            fieldsets = [
                (title, {**options, "fields": [MONEY_AFTER_APPROVAL.get(name, name) for name in options["fields"]]})
                for title, options in fieldsets
            ]
        if not self._read_only_view(request, obj):
            fieldsets = [*fieldsets, (_("Reason"), {"fields": ["change_reason"]})]
        return fieldsets

    kc_support_display = money_column("kc_support", _("KC support (đồng)"))
    counterpart_funds_display = money_column("counterpart_funds", _("counterpart funds (đồng)"))
    other_funds_display = money_column("other_funds", _("other funds (đồng)"))
    beneficiary_support_display = money_column("beneficiary_support", _("support allotted to beneficiaries (đồng)"))
    disbursed_amount_display = money_column("disbursed_amount", _("disbursed (đồng)"))

    @admin.display(description=_("name"), ordering="name")
    def name_column(self, obj):
        name = obj.name if len(obj.name) <= 90 else obj.name[:87] + "…"
        return format_html('<span class="project-name">{}</span>', name)

    @admin.display(description=_("province / city"))
    def province_column(self, obj):
        return obj.province

    @admin.display(description=_("activity content"), ordering="content__code")
    def content_column(self, obj):
        return format_html('<span title="{}">{}</span>', obj.content.name, obj.content.code)

    @admin.display(description=_("year"), ordering="year")
    def year_column(self, obj):
        # A multi-year đề án shows its years (it is filed, filtered and sorted under the first).
        return f"{obj.year}–{obj.final_year}" if obj.final_year else obj.year

    @admin.display(description=_("total cost (đồng)"))
    def total_cost_display(self, obj):
        return money(obj.total_cost)

    support_column = money_column("kc_support", _("approved KC support (đồng)"))
    disbursed_column = money_column("disbursed_amount", _("disbursed (đồng)"))

    @admin.display(description=_("disbursed (%)"))
    def percent_column(self, obj):
        return percent(obj.disbursed_ratio)

    def get_totals(self, changelist):
        sums = totals.of("projects", changelist.queryset)
        return [
            (_("projects"), number(changelist.result_count)),
            (_("KC support of the listed projects"), money(sums["support"])),
            (_("counterpart funds"), money(sums["counterpart"])),
            (_("disbursed to date"), money(sums["disbursed"])),
            (_("disbursed to date of their KC support (%)"), percent(ratio(sums["disbursed"], sums["support"]))),
        ]


class AdjustmentForm(ServiceErrorsForm):
    class Meta:
        model = ProjectAdjustment
        fields = [
            "project",
            "decision_number",
            "decision_issuer",
            "decision_date",
            "effective_on",
            "reason",
            "new_kc_support",
            "new_counterpart_funds",
            "new_other_funds",
            "new_end_date",
        ]

    def _post_clean(self):
        # The old values are read from the project when the adjustment is recorded.
        project = self.cleaned_data.get("project")
        if project is not None:
            self.instance.old_kc_support = project.kc_support
            self.instance.old_counterpart_funds = project.counterpart_funds
            self.instance.old_other_funds = project.other_funds
            self.instance.old_end_date = project.end_date
        super()._post_clean()


@admin.register(ProjectAdjustment)
class ProjectAdjustmentAdmin(ScopedAdmin):
    form = AdjustmentForm
    list_display = [
        "project",
        "decision_number",
        "decision_date",
        "effective_on",
        "old_kc_support_column",
        "new_kc_support_column",
    ]
    list_filter = [CurrentProvinceFilter, YearFilter]
    list_select_related = ["project"]
    search_text_path = "project__search_text"
    autocomplete_fields = ["project"]
    ordering = ["-effective_on", "-id"]
    sortable_by = ["effective_on"]

    old_kc_support_column = money_column("old_kc_support", _("KC support before (đồng)"))
    new_kc_support_column = money_column("new_kc_support", _("KC support after (đồng)"))

    def get_fields(self, request, obj=None):
        if obj is None:
            return self.form.Meta.fields
        return [
            "project",
            "decision_number",
            "decision_issuer",
            "decision_date",
            "effective_on",
            "reason",
            "old_kc_support",
            "new_kc_support",
            "old_counterpart_funds",
            "new_counterpart_funds",
            "old_other_funds",
            "new_other_funds",
            "old_end_date",
            "new_end_date",
        ]

    def has_add_permission(self, request):
        # Adjusting an approved đề án is a manager's decision.
        return super().has_add_permission(request) and is_approver(request.user)

    def has_change_permission(self, request, obj=None):
        # An adjustment is a decision on record: correct it with a further adjustment.
        return False if obj is not None else super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        project = Project.objects.for_user(request.user).filter(pk=request.GET.get("project") or 0).first()
        if project:
            initial.update(
                new_kc_support=project.kc_support,
                new_counterpart_funds=project.counterpart_funds,
                new_other_funds=project.other_funds,
                new_end_date=project.end_date,
            )
        return initial

    def save_model(self, request, obj, form, change):
        adjustment = services.project_adjust(
            project=obj.project,
            decision_number=obj.decision_number,
            decision_issuer=obj.decision_issuer,
            decision_date=obj.decision_date,
            effective_on=obj.effective_on,
            reason=obj.reason,
            kc_support=obj.new_kc_support,
            counterpart_funds=obj.new_counterpart_funds,
            other_funds=obj.new_other_funds,
            end_date=obj.new_end_date,
            user=request.user,
        )
        obj.pk = adjustment.pk

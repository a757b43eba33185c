"""The Django admin, in Vietnamese, scoped by province on every path.

`ScopedAdmin` filters the changelist, the change/delete/history URLs (all go through
get_queryset), the foreign-key and many-to-many choices, the related-only list filters and the
autocomplete results (which ask the related model's admin). Writes go through the services.
"""

from __future__ import annotations

import datetime
import uuid
from types import MethodType

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.actions import delete_selected as django_delete_selected
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.utils import flatten_fieldsets, model_ngettext
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import NON_FIELD_ERRORS, ImproperlyConfigured, PermissionDenied, ValidationError
from django.db import connection, models, transaction
from django.db.models import BigIntegerField, BooleanField, F, Func, TextField, Value
from django.db.models.functions import Concat
from django.http import Http404, HttpResponseRedirect
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext, gettext_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin
from simple_history.template_utils import HistoricalRecordContextHelper

from . import lifecycle, services, statuses, totals
from .access import (
    is_approver,
    may_enter_provincial_data,
    may_write_in_province,
    sees_all_provinces,
)
from .forms import (
    JunkProofAutocompleteSelect,
    JunkProofAutocompleteSelectMultiple,
    JunkProofModelMultipleChoiceField,
    MoneyField,
    MoneyInput,
    TextRuleMixin,
    text_validator,
)
from .imports.exports import ExportMixin
from .lib.formatting import money, number, percent, ratio
from .lib.text import search_key
from .lists import CurrentProvinceFilter, ListsForRoleMixin, RegisterChangeList, YearFilter
from .models import (
    ActivityCatalogue,
    ActivityContent,
    Attachment,
    Beneficiary,
    Commune,
    Disbursement,
    Facility,
    Indicator,
    IndicatorKind,
    Organisation,
    Plan,
    PlanLine,
    Project,
    ProjectAdjustment,
    ProjectStatus,
    Province,
    Scheme,
    UserProfile,
)
from .money import DisbursementChange, beneficiary_limit_errors, disbursement_limit_errors

admin.site.site_header = _("Industry promotion tracker")
admin.site.site_title = _("Industry promotion")
admin.site.index_title = _("Industry promotion data")
# The start page and the breadcrumbs lead to every list; the side menu took a fifth of a laptop
# screen from the money columns.
admin.site.enable_nav_sidebar = False


# --- Shared pieces ------------------------------------------------------------------------------


RELATED_SEARCH_KEYS = 10_000


class InKeyArray(Func):
    """`column = ANY('{1,2,3}'::bigint[])`: keys as one array constant, which PostgreSQL hashes and
    counts (a list of parameters takes long to plan and is misjudged). PostgreSQL only."""

    arg_joiner = " = ANY("
    template = "%(expressions)s::bigint[])"
    output_field = BooleanField()

    def __init__(self, column, keys):
        super().__init__(column, Value("{" + ",".join(str(int(key)) for key in keys) + "}"))


class AccentInsensitiveSearchMixin:
    """Search a stored accent-free key, so "quang nam" finds "Quảng Nam" on SQLite and PostgreSQL."""

    search_fields = ["search_text"]
    search_text_path = "search_text"
    search_help_text = _("Search ignores accents and case.")
    # For a search through a related row on a big table (payments, beneficiaries): read the
    # matching related keys first. A small table (adjustments, plans) joins them directly.
    search_keys_first = False

    def get_search_results(self, request, queryset, search_term):
        words = search_key(search_term).split()
        if not words:
            return queryset, False
        relation, _sep, column = self.search_text_path.rpartition("__")
        if not relation:
            return self.matching(request, queryset, column, words), False
        # Text on a related row (a payment's đề án, a beneficiary's facility): find the matching
        # related rows the user may see first, then theirs, so each side uses its own index.
        related = queryset.model._meta.get_field(relation).related_model
        matches = self.matching(request, related.objects.for_user(request.user), column, words)
        if connection.vendor == "postgresql" and self.search_keys_first:
            # Up to some thousands of matching keys go as one array, whose size PostgreSQL knows:
            # it walks the list's own index keeping the rows of those keys, where a subquery it
            # misjudges would join and sort them all (and a list of parameters takes long to plan).
            keys = list(matches.values_list("pk", flat=True)[: RELATED_SEARCH_KEYS + 1])
            if len(keys) <= RELATED_SEARCH_KEYS:
                return queryset.filter(InKeyArray(F(relation), keys)), False
        return queryset.filter(**{f"{relation}__in": matches.values("pk")}), False

    @staticmethod
    def matching(request, queryset, column: str, words: list[str]):
        if not sees_all_provinces(request.user) and hasattr(queryset.model, "province_path"):
            # One province's rows are few (at most some 10.000): reading them is cheaper than the
            # national trigram index, which PostgreSQL overrates for short common words ("may",
            # "moc"). An expression over the column (a cheap one: the key is lower case already)
            # keeps the planner on the province's index.
            queryset = queryset.alias(search_in_province=Concat(column, Value(""), output_field=TextField()))
            column = "search_in_province"
        for word in words:
            queryset = queryset.filter(**{f"{column}__contains": word})
        return queryset


class HistoryValues(HistoricalRecordContextHelper):
    """Show history values as users read them: labels for codes, dd/mm/yyyy, 1.234.567, a dash for empty."""

    def prepare_delta_change_value(self, change, value):
        value = super().prepare_delta_change_value(change, value)
        field = self.model._meta.get_field(change.field)
        if value is None or value == "":
            return "–"
        if getattr(field, "choices", None):
            return dict(field.flatchoices).get(value, value)
        if isinstance(value, bool):
            return gettext("Yes") if value else gettext("No")
        if isinstance(value, datetime.date):
            return date_format(value, "SHORT_DATE_FORMAT")
        if isinstance(field, BigIntegerField) and isinstance(value, int):
            return money(value)
        return value


class ServiceErrorsForm(forms.ModelForm):
    """A form that shows the errors a service raised on the last attempt to save it.

    The admin validates the form, then hands the object to a service. When the service refuses
    (a rule only the locked, current row can show, a role or lifecycle rule), the admin renders
    the same posted form again with these errors on their fields, keeping what the user typed.
    """

    current_user = None
    service_errors: ValidationError | None = None

    def clean(self):
        cleaned = super().clean()
        if self.service_errors is not None:
            self.add_error(None, self._onto_form(self.service_errors))
        return cleaned

    def _update_errors(self, errors):
        # The model's clean() may name a field this form does not show (read-only after approval).
        super()._update_errors(self._onto_form(errors))

    def _onto_form(self, errors: ValidationError) -> ValidationError:
        """Keep errors on the fields the form shows; name the others in the errors of the whole form."""
        if not hasattr(errors, "error_dict"):
            return errors
        placed: dict[str, list] = {}
        for field, field_errors in errors.error_dict.items():
            if field in self.fields or field == NON_FIELD_ERRORS:
                placed.setdefault(field, []).extend(field_errors)
                continue
            label = _field_label(self._meta.model, field)
            placed.setdefault(NON_FIELD_ERRORS, []).extend(
                ValidationError(f"{label}: {' '.join(error.messages)}") for error in field_errors
            )
        return ValidationError(placed)


def _field_label(model, name: str) -> str:
    try:
        return str(model._meta.get_field(name).verbose_name).capitalize()
    except Exception:
        return name


class JunkProofRelationsMixin:
    """Relation fields that answer junk ids ("abc", 99999999999999999999) with a form error, never a 500."""

    def get_changelist(self, request, **kwargs):
        return RegisterChangeList

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = JunkProofAutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = JunkProofAutocompleteSelectMultiple(db_field, self.admin_site, using=kwargs.get("using"))
        kwargs.setdefault("form_class", JunkProofModelMultipleChoiceField)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class LabelledInlineMixin:
    """Name each input of a table of inline rows after its column, for screen readers (the
    column header is not a label)."""

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)

        class LabelledFormSet(formset):
            def add_fields(self, form, index):
                super().add_fields(form, index)  # adds the "delete" box
                for field in form.fields.values():
                    widget = field.widget
                    while hasattr(widget, "widget"):  # the related-object links wrap the input
                        widget = widget.widget
                    widget.attrs.setdefault("aria-label", str(field.label))

        return LabelledFormSet


class ScopedChoicesMixin(JunkProofRelationsMixin):
    """Offer (and accept) only the related objects the user may see, in admins and inlines alike.

    Amounts (whole đồng) are typed and shown grouped: 300.000.000, in forms and read-only views.
    """

    # The widget too: the admin's default for big integers (a number input) would win over the field's.
    formfield_overrides = {BigIntegerField: {"form_class": MoneyField, "widget": MoneyInput}}

    def _scoped_choices(self, request, model, queryset=None):
        queryset = queryset if queryset is not None else model._default_manager.all()
        if hasattr(queryset, "for_user"):
            queryset = queryset.for_user(request.user)
        return queryset

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        kwargs["queryset"] = self._scoped_choices(request, db_field.related_model, kwargs.get("queryset"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        kwargs["queryset"] = self._scoped_choices(request, db_field.related_model, kwargs.get("queryset"))
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    # --- Money shown grouped where it is read only ---

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.money_fields = {
            f.name for f in self.model._meta.concrete_fields if isinstance(f, BigIntegerField) and not f.primary_key
        }
        for name in self.money_fields:
            display = f"{name}_display"
            if not hasattr(self, display):
                field = self.model._meta.get_field(name)
                setattr(self, display, MethodType(money_column(name, field.verbose_name), self))

    def _display_names(self, names):
        return [f"{name}_display" if name in self.money_fields else name for name in names]

    def _read_only_view(self, request, obj) -> bool:
        return getattr(request, "_history_read_only", False) or not self.has_change_permission(request, obj)

    def get_readonly_fields(self, request, obj=None):
        declared = list(super().get_readonly_fields(request, obj))
        if self._read_only_view(request, obj):
            # Everything shown is read only (and excluded from the form), money grouped.
            if self.fieldsets:
                shown = flatten_fieldsets(self.fieldsets)
            elif self.fields:
                shown = list(self.fields)
            else:
                shown = [
                    f.name
                    for f in self.model._meta.get_fields()
                    if (f.concrete or f.many_to_many) and not f.auto_created and getattr(f, "editable", False)
                ]
            return self._display_names([*shown, *(name for name in declared if name not in shown)])
        return self._display_names(declared)

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        readonly = set(super().get_readonly_fields(request, obj))
        if self._read_only_view(request, obj):
            return self._display_names(fields)
        return [f"{n}_display" if n in self.money_fields and n in readonly else n for n in fields]


class ScopedAdmin(ListsForRoleMixin, ScopedChoicesMixin, AccentInsensitiveSearchMixin, SimpleHistoryAdmin):
    """Admin whose every path is limited to what the user may see, and every write to what they may change.

    Reads use the read scope (`for_user`); add, change and delete ask the write rule
    (`access.may_write_in_province`); every save and delete goes through a service, whose
    refusals come back as errors on the form. History pages only show past versions.
    """

    list_per_page = 50
    show_full_result_count = False  # one bounded count of the filtered rows (lists.CappedPaginator)
    show_facets = admin.ShowFacets.NEVER  # a count per filter choice would scan the nation
    form = ServiceErrorsForm
    actions = ["delete_selected"]

    def get_queryset(self, request):
        return super().get_queryset(request).for_user(request.user)

    def action_checkbox(self, obj):
        # Django's checkbox, written out: rendering a widget template for each row took a third of a list's time.
        label = format_html(gettext("Select this object for an action - {}"), str(obj))
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
            ACTION_CHECKBOX_NAME,
            obj.pk,
            label,
        )

    # --- The write rule ---

    def has_add_permission(self, request):
        return super().has_add_permission(request) and may_enter_provincial_data(request.user)

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        return obj is None or may_write_in_province(request.user, services._province_id(obj))

    def has_delete_permission(self, request, obj=None):
        if not super().has_delete_permission(request, obj):
            return False
        return obj is None or may_write_in_province(request.user, services._province_id(obj))

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if not self._read_only_view(request, obj):
            return fieldsets
        return [
            (title, {**options, "fields": self._display_fieldset(options["fields"])}) for title, options in fieldsets
        ]

    def _display_fieldset(self, fields):
        return [
            tuple(self._display_names(f)) if isinstance(f, (list, tuple)) else self._display_names([f])[0]
            for f in fields
        ]

    # --- Every write through a service ---

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        attrs = {"current_user": request.user, "service_errors": getattr(request, "_service_errors", None)}
        return type(form.__name__, (form,), attrs)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if object_id is not None and not _is_id(object_id):
            raise Http404
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except (ValidationError, PermissionDenied) as exc:
            if request.method != "POST" or (isinstance(exc, PermissionDenied) and not exc.args):
                raise
            # The service refused what the form accepted; everything was rolled back. Show the
            # same posted form again, with the service's errors on it.
            request._service_errors = exc if isinstance(exc, ValidationError) else ValidationError(str(exc))
            for upload in request.FILES.values():
                upload.seek(0)
            return super().changeform_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        raise ImproperlyConfigured(f"{type(self).__name__} must save through a service")

    def delete_model(self, request, obj):
        services.DELETE_SERVICES[type(obj)](obj, request.user)

    def delete_view(self, request, object_id, extra_context=None):
        if not _is_id(object_id):
            raise Http404
        try:
            with transaction.atomic():
                return super().delete_view(request, object_id, extra_context)
        except ValidationError as exc:
            for message in exc.messages:
                self.message_user(request, message, messages.ERROR)
            return HttpResponseRedirect(request.path)

    def delete_queryset(self, request, queryset):
        """Delete each selected row through its service, all or none."""
        with transaction.atomic():
            for obj in queryset:
                services.DELETE_SERVICES[type(obj)](obj, request.user)

    @admin.action(permissions=["delete"], description=gettext_lazy("Delete selected %(verbose_name_plural)s"))
    def delete_selected(self, request, queryset):
        if request.POST.get("post"):
            try:
                count = len(queryset)
                self.delete_queryset(request, queryset)
            except (ValidationError, PermissionDenied) as exc:
                text = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
                self.message_user(request, _("Nothing was deleted: %(reason)s") % {"reason": text}, messages.ERROR)
                return None
            self.message_user(
                request,
                _("Deleted %(count)d %(items)s.") % {"count": count, "items": model_ngettext(self.opts, count)},
                messages.SUCCESS,
            )
            return None
        return django_delete_selected(self, request, queryset)

    def save_formset(self, request, form, formset, change):
        """Save inline rows through their services (deletions first, then changes and additions)."""
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            services.DELETE_SERVICES[type(obj)](obj, request.user)
        for obj in instances:
            self.save_inline(request, obj)
        formset.save_m2m()

    def save_inline(self, request, obj):
        raise ImproperlyConfigured(f"{type(self).__name__} has no service for inline {type(obj).__name__}")

    # --- History: read only, for every role ---

    def get_historical_record_context_helper(self, request, historical_record):
        return HistoryValues(self.model, historical_record)

    def _require_in_scope(self, request, object_id) -> None:
        # simple-history falls back to the last historical record when get_queryset misses,
        # which would show another province's object: refuse instead. Users who see every
        # province may still read the history of a deleted object.
        if not _is_id(object_id):
            raise Http404
        if sees_all_provinces(request.user):
            return
        if not self.get_queryset(request).filter(pk=object_id).exists():
            raise Http404

    def history_view(self, request, object_id, extra_context=None):
        self._require_in_scope(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        """Show a past version, read only. Posting to it changes nothing, for every role."""
        if request.method != "GET":
            raise PermissionDenied
        self._require_in_scope(request, object_id)
        if not _is_id(version_id):
            raise Http404
        request._history_read_only = True
        context = {"has_change_permission": False, "has_delete_permission": False, "revert_disabled": True}
        return super().history_form_view(request, object_id, version_id, {**context, **(extra_context or {})})


ENTRY_TOKEN = "entry_token"


def entry_token(data, row: str = "") -> uuid.UUID | None:
    """The one-time token a posted form carried (None when absent or junk); each inline row its own, derived."""
    try:
        token = uuid.UUID(str(data.get(ENTRY_TOKEN, "")))
    except ValueError:
        return None
    return uuid.uuid5(token, row) if row else token


class OneTimeEntryMixin:
    """A form that enters payments carries a one-time token, so that posting it twice saves once.

    A double-click, a reload or two tabs post the same token; the payment service reads it under
    the đề án's lock and returns the payment the first post wrote (`services.disbursements_create`).
    A refused form shown again keeps its token: nothing was written with it.
    """

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        token = (entry_token(request.POST) if request.method == "POST" else None) or uuid.uuid4()
        extra_context = {**(extra_context or {}), "entry_token": token}
        return super().changeform_view(request, object_id, form_url, extra_context)


def _is_id(value) -> bool:
    return str(value).isascii() and str(value).isdigit() and len(str(value)) < 19


class ReferenceWritesMixin:
    """National reference data: readable by every role, written by administrators through the service."""

    def save_model(self, request, obj, form, change):
        services.reference_save(instance=obj, user=request.user)

    def delete_model(self, request, obj):
        services.reference_delete(instance=obj, user=request.user)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for obj in queryset:
                services.reference_delete(instance=obj, user=request.user)

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            services.reference_delete(instance=obj, user=request.user)
        for obj in instances:
            services.reference_save(instance=obj, user=request.user)
        formset.save_m2m()


class ReferenceAdmin(ReferenceWritesMixin, JunkProofRelationsMixin, AccentInsensitiveSearchMixin, admin.ModelAdmin):
    """Reference data: readable by every role, changed by administrators only."""

    list_per_page = 100

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        match = request.resolver_match
        if match and match.url_name == "autocomplete" and hasattr(queryset, "for_user"):
            # In a form, offer only what the user may choose.
            queryset = queryset.for_user(request.user)
        return queryset


class TotalsChangeListMixin:
    """Show the totals of the filtered rows under the changelist (one aggregate query).

    Only when every filtered row was counted (at most `lists.count_limit()`): above that the page
    asks to narrow the list instead of scanning the nation on each view.
    """

    change_list_template = "admin/programmes/change_list_with_totals.html"

    def get_totals(self, changelist) -> list[tuple[str, str]]:
        """Label and value of each total over `changelist.queryset` (`result_count` rows)."""
        return []

    def decorate_page(self, rows) -> None:
        """Add figures to the rows of the page (a constant number of queries, for these rows only)."""

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        context = getattr(response, "context_data", None) or {}
        changelist = context.get("cl")
        if changelist is not None:
            self.decorate_page(changelist.result_list)
            if self.totals_shown(request, changelist):
                response.context_data["totals"] = self.get_totals(changelist)
            else:
                response.context_data["totals_wait"] = True
        return response

    def totals_shown(self, request, changelist) -> bool:
        return not changelist.count_capped


def money_column(field: str, description, sortable: bool = True):
    @admin.display(description=description, ordering=field if sortable else None)
    def column(self, obj):
        return money(getattr(obj, field))

    return column


# --- Reference data ---------------------------------------------------------------------------


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

    def save_model(self, request, obj, form, change):
        services.organisation_save(organisation=obj, user=request.user)


@admin.register(Scheme)
class SchemeAdmin(ScopedAdmin):
    list_display = ["code", "name", "level", "province", "start_year", "end_year", "legal_basis"]
    list_filter = ["level", CurrentProvinceFilter]
    list_select_related = ["province"]

    def has_add_permission(self, request):
        return super().has_add_permission(request) and is_approver(request.user)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and is_approver(request.user)

    def save_model(self, request, obj, form, change):
        services.scheme_save(scheme=obj, user=request.user)


# --- Plans ------------------------------------------------------------------------------------


class PlanLineInline(LabelledInlineMixin, ScopedChoicesMixin, admin.TabularInline):
    model = PlanLine
    fields = ["content", "planned_amount", "planned_projects", "note"]
    extra = 0


class AttachmentInline(LabelledInlineMixin, ScopedChoicesMixin, admin.TabularInline):
    model = Attachment
    fields = ["kind", "title", "file", "uploaded_at"]
    readonly_fields = ["uploaded_at"]
    extra = 0


class PlanAttachmentInline(AttachmentInline):
    fk_name = "plan"


class IndicatorInline(LabelledInlineMixin, ScopedChoicesMixin, admin.TabularInline):
    """Planned and achieved outputs (chỉ tiêu): of a đề án, or of a plan's lines."""

    model = Indicator
    fields = ["kind", "planned", "achieved", "achieved_on"]
    extra = 0
    # Counts typed like the amounts: a text box with a numeric keyboard, no spinner that a wheel changes.
    formfield_overrides = {models.PositiveIntegerField: {"widget": forms.TextInput(attrs={"inputmode": "numeric"})}}
    verbose_name = _("output indicator")
    verbose_name_plural = _("outputs (chỉ tiêu)")


class PlanIndicatorInline(IndicatorInline):
    fk_name = "plan"
    fields = ["content", "kind", "planned", "achieved", "achieved_on"]


class ProjectIndicatorInline(IndicatorInline):
    fk_name = "project"


class ReasonForm(ServiceErrorsForm):
    """A form with a box for the reason of a change, kept in the history (needed to go back a step)."""

    change_reason = forms.CharField(
        label=_("Reason for the change"),
        required=False,
        max_length=300,
        help_text=_("Needed to take back an approval, stop or re-open; kept in the history."),
        validators=[text_validator()],
    )


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

    def save_model(self, request, obj, form, change):
        services.plan_save(plan=obj, user=request.user, reason=form.cleaned_data.get("change_reason", ""))

    def save_inline(self, request, obj):
        if isinstance(obj, PlanLine):
            services.plan_line_save(line=obj, user=request.user)
        elif isinstance(obj, Indicator):
            services.indicator_save(indicator=obj, user=request.user)
        else:
            services.attachment_save(attachment=obj, user=request.user)


# --- Projects ---------------------------------------------------------------------------------


class DisbursementInlineFormSet(forms.BaseInlineFormSet):
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
        changes = []
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
        errors = disbursement_limit_errors(project, changes)
        if errors:
            raise ValidationError(errors)


class BeneficiaryInlineFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        if any(self.errors) or not self.instance.pk:
            return
        project = Project.objects.get(pk=self.instance.pk)
        total = 0
        for form in self.forms:
            cleaned = getattr(form, "cleaned_data", None) or {}
            if cleaned and not (self.can_delete and self._should_delete_form(form)):
                total += cleaned.get("support_amount") or 0
        errors = beneficiary_limit_errors(project, total - project.beneficiary_support)
        if errors:
            raise ValidationError(errors)


class BeneficiaryInline(LabelledInlineMixin, ScopedChoicesMixin, admin.TabularInline):
    model = Beneficiary
    formset = BeneficiaryInlineFormSet
    fields = ["facility", "support_amount", "counterpart_amount", "note"]
    autocomplete_fields = ["facility"]
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


def _money_locked(obj) -> bool:
    stored = _stored_project(obj) if obj is not None else None
    return stored is not None and stored.status in statuses.DECIDED


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
    ]
    list_select_related = ["province", "content"]
    # Newest year first, newest entered first within it; each sortable column has its index
    # (models.Project.Meta.indexes), for one province and for the nation.
    ordering = ["-year", "-id"]
    sortable_by = ["code", "year_column", "support_column", "disbursed_column"]
    province_columns = ("province_column",)
    autocomplete_fields = ["plan", "implementing_unit", "cooperating_units", "commune"]
    readonly_fields = ["disbursed_amount_display", "beneficiary_support_display", "total_cost_display"]
    inlines = [BeneficiaryInline, DisbursementInline, AdjustmentInline, ProjectIndicatorInline, ProjectAttachmentInline]
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

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if _money_locked(obj):
            fields += [name for name in MONEY_AFTER_APPROVAL.values() if name not in fields]
        return fields

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
        return obj.year

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

    def save_model(self, request, obj, form, change):
        services.project_save(project=obj, user=request.user, reason=form.cleaned_data.get("change_reason", ""))

    def save_inline(self, request, obj):
        if isinstance(obj, Disbursement):
            if obj.pk:
                services.disbursement_update(disbursement=obj, user=request.user)
            else:
                services.disbursement_create(
                    project=obj.project,
                    paid_on=obj.paid_on,
                    amount=obj.amount,
                    source=obj.source,
                    kind=obj.kind,
                    facility=obj.facility,
                    voucher_number=obj.voucher_number,
                    note=obj.note,
                    entry_token=obj.entry_token,
                    user=request.user,
                )
        elif isinstance(obj, Beneficiary):
            services.beneficiary_save(beneficiary=obj, user=request.user)
        elif isinstance(obj, Indicator):
            services.indicator_save(indicator=obj, user=request.user)
        else:
            services.attachment_save(attachment=obj, user=request.user)


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


# --- Facilities, beneficiaries, disbursements ---------------------------------------------------


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
                ]
            },
        ),
        (None, {"fields": ["note"]}),
    ]

    def save_model(self, request, obj, form, change):
        services.facility_save(facility=obj, user=request.user)


@admin.register(Beneficiary)
class BeneficiaryAdmin(ExportMixin, TotalsChangeListMixin, ScopedAdmin):
    export_kinds = ("beneficiaries",)
    search_keys_first = True
    list_display = ["facility", "project", "support_column", "counterpart_column"]
    list_filter = [CurrentProvinceFilter, YearFilter]
    list_select_related = ["facility", "project"]
    ordering = ["-id"]
    sortable_by = []
    search_text_path = "facility__search_text"
    autocomplete_fields = ["project", "facility"]

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

    def save_model(self, request, obj, form, change):
        services.beneficiary_save(beneficiary=obj, user=request.user)


@admin.register(Disbursement)
class DisbursementAdmin(OneTimeEntryMixin, ExportMixin, TotalsChangeListMixin, ScopedAdmin):
    export_kinds = ("disbursements",)
    search_keys_first = True
    list_display = ["paid_on", "project_code", "facility", "kind", "source", "amount_column", "voucher_number"]
    list_filter = [CurrentProvinceFilter, YearFilter, "project__plan__scheme__level", "kind", "source"]
    list_select_related = ["project", "facility"]
    search_text_path = "project__search_text"
    autocomplete_fields = ["project", "facility"]
    ordering = ["-paid_on", "-id"]
    sortable_by = ["paid_on", "amount_column"]

    amount_column = money_column("amount", _("amount (đồng)"))

    @admin.display(description=_("project"))
    def project_code(self, obj):
        return obj.project.code

    def get_totals(self, changelist):
        sums = totals.of("disbursements", changelist.queryset)
        return [(_("number of disbursements"), number(changelist.result_count)), (_("amount"), money(sums["amount"]))]

    def save_model(self, request, obj, form, change):
        if change:
            services.disbursement_update(disbursement=obj, user=request.user)
        else:
            created = services.disbursement_create(
                project=obj.project,
                paid_on=obj.paid_on,
                amount=obj.amount,
                source=obj.source,
                kind=obj.kind,
                facility=obj.facility,
                voucher_number=obj.voucher_number,
                note=obj.note,
                entry_token=entry_token(request.POST),
                user=request.user,
            )
            obj.pk = created.pk


@admin.register(Attachment)
class AttachmentAdmin(ScopedAdmin):
    list_display = ["title", "kind", "project", "plan", "uploaded_at", "file_link"]
    list_filter = ["kind"]
    list_select_related = ["project", "plan__province", "plan__scheme"]
    search_fields = ["title"]
    autocomplete_fields = ["project", "plan"]

    def get_search_results(self, request, queryset, search_term):
        return admin.ModelAdmin.get_search_results(self, request, queryset, search_term)

    def save_model(self, request, obj, form, change):
        services.attachment_save(attachment=obj, user=request.user)

    @admin.display(description=_("file"))
    def file_link(self, obj):
        return format_html('<a href="{}">{}</a>', obj.file.url, _("download")) if obj.file else ""


# --- Users ------------------------------------------------------------------------------------


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

"""The admin's shared pieces: every path scoped by province, every write through a service.

`ScopedAdmin` filters the changelist, the change/delete/history URLs (all go through
get_queryset), the foreign-key and many-to-many choices, the related-only list filters and the
autocomplete results (which ask the related model's admin). Writes go through the services
(`services.save`, `services.delete`: one table of services by model).
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
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import connection, models, transaction
from django.db.models import BigIntegerField, BooleanField, F, Func, TextField, Value
from django.db.models.functions import Concat
from django.http import Http404, HttpResponseRedirect
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext, gettext_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin
from simple_history.template_utils import HistoricalRecordContextHelper

from .. import locks, services
from ..access import (
    may_enter_provincial_data,
    may_write_in_province,
    sees_all_provinces,
)
from ..forms import (
    JunkProofAutocompleteSelect,
    JunkProofAutocompleteSelectMultiple,
    JunkProofModelMultipleChoiceField,
    MoneyField,
    MoneyInput,
    text_validator,
)
from ..lib.formatting import money
from ..lib.text import search_key
from ..lists import ListsForRoleMixin, RegisterChangeList
from ..models import (
    Attachment,
    Disbursement,
    Indicator,
)

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
            # Unordered: the keys only filter, and sorting thousands of matches by name cost a third of it.
            keys = list(matches.order_by().values_list("pk", flat=True)[: RELATED_SEARCH_KEYS + 1])
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
        field = model._meta.get_field(name)
    except Exception:
        return name
    if field.auto_created and not field.concrete:  # a reverse relation: its rows' name (the shares by year)
        return str(field.related_model._meta.verbose_name_plural).capitalize()
    return str(field.verbose_name).capitalize()


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
                    if field.label and not widget.is_hidden:
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
            # Every field is read only, in the model's order (a field the form declares would come first
            # and then again).
            return list(dict.fromkeys(self.get_readonly_fields(request, obj)))
        return [f"{n}_display" if n in self.money_fields and n in readonly else n for n in fields]


def error_summary(adminform, inline_admin_formsets) -> list[tuple[str, str, str]]:
    """Every error of a refused form, as (anchor, where, message): the banner above the form says what is
    wrong and links to the field or table row that caused it ("Giải ngân, dòng 2 – Số tiền (đồng)")."""
    found = []
    form = getattr(adminform, "form", None)
    if form is not None and form.is_bound:
        found += _form_errors(form, "", "")
    for inline in inline_admin_formsets:
        formset = inline.formset
        if not formset.is_bound:
            continue
        title = str(capfirst(inline.opts.verbose_name_plural))
        group = f"{formset.prefix}-group"
        found += [(group, title, message) for message in formset.non_form_errors()]
        for index, row in enumerate(formset.forms, start=1):
            where = gettext("%(table)s, row %(row)s") % {"table": title, "row": index}
            found += _form_errors(row, where, group)
    return found


def _form_errors(form, where: str, fallback: str) -> list[tuple[str, str, str]]:
    found = []
    for name, messages_ in form.errors.items():
        field = form.fields.get(name) if name != NON_FIELD_ERRORS else None
        anchor = form[name].auto_id if field is not None and not field.widget.is_hidden else fallback
        label = str(field.label) if field is not None and field.label else ""
        place = " – ".join(part for part in (where, label) if part)
        found += [(anchor, place, message) for message in messages_]
    return found


class ServiceWritesMixin:
    """Every write of an admin through the model's service (`services.SERVICES`): the form, the inline
    rows (deletions first), the delete page and the bulk delete (all or none)."""

    def save_model(self, request, obj, form, change):
        services.save(obj, user=request.user, reason=form.cleaned_data.get("change_reason", ""))

    def delete_model(self, request, obj):
        services.delete(obj, user=request.user)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for obj in queryset:
                services.delete(obj, user=request.user)

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            services.delete(obj, user=request.user)
        for obj in instances:
            services.save(obj, user=request.user)
        formset.save_m2m()


class ScopedAdmin(
    ServiceWritesMixin, ListsForRoleMixin, ScopedChoicesMixin, AccentInsensitiveSearchMixin, SimpleHistoryAdmin
):
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
        if not super().has_change_permission(request, obj) or self._held(obj):
            return False
        return obj is None or may_write_in_province(request.user, services.province_id_of(obj))

    def has_delete_permission(self, request, obj=None):
        if not super().has_delete_permission(request, obj) or self._held(obj):
            return False
        return obj is None or may_write_in_province(request.user, services.province_id_of(obj))

    # --- Locked periods, said before anyone types ---

    # Whether a lock holding the stored row as it stands (`locks.held_by`: a payment dated in a locked
    # period) makes its whole page read only; the page says which report locked it either way.
    lock_makes_read_only = False

    def _held(self, obj) -> bool:
        return self.lock_makes_read_only and obj is not None and bool(locks.held_by(obj))

    def page_notices(self, obj) -> list[str]:
        """What the page says above a stored row besides its locks (a flag of the law, not a refusal)."""
        return []

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["lock_notices"] = locks.held_by(obj)
        context["page_notices"] = self.page_notices(obj) if obj is not None and obj.pk else []
        return super().render_change_form(request, context, add, change, form_url, obj)

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
        # The period locks are read once for the page, whatever the number of its rows (`locks.held_by`).
        with locks.memoised():
            return self._guarded_changeform_view(request, object_id, form_url, extra_context)

    def _guarded_changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if object_id is not None and not _is_id(object_id):
            raise Http404
        if request.method == "POST" and object_id is not None and self.lock_makes_read_only:
            # Sent from a page opened before the period was locked: nothing is saved, and the page,
            # read only now, says which report locked it.
            held = locks.held_by(self.get_object(request, object_id))
            if held:
                for notice in held:
                    self.message_user(
                        request, gettext("Nothing was saved. %(notice)s") % {"notice": notice}, messages.ERROR
                    )
                return HttpResponseRedirect(request.get_full_path())
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

    def save_model(self, request, obj, form, change):
        if isinstance(obj, Disbursement) and not change:
            obj.entry_token = entry_token(request.POST)  # the payment form's own one-time token
        super().save_model(request, obj, form, change)


def _is_id(value) -> bool:
    return str(value).isascii() and str(value).isdigit() and len(str(value)) < 19


class ReferenceWritesMixin(ServiceWritesMixin):
    """National reference data: readable by every role, written by administrators through the service."""


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


# --- Pieces shared by plans and đề án --------------------------------------------------------


class AttachmentInline(LabelledInlineMixin, ScopedChoicesMixin, admin.TabularInline):
    model = Attachment
    fields = ["kind", "title", "file", "uploaded_at"]
    readonly_fields = ["uploaded_at"]
    extra = 0


class IndicatorInline(LabelledInlineMixin, ScopedChoicesMixin, admin.TabularInline):
    """Planned and achieved outputs (chỉ tiêu): of a đề án, or of a plan's lines."""

    model = Indicator
    fields = ["kind", "planned", "achieved", "achieved_on"]
    extra = 0
    # Counts typed like the amounts: a text box with a numeric keyboard, no spinner that a wheel changes.
    formfield_overrides = {models.PositiveIntegerField: {"widget": forms.TextInput(attrs={"inputmode": "numeric"})}}
    verbose_name = _("output indicator")
    verbose_name_plural = _("outputs (chỉ tiêu)")


class ReasonForm(ServiceErrorsForm):
    """A form with a box for the reason of a change, kept in the history (needed to go back a step)."""

    change_reason = forms.CharField(
        label=_("Reason for the change"),
        required=False,
        max_length=300,
        help_text=_("Needed to take back an approval, stop or re-open; kept in the history."),
        validators=[text_validator()],
    )

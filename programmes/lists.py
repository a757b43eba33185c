"""How the admin lists stay fast on the national register.

Every list reads through an index that starts with the user's scope (`current_province`, see
`models.FiledUnder`) or, for the Ministry, with the list order itself, and:

- counts at most `KHUYENCONG_LIST_COUNT_LIMIT` rows (10.000 by default): past that the list says
  "more than 10.000" and pages stop there, so no page view scans the nation and no deep page reads
  a million earlier rows. Narrowing the list (a province, a year, a search) or reversing the sort
  reaches the other rows;
- computes the totals of the filtered rows only when they are all counted (at most the limit), in
  one aggregate query; above it, the page says to narrow the list to see them;
- sorts by one column at a time, only by columns an index serves (`sortable_by`), with the key as
  the tie-breaker in the same direction, so every sort is one index walk.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import quote
from django.contrib.admin.views.main import ORDER_VAR, ChangeList
from django.core.paginator import Paginator
from django.db.models import OrderBy
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from .access import sees_all_provinces
from .lib.text import search_key


def count_limit() -> int:
    return settings.KHUYENCONG_LIST_COUNT_LIMIT


class CappedPaginator(Paginator):
    """A paginator that counts at most `count_limit()` rows (`SELECT COUNT(*) FROM (… LIMIT n+1)`)."""

    capped = False

    @cached_property
    def count(self) -> int:
        limit = count_limit()
        counted = self.object_list.select_related(None).order_by()[: limit + 1].count()
        self.capped = counted > limit
        return min(counted, limit)

    def page(self, number):
        """Past the first page, find the page's keys first (the list's index alone: a deferred
        join), then read those rows with their related rows, instead of joining every skipped row."""
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        if bottom == 0 or not hasattr(self.object_list, "values_list"):
            return super().page(number)
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        keys = list(self.object_list.values_list("pk", flat=True)[bottom:top])
        rows = {row.pk: row for row in self.object_list.order_by().filter(pk__in=keys)}
        return self._get_page([rows[key] for key in keys if key in rows], number, self)


def _descending(field) -> bool:
    if isinstance(field, OrderBy):
        return field.descending
    return isinstance(field, str) and field.startswith("-")


class RegisterChangeList(ChangeList):
    """The admin's change list with one sort column at a time, a tie-breaker an index can follow,
    and a count that stops at the limit (`CappedPaginator`).

    A date-hierarchy year beyond any calendar (?paid_on__year=99999999999999999999) is a bad
    filter, like any other: the list reloads without it instead of answering 500.
    """

    def __init__(self, request, *args, **kwargs):
        # One sort column: a second one (o=3.1) would need an index per combination.
        order = request.GET.get(ORDER_VAR)
        if order and "." in order:
            request.GET = request.GET.copy()
            request.GET[ORDER_VAR] = order.split(".")[0]
        super().__init__(request, *args, **kwargs)

    def get_ordering_field(self, field_name):
        # Only the columns offered for sorting (`sortable_by`), whatever the URL asks.
        if self.sortable_by is not None and field_name not in self.sortable_by:
            return None
        return super().get_ordering_field(field_name)

    def get_filters(self, request):
        try:
            return super().get_filters(request)
        except OverflowError as exc:
            raise IncorrectLookupParameters(exc) from exc

    def get_ordering(self, request, queryset):
        if self.params.get(ORDER_VAR):
            # The column asked for, then the key: not the list's own order after it, which no
            # index would serve together with the column.
            ordering = super().get_ordering(request, queryset.order_by())
            if ordering not in (["pk"], ["-pk"]):
                return ordering
            # No column we sort by was asked for: the list's own order.
        default = self.model_admin.get_ordering(request) or self._get_default_ordering()
        return self._get_deterministic_ordering(list(default))

    def _get_deterministic_ordering(self, ordering):
        ordering = super()._get_deterministic_ordering(ordering)
        # Django breaks ties with "-pk" whatever the direction; the same direction as the sort
        # lets one index (…, column, id) serve it both ways.
        if len(ordering) > 1 and ordering[-1] == "-pk" and not _descending(ordering[-2]):
            ordering[-1] = "pk"
        return ordering

    def url_for_result(self, result):
        # The same URL for every row but its key: reversed once per page, not once per row.
        if not hasattr(self, "_change_url"):
            marker = "0000000000"
            url = reverse(
                f"admin:{self.opts.app_label}_{self.opts.model_name}_change",
                args=(marker,),
                current_app=self.model_admin.admin_site.name,
            )
            self._change_url = url.rsplit(marker, 1)
        before, after = self._change_url
        return f"{before}{quote(getattr(result, self.pk_attname))}{after}"

    def get_results(self, request):
        super().get_results(request)
        self.count_capped = getattr(self.paginator, "capped", False)

    @property
    def count_limit(self) -> int:
        return count_limit()


class CurrentProvinceFilter(admin.SimpleListFilter):
    """Filter by province of today, including the units it grew out of.

    The choices are the units of today; a unit of the past (old Quảng Nam, from a table of 2024's
    units) filters the rows filed under it alone, as the reports of its time count them.
    """

    title = _("province / city")
    parameter_name = "tinh"

    def lookups(self, request, model_admin):
        from .models import Province
        from .reference_data import bare_name

        provinces = Province.objects.current_units()
        if not sees_all_provinces(request.user):
            provinces = provinces.for_user(request.user)
        # "Thành phố Hà Nội" sorts under H, as people look for it.
        return sorted(((str(p.pk), p.name) for p in provinces), key=lambda item: search_key(bare_name(item[1])))

    def queryset(self, request, queryset):
        value = self.value()
        if value is None:
            return queryset
        if not value.isdigit() or len(value) > 18:
            return queryset.none()
        from .models import Province

        column = queryset.model.province_path
        filed_under = any(f.name == "province" for f in queryset.model._meta.fields)
        if (
            column == "current_province"
            and filed_under
            and Province.objects.filter(pk=value, valid_to__isnull=False).exists()
        ):
            column = "province"  # a unit of the past: the rows filed under it
        return queryset.filter(**{column: value})


class LagFilter(admin.SimpleListFilter):
    """The đề án that lag, by one rule of `programmes.lags` or any, as of today or of a day the link names
    ("overdue@2024-06-30": the status page's links, for its period's last day)."""

    title = _("lagging")
    parameter_name = "tre"

    def lookups(self, request, model_admin):
        from .lags import PROJECT_RULES, RULES

        return [("any", _("by any rule")), *((rule.key, rule.label) for rule in RULES if rule.key in PROJECT_RULES)]

    def queryset(self, request, queryset):
        import datetime

        from django.utils import timezone

        from .lags import PROJECT_RULES, lagging

        value = self.value()
        if value is None:
            return queryset
        rule, _at, day_text = value.partition("@")
        try:
            day = datetime.date.fromisoformat(day_text) if day_text else timezone.localdate()
        except ValueError:
            return queryset.none()
        if rule != "any" and rule not in PROJECT_RULES:
            return queryset.none()
        return lagging(queryset, day, None if rule == "any" else rule)


class YearFilter(admin.SimpleListFilter):
    """The plan year, offered from the plans the user may see (a small table), never from the big one."""

    title = _("year")
    parameter_name = "nam"

    def lookups(self, request, model_admin):
        from .models import Plan

        years = Plan.objects.for_user(request.user).order_by("-year").values_list("year", flat=True).distinct()
        return [(str(year), str(year)) for year in years]

    def queryset(self, request, queryset):
        value = self.value()
        if value is None:
            return queryset
        if not value.isdigit() or len(value) > 4:
            return queryset.none()
        return queryset.filter(year=int(value))


class ListsForRoleMixin:
    """What a list shows a provincial user: not their own province on every row, nor a filter by it."""

    province_columns: tuple[str, ...] = ()

    def get_list_display(self, request):
        columns = list(super().get_list_display(request))
        if not sees_all_provinces(request.user):
            columns = [name for name in columns if name not in self.province_columns]
        return columns

    def get_list_filter(self, request):
        filters = list(super().get_list_filter(request))
        if not sees_all_provinces(request.user):
            filters = [item for item in filters if item is not CurrentProvinceFilter]
        return filters

    paginator = CappedPaginator

"""The Ministry's oversight pages: where every province stands (the status page), who has reported
(the completeness matrix), what in the register needs putting right (the data-quality panel), and
the answer to an issued report (accept or return).

Reviewers see every province; a province's managers and staff see their own, the same pages.
Every figure comes from `reports.status`, which reads `reports.figures`; the only writes here are
a reviewer's accept and return, through `reports.services`.
"""

from __future__ import annotations

import datetime
from urllib.parse import urlencode

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from programmes import lags
from programmes.access import is_reviewer, sees_all_provinces, user_province, user_role
from programmes.forms import DayInput, text_validator
from programmes.models import ActivityContent, Programme, Province, Region
from programmes.replica import reads_replica

from . import charts, figures, quality, render, services, status
from .models import IssuedReport, Level
from .periods import PRESETS, period_for

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class StatusForm(forms.Form):
    """What the status page shows: a period (the reports' presets or any dates), a level, the units, filters."""

    year = forms.IntegerField(label=gettext_lazy("Year"), min_value=2000, max_value=2100)
    preset = forms.ChoiceField(label=gettext_lazy("Period"), choices=list(PRESETS.items()), initial="year")
    months = forms.IntegerField(label=gettext_lazy("Number of months"), min_value=1, max_value=12, required=False)
    date_from = forms.DateField(label=gettext_lazy("From"), required=False, widget=DayInput())
    date_until = forms.DateField(label=gettext_lazy("Until"), required=False, widget=DayInput())
    level = forms.ChoiceField(label=gettext_lazy("Scheme level"), choices=Level.choices, initial=Level.ALL)
    programme = forms.ChoiceField(
        label=gettext_lazy("Programme"),
        choices=Programme.choices,
        initial=Programme.INDUSTRY_PROMOTION,
        required=False,
        help_text=gettext_lazy("Khuyến công unless another is chosen: the programmes' money is never added up."),
    )
    units = forms.ChoiceField(
        label=gettext_lazy("Provinces"),
        choices=[("then", gettext_lazy("as they were at the time")), ("today", gettext_lazy("as they are today (34)"))],
        initial="then",
    )
    region = forms.ChoiceField(label=gettext_lazy("Region"), choices=[("", "---------"), *Region.choices],
                               required=False)  # fmt: skip
    content = forms.ModelChoiceField(
        label=gettext_lazy("Activity content"), queryset=ActivityContent.objects.order_by("code"), required=False
    )
    o = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if not sees_all_provinces(user):
            del self.fields["region"]

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        data["period"] = period_for(
            data["year"], data["preset"], months=data.get("months"),
            date_from=data.get("date_from"), date_until=data.get("date_until"),
        )  # fmt: skip
        return data


def _programme_label(table) -> str:
    """The programme in the table's heading when it is not khuyến công (the page's default)."""
    if table is None or table.coverage.programme == Programme.INDUSTRY_PROMOTION:
        return ""
    return str(Programme(table.coverage.programme).label)


def _context(request, **extra) -> dict:
    return {**admin.site.each_context(request), **extra}


def _require_role(request) -> None:
    if user_role(request.user) is None:
        raise PermissionDenied


def _sort(value: str) -> tuple[str, bool]:
    key = value.lstrip("-")
    return (key, value.startswith("-")) if key in status.SORTS else ("", False)


@reads_replica
def status_page(request):
    """Each province's approved money, disbursement, đề án, lagging ones and report, for any period."""
    _require_role(request)
    user = request.user
    initial = {"year": timezone.localdate().year, "preset": "year", "level": Level.ALL, "units": "then"}
    form = StatusForm(request.GET or initial, user=user)
    table = None
    if form.is_valid():
        data = form.cleaned_data
        sort, descending = _sort(data.get("o") or "")
        table = status.province_status(
            user,
            data["period"],
            level=data["level"],
            programme=data.get("programme") or Programme.INDUSTRY_PROMOTION,
            units=data["units"],
            region=data.get("region", ""),
            content=data["content"].pk if data.get("content") else None,
            sort=sort,
            descending=descending,
        )
        if request.GET.get("format") == "xlsx":
            response = HttpResponse(render.status_xlsx(table), content_type=XLSX)
            name = f"tinh-hinh-khuyen-cong-{table.period.date_from:%Y%m%d}-{table.period.date_until:%Y%m%d}.xlsx"
            response["Content-Disposition"] = f'attachment; filename="{name}"'
            return response
    query = {key: value for key, value in request.GET.items() if key not in ("o", "format")}
    return TemplateResponse(
        request,
        "reports/status.html",
        _context(
            request,
            title=_("Status of industry promotion by province"),
            form=form,
            table=table,
            level_label=dict(Level.choices).get(form.cleaned_data.get("level"), "") if table else "",
            programme_label=_programme_label(table),
            content_label=str(form.cleaned_data.get("content") or "") if table else "",
            columns=_columns(request, query, form.cleaned_data.get("o", "") if form.is_bound else ""),
            rules=[(rule, lags.explanation(rule)) for rule in lags.RULES],
            links=_links(table) if table else {},
            chart_svgs=_charts(table) if table else {},
            export_url=f"?{urlencode({**query, 'format': 'xlsx'})}",
            other_units=f"?{urlencode({**query, 'units': _other_units(query)})}",
        ),
    )


def _other_units(query: dict) -> str:
    return "today" if query.get("units", "then") == "then" else "then"


COLUMNS = [
    ("name", gettext_lazy("Province / city")),
    ("approved", gettext_lazy("Approved KC support (đồng)")),
    ("performed", gettext_lazy("Disbursed in the period (đồng)")),
    ("paid", gettext_lazy("Disbursed to date (đồng)")),
    ("ratio", gettext_lazy("Disbursed (%)")),
    ("projects", gettext_lazy("Projects")),
    ("lagging", gettext_lazy("Lagging projects")),
    ("report", gettext_lazy("Report for the period")),
]


def _columns(request, query: dict, current: str) -> list[dict]:
    """The table's headers, each a link that sorts by it (again: the other way)."""
    columns = []
    key, descending = _sort(current)
    for name, label in COLUMNS:
        order = f"-{name}" if key == name and not descending else name
        columns.append(
            {
                "name": name,
                "label": label,
                "url": f"?{urlencode({**query, 'o': order})}",
                "sorted": "descending" if key == name and descending else ("ascending" if key == name else ""),
            }
        )
    return columns


def _links(table: status.StatusTable) -> dict:
    """Where a row leads: its đề án (and its lagging ones) in the register's list, for the period's year."""
    period, day = table.period, table.day
    project_list = reverse("admin:programmes_project_changelist")
    level = {Level.NATIONAL: "kcqg", Level.LOCAL: "kcdp"}.get(table.coverage.level)
    base = {"nam": period.year, **({"plan__scheme__level__exact": level} if level else {})}
    content = table.coverage.content
    if content:
        base["content__id__exact"] = content
    links = {}
    for row in table.rows:
        query = {**base, "tinh": row.unit_id}
        links[row.unit_id] = {
            "projects": f"{project_list}?{urlencode(query)}",
            "lagging": f"{project_list}?{urlencode({**query, 'tre': f'any@{day:%Y-%m-%d}'})}",
        }
    links["rules"] = {
        rule.key: f"{project_list}?{urlencode({**base, 'tre': f'{rule.key}@{day:%Y-%m-%d}'})}"
        for rule in lags.RULES
        if rule.key in lags.PROJECT_RULES
    }
    links["plan_lines"] = reverse("admin:programmes_plan_changelist") + f"?{urlencode({'nam': period.year})}"
    return links


def _charts(table: status.StatusTable) -> dict:
    ratios = [(row.name, row.paid_ratio) for row in table.rows if row.approved]
    months = figures.monthly_payments(table.coverage)
    return charts.status_charts(ratios, table.total.paid_ratio, table.summary, months)


# --- Completeness -------------------------------------------------------------------------------------


@reads_replica
def completeness_page(request):
    """Province × reporting period of a year: who has reported, on time, late or not yet."""
    _require_role(request)
    try:
        year = int(request.GET.get("nam", ""))
    except ValueError:
        year = timezone.localdate().year
    if not 2000 <= year <= 2100:
        year = timezone.localdate().year
    matrix = status.completeness(request.user, year)
    return TemplateResponse(
        request,
        "reports/completeness.html",
        _context(
            request,
            title=_("Periodic reports of %(year)s") % {"year": year},
            matrix=matrix,
            labels=status.REPORTING_PERIODS,
            years=range(timezone.localdate().year, 2020, -1),
            may_review=is_reviewer(request.user),
        ),
    )


@reads_replica
def quality_page(request):
    """The data-quality panel: a province's own (its users), the nation's or a chosen province's (reviewers)."""
    _require_role(request)
    provinces = None
    if sees_all_provinces(request.user):
        provinces = list(Province.objects.current_units().order_by("name"))
        code = request.GET.get("tinh", "")
        province = next((unit for unit in provinces if unit.code == code), None)
    else:
        province = user_province(request.user)
        if province is None:
            raise PermissionDenied
    found = quality.panel(province)
    return TemplateResponse(
        request,
        "reports/quality.html",
        _context(
            request,
            title=_("Data quality: %(unit)s") % {"unit": found.unit},
            panel=found,
            provinces=provinces,
            chosen=province.code if province is not None else "",
        ),
    )


class ReviewForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        validators=[text_validator(multiline=True)],
    )


def review_page(request, pk: int):
    """An issued report as the Ministry answers it: its files, its answers so far, and (reviewers) accept / return."""
    _require_role(request)
    issued = get_object_or_404(
        IssuedReport.objects.for_user(request.user)
        .select_related("report__province", "issued_by")
        .defer("pdf", "xlsx"),
        pk=pk,
    )
    return _review_page(request, issued, ReviewForm())


def _review_page(request, issued, form, status_code=200):
    reviews = issued.reviews.select_related("reviewed_by").order_by("-reviewed_at")
    latest = issued.report.issues.order_by("-version").values_list("pk", flat=True).first()
    return TemplateResponse(
        request,
        "reports/review.html",
        _context(
            request,
            title=str(issued),
            issued=issued,
            reviews=reviews,
            form=form,
            may_review=is_reviewer(request.user) and latest == issued.pk,
        ),
        status=status_code,
    )


@require_POST
def review(request, pk: int, action: str):
    _require_role(request)
    issued = get_object_or_404(
        IssuedReport.objects.for_user(request.user).select_related("report__province").defer("pdf", "xlsx"), pk=pk
    )
    if not is_reviewer(request.user):
        raise PermissionDenied
    form = ReviewForm(request.POST)
    if form.is_valid():
        service = {"accept": services.report_accept, "return": services.report_return}.get(action)
        if service is None:
            raise PermissionDenied
        try:
            service(issued=issued, user=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            form.add_error("reason" if "reason" in getattr(exc, "error_dict", {}) else None, exc.messages)
        else:
            messages.success(
                request,
                _("Report no. %(number)s was accepted.") % {"number": issued.number}
                if action == "accept"
                else _("Report no. %(number)s was returned; its period is unlocked for the province.")
                % {"number": issued.number},
            )
            return HttpResponseRedirect(reverse("reports:completeness") + f"?nam={issued.report.year}")
    return _review_page(request, issued, form)


def today() -> datetime.date:
    return timezone.localdate()

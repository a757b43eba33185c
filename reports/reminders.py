"""What a province should be reminded of: periodic reports due soon or overdue, and đề án that lag.

The start page lists these items for a province's users; `manage.py send_reminders` e-mails them to
the province's managers and records each one sent (`Reminder`), so that a run twice a day tells
nobody twice. A report is "due soon" from KHUYENCONG_REMINDER_DAYS_BEFORE days before its due date
(KHUYENCONG_REPORT_DUE) until then, "overdue" after it, as long as it is not issued. Lagging đề án
(`programmes.lags`, as of today) go out once a week, each đề án once.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from programmes import lags
from programmes.models import Project, Province

from . import status


@dataclass(frozen=True)
class Item:
    kind: str  # Reminder.Kind
    key: str
    province_id: int
    text: str
    url: str


def _open_periods(day: datetime.date) -> list[tuple[int, str]]:
    """The reporting periods whose report may be due around `day`: this year's, and last year's annual one."""
    return [(day.year, "h1"), (day.year, "m9"), (day.year - 1, "year"), (day.year, "year")]


def report_items(provinces: list[Province], day: datetime.date) -> list[Item]:
    """The reports of these provinces of today that are due within the reminder window, or overdue. One to
    three queries (`status.cells_of_years`)."""
    window = datetime.timedelta(days=settings.KHUYENCONG_REMINDER_DAYS_BEFORE)
    units = {province.pk: province for province in provinces}
    items = []
    cells = status.cells_of_years({day.year - 1, day.year}, units)
    for year, key in _open_periods(day):
        if status.period_end(year, key) >= day:
            continue  # the period is not over
        due = status.due_date(year, key)
        if day < due - window:
            continue
        label = status.REPORTING_PERIODS[key]
        for province in provinces:
            cell = cells.get((year, province.pk, key))
            if cell is not None and cell.issued is not None:
                continue
            overdue = day > due
            text = (
                _("The report of the %(period)s %(year)s is overdue: it was due on %(due)s.")
                if overdue
                else _("The report of the %(period)s %(year)s is due on %(due)s.")
            ) % {"period": label, "year": year, "due": due.strftime("%d/%m/%Y")}
            items.append(
                Item(
                    "overdue" if overdue else "due_soon",
                    f"{year}-{key}-{province.pk}",
                    province.pk,
                    text,
                    reverse("reports:index"),
                )
            )
    return items


def lagging_projects(province: Province, day: datetime.date):
    """The đề án of a province of today lagging today (by any rule), oldest approval first."""
    return lags.lagging(Project.objects.filter(current_province=province), day).order_by("decision_date", "pk")


def lagging_item(province: Province, day: datetime.date, count: int) -> Item:
    url = reverse("admin:programmes_project_changelist") + f"?tre=any@{day:%Y-%m-%d}"
    text = _(
        "%(count)s projects lag: past their end date, late to settle, without payment or with advances over the cap."
    ) % {"count": count}
    return Item("lagging", f"lagging-{province.pk}", province.pk, text, url)


def for_province(province: Province | None, day: datetime.date) -> list[Item]:
    """The start page's list for a province's users (reports due or overdue, the lagging đề án)."""
    if province is None:
        return []
    items = report_items([province], day)
    count = lagging_projects(province, day).count()
    if count:
        items.append(lagging_item(province, day, count))
    return items

"""Where each province stands, and what waits: the start pages' figures, read from the report's own.

Written the way `figures.summary` is: definitions here, grouped aggregate SQL, a constant number
of queries held by pinned-count tests. No money is summed here a second way: every amount comes
from `figures` (the same function a report of the same period and level prints).

Definitions:

- **planned, approved KC support, disbursed** of a unit in a year: its row of the report's
  disbursement table (Biểu 04, `figures.summary` over the year): the year's approved plans; the
  đề án of the year's plans approved by the period's end at the support in force that day, a đề án
  stopped by then for what was paid on it; the payments from 1 January to the period's end on
  them. The same labels mean the same sums on the start page and in the report;
- **projects**: the đề án the report lists (`figures.listed`: of the year's plans, approved by
  the period's end);
- **overdue**: of those, still under way today (`statuses.UNDER_WAY`) past their end date;
- **units**: those of the time, as the reports use — the 63 provinces for a year before 2025,
  the 34 of today from 1/7/2025 (`figures.Coverage.unit_column`);
- **money left to disburse** (a province's start page): over its đề án that may still be paid
  (`statuses.PAYABLE`), the KC support in force less what is disbursed, to date.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from programmes.access import sees_all_provinces
from programmes.lib.formatting import ratio
from programmes.models import Plan, Project
from programmes.statuses import PAYABLE, UNDER_WAY, ProjectStatus

from . import figures
from .models import Level
from .periods import period_for

S = ProjectStatus


def today() -> datetime.date:
    return timezone.localdate()


@dataclass
class UnitYear:
    """A unit's year: the report's money figures (`figures.StatusRow`) and the counts beside them."""

    unit_id: int | None
    name: str
    region: str
    planned: int = 0
    approved: int = 0
    disbursed: int = 0
    projects: int = 0
    overdue: int = 0

    @property
    def disbursed_ratio(self):
        return ratio(self.disbursed, self.approved)


@dataclass
class NationalYear:
    year: int
    rows: list[UnitYear] = field(default_factory=list)
    total: UnitYear | None = None
    units_of_today: bool = True


def national_year(user, year: int, *, level: str = Level.ALL) -> NationalYear | None:
    """Every unit of the time, for the year: planned, approved, disbursed (the report's), đề án, overdue.

    For users who see every province (None otherwise). The report's summary (ten queries) and one
    count of the listed đề án per unit.
    """
    if not sees_all_provinces(user):
        return None
    cov = figures.coverage(period_for(year, "year"), level=level)
    summary = figures.summary(cov)
    unit, end, day = cov.unit_column(), cov.period.date_until, today()
    listed = Project.objects.filter(cov.rows(), figures.listed(year, end))
    if level != Level.ALL:
        listed = listed.filter(plan__scheme__level__in=cov.levels)
    counts = {
        row[unit]: row
        for row in listed.values(unit)
        .annotate(projects=Count("pk"), overdue=Count("pk", filter=Q(status__in=UNDER_WAY, end_date__lt=day)))
        .order_by()
    }
    result = NationalYear(year, units_of_today=unit == "current_province")
    for status in summary.status_rows:
        count = counts.get(status.unit_id, {})
        result.rows.append(
            UnitYear(
                unit_id=status.unit_id,
                name=status.label,
                region=status.region,
                planned=status.planned_total,
                approved=status.approved_total,
                disbursed=status.paid_total,
                projects=count.get("projects", 0),
                overdue=count.get("overdue", 0),
            )
        )
    total = summary.status_total
    result.total = UnitYear(
        unit_id=None,
        name=total.label,
        region="",
        planned=total.planned_total,
        approved=total.approved_total,
        disbursed=total.paid_total,
        projects=sum(row.projects for row in result.rows),
        overdue=sum(row.overdue for row in result.rows),
    )
    return result


def money_left(user, *, limit: int = 10) -> dict:
    """The user's đề án that may still be paid with KC support not yet disbursed (two queries).

    Returns the count, the money left over all of them, and the `limit` with the most left.
    """
    projects = Project.objects.for_user(user).filter(status__in=PAYABLE, disbursed_amount__lt=F("kc_support"))
    totals = projects.aggregate(
        count=Count("pk"),
        support=Coalesce(Sum("kc_support"), 0),
        disbursed=Coalesce(Sum("disbursed_amount"), 0),
    )
    rows = list(
        projects.annotate(left=F("kc_support") - F("disbursed_amount"))
        .order_by("-left", "-id")
        .only("id", "code", "name", "year", "status", "kc_support", "disbursed_amount")[:limit]
    )
    return {
        "count": totals["count"],
        "left": totals["support"] - totals["disbursed"],
        "support": totals["support"],
        "disbursed": totals["disbursed"],
        "rows": rows,
    }


def work_waiting(user) -> dict[str, int]:
    """Counts of what waits in the user's scope: đề án by step, plans not yet approved. Two queries."""
    waiting = [S.REGISTERED, S.APPRAISED, S.ACCEPTED, *UNDER_WAY]  # not the settled majority
    counts = (
        Project.objects.for_user(user)
        .filter(status__in=waiting)
        .aggregate(
            registered=Count("pk", filter=Q(status=S.REGISTERED)),
            appraised=Count("pk", filter=Q(status=S.APPRAISED)),
            accepted=Count("pk", filter=Q(status=S.ACCEPTED)),
            overdue=Count("pk", filter=Q(status__in=UNDER_WAY, end_date__lt=today())),
        )
    )
    counts["draft_plans"] = Plan.objects.for_user(user).filter(status=Plan.Status.DRAFT).count()
    return counts


def plan_years(user) -> list[int]:
    """The years the user's plans cover, newest first (a small table)."""
    return list(Plan.objects.for_user(user).order_by("-year").values_list("year", flat=True).distinct())

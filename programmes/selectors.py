"""Figures read from the register: one place, aggregate SQL, a constant number of queries each.

The start pages read them here; the reports and exports to come will too. Every function takes the
acting user and reads only what that user may see (`for_user`).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from .lib.formatting import ratio
from .models import Plan, PlanLine, Project, ProjectStatus, Province
from .statuses import PAYABLE, UNDER_WAY

S = ProjectStatus


def today() -> datetime.date:
    return timezone.localdate()


def money_left(user, *, limit: int = 10) -> dict:
    """The user's đề án that may still be paid and have approved KC support not yet disbursed.

    Returns the count, the money left over all of them, and the `limit` with the most left.
    Two queries.
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
    day = today()
    waiting = [S.REGISTERED, S.APPRAISED, S.ACCEPTED, *UNDER_WAY]  # not the settled majority
    counts = (
        Project.objects.for_user(user)
        .filter(status__in=waiting)
        .aggregate(
            registered=Count("pk", filter=Q(status=S.REGISTERED)),
            appraised=Count("pk", filter=Q(status=S.APPRAISED)),
            accepted=Count("pk", filter=Q(status=S.ACCEPTED)),
            overdue=Count("pk", filter=Q(status__in=UNDER_WAY, end_date__lt=day)),
        )
    )
    counts["draft_plans"] = Plan.objects.for_user(user).filter(status=Plan.Status.DRAFT).count()
    return counts


@dataclass
class ProvinceYear:
    province: Province
    planned: int = 0
    projects: int = 0
    support: int = 0
    disbursed: int = 0
    overdue: int = 0

    @property
    def disbursed_ratio(self):
        return ratio(self.disbursed, self.support)


def national_year(user, year: int) -> dict:
    """For each province of today, the year's plan, đề án, approved KC support, disbursed and
    overdue đề án (under way past their end date), with the national total. Three queries."""
    day = today()
    provinces = {p.pk: ProvinceYear(p) for p in Province.objects.current_units().for_user(user).order_by("code")}
    for row in (
        PlanLine.objects.for_user(user)
        .filter(year=year)
        .values("current_province")
        .annotate(planned=Sum("planned_amount"))
        .order_by()
    ):
        if row["current_province"] in provinces:
            provinces[row["current_province"]].planned = row["planned"] or 0
    for row in (
        Project.objects.for_user(user)
        .filter(year=year)
        .values("current_province")
        .annotate(
            projects=Count("pk"),
            support=Sum("kc_support", filter=Q(status__in=[*PAYABLE, S.SETTLED, S.STOPPED])),
            disbursed=Sum("disbursed_amount"),
            overdue=Count("pk", filter=Q(status__in=UNDER_WAY, end_date__lt=day)),
        )
        .order_by()
    ):
        if row["current_province"] in provinces:
            figures = provinces[row["current_province"]]
            figures.projects = row["projects"]
            figures.support = row["support"] or 0
            figures.disbursed = row["disbursed"] or 0
            figures.overdue = row["overdue"]
    rows = list(provinces.values())
    total = ProvinceYear(province=None)
    for row in rows:
        for name in ("planned", "projects", "support", "disbursed", "overdue"):
            setattr(total, name, getattr(total, name) + getattr(row, name))
    return {"year": year, "rows": rows, "total": total}


def plan_years(user) -> list[int]:
    """The years the user's plans cover, newest first (a small table)."""
    return list(Plan.objects.for_user(user).order_by("-year").values_list("year", flat=True).distinct())

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
- **overdue**: of those, past their end date and not accepted today (the lag rule "overdue" of
  `programmes.lags`, counted in the same query as the report's figures);
- **units**: those of the time, as the reports use — the 63 provinces for a year before 2025,
  the 34 of today from 1/7/2025 (`figures.Coverage.unit_column`);
- **money left to disburse** (a province's start page): over its đề án that may still be paid
  (`statuses.PAYABLE`), the KC support in force less what is disbursed, to date.

The status page (`province_status`), per unit over any period and level, reads the same rows:

- **approved KC support**, **disbursed in the period**, **disbursed to date** (from 1 January of
  the period's year to its last day), **% disbursed** (to date / approved): the unit's row of
  the report's disbursement table for the same period and level (Biểu 04, and Biểu 01's "trong
  kỳ" and "lũy kế");
- **đề án**: those the report lists; **lagging**: those lagging by any rule of `programmes.lags`
  as of the period's last day (today, when that is earlier);
- **the report**: the state of the unit's periodic report for the period, when the period is a
  reporting period (`completeness`).

The completeness matrix (`completeness`): for each unit of the time and each reporting period of
a year — the 6-month report (to 30/6, or the Ministry's cut-off 14/6), the 9-month one (to
30/9) and the annual one (to 31/12, or 14/12) — the state of the unit's report: not started, a
draft, issued (its number and date; late when issued after the due date of
KHUYENCONG_REPORT_DUE), accepted or returned by the Ministry (with the reason). Four queries.
"""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from programmes.access import sees_all_provinces, user_province
from programmes.lib.formatting import ratio
from programmes.lib.text import search_key
from programmes.models import Plan, Programme, Project, Province, Region
from programmes.reference_data import bare_name
from programmes.statuses import PAYABLE, UNDER_WAY, ProjectStatus

from . import figures
from .models import IssuedReport, Level, Report, ReportReview
from .periods import Period, cutoff_dates, period_for

_FIGURES_CACHE = caches["figures"]

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
    summary = figures.summary(cov, comparisons=False, counts_on=today())
    result = NationalYear(year, units_of_today=cov.unit_column() == "current_province")
    for status in summary.status_rows:
        result.rows.append(
            UnitYear(
                unit_id=status.unit_id,
                name=status.label,
                region=status.region,
                planned=status.planned_total,
                approved=status.approved_total,
                disbursed=status.paid_total,
                projects=status.projects,
                overdue=status.overdue,
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


# --- Reporting periods and their state ---------------------------------------------------------------

# "The report of the first 6 months of 2026", "the report of the year 2025".
REPORTING_PERIODS = {"h1": _("first 6 months of"), "m9": _("first 9 months of"), "year": _("year")}


class State:
    NOT_STARTED = "not_started"
    DRAFT = "draft"
    ISSUED = "issued"
    ACCEPTED = "accepted"
    RETURNED = "returned"


STATE_LABELS = {
    State.NOT_STARTED: _("not started"),
    State.DRAFT: _("draft"),
    State.ISSUED: _("issued"),
    State.ACCEPTED: _("accepted"),
    State.RETURNED: _("returned"),
}


def reporting_period(year: int, date_from: datetime.date, date_until: datetime.date) -> str | None:
    """Which periodic report of `year` a period is (h1, m9, year), or None for another period."""
    start, mid, end = cutoff_dates(year)
    if date_from not in (datetime.date(year, 1, 1), start):
        return None
    if date_until in (datetime.date(year, 6, 30), mid):
        return "h1"
    if date_until == datetime.date(year, 9, 30):
        return "m9"
    if date_until in (datetime.date(year, 12, 31), end):
        return "year"
    return None


def due_date(year: int, key: str) -> datetime.date:
    day, month = settings.KHUYENCONG_REPORT_DUE[key]
    return datetime.date(year + 1 if key == "year" else year, month, day)


PERIOD_ENDS = {"h1": (6, 30), "m9": (9, 30), "year": (12, 31)}


def period_end(year: int, key: str) -> datetime.date:
    month, day = PERIOD_ENDS[key]
    return datetime.date(year, month, day)


@dataclass
class Cell:
    """A unit's report for one reporting period."""

    state: str
    report_id: int | None = None
    issued: IssuedReport | None = None
    review: ReportReview | None = None
    due: datetime.date | None = None

    @property
    def label(self) -> str:
        return str(STATE_LABELS[self.state])

    @property
    def late(self) -> bool:
        return self.issued is not None and self.due is not None and self.issued.issued_on > self.due

    @property
    def overdue(self) -> bool:
        """Not issued, and its due date has passed."""
        return self.issued is None and self.due is not None and today() > self.due


@dataclass
class CompletenessRow:
    unit_id: int
    name: str
    code: str
    region: str
    cells: dict[str, Cell | None]  # None: the unit did not exist at the period's end


@dataclass
class Rate:
    """The national reporting rate of one period: issued on time, late, not issued (of the units due)."""

    on_time: int = 0
    late: int = 0
    missing: int = 0

    @property
    def due(self) -> int:
        return self.on_time + self.late + self.missing


@dataclass
class Completeness:
    year: int
    periods: list[str]
    rows: list[CompletenessRow]
    rates: dict[str, Rate]
    due: dict[str, datetime.date]


def _unit_filter(user, *, province: Province | None = None):
    """The units a user sees the reports of: every unit for the Ministry; their province's lineage otherwise."""
    units = Province.objects.all()
    if sees_all_provinces(user):
        return units if province is None else units.filter(current=province.current_id or province.pk)
    own = user_province(user)
    return units.filter(current=own) if own is not None else units.none()


def _reported_units(report: Report, key: str, units: dict[int, Province]) -> list[int]:
    """The units of the time a report answers for: its own unit, or — a province of today reporting on a
    period before it began — every unit of that time it grew out of."""
    end = period_end(report.year, key)
    own = units.get(report.province_id)
    if own is not None and own.is_valid_on(end):
        return [own.pk]
    return [unit.pk for unit in units.values() if unit.current_id == report.province_id and unit.is_valid_on(end)]


def _cells(year: int, units: dict[int, Province]) -> dict[tuple[int, str], Cell]:
    """The state of each unit's reports of `year`, by (unit, period key). Three queries."""
    return {(unit, key): cell for (cell_year, unit, key), cell in cells_of_years([year], units).items()}


def cells_of_years(years, units: dict[int, Province]) -> dict[tuple[int, int, str], Cell]:
    """The state of each unit's reports of these years, by (year, unit, period key). Three queries
    (one when nothing was drafted)."""
    todays = {unit.current_id or unit.pk for unit in units.values()}
    drafts = Report.objects.filter(year__in=list(years), current_province__in=todays).only(
        "id", "province_id", "year", "date_from", "date_until"
    )
    keyed: dict[int, list[tuple[int, int, str]]] = {}
    cells: dict[tuple[int, int, str], Cell] = {}
    for report in drafts:
        key = reporting_period(report.year, report.date_from, report.date_until)
        if key is None:
            continue
        keyed[report.pk] = [(report.year, unit_id, key) for unit_id in _reported_units(report, key, units)]
        for place in keyed[report.pk]:
            cells.setdefault(place, Cell(State.DRAFT, report_id=report.pk))
    latest: dict[int, IssuedReport] = {}
    for issued in IssuedReport.objects.filter(report__in=list(keyed)).defer("pdf", "xlsx").order_by("version"):
        latest[issued.report_id] = issued
    reviews: dict[int, ReportReview] = {}
    for review in ReportReview.objects.filter(issued_report__in=[i.pk for i in latest.values()]).order_by(
        "reviewed_at", "id"
    ):
        reviews[review.issued_report_id] = review
    for report_id, issued in latest.items():
        review = reviews.get(issued.pk)
        state = State.ISSUED if review is None else review.action
        for place in keyed[report_id]:
            current = cells.get(place)
            if current is None or current.issued is None or issued.issued_on > current.issued.issued_on:
                cells[place] = Cell(state, report_id=report_id, issued=issued, review=review)
    return cells


def completeness(user, year: int, *, province: Province | None = None) -> Completeness:
    """Each unit of the time × each reporting period of `year`: the state of its report. Four queries."""
    ends = {key: period_end(year, key) for key in REPORTING_PERIODS}
    first_end = min(ends.values())
    units = {
        unit.pk: unit
        for unit in _unit_filter(user, province=province).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=first_end),
            Q(valid_from__isnull=True) | Q(valid_from__lte=max(ends.values())),
        )
    }
    cells = _cells(year, units)
    due = {key: due_date(year, key) for key in REPORTING_PERIODS}
    rates = {key: Rate() for key in REPORTING_PERIODS}
    rows = []
    for unit in sorted(units.values(), key=lambda u: (list(Region.values).index(u.region), _sort_name(u.name))):
        row_cells: dict[str, Cell | None] = {}
        for key, end in ends.items():
            if not unit.is_valid_on(end):
                row_cells[key] = None
                continue
            cell = cells.get((unit.pk, key)) or Cell(State.NOT_STARTED)
            cell.due = due[key]
            row_cells[key] = cell
            if cell.issued is not None:
                if cell.late:
                    rates[key].late += 1
                else:
                    rates[key].on_time += 1
            elif today() > due[key]:
                rates[key].missing += 1
        rows.append(CompletenessRow(unit.pk, unit.name, unit.code, unit.region, row_cells))
    return Completeness(year, list(REPORTING_PERIODS), rows, rates, due)


def _sort_name(name: str) -> str:
    return search_key(bare_name(name))


# --- The status page -----------------------------------------------------------------------------------


@dataclass
class UnitStatus:
    """One unit's row of the status page (or a region's sub-total, or the nation's total)."""

    unit_id: int | None
    name: str
    region: str
    code: str = ""
    approved: int = 0
    performed: int = 0
    paid: int = 0
    projects: int = 0
    lagging: int = 0
    report: Cell | None = None
    kind: str = "unit"  # unit | region | total

    @property
    def paid_ratio(self):
        return ratio(self.paid, self.approved)

    def add(self, other: UnitStatus) -> None:
        for name in ("approved", "performed", "paid", "projects", "lagging"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


SORTS = {
    "name": lambda row: _sort_name(row.name),
    "approved": lambda row: row.approved,
    "performed": lambda row: row.performed,
    "paid": lambda row: row.paid,
    "ratio": lambda row: (row.paid_ratio is not None, row.paid_ratio or 0),
    "projects": lambda row: row.projects,
    "lagging": lambda row: row.lagging,
    "report": lambda row: list(STATE_LABELS).index(row.report.state) if row.report else -1,
}


@dataclass
class StatusTable:
    coverage: figures.Coverage
    day: datetime.date
    reporting_period: str | None
    groups: list[tuple[UnitStatus, list[UnitStatus]]]
    total: UnitStatus
    summary: figures.Summary

    @property
    def rows(self) -> list[UnitStatus]:
        return [row for _subtotal, members in self.groups for row in members]

    @property
    def period(self) -> Period:
        return self.coverage.period


def data_version() -> str | None:
    """Where the server's write-ahead log stands (PostgreSQL's insert position): every row written,
    committed or not, and every commit moves it, so nothing cached under it is older than the data
    it was read from (a write elsewhere on the server, a vacuum, only costs a recomputation). None
    where there is no such position (SQLite, a standby): nothing is cached."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT CASE WHEN pg_is_in_recovery() THEN NULL ELSE pg_current_wal_insert_lsn()::text END")
        return cursor.fetchone()[0]


# What the figures depend on besides the data (so a changed setting is never answered from before).
_SETTINGS_READ = (
    "KHUYENCONG_ADVANCE_CAP_PERCENT",
    "KHUYENCONG_LAG_NO_PAYMENT_MONTHS",
    "KHUYENCONG_SETTLEMENT_DEADLINE",
    "KHUYENCONG_REPORT_DUE",
    "KHUYENCONG_REPORT_CUTOFF_DAY",
)


def cached_while_unchanged(key: tuple, compute):
    """`compute()`, kept (KHUYENCONG_FIGURES_CACHE_SECONDS, per process) until the database changes.

    For figures many people read at once (the Ministry's national status page and its API): the
    same selector's answer, computed once per change of the data rather than once per request.
    One query more (`data_version`) on a hit or a miss.
    """
    seconds = settings.KHUYENCONG_FIGURES_CACHE_SECONDS
    version = data_version() if seconds > 0 else None
    if version is None:
        return compute()
    rules = [getattr(settings, name) for name in _SETTINGS_READ]
    digest = hashlib.sha256(repr((key, version, get_language(), rules)).encode()).hexdigest()
    name = f"kc-figures:{digest}"
    found = _FIGURES_CACHE.get(name)
    if found is None:
        found = compute()
        _FIGURES_CACHE.set(name, found, seconds)
    return found


def province_status(
    user,
    period: Period,
    *,
    level: str = Level.ALL,
    programme: str = Programme.INDUSTRY_PROMOTION,
    units: str = "then",
    region: str = "",
    content: int | None = None,
    sort: str = "",
    descending: bool = False,
) -> StatusTable:
    """Each unit the user sees, over the period: the report's money, the đề án, the lagging ones, the report.

    Reviewers see every unit (or a region's); province users their province and the units it grew
    out of. The report's summary (nine queries without comparisons), one count of listed and lagging
    đề án per unit, and the reports' states (`completeness`' three) when the period is a reporting period.
    """
    own = None if sees_all_provinces(user) else user_province(user)
    if own is None and not sees_all_provinces(user):
        raise PermissionError("no read scope")
    day = min(period.date_until, today())
    key = (own.pk if own else None, period, level, programme, units, region if own is None else "", content, sort,
           descending, day)  # fmt: skip
    return cached_while_unchanged(
        ("province_status", *key),
        lambda: _province_status(own, period, day, level=level, programme=programme, units=units, region=region,
                                 content=content, sort=sort, descending=descending),
    )  # fmt: skip


def _province_status(own, period, day, *, level, programme, units, region, content, sort, descending) -> StatusTable:
    cov = figures.coverage(period, level=level, province=own, region=region if own is None else "",
                           units=units, content=content, programme=programme)  # fmt: skip
    summary = figures.summary(cov, comparisons=False, counts_on=day, lagging=True)
    key = reporting_period(period.year, period.date_from, period.date_until)
    cells = {}
    if key is not None:
        shown = Province.objects.filter(pk__in=[status.unit_id for status in summary.status_rows])
        cells = _cells(period.year, {unit.pk: unit for unit in shown})
        for cell in cells.values():
            cell.due = due_date(period.year, key)
    rows = []
    for status in summary.status_rows:
        cell = cells.get((status.unit_id, key)) if key else None
        if key and cell is None:
            cell = Cell(State.NOT_STARTED, due=due_date(period.year, key))
        rows.append(
            UnitStatus(
                unit_id=status.unit_id,
                name=status.label,
                region=status.region,
                code=status.code,
                approved=status.approved_total,
                performed=status.performed_total,
                paid=status.paid_total,
                projects=status.projects,
                lagging=status.lagging,
                report=cell,
            )
        )
    order = SORTS.get(sort)
    groups = []
    total = UnitStatus(None, str(_("Whole country")) if own is None else summary.coverage.name, "", kind="total")
    for value, label in Region.choices:
        members = [row for row in rows if row.region == value]
        if not members:
            continue
        if order is not None:
            members.sort(key=order, reverse=descending)
        subtotal = UnitStatus(None, str(label), value, kind="region")
        for row in members:
            subtotal.add(row)
        total.add(subtotal)
        groups.append((subtotal, members))
    return StatusTable(cov, day, key, groups, total, summary)

"""The figures of a report, in one place: pure functions over aggregate SQL.

Every renderer (the HTML preview, the PDF, the Excel workbook, the command) and every test reads
its numbers from here. `summary()` answers Biểu 01, Biểu 02 and the disbursement status in a
constant number of queries (eleven; thirteen when a đề án shares the year: whatever the size of
the data, tests pin it); `project_rows()` answers Biểu 03 in five. Amounts are whole đồng;
percentages exact `Decimal`, rounded at display.

Definitions (domain.md §6–§7, report-layout.md §1d):

- **the year's plan**: lines of the approved plans of the report's year;
- **performed in the period**: payments dated in the period on đề án of the year's plans;
  **cumulative**: such payments up to the period's last day; **same period last year**: payments in
  the same dates a year earlier on đề án of the previous year's plans;
- **kinh phí năm trước chuyển sang**: payments dated in the period on đề án of earlier years' plans;
- **started / accepted in the period**: đề án of the year's plans whose implementation began, or
  which were accepted (nghiệm thu), inside the period;
- **support in force** on a day: the value an adjustment set from its effective date, so the value
  on the period's last day is the “before” value of the first adjustment that applies after it,
  or the current value when none does;
- **approved**: đề án of the year's plans approved by the period's last day; a đề án stopped by
  then counts for what was paid on it (the rest of its support is released).

Which rows: a province of today covers the rows of every unit it grew out of (they are filed
with it as their unit of today), so a report of a province created on 1/7/2025 over an earlier
period rolls up its predecessors; a pre-merger unit covers the rows filed under it; a region, the
rows filed under the units of that region (the regions of the time); the nation, all.
"""

from __future__ import annotations

import dataclasses
import datetime
import itertools
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connections
from django.db.models import Case, Count, Exists, F, OuterRef, Q, Subquery, Sum, When
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from programmes import allocations, lags, statuses
from programmes.lib.formatting import millions, ratio
from programmes.lib.text import search_key
from programmes.models import (
    SCHEME_LEVEL_ABBREVIATIONS,
    ActivityContent,
    Beneficiary,
    ConsultancyService,
    Disbursement,
    Facility,
    Indicator,
    IndicatorKind,
    Plan,
    PlanLine,
    Programme,
    Project,
    ProjectAdjustment,
    ProjectAllocation,
    ProjectStatus,
    Province,
    Region,
    SchemeLevel,
)
from programmes.reference_data import bare_name
from programmes.units import MERGER_DATE

from .models import Level, Scope
from .periods import Period

S = ProjectStatus
LEVELS = [SchemeLevel.NATIONAL, SchemeLevel.LOCAL]
LEVEL_OF = {Level.NATIONAL: [SchemeLevel.NATIONAL], Level.LOCAL: [SchemeLevel.LOCAL], Level.ALL: LEVELS}
LEVEL_TITLES = {SchemeLevel.NATIONAL: "Khuyến công quốc gia", SchemeLevel.LOCAL: "Khuyến công địa phương"}


# --- What a report covers -----------------------------------------------------------------------


@dataclass(frozen=True)
class Coverage:
    """The rows a report covers: a province (any unit), a region or the nation, over a period."""

    scope: str
    period: Period
    level: str = Level.ALL
    province: Province | None = None
    region: str = ""
    region_units: tuple[int, ...] = ()
    predecessors: tuple[str, ...] = ()
    # "then" groups by the unit of the time (the filed-under unit), "today" by the unit of today;
    # "" as the reports do (units of today for a period ending from 1/7/2025).
    units: str = ""
    content: int | None = None  # one activity content only (the status page's filter)
    # The programme the figures are of: khuyến công unless asked; the others are never counted in it.
    programme: str = Programme.INDUSTRY_PROMOTION

    @property
    def levels(self) -> list[str]:
        return LEVEL_OF[self.level]

    @property
    def name(self) -> str:
        if self.scope == Scope.PROVINCE:
            return self.province.name
        if self.scope == Scope.REGION:
            return str(Region(self.region).label)
        return "toàn quốc"

    @property
    def lineage_note(self) -> str:
        """What the heading says when the figures roll up units that no longer exist."""
        if not self.predecessors:
            return ""
        return f"Số liệu trước ngày 01/07/2025 gồm số liệu của: {', '.join(self.predecessors)}."

    def rows(self, prefix: str = "") -> Q:
        """The filter on a register table's filed-under columns (`prefix` for a related table)."""
        if self.scope == Scope.PROVINCE:
            if self.province.valid_to is None:
                return Q(**{f"{prefix}current_province": self.province.pk})
            return Q(**{f"{prefix}province": self.province.pk})
        if self.scope == Scope.REGION:
            return Q(**{f"{prefix}province__in": self.region_units})
        return Q()

    def of_content(self, prefix: str = "") -> Q:
        """The filter on a table's activity content, when the coverage names one."""
        return Q(**{f"{prefix}content": self.content}) if self.content else Q()

    def of_programme(self, prefix: str = "") -> Q:
        """The filter on a table's plan's programme (`summary` filters its plans instead, in Python)."""
        return Q(**{f"{prefix}plan__scheme__programme": self.programme})

    def unit_column(self) -> str:
        """The column the national table groups by: units of today from 1/7/2025, the old units before
        (a report); or as asked (the status page: `units`)."""
        if self.units == "then":
            return "province"
        if self.units == "today":
            return "current_province"
        return "current_province" if self.period.date_until >= MERGER_DATE else "province"


def coverage(
    period: Period,
    *,
    level: str = Level.ALL,
    province: Province | None = None,
    region: str = "",
    units: str = "",
    content: int | None = None,
    programme: str = Programme.INDUSTRY_PROMOTION,
) -> Coverage:
    """Return what a report covers; ValidationError for a unit that did not exist in the period.

    `units` and `content` are the status page's: which units its table groups by, and one
    activity content (see `Coverage`); `programme` the programme the figures are of."""
    if programme not in Programme.values:
        raise ValidationError({"programme": _("Unknown programme.")})
    return dataclasses.replace(
        _coverage(period, level, province, region), units=units, content=content, programme=programme
    )


def _coverage(period: Period, level: str, province: Province | None, region: str) -> Coverage:
    if level not in LEVEL_OF:
        raise ValidationError({"level": _("Unknown scheme level.")})
    if province is not None:
        if province.valid_to is not None and period.date_until > province.valid_to:
            raise ValidationError(
                {
                    "province": _("%(province)s ceased on %(date)s: choose the unit it became part of (%(successor)s).")
                    % {
                        "province": province,
                        "date": province.valid_to.strftime("%d/%m/%Y"),
                        "successor": province.successor.name if province.successor_id else "",
                    }
                }
            )
        if province.valid_from is not None and period.date_from < province.valid_from:
            ancestors = Province.objects.filter(current=province).exclude(pk=province.pk).order_by("name")
            names = tuple(f"{unit.name} (cũ)" for unit in ancestors)
        else:
            names = ()
        return Coverage(Scope.PROVINCE, period, level, province=province, predecessors=names)
    if region:
        if region not in Region.values:
            raise ValidationError({"region": _("Unknown region.")})
        units = tuple(Province.objects.filter(region=region).values_list("pk", flat=True))
        return Coverage(Scope.REGION, period, level, region=region, region_units=units)
    return Coverage(Scope.NATION, period, level)


def resolve_province(code: str, on: datetime.date) -> Province:
    """The unit that bore `code` on `on` (`Province.objects.resolve`), or a ValidationError saying none did."""
    try:
        return Province.objects.resolve(code, on)
    except Province.DoesNotExist:
        raise ValidationError(
            _("No province or city had the code %(code)s on %(date)s.")
            % {"code": code, "date": on.strftime("%d/%m/%Y")}
        ) from None


# --- Biểu 01, Biểu 02 and the disbursement status --------------------------------------------


@dataclass
class Line:
    """One row of Biểu 01 (a content, a level's sub-total, the carry-over row or the total)."""

    label: str
    number: str = ""
    content_code: str = ""
    planned_projects: int = 0
    planned_amount: int = 0
    started: int = 0
    accepted: int = 0
    performed: int = 0
    cumulative: int = 0
    last_year: int = 0
    counterpart: int = 0
    # Money paid on đề án of earlier years' plans, inside `performed` and `cumulative` (the carry-over
    # row and the total): never set against a plan or last year's figure.
    carried_over: int = 0
    kind: str = "content"  # content | subtotal | carry_over | total

    @property
    def accepted_of_planned(self) -> str:
        """“02/08”: đề án accepted in the period out of the number the plan set."""
        return f"{self.accepted:02d}/{self.planned_projects:02d}"

    @property
    def percent_of_plan(self) -> Decimal | None:
        return ratio(self.cumulative - self.carried_over, self.planned_amount)

    @property
    def percent_of_last_year(self) -> Decimal | None:
        return ratio(self.performed - self.carried_over, self.last_year)

    def add(self, other: Line) -> None:
        for name in (
            "planned_projects",
            "planned_amount",
            "started",
            "accepted",
            "performed",
            "cumulative",
            "last_year",
            "counterpart",
            "carried_over",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class LevelBlock:
    level: str
    letter: str
    title: str
    lines: list[Line] = field(default_factory=list)
    subtotal: Line | None = None


@dataclass
class OutputRow:
    number: int
    name: str
    unit: str
    planned: int
    achieved: int

    @property
    def percent(self) -> Decimal | None:
        return ratio(self.achieved, self.planned)


@dataclass
class StatusRow:
    """Approved KC support and what was paid on it, per level: one row per province, or the total."""

    label: str
    region: str = ""
    approved: dict = field(default_factory=lambda: dict.fromkeys(LEVELS, 0))
    paid: dict = field(default_factory=lambda: dict.fromkeys(LEVELS, 0))
    planned: dict = field(default_factory=lambda: dict.fromkeys(LEVELS, 0))
    performed: dict = field(default_factory=lambda: dict.fromkeys(LEVELS, 0))  # paid in the period
    kind: str = "unit"  # unit | region | total
    unit_id: int | None = None
    code: str = ""
    # With `summary(counts_on=…)`: the đề án the report lists, the overdue and the lagging ones.
    projects: int = 0
    overdue: int = 0
    lagging: int = 0

    @property
    def planned_total(self) -> int:
        return sum(self.planned.values())

    @property
    def performed_total(self) -> int:
        return sum(self.performed.values())

    @property
    def approved_total(self) -> int:
        return sum(self.approved.values())

    @property
    def paid_total(self) -> int:
        return sum(self.paid.values())

    def percent(self, level: str | None = None) -> Decimal | None:
        if level is None:
            return ratio(self.paid_total, self.approved_total)
        return ratio(self.paid[level], self.approved[level])

    def add(self, other: StatusRow) -> None:
        for level in LEVELS:
            self.approved[level] += other.approved[level]
            self.paid[level] += other.paid[level]
            self.planned[level] += other.planned[level]
            self.performed[level] += other.performed[level]
        self.projects += other.projects
        self.overdue += other.overdue
        self.lagging += other.lagging


@dataclass
class Summary:
    coverage: Coverage
    blocks: list[LevelBlock]
    carry_over: Line
    total: Line
    outputs: list[OutputRow]
    status_rows: list[StatusRow]
    status_total: StatusRow

    @property
    def period(self) -> Period:
        return self.coverage.period


def _approved_by(day: datetime.date, prefix: str = "") -> Q:
    """Approved by `day` (a đề án stopped after its approval included)."""
    return Q(**{f"{prefix}decision_date__lte": day}) & Q(**{f"{prefix}status__in": list(statuses.DECIDED)})


def listed_in(period: Period, prefix: str = "") -> Q:
    """`listed` over a period of several report years: listed by the report of any of them."""
    found = Q(pk__in=[])
    for segment in period.segments():
        found |= listed(segment.year, segment.date_until, prefix)
    return found


def is_listed_in(project, period: Period) -> bool:
    return any(is_listed(project, segment.year, segment.date_until) for segment in period.segments())


def of_year(year: int, prefix: str = "") -> Q:
    """The đề án of `year`'s plans: filed under them, or multi-year with a share of that year
    (`programmes.allocations`)."""
    return Q(**{f"{prefix}year": year}) | Q(**{f"{prefix}year__lt": year, f"{prefix}final_year__gte": year})


def listed(year: int, day: datetime.date, prefix: str = "") -> Q:
    """The đề án a report of `year` whose period ends on `day` lists (Biểu 03): of that year's plans
    (`of_year`) and approved by `day`. The one rule: the period lock holds what a report listed
    (`is_listed`)."""
    return of_year(year, prefix) & _approved_by(day, prefix)


def is_listed(project, year: int, day: datetime.date) -> bool:
    """`listed` for one đề án in memory (the period lock asks it of a row being written)."""
    return (
        project is not None
        and project.shares_in(year)
        and project.decision_date is not None
        and project.decision_date <= day
        and project.status in statuses.DECIDED
    )


def _stopped_by(day: datetime.date, prefix: str = "") -> Q:
    return Q(**{f"{prefix}stopped_on__lte": day})


def summary(
    cov: Coverage, *, comparisons: bool = True, counts_on: datetime.date | None = None, lagging: bool = False
) -> Summary:
    """Biểu 01, Biểu 02 and the disbursement status of what `cov` covers. Eleven queries for a period
    of one report year, eight more for each further year a longer window covers (at most five); one
    of each year's looks for multi-year đề án sharing it, and finding some reads them and their
    payments in two more (`_shared_rows`).

    Each query groups by unit, plan and activity content, reading covering indexes (payments carry
    their đề án's plan and content); the level of each plan comes from one small read of the plans,
    so a single-level report filters in Python rather than joining the schemes.

    Without `comparisons` (the status page, the API): the same figures by the same expressions,
    less what only the report prints — the same period last year, the money carried over from
    earlier years' plans (both zero) and the outputs (none). Nine queries (eleven with shares), and the payments read
    are the year's up to the period's end only, not also last year's.

    With `counts_on` (a day), each status row also counts the đề án the report lists (`listed`)
    and those of them overdue on that day (`programmes.lags`' rule); with `lagging`, those lagging
    by any of the lag rules on that day, in the same query (from the đề án's rows and their digest
    of payments; the payments of a đề án are read only for the advance rule, when its advances to
    date are over the cap).
    """
    period = cov.period
    unit = cov.unit_column()
    # 1. The plans in scope, of the programme asked for, with their level: the rows of any other
    #    plan (energy saving beside khuyến công) are left out below.
    plan_levels = dict(
        Plan.objects.filter(cov.rows(), year__lte=period.year, scheme__programme=cov.programme).values_list(
            "pk", "scheme__level"
        )
    )
    rows = defaultdict(list)
    for segment in period.segments():
        for name, found in _segment_rows(cov, segment, unit, comparisons, counts_on, lagging).items():
            rows[name].extend(found)

    def of_levels(rows):
        """The rows of the levels asked for, each with its plan's level."""
        kept = []
        for row in rows:
            level = plan_levels.get(row["plan_ref"])
            if level in cov.levels:
                row["level"] = level
                kept.append(row)
        return kept

    plans, projects, adjustments, payments = (
        of_levels(rows[name]) for name in ("plans", "projects", "adjustments", "payments")
    )
    targets, outputs = _by_kind(of_levels(rows["targets"])), _by_kind(of_levels(rows["outputs"]))
    # 8–10. The names of the contents, units and indicators the figures mention.
    content_ids = {row["content_ref"] for rows in (plans, projects, payments) for row in rows}
    unit_ids = {row[unit] for rows in (plans, projects, adjustments, payments) for row in rows}
    then_ids = {
        row["province"] for rows in (plans, projects, adjustments, payments) for row in rows if "province" in row
    }
    names = _names(cov, content_ids, unit_ids, then_ids - unit_ids)

    return _assemble(cov, unit, names, plans, projects, adjustments, payments, targets, outputs)


def _splits_regions(cov: Coverage, unit: str, period: Period) -> bool:
    """Whether the table by province must split a unit of today's money by the region of its unit
    of the time (a region or the nation grouped by units of today over days before 1/7/2025)."""
    return cov.scope != Scope.PROVINCE and unit == "current_province" and period.date_from < MERGER_DATE


def _segment_rows(cov: Coverage, period: Period, unit: str, comparisons, counts_on, lagging) -> dict[str, list]:
    """The grouped rows of one report year of the period (`Period.segments`): seven queries."""
    year, start, end = period.year, period.date_from, period.date_until
    last = period.last_year()
    # Grouped by the unit of today, money filed before 1/7/2025 also by its unit of the time, whose
    # region it counts in (`_assemble`).
    units = (unit, "province") if _splits_regions(cov, unit, period) else (unit,)
    # 2. The year's plan, per unit, plan and content.
    plan_rows = (
        PlanLine.objects.filter(cov.rows(), cov.of_content(), year=year, plan__status="da_duyet")
        .values(*units, plan_ref=F("plan"), content_ref=F("content"))
        .annotate(amount=Sum("planned_amount"), projects=Sum("planned_projects"))
        .order_by()
    )
    # 3. The year's đề án: started and accepted in the period, approved support and counterpart funds;
    #    a đề án stopped by the period's end counts for what was paid on it.
    #    With counts: the listed đề án, the overdue and the lagging ones among them.
    approved = _approved_by(end) & ~_stopped_by(end)
    projects_of_year, counts = _counted(
        Project.objects.filter(cov.rows(), cov.of_content(), year=year), listed(year, end), year, counts_on, lagging
    )
    project_rows = (
        projects_of_year.values(*units, plan_ref=F("plan"), content_ref=F("content"))
        .annotate(
            started=Count("pk", filter=Q(started_on__range=(start, end))),
            accepted=Count("pk", filter=Q(accepted_on__range=(start, end))),
            support=Coalesce(Sum("kc_support", filter=approved), 0),
            counterpart=Coalesce(Sum("counterpart_funds", filter=approved), 0),
            paid_stopped=Coalesce(Sum("disbursed_amount", filter=_approved_by(end) & _stopped_by(end)), 0),
            **counts,
        )
        .order_by()
    )
    # 4. Adjustments that apply after the period: the support and counterpart in force on its last day
    #    are the "before" values of the first of them (adjustments of one đề án never share a day).
    earlier_later = ProjectAdjustment.objects.filter(
        project=OuterRef("project"), effective_on__gt=end, effective_on__lt=OuterRef("effective_on")
    )
    corrections = (
        ProjectAdjustment.objects.filter(cov.rows(), cov.of_content("project__"), year=year, effective_on__gt=end)
        .filter(_approved_by(end, "project__") & ~_stopped_by(end, "project__"))
        .filter(project__final_year__isnull=True)  # a multi-year đề án's in `_shared_rows`
        .exclude(Exists(earlier_later))
        .values(*units, plan_ref=F("project__plan"), content_ref=F("project__content"))
        .annotate(
            support=Sum(F("old_kc_support") - F("project__kc_support")),
            counterpart=Sum(F("old_counterpart_funds") - F("project__counterpart_funds")),
        )
        .order_by()
    )
    # 5. Payments: in the period, cumulative since the start of the year, the same period last year,
    #    carried over from earlier years' plans: one range of a covering index (an OR of two ranges
    #    would read the table).
    in_period = Q(paid_on__range=(start, end))
    this_year = Q(year=year, paid_on__gte=period.year_start())
    same_period_last_year = Q(year=year - 1, paid_on__range=(last.date_from, last.date_until))
    sums = {
        "performed": Coalesce(Sum("amount", filter=this_year & in_period), 0),
        "cumulative": Coalesce(Sum("amount", filter=this_year), 0),
    }
    if comparisons:
        first_day = min(start, period.year_start(), last.date_from)
        read = Q(paid_on__range=(first_day, end), year__lte=year)
        sums["last_year"] = Coalesce(Sum("amount", filter=same_period_last_year), 0)
        sums["carry_over"] = Coalesce(Sum("amount", filter=Q(year__lt=year) & in_period), 0)
    else:
        read = Q(paid_on__range=(min(start, period.year_start()), end), year=year)
    payment_rows = _payment_sums(cov, units, read, sums)
    # 6–7. Outputs: targets of the year's plan lines, and the đề án's planned and achieved figures.
    plan_targets = (
        Indicator.objects.filter(cov.rows(), cov.of_content(), year=year, plan__isnull=False)
        .values("kind", plan_ref=F("plan"))
        .annotate(planned=Sum("planned"))
        .order_by()
    )
    project_outputs = (
        Indicator.objects.filter(cov.rows(), cov.of_content("project__"), year=year, project__isnull=False)
        .values("kind", plan_ref=F("project__plan"))
        .annotate(planned=Sum("planned"), achieved=Coalesce(Sum("achieved", filter=Q(achieved_on__lte=end)), 0))
        .order_by()
    )

    shared_projects, shared_payments = _shared_rows(cov, period, units, comparisons, counts_on, lagging)
    found = {
        "plans": plan_rows,
        "projects": [*project_rows, *shared_projects],
        "adjustments": corrections,
        "payments": [*payment_rows, *shared_payments],
        "targets": [],
        "outputs": [],
    }
    if comparisons:
        found["targets"], found["outputs"] = plan_targets, project_outputs
    return found


def _shared_rows(cov: Coverage, period: Period, units, comparisons, counts_on, lagging) -> tuple[list, list]:
    """What the multi-year đề án change in the figures of one report year: two queries, over the
    few đề án with a share of the year (`programmes.allocations`) and their payments; one look at
    the shares' index before them, and only that when no đề án shares the year (or, with comparisons, the year before).

    The year's đề án are counted above with their whole money; here a multi-year one counts its
    share of the year instead (the share in force on the period's last day: an adjustment changes
    the share of the year it applies in), and one of an earlier year's plan with a share of this
    year counts too: its share, its start and acceptance in the period, its listing. Its payments
    of the year are performed against the year's plan, not money carried over.
    """
    year, start, end = period.year, period.date_from, period.date_until
    if not ProjectAllocation.objects.filter(year__in=(year, year - 1) if comparisons else (year,)).exists():
        return [], []  # no đề án shares the year: one read of a small index, not two queries to build
    year_start, year_end = period.year_start(), datetime.date(year, 12, 31)
    # The adjustments after the period's end that changed this year's share (`allocations.share_year`
    # in SQL: applying in this year, or after it when it is the last): (new − old) of each.
    later = ProjectAdjustment.objects.filter(project=OuterRef("pk"), effective_on__gt=end).filter(
        Q(effective_on__lte=year_end) | Q(project__final_year=year)
    )

    def changed(name: str):
        moved = later.values("project").annotate(moved=Sum(F(f"new_{name}") - F(f"old_{name}"))).values("moved")
        return Coalesce(Subquery(moved), 0)

    paid_in_year = (
        Disbursement.objects.filter(project=OuterRef("pk"), paid_on__range=(year_start, end))
        .values("project")
        .annotate(paid=Sum("amount"))
        .values("paid")
    )
    approved = _approved_by(end) & ~_stopped_by(end)
    stopped = _approved_by(end) & _stopped_by(end)
    first, earlier = Q(year=year), Q(year__lt=year)
    shared = Project.objects.filter(cov.rows(), cov.of_content(), allocations__year=year).annotate(
        support_later=changed("kc_support"),
        counterpart_later=changed("counterpart_funds"),
        paid_in_year=Coalesce(Subquery(paid_in_year), 0),
    )
    # Those filed this year are counted with the year's đề án already.
    shared, counts = _counted(shared, earlier & _approved_by(end), year, counts_on, lagging)
    projects = (
        shared.values(*units, plan_ref=F("plan"), content_ref=F("content"))
        .annotate(
            started=Count("pk", filter=earlier & Q(started_on__range=(start, end))),
            accepted=Count("pk", filter=earlier & Q(accepted_on__range=(start, end))),
            support=Coalesce(Sum(F("allocations__kc_support") - F("support_later"), filter=approved), 0)
            - Coalesce(Sum("kc_support", filter=approved & first), 0),
            counterpart=Coalesce(Sum(F("allocations__counterpart_funds") - F("counterpart_later"), filter=approved), 0)
            - Coalesce(Sum("counterpart_funds", filter=approved & first), 0),
            paid_stopped=Coalesce(Sum("paid_in_year", filter=stopped), 0)
            - Coalesce(Sum("disbursed_amount", filter=stopped & first), 0),
            **counts,
        )
        .order_by()
    )
    # Their payments of the year, filed under an earlier year's plan: performed, not carried over.
    in_year = Q(year__lt=year, paid_on__range=(year_start, end), project__in=_shares_of(year))
    in_period = Q(paid_on__range=(start, end))
    read, sums = (
        in_year,
        {
            "performed": Coalesce(Sum("amount", filter=in_year & in_period), 0),
            "cumulative": Coalesce(Sum("amount", filter=in_year), 0),
        },
    )
    if comparisons:
        last = period.last_year()
        in_last_year = Q(
            year__lt=year - 1, paid_on__range=(last.date_from, last.date_until), project__in=_shares_of(year - 1)
        )
        read |= in_last_year
        sums["last_year"] = Coalesce(Sum("amount", filter=in_last_year), 0)
        sums["carry_over"] = -Coalesce(Sum("amount", filter=in_year & in_period), 0)
    return list(projects), list(_payment_sums(cov, units, read, sums))


def _payment_sums(cov: Coverage, units, read: Q, sums: dict):
    """The payments `read` of what `cov` covers, summed as `sums` per unit, plan and content."""
    return (
        Disbursement.objects.filter(cov.rows(), cov.of_content())
        .filter(read)
        .values(*units, plan_ref=F("plan"), content_ref=F("content"))
        .annotate(**sums)
        .order_by()
    )


def _counted(projects, shown: Q, year: int, counts_on, lagging) -> tuple:
    """With `counts_on`, the counts of a status row over `projects`: those `shown` (listed by the
    report), the overdue and (with `lagging`) the lagging ones among them on that day."""
    counts = {}
    if counts_on is not None:
        counts["listed"] = Count("pk", filter=shown)
        counts["overdue"] = Count("pk", filter=shown & lags.condition("overdue", counts_on))
        if lagging:
            projects = lags.annotate(projects, counts_on)
            counts["lagging"] = Count("pk", filter=shown & lags.any_condition(counts_on, years=[year]))
    return projects, counts


def _shares_of(year: int):
    """The ids of the đề án with a share of `year` (a subquery)."""
    return ProjectAllocation.objects.filter(year=year).values("project")


def _by_kind(rows) -> list[dict]:
    totals: dict[int, dict] = {}
    for row in rows:
        total = totals.setdefault(row["kind"], {"kind": row["kind"], "planned": 0, "achieved": 0})
        total["planned"] += row["planned"] or 0
        total["achieved"] += row.get("achieved") or 0
    return list(totals.values())


@dataclass
class _Names:
    contents: dict
    units: dict
    kinds: dict
    then: dict = field(default_factory=dict)  # units of the time the figures split by: (code, name, region)


def _names(cov: Coverage, content_ids, unit_ids, then_ids=()) -> _Names:
    """Contents, units and indicator kinds by id: three small reads."""
    contents = ActivityContent.objects.filter(pk__in=content_ids).values_list("pk", "code", "number", "short_name")
    units = Province.objects.filter(pk__in=unit_ids)
    if cov.scope != Scope.PROVINCE:
        # The table by province lists every unit of the time, with or without figures.
        of_the_time = Province.objects.valid_on(cov.period.date_until)
        if cov.region:
            of_the_time = of_the_time.filter(region=cov.region)
        units = Province.objects.filter(pk__in=unit_ids) | of_the_time
    kinds = IndicatorKind.objects.values_list("pk", "number", "name", "unit")
    unit_names = {row[0]: row[1:] for row in units.values_list("pk", "code", "name", "region")}
    then = {}
    if then_ids:
        then = {
            row[0]: row[1:]
            for row in Province.objects.filter(pk__in=then_ids).values_list("pk", "code", "name", "region")
        }
    return _Names(
        {pk: (code, number, name) for pk, code, number, name in contents},
        unit_names,
        {pk: (number, name, unit) for pk, number, name, unit in kinds},
        then,
    )


def _content_order(code: str, number: int) -> tuple:
    return (code.split("-")[0], number)


def _assemble(cov, unit, names, plans, projects, adjustments, payments, targets, outputs) -> Summary:
    lines: dict[tuple[str, int], Line] = {}

    def line(level, content) -> Line:
        key = (level, content)
        if key not in lines:
            code, _number, name = names.contents[content]
            lines[key] = Line(label=name, content_code=code)
        return lines[key]

    status: dict[tuple[int, str], StatusRow] = {}
    parts_of: dict[tuple[int, str], set[str]] = defaultdict(set)

    def status_row(unit_id, row=None) -> StatusRow:
        """A unit's row in the table by province, in the region of the time of `row`'s money: a unit of
        today whose predecessors lay in another region shows that money there, on a row of its own."""
        code, name, region = names.units[unit_id]
        then = names.then.get(row.get("province")) if row is not None else None
        if then is not None and then[2] != region:
            region = then[2]
            parts_of[unit_id, region].add(then[1])
        key = (unit_id, region)
        if key not in status:
            status[key] = StatusRow(label=name, region=region, unit_id=unit_id, code=code)
        return status[key]

    for row in plans:
        target = line(row["level"], row["content_ref"])
        target.planned_amount += row["amount"] or 0
        target.planned_projects += row["projects"] or 0
        status_row(row[unit], row).planned[row["level"]] += row["amount"] or 0
    for row in projects:
        target = line(row["level"], row["content_ref"])
        target.started += row["started"]
        target.accepted += row["accepted"]
        target.counterpart += row["counterpart"]
        unit_status = status_row(row[unit], row)
        unit_status.approved[row["level"]] += row["support"] + row["paid_stopped"]
        unit_status.projects += row.get("listed", 0)
        unit_status.overdue += row.get("overdue", 0)
        unit_status.lagging += row.get("lagging", 0)
    for row in adjustments:
        line(row["level"], row["content_ref"]).counterpart += row["counterpart"] or 0
        status_row(row[unit], row).approved[row["level"]] += row["support"] or 0
    carry_over = Line(label="Kinh phí năm trước chuyển sang", kind="carry_over")
    for row in payments:
        carried = row.get("carry_over", 0)
        carry_over.performed += carried
        carry_over.cumulative += carried
        carry_over.carried_over += carried
        if row["performed"] or row["cumulative"] or row.get("last_year"):
            target = line(row["level"], row["content_ref"])
            target.performed += row["performed"]
            target.cumulative += row["cumulative"]
            target.last_year += row.get("last_year", 0)
        status_row(row[unit], row).paid[row["level"]] += row["cumulative"]
        status_row(row[unit], row).performed[row["level"]] += row["performed"]

    blocks = []
    total = Line(label="Tổng cộng", kind="total")
    for letter, level in zip("AB", cov.levels, strict=False):
        block = LevelBlock(level, letter, LEVEL_TITLES[level])
        keys = sorted(
            (key for key in lines if key[0] == level), key=lambda key: _content_order(*names.contents[key[1]][:2])
        )
        subtotal = Line(label=f"Cộng {SCHEME_LEVEL_ABBREVIATIONS[level]}", kind="subtotal")
        for number, key in enumerate(keys, start=1):
            lines[key].number = str(number)
            block.lines.append(lines[key])
            subtotal.add(lines[key])
        block.subtotal = subtotal
        total.add(subtotal)
        blocks.append(block)
    total.add(carry_over)

    planned = {row["kind"]: row["planned"] or 0 for row in targets}
    output_rows = []
    achieved = {row["kind"]: row for row in outputs}
    for kind in sorted(set(planned) | set(achieved), key=lambda pk: names.kinds[pk][:2]):
        number, name, unit_name = names.kinds[kind]
        from_projects = achieved.get(kind, {})
        output_rows.append(
            OutputRow(
                number=len(output_rows) + 1,
                name=name,
                unit=unit_name,
                planned=planned.get(kind, from_projects.get("planned") or 0),
                achieved=from_projects.get("achieved") or 0,
            )
        )

    if cov.scope != Scope.PROVINCE:
        for unit_id in names.units:
            if cov.scope == Scope.NATION or names.units[unit_id][2] == cov.region:
                status_row(unit_id)
    for (unit_id, region), parts in parts_of.items():
        row = status[unit_id, region]
        row.label = f"{row.label} (số liệu trước 01/07/2025 của {', '.join(sorted(parts, key=search_key))})"
    # By region, then by name as Vietnamese readers look for it (Đà Nẵng under D, Thành phố Huế under H).
    status_rows = sorted(
        status.values(),
        key=lambda row: (list(Region.values).index(row.region), search_key(bare_name(row.label)), row.label),
    )
    status_total = StatusRow(label="Tổng cộng", kind="total")
    for row in status_rows:
        status_total.add(row)
    return Summary(cov, blocks, carry_over, total, output_rows, status_rows, status_total)


def status_by_region(summary: Summary) -> list[tuple[StatusRow, list[StatusRow]]]:
    """The table by province, grouped by region: (the region's sub-total, its provinces)."""
    groups = []
    for region in Region:
        members = [row for row in summary.status_rows if row.region == region.value]
        if not members:
            continue
        subtotal = StatusRow(label=str(region.label), region=region.value, kind="region")
        for row in members:
            subtotal.add(row)
        groups.append((subtotal, members))
    return groups


# --- Biểu 03: the đề án, with their beneficiaries -----------------------------------------------


def _beneficiary_text(name, commune, item, eligible, technology_line, exception) -> str:
    """A beneficiary as Biểu 03 lists it: the facility (its commune), what the support paid for and its
    eligible cost, a whole technology line, the decision that allowed more than the cap."""
    text = f"{name} ({commune})" if commune else name
    details = []
    if item:
        details.append(item + (" – " + _("whole technology line") if technology_line else ""))
    if eligible is not None:
        details.append(_("eligible cost %(amount)s million đồng") % {"amount": millions(eligible)})
    if exception:
        details.append(_("above the cap by decision %(number)s") % {"number": exception})
    return f"{text}: {'; '.join(details)}" if details else text


STATUS_ON_DAY = [
    ("stopped_on", "Ngừng thực hiện"),
    ("settled_on", "Đã quyết toán"),
    ("accepted_on", "Đã nghiệm thu"),
    ("started_on", "Đang thực hiện"),
    ("contracted_on", "Đã ký hợp đồng"),
    ("decision_date", "Đã phê duyệt"),
]


@dataclass
class ProjectRow:
    number: int
    level: str
    content_label: str
    code: str
    name: str
    unit: str
    beneficiaries: list[str]
    place: str
    dates: str
    total_cost: int
    support: int
    counterpart: int
    paid_in_period: int
    paid_to_date: int
    status: str
    note: str

    @property
    def percent_paid(self) -> Decimal | None:
        return ratio(self.paid_to_date, self.support)


@dataclass
class ProjectGroup:
    """A level's or a content's đề án with their sub-total (`rows` empty for a level heading)."""

    label: str
    kind: str  # level | content | total
    rows: list[ProjectRow] = field(default_factory=list)
    support: int = 0
    counterpart: int = 0
    total_cost: int = 0
    paid_in_period: int = 0
    paid_to_date: int = 0

    def add(self, row) -> None:
        for name in ("support", "counterpart", "total_cost", "paid_in_period", "paid_to_date"):
            setattr(self, name, getattr(self, name) + getattr(row, name))

    @property
    def percent_paid(self) -> Decimal | None:
        return ratio(self.paid_to_date, self.support)


def _carried_over(cov: Coverage):
    """The đề án of earlier years' plans paid in the period (a subquery of their ids): earlier than
    the year of the payment's report year."""
    paid = Q(pk__in=[])
    for segment in cov.period.segments():
        paid |= Q(year__lt=segment.year, paid_on__range=(segment.date_from, segment.date_until))
    return (
        Disbursement.objects.filter(cov.rows(), cov.of_content(), cov.of_programme())
        .filter(paid)
        .values("project")
        .distinct()
    )


def report_projects(cov: Coverage):
    """The đề án Biểu 03 lists: the year's đề án approved by the period's end, and earlier ones paid in it."""
    period = cov.period
    projects = Project.objects.filter(cov.rows(), cov.of_content(), cov.of_programme())
    if len(cov.levels) == 1:
        projects = projects.filter(plan__scheme__level__in=cov.levels)
    return projects.filter(listed_in(period) | Q(pk__in=_carried_over(cov)))


def _shared_in(cov: Coverage):
    """The đề án of earlier years' plans with a share of a year of the period (a subquery of their ids)."""
    years = cov.period.years
    return ProjectAllocation.objects.filter(year__in=years, project__year__lt=min(years)).values("project")


def _related(model, cov: Coverage):
    """The rows of `model` hanging on the đề án Biểu 03 may list (a superset: filtered in Python)."""
    return model.objects.filter(cov.rows()).filter(
        Q(year__in=cov.period.years) | Q(project__in=_carried_over(cov)) | Q(project__in=_shared_in(cov))
    )


def _shares_in_force(cov: Coverage, adjustments) -> dict[int, list[int]]:
    """A multi-year đề án's support, counterpart and other funds in the years of the period: its shares
    of those years as in force on the period's last day (an adjustment after it, in a year of the
    period, changed that year's share: `allocations.share_year`). One query."""
    period = cov.period
    found: dict[int, list[int]] = {}
    years: dict[int, tuple[int, int]] = {}
    for project_id, first, last, *amounts in (
        ProjectAllocation.objects.filter(cov.rows("project__"), year__in=period.years)
        .values("project")
        .annotate(
            first=F("project__year"),
            last=F("project__final_year"),
            kc_support=Sum("kc_support"),
            counterpart_funds=Sum("counterpart_funds"),
            other_funds=Sum("other_funds"),
        )
        .values_list("project", "first", "last", "kc_support", "counterpart_funds", "other_funds")
        .order_by()
    ):
        found[project_id], years[project_id] = list(amounts), (first, last)
    for project_id, effective_on, _number, _decided_on, *old_new in adjustments:
        later = project_id in found and effective_on > period.date_until
        if later and allocations.share_year(*years[project_id], effective_on) in period.years:
            for index in range(3):  # (old, new) of the support, counterpart and other funds
                found[project_id][index] -= old_new[3 + index] - old_new[index]
    return found


def project_rows(cov: Coverage, *, chunk_size: int = 2000):
    """Biểu 03 as (group heading | row) items, streamed in report order. Five queries.

    Yields ProjectGroup headings (a level, then a content), ProjectRow items, and a content's
    sub-total (kind "subtotal") after its last row; the last item is the total. The đề án are read
    in chunks; their payments, adjustments and beneficiaries come from one grouped read each.
    """
    period = cov.period
    start, end = period.date_from, period.date_until
    first_year = period.segments()[0].year
    # Paid in the period and to its end; a multi-year đề án's since the start of the period's first year.
    paid = {
        row["project"]: (row["in_period"], row["total"], row["of_years"])
        for row in _related(Disbursement, cov)
        .filter(paid_on__lte=end)
        .values("project")
        .annotate(
            in_period=Coalesce(Sum("amount", filter=Q(paid_on__gte=start)), 0),
            total=Sum("amount"),
            of_years=Coalesce(Sum("amount", filter=Q(paid_on__gte=period.segments()[0].year_start())), 0),
        )
        .order_by()
    }
    # The values in force on the period's last day are the "before" values of the first adjustment
    # after it; the last one up to it is named in the note.
    in_force, adjusted_by = {}, {}
    adjustments = list(
        _related(ProjectAdjustment, cov)
        .order_by("project", "effective_on")
        .values_list(
            "project",
            "effective_on",
            "decision_number",
            "decision_date",
            "old_kc_support",
            "old_counterpart_funds",
            "old_other_funds",
            "new_kc_support",
            "new_counterpart_funds",
            "new_other_funds",
        )
    )
    for project_id, effective_on, number, decided_on, *old in adjustments:
        if effective_on <= end:
            adjusted_by[project_id] = (number, decided_on)
        elif project_id not in in_force:
            in_force[project_id] = old[:3]
    shares = _shares_in_force(cov, adjustments)
    beneficiaries = defaultdict(list)
    for project_id, name, commune, item, eligible, line, exception in (
        _related(Beneficiary, cov)
        .order_by("project", "facility__name")
        .values_list(
            "project", "facility__name", "facility__commune__name", "support_item__name", "eligible_cost",
            "technology_line", "cap_exception",
        )
    ):  # fmt: skip
        beneficiaries[project_id].append(_beneficiary_text(name, commune, item, eligible, line, exception))
    projects = (
        report_projects(cov)
        .annotate(
            level=F("plan__scheme__level"),
            content_code=F("content__code"),
            content_name=F("content__short_name"),
            unit_name=F("implementing_unit__name"),
            commune_name=F("commune__name"),
            province_name=F("province__name"),
        )
        .order_by(Case(When(level=SchemeLevel.NATIONAL, then=0), default=1), "content__code", "code")
        .values_list(
            "pk",
            "level",
            "content_name",
            "code",
            "name",
            "unit_name",
            "commune_name",
            "location",
            "province_name",
            "start_date",
            "end_date",
            "kc_support",
            "counterpart_funds",
            "other_funds",
            "year",
            *(name for name, _label in STATUS_ON_DAY),
            "stop_reason",
            "final_year",
        )
    )

    total = ProjectGroup("Tổng cộng", "total")
    level_group = content_group = None
    numbers = itertools.count(1)
    for values in projects.iterator(chunk_size=chunk_size):
        pk, level, content_name, code, name, unit_name, commune, location, province_name = values[:9]
        start_date, end_date, support, counterpart, other, year = values[9:15]
        dates = dict(zip((name_ for name_, _l in STATUS_ON_DAY), values[15:21], strict=True))
        stop_reason, final_year = values[21:23]
        if level_group is None or level_group.label != LEVEL_TITLES[level]:
            if content_group is not None:
                yield _closed(content_group)
            content_group = None
            level_group = ProjectGroup(LEVEL_TITLES[level], "level")
            yield level_group
        if content_group is None or content_group.label != content_name:
            if content_group is not None:
                yield _closed(content_group)
            content_group = ProjectGroup(content_name, "content")
            yield content_group
        paid_period, paid_total, paid_of_years = paid.get(pk, (0, 0, 0))
        notes = []
        if pk in shares:
            # A multi-year đề án: its shares of the period's years, and what was paid in them.
            support, counterpart, other = shares[pk]
            paid_total = paid_of_years
            share_years = [shared for shared in period.years if year <= shared <= final_year]
            notes.append(f"Giai đoạn {year}–{final_year}, phần năm " + ", ".join(str(shared) for shared in share_years))
        elif pk in in_force:
            support, counterpart, other = in_force[pk]
        status = next(
            (label for field_name, label in STATUS_ON_DAY if dates[field_name] and dates[field_name] <= end), ""
        )
        if year < first_year and pk not in shares:
            notes.append(f"Chuyển tiếp từ năm {year}")
        if pk in adjusted_by:
            number, decided_on = adjusted_by[pk]
            notes.append(f"Điều chỉnh theo QĐ số {number} ngày {decided_on:%d/%m/%Y}")
        if dates["stopped_on"] and dates["stopped_on"] <= end and stop_reason:
            notes.append(stop_reason)
        row = ProjectRow(
            number=next(numbers),
            level=level,
            content_label=content_name,
            code=code,
            name=name,
            unit=unit_name,
            beneficiaries=beneficiaries.get(pk, []),
            place=", ".join(part for part in (commune or location, province_name) if part),
            dates=" – ".join(f"{day:%d/%m/%Y}" for day in (start_date, end_date) if day),
            total_cost=support + counterpart + other,
            support=support,
            counterpart=counterpart,
            paid_in_period=paid_period,
            paid_to_date=paid_total,
            status=status,
            note="; ".join(notes),
        )
        content_group.add(row)
        total.add(row)
        yield row
    if content_group is not None:
        yield _closed(content_group)
    yield total


def _closed(group: ProjectGroup) -> ProjectGroup:
    """The sub-total line after a content's last đề án (the heading itself stays a heading)."""
    return ProjectGroup(
        f"Cộng: {group.label}",
        "subtotal",
        support=group.support,
        counterpart=group.counterpart,
        total_cost=group.total_cost,
        paid_in_period=group.paid_in_period,
        paid_to_date=group.paid_to_date,
    )


# --- Payments month by month (the status page's chart) ----------------------------------------------


def monthly_payments(cov: Coverage) -> list[tuple[datetime.date, int]]:
    """The payments on the year's đề án, month by month from the start of the year to the period's end:
    (first day of the month, amount), every month listed. One query; their sum is the report's
    "lũy kế từ đầu năm"."""
    period = cov.period
    segments = period.segments()
    start, end = segments[0].year_start(), period.date_until
    # By day (at most 366 a year), in the order of the index on (year, date): no hashing, no date
    # function per payment; the months are summed here. Over several years, each year's đề án.
    of_years = Q(pk__in=[])
    for segment in segments:
        days = Q(paid_on__range=(segment.year_start(), segment.date_until))
        of_years |= days & (Q(year=segment.year) | Q(year__lt=segment.year, project__in=_shares_of(segment.year)))
    rows = (
        Disbursement.objects.filter(cov.rows(), cov.of_content(), cov.of_programme())
        .filter(of_years)
        .filter(**({"plan__scheme__level__in": cov.levels} if len(cov.levels) == 1 else {}))
        .values("paid_on")
        .annotate(amount=Sum("amount"))
        .order_by("paid_on")
    )
    by_month: dict[datetime.date, int] = {}
    for row in rows:
        month = _month_of(row["paid_on"])
        by_month[month] = by_month.get(month, 0) + (row["amount"] or 0)
    months, day = [], datetime.date(start.year, start.month, 1)
    while day <= end:
        months.append((day, by_month.get(day, 0)))
        day = datetime.date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    return months


def _month_of(value) -> datetime.date:
    return datetime.date(value.year, value.month, 1)


# --- The totals under the register's lists ---------------------------------------------------------


def list_totals(kind: str, queryset) -> dict:
    """The sums under a list of the register (`programmes.totals`), over its filtered rows.

    They sum what the list holds, whatever the status, and the lists name them so: "KC support of
    the listed projects", "disbursed to date" (every payment so far, not a period's). One
    aggregate query each; "plan_rows" two grouped queries over the plans given.
    """
    if kind == "projects":
        return queryset.aggregate(
            support=Coalesce(Sum("kc_support"), 0),
            counterpart=Coalesce(Sum("counterpart_funds"), 0),
            disbursed=Coalesce(Sum("disbursed_amount"), 0),
        )
    if kind == "plans":
        ids = queryset.order_by().values("pk")
        totals = Project.objects.filter(plan__in=ids).aggregate(
            support=Coalesce(Sum("kc_support"), 0), disbursed=Coalesce(Sum("disbursed_amount"), 0)
        )
        totals["planned"] = PlanLine.objects.filter(plan__in=ids).aggregate(s=Coalesce(Sum("planned_amount"), 0))["s"]
        return totals
    if kind == "plan_rows":
        ids = [plan.pk for plan in queryset]
        planned = dict(
            PlanLine.objects.filter(plan__in=ids).values_list("plan").annotate(s=Sum("planned_amount")).order_by()
        )
        rows = {
            row["plan"]: row
            for row in Project.objects.filter(plan__in=ids)
            .values("plan")
            .annotate(count=Count("pk"), support=Sum("kc_support"), disbursed=Sum("disbursed_amount"))
            .order_by()
        }
        return {
            pk: {
                "planned": planned.get(pk) or 0,
                "count": rows.get(pk, {}).get("count", 0),
                "support": rows.get(pk, {}).get("support") or 0,
                "disbursed": rows.get(pk, {}).get("disbursed") or 0,
            }
            for pk in ids
        }
    if kind == "beneficiaries":
        return queryset.aggregate(
            support=Coalesce(Sum("support_amount"), 0),
            counterpart=Coalesce(Sum("counterpart_amount"), 0),
        )
    if kind == "disbursements":
        return queryset.aggregate(amount=Coalesce(Sum("amount"), 0))
    raise ValueError(kind)


# --- Hiệu quả sau hỗ trợ (a facility's figures before and after support) ----------------------

IMPACT_MEASURES = ("revenue", "assets", "workers", "products")


@dataclass
class ImpactMeasure:
    """One figure before and after support, summed over the facilities that give both."""

    before: int = 0
    after: int = 0
    facilities: int = 0  # how many facilities gave both

    @property
    def growth(self) -> Decimal | None:
        """The change in %, of the figure before (None without one)."""
        change = ratio(self.after, self.before)
        return None if change is None else change - 100


@dataclass
class ImpactRow:
    """A content's facilities supported by the đề án the report lists, and their figures (or the total)."""

    label: str
    facilities: int = 0  # distinct facilities supported
    with_figures: int = 0  # of them, those giving some figure both before and after
    measures: dict = field(default_factory=lambda: {name: ImpactMeasure() for name in IMPACT_MEASURES})
    kind: str = "content"  # content | total

    def measure(self, name: str) -> ImpactMeasure:
        return self.measures[name]

    @property
    def revenue(self) -> ImpactMeasure:
        return self.measures["revenue"]

    @property
    def assets(self) -> ImpactMeasure:
        return self.measures["assets"]

    @property
    def workers(self) -> ImpactMeasure:
        return self.measures["workers"]

    @property
    def products(self) -> ImpactMeasure:
        return self.measures["products"]


def impact(cov: Coverage) -> list[ImpactRow]:
    """Biểu 05: per activity content, the facilities the listed đề án supported and their revenue,
    assets, workers and products before and after support, then the total (each facility once).

    Three queries, summed in SQL whatever the number of facilities: per content over the distinct
    (content, facility) pairs of the listed đề án's beneficiaries, the total over the distinct
    facilities, and the contents' names. A figure counts only where the facility gives it both
    before and after, so the growth compares like with like.
    """
    beneficiaries = Beneficiary.objects.filter(project__in=report_projects(cov)).order_by()
    pairs = beneficiaries.values(content_ref=F("project__content"), facility_ref=F("facility")).distinct()
    facilities = beneficiaries.values(facility_ref=F("facility")).distinct()
    by_content = {row[0]: _impact_row("", row[1:]) for row in _impact_sums(pairs, group=True)}
    if not by_content:
        return []
    names = {
        pk: (code, number, short_name)
        for pk, code, number, short_name in ActivityContent.objects.filter(pk__in=by_content).values_list(
            "pk", "code", "number", "short_name"
        )
    }
    result = []
    for content_id in sorted(by_content, key=lambda pk: _content_order(*names[pk][:2])):
        row = by_content[content_id]
        row.label = names[content_id][2]
        result.append(row)
    (total,) = _impact_sums(facilities, group=False)
    result.append(_impact_row("Tổng cộng", total, kind="total"))
    return result


def _impact_sums(subquery, *, group: bool) -> list[tuple]:
    """Per content (`group`) or in all: the facilities, those giving some figure, and each measure's
    sums before and after with the number of facilities giving both, over the subquery's facilities."""

    def both(name: str) -> str:
        return f"f.{name}_before IS NOT NULL AND f.{name}_after IS NOT NULL"

    columns = ["COUNT(*)", f"COUNT(CASE WHEN {' OR '.join(f'({both(name)})' for name in IMPACT_MEASURES)} THEN 1 END)"]
    for name in IMPACT_MEASURES:
        columns += [
            f"SUM(CASE WHEN {both(name)} THEN f.{name}_before END)",
            f"SUM(CASE WHEN {both(name)} THEN f.{name}_after END)",
            f"COUNT(CASE WHEN {both(name)} THEN 1 END)",
        ]
    inner, params = subquery.query.get_compiler(using=subquery.db).as_sql()
    sql = (
        f"SELECT {'p.content_ref, ' if group else ''}{', '.join(columns)} FROM ({inner}) p "
        f"JOIN {Facility._meta.db_table} f ON f.id = p.facility_ref{' GROUP BY p.content_ref' if group else ''}"
    )
    with connections[subquery.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _impact_row(label: str, sums, kind: str = "content") -> ImpactRow:
    facilities, with_figures, *measures = (int(value or 0) for value in sums)
    row = ImpactRow(label=label, facilities=facilities, with_figures=with_figures, kind=kind)
    for index, name in enumerate(IMPACT_MEASURES):
        before, after, given = measures[3 * index : 3 * index + 3]
        row.measures[name] = ImpactMeasure(before=before, after=after, facilities=given)
    return row


# --- The centre's other programmes, beside khuyến công -----------------------------------------


@dataclass
class ProgrammeRow:
    """Another programme's money over the report's coverage (the same figures as khuyến công's)."""

    label: str
    planned: int = 0
    approved: int = 0
    performed: int = 0  # paid in the period
    paid: int = 0  # paid on the year's đề án to the period's end

    @property
    def percent(self) -> Decimal | None:
        return ratio(self.paid, self.approved)


@dataclass
class ConsultancyRow:
    service: str
    contracts: int
    revenue: int


@dataclass
class OtherProgrammes:
    programmes: list[ProgrammeRow]
    consultancy: list[ConsultancyRow]

    @property
    def consultancy_total(self) -> ConsultancyRow:
        return ConsultancyRow(
            "Tổng cộng", sum(row.contracts for row in self.consultancy), sum(row.revenue for row in self.consultancy)
        )


PROGRAMME_TITLES = {
    Programme.INDUSTRY_PROMOTION: "Khuyến công",
    Programme.ENERGY_EFFICIENCY: "Sử dụng năng lượng tiết kiệm và hiệu quả",
    Programme.OTHER: "Chương trình khác",
}


def other_programmes(cov: Coverage) -> OtherProgrammes:
    """Biểu 06: each programme other than the coverage's, by `summary` (eight queries each), and the
    consultancy of the period's years (one query). Never part of khuyến công's figures."""
    rows = []
    for programme in Programme.values:
        if programme == cov.programme:
            continue
        found = summary(dataclasses.replace(cov, programme=programme), comparisons=False)
        rows.append(
            ProgrammeRow(
                PROGRAMME_TITLES[programme],
                planned=found.status_total.planned_total,
                approved=found.status_total.approved_total,
                performed=found.status_total.performed_total,
                paid=found.status_total.paid_total,
            )
        )
    consultancy = [
        ConsultancyRow(service, contracts or 0, revenue or 0)
        for service, contracts, revenue in ConsultancyService.objects.filter(cov.rows(), year__in=cov.period.years)
        .values_list("service")
        .annotate(Sum("contracts"), Sum("revenue"))
        .order_by("service")
    ]
    return OtherProgrammes(rows, consultancy)

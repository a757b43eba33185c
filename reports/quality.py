"""The data-quality panel (issue 21, point 7): what in a province's register, or the nation's, should be
put right, each problem counted, its first rows listed with a link to the row.

- **over the cap**: a beneficiary line of an approved đề án whose support exceeds the cap of its
  support item in force on the đề án's approval date (`programmes.caps`, the same rule the write path
  refuses with; a facility's lines under one rule summed where the rule says so), without a decision
  allowing it; the lines a decision allows are counted beside them;
- **eligible cost missing**: a line whose cap is a percent of its eligible cost, without that cost;
- **paid before the decision**: a đề án whose first payment (the payments' digest on the đề án, kept
  by the triggers) is dated before its approval decision;
- **twin facilities**: a facility without tax code whose normalised name (`Facility.name_key`) another
  facility of the province also has — one facility registered twice, probably;
- **accepted without beneficiaries**: a đề án accepted (nghiệm thu) or settled with no support allotted
  to a beneficiary (its `beneficiary_support`, kept by the triggers, is 0).

Nine queries whatever the size: the caps, the capped lines (checked in Python by the rule itself, read
as tuples) and the names of the facilities listed, then the count and the first rows of each of the
other three (the two problems of a đề án each have a partial index of their own rows in the list's
order, migration 0019). The first read holds only the lines that may be above a rule of their item
(`caps.Rules.lines_filter`: a line outside it is within every rule of its item), so the Python check
sees the few that matter.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from types import SimpleNamespace

from django.db.models import Exists, F, OuterRef
from django.urls import reverse
from django.utils.translation import gettext as _

from programmes import caps, statuses
from programmes.lib.formatting import money
from programmes.models import Beneficiary, Facility, Project

SHOWN = 50  # rows listed per problem (all are counted)


@dataclass
class Entry:
    label: str
    detail: str
    url: str


@dataclass
class Problem:
    key: str
    title: str
    explanation: str
    count: int = 0
    entries: list[Entry] = field(default_factory=list)


@dataclass
class Panel:
    unit: str  # the province's name, or the nation
    problems: list[Problem]
    excepted: int  # lines above their cap allowed by a recorded decision

    @property
    def total(self) -> int:
        return sum(problem.count for problem in self.problems)


def _scoped(queryset, province):
    return queryset if province is None else queryset.filter(current_province=province)


def _change_url(instance_or_model, pk) -> str:
    meta = instance_or_model._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[pk])


# What the cap rule reads of a line and its đề án (programmes.caps), read as tuples: a national panel
# with tens of thousands of capped lines builds no model instance for them.
_LINE_FIELDS = (
    "pk", "support_item_id", "support_amount", "eligible_cost", "technology_line", "cap_exception", "facility_id",
    "project_id", "project__code", "project__decision_date", "project__plan__scheme__level",
    # The unit the line is filed under is its plan's, and beside it the unit of today (FiledUnder).
    "province_id", "current_province_id",
)  # fmt: skip


def _lines(rows, rule_set):
    """The lines a rule holds for, as the rule reads them (one object per line, one per đề án), each with
    its rule; a line whose item has no rule in force is not built at all."""
    projects = {}
    for (pk, item, support, eligible, technology_line, exception, facility_id, project_id, code, decided, level,
         province_id, current_id) in rows:  # fmt: skip
        project = projects.get(project_id)
        if project is None:
            project = projects[project_id] = SimpleNamespace(pk=project_id, code=code, decision_date=decided)
        rule = rule_set.find(level, province_id, current_id, item, caps.approval_day(project))
        if rule is None:
            continue
        line = SimpleNamespace(
            pk=pk, support_item_id=item, support_amount=support, eligible_cost=eligible,
            technology_line=technology_line, cap_exception=exception, facility_id=facility_id,
            project_id=project_id, project=project,
        )  # fmt: skip
        yield line, rule


def _capped_lines(province) -> tuple[Problem, Problem, int]:
    over = Problem("over_cap", _("Support above its cap"), _(
        "Beneficiary lines of approved projects whose support exceeds the cap in law of their support item, "
        "with no decision allowing it."
    ))  # fmt: skip
    missing = Problem("eligible_cost", _("Eligible cost missing"), _(
        "Lines whose cap is a percent of the eligible cost, without that cost: the cap cannot be checked."
    ))  # fmt: skip
    rule_set = caps.Rules()
    approved = _scoped(Beneficiary.objects, province).filter(project__status__in=statuses.APPROVED)
    lines = list(
        _lines(
            approved.alias(hundredfold=F("support_amount") * 100)
            .filter(rule_set.lines_filter(approved.filter(support_item__isnull=False)))
            .order_by()
            .values_list(*_LINE_FIELDS),
            rule_set,
        )
    )
    # A facility's lines under each rule, for the caps summed per facility.
    under_rule = defaultdict(list)
    for line, rule in lines:
        under_rule[(line.facility_id, rule.pk)].append(line)
    excepted = 0
    for line, rule in lines:

        def others(rule, line=line):
            return sorted(
                (other.project.code, other.support_amount)
                for other in under_rule[(line.facility_id, rule.pk)]
                if other.project_id != line.project_id
            )

        problems = caps.line_problems(line, line.project, rule=rule, others=others, describe=False)
        if any(problem.excepted for problem in problems):
            excepted += 1
        # A line counts once in each problem; its reasons are written for the rows listed only.
        for field_name in caps.refusals(problems):
            target = missing if field_name == "eligible_cost" else over
            target.count += 1
            target.entries.append((line.project.code, line.pk, field_name, line, rule, others))
    # The first rows by đề án, as the other lists go by code; the facilities' names of those rows only.
    for problem in (over, missing):
        problem.entries = sorted(problem.entries, key=lambda entry: entry[:2])[:SHOWN]
    listed_facilities = {entry[3].facility_id for problem in (over, missing) for entry in problem.entries}
    names = dict(Facility.objects.filter(pk__in=listed_facilities).values_list("pk", "name"))
    for problem in (over, missing):
        listed = []
        for code, pk, field_name, line, rule, others in problem.entries:
            reasons = caps.refusals(caps.line_problems(line, line.project, rule=rule, others=others))[field_name]
            listed.append(
                Entry(f"{code} · {names.get(line.facility_id, '')}", " ".join(reasons), _change_url(Beneficiary, pk))
            )
        problem.entries = listed
    return over, missing, excepted


def _listed(problem: Problem, queryset, describe) -> Problem:
    """The problem's count and first rows: two reads of a small partial index (a window counting them
    all with the rows would read every row of the problem to list fifty)."""
    problem.count = queryset.count()
    problem.entries = [describe(row) for row in queryset[:SHOWN]]
    return problem


def panel(province=None) -> Panel:
    """The problems of `province` (a unit of today), or of the nation when None."""
    over, missing, excepted = _capped_lines(province)
    paid_early = _listed(
        Problem(
            "paid_before_decision",
            _("Paid before the decision"),
            _("Projects whose first payment is dated before their approval decision."),
        ),  # fmt: skip
        _scoped(Project.objects, province)
        .filter(first_paid_on__lt=F("decision_date"))
        .order_by("code")
        .values("pk", "code", "first_paid_on", "decision_date"),
        lambda row: Entry(
            row["code"],
            _("first payment %(paid)s, decision %(decided)s")
            % {"paid": f"{row['first_paid_on']:%d/%m/%Y}", "decided": f"{row['decision_date']:%d/%m/%Y}"},
            _change_url(Project, row["pk"]),
        ),
    )
    twins = _listed(
        Problem(
            "twin_facilities",
            _("Facilities that may be registered twice"),
            _("Facilities without a tax code whose name another facility of the province has."),
        ),  # fmt: skip
        _scoped(Facility.objects, province)
        .filter(tax_code__isnull=True)
        .filter(
            Exists(
                Facility.objects.filter(
                    current_province=OuterRef("current_province"), name_key=OuterRef("name_key")
                ).exclude(pk=OuterRef("pk"))
            )
        )
        .order_by("name", "pk")
        .values("pk", "name", "address"),
        lambda row: Entry(row["name"], row["address"], _change_url(Facility, row["pk"])),
    )
    unsupported = _listed(
        Problem(
            "accepted_without_beneficiaries",
            _("Accepted without beneficiaries"),
            _("Projects accepted or settled with no support allotted to a beneficiary."),
        ),  # fmt: skip
        _scoped(Project.objects, province)
        .filter(status__in=(statuses.S.ACCEPTED, statuses.S.SETTLED), beneficiary_support=0)
        .order_by("code")
        .values("pk", "code", "name", "kc_support"),
        lambda row: Entry(
            row["code"], f"{row['name']} · {money(row['kc_support'])} đồng", _change_url(Project, row["pk"])
        ),
    )
    return Panel(
        unit=province.name if province is not None else _("the nation"),
        problems=[over, missing, paid_early, twins, unsupported],
        excepted=excepted,
    )

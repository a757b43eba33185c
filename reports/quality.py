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
- **accepted without beneficiaries**: a đề án accepted (nghiệm thu) or settled with no beneficiary line.

Eight queries whatever the size: the caps and the capped lines (checked in Python by the rule itself),
then a count and the first rows of each of the other three. Lines without a support item are not
capped, so the first read holds only the lines that name one.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

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


def _capped_lines(province) -> tuple[Problem, Problem, int]:
    over = Problem("over_cap", _("Support above its cap"), _(
        "Beneficiary lines of approved projects whose support exceeds the cap in law of their support item, "
        "with no decision allowing it."
    ))  # fmt: skip
    missing = Problem("eligible_cost", _("Eligible cost missing"), _(
        "Lines whose cap is a percent of the eligible cost, without that cost: the cap cannot be checked."
    ))  # fmt: skip
    rule_set = caps.Rules()
    lines = list(
        _scoped(Beneficiary.objects, province)
        .filter(support_item__isnull=False, project__status__in=statuses.APPROVED)
        .select_related("project__plan__scheme", "project__plan__province", "facility", "support_item")
        .order_by("project__code", "facility__name", "pk")
    )
    # A facility's lines under each rule, for the caps summed per facility.
    rule_of = {line.pk: rule_set.rule_for(line.project, line.support_item_id, caps.approval_day(line.project))
               for line in lines}  # fmt: skip
    under_rule = defaultdict(list)
    for line in lines:
        if rule_of[line.pk] is not None:
            under_rule[(line.facility_id, rule_of[line.pk].pk)].append(line)
    excepted = 0
    for line in lines:
        if rule_of[line.pk] is None:
            continue

        def others(rule, line=line):
            return sorted(
                (other.project.code, other.support_amount)
                for other in under_rule[(line.facility_id, rule.pk)]
                if other.project_id != line.project_id
            )

        problems = caps.line_problems(line, line.project, rule_set=rule_set, others=others)
        if any(problem.excepted for problem in problems):
            excepted += 1
        # A line counts once in each problem, with every reason it has.
        for field_name, messages in caps.refusals(problems).items():
            target = missing if field_name == "eligible_cost" else over
            target.count += 1
            if len(target.entries) < SHOWN:
                target.entries.append(
                    Entry(
                        f"{line.project.code} · {line.facility.name}",
                        " ".join(messages),
                        _change_url(Beneficiary, line.pk),
                    )
                )
    return over, missing, excepted


def _listed(problem: Problem, queryset, describe) -> Problem:
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
            _("Projects accepted or settled with no beneficiary recorded."),
        ),  # fmt: skip
        _scoped(Project.objects, province)
        .filter(status__in=(statuses.S.ACCEPTED, statuses.S.SETTLED))
        .filter(~Exists(Beneficiary.objects.filter(project=OuterRef("pk"))))
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

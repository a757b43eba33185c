"""Support caps (mức hỗ trợ tối đa): the rule of law that holds for a beneficiary line, and whether
its support keeps within it.

    support ≤ min(percent × eligible cost, absolute cap × multiplier)

- **The rule** of a line is the cap (`SupportCap`) of its support item for the đề án's level — KCQG
  (Thông tư 28/2018/TT-BTC), or KCĐP of the plan's province (its HĐND resolution; the unit of
  today's when the plan's own unit has none) — in force on the đề án's approval date (its decision
  date; today while it is being approved without one). A line without a support item, or whose item
  has no rule in force, is not capped here.
- **The multiplier** applies when its condition holds (a whole technology line: × 1,5).
- **Summed units** (per facility, per enterprise): the facility's support for the same item on its
  other approved đề án under the same rule counts towards the cap.
- **An exception**: a line that names the decision allowing more (`cap_exception`) is not refused;
  it is shown and counted (`Problem.excepted`).
- **Double support**: the same content for one facility on another approved đề án is flagged
  (TTLT 26/2014 Điều 7.4: not supported twice), not refused (`double_support`: a note in the
  import's preview).

The services ask `line_problems` when a line of an approved đề án is saved and `project_problems`
when a đề án is approved; both refuse with the message, which names the cap and its basis: "vượt
mức tối đa 300 triệu đồng/cơ sở theo khoản 4 Điều 8 Thông tư 28/2018/TT-BTC". The rules are read
once for an import's rows (`read_once`: a few dozen rows, one query), not once per row.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime
import functools
import operator
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal

from django.db.models import F, Q, Sum
from django.utils import timezone
from django.utils.formats import get_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from . import statuses
from .lib.formatting import money
from .models import CAP_UNITS_SUMMED, Beneficiary, CapUnit, SchemeLevel, SupportCap


@dataclass(frozen=True)
class Problem:
    """A line over its cap: the message, and whether a recorded exception allows it."""

    message: str
    field: str = "support_amount"
    excepted: bool = False


_UNIT_LABELS = {
    CapUnit.FACILITY: pgettext_lazy("cap per", "facility"),
    CapUnit.MODEL: pgettext_lazy("cap per", "model"),
    CapUnit.ENTERPRISE: pgettext_lazy("cap per", "enterprise"),
    CapUnit.BOOTH: pgettext_lazy("cap per", "booth"),
    CapUnit.BRAND: pgettext_lazy("cap per", "brand"),
    CapUnit.CLUSTER: pgettext_lazy("cap per", "industrial cluster"),
    CapUnit.PROJECT: pgettext_lazy("cap per", "project"),
}


def unit_label(unit: str) -> str:
    """What an absolute cap counts, as the law writes it after the slash: "cơ sở", "mô hình"."""
    return str(_UNIT_LABELS[unit])


def cap_amount(amount: int) -> str:
    """An absolute cap as the law writes it: "300 triệu đồng", "1.000 triệu đồng"; money otherwise."""
    if amount % 1_000_000 == 0:
        return _("%(millions)s million đồng") % {"millions": money(amount // 1_000_000)}
    return f"{money(amount)} đồng"


def decimal_text(value: Decimal) -> str:
    """50 → "50", 1.50 → "1,5" (the locale's decimal separator)."""
    text = f"{value.normalize():f}"
    return text.replace(".", get_format("DECIMAL_SEPARATOR"))


class Rules:
    """The caps in the database, read once, by (level, province, item)."""

    def __init__(self):
        self.by_key: dict[tuple, list[SupportCap]] = defaultdict(list)
        for rule in SupportCap.objects.select_related("item").order_by("-valid_from"):
            self.by_key[(rule.level, rule.province_id, rule.item_id)].append(rule)

    def lines_filter(self, lines) -> Q:
        """Of the beneficiary lines `lines` (a queryset), those that may be above a rule of their item:
        a line outside it is within every rule its item has, whatever the date or unit, so a batch
        (the data-quality panel) checks only these, each by its own rule in Python. Per item: the
        facility's support for it above the item's smallest absolute cap, or no eligible cost, or the
        support above the smallest percent of it."""
        by_item = defaultdict(list)
        for (_level, _province, item_id), found in self.by_key.items():
            by_item[item_id].extend(found)
        over_amounts, by_percent = [], []
        for item_id, found in by_item.items():
            amounts = [rule.amount for rule in found if rule.amount is not None]
            percents = [rule.percent for rule in found if rule.percent is not None]
            if amounts:
                over_amounts.append(Q(support_item_id=item_id, total__gt=min(amounts)))
            if percents:
                by_percent.append(
                    Q(support_item_id=item_id)
                    & (Q(eligible_cost__isnull=True) | Q(hundredfold__gt=F("eligible_cost") * min(percents)))
                )
        # (Each condition built alone and joined: a Q(pk__in=[]) to start from would group the
        # facilities' sums by line.)
        candidates = by_percent
        if over_amounts:
            facilities = (
                lines.order_by().values("facility", "support_item").annotate(total=Sum("support_amount"))
                .filter(functools.reduce(operator.or_, over_amounts)).values("facility")
            )  # fmt: skip
            candidates = [*by_percent, Q(facility_id__in=facilities)]
        if not candidates:
            return Q(pk__in=[])
        return Q(support_item_id__in=list(by_item)) & functools.reduce(operator.or_, candidates)

    def rule_for(self, project, item_id: int | None, day: datetime.date) -> SupportCap | None:
        plan = project.plan
        return self.find(plan.scheme.level, plan.province_id, plan.province.current_id, item_id, day)

    def find(self, level, province_id, current_id, item_id, day) -> SupportCap | None:
        """The rule for a plan's level and unit (and its unit of today), an item and a day."""
        if item_id is None:
            return None
        provinces = [None] if level == SchemeLevel.NATIONAL else [province_id, current_id]
        for province_id in provinces:
            for rule in self.by_key.get((level, province_id, item_id), ()):
                if rule.applies_on(day):
                    return rule
        return None


@dataclass
class _Line:
    """A facility's capped line as the per-facility sum reads it (`others_under`)."""

    code: str
    item_id: int | None
    amount: int
    status: str
    decided: datetime.date | None
    level: str
    province_id: int | None
    current_id: int | None


class _ReadOnce:
    """What a batch of writes reads once: the caps, when first asked (a file of payments never asks),
    and the capped lines of the facilities it will write (`preload`), kept up to date by its writes
    (`noted`), so the per-facility sum of each row is read from memory, not asked of the database."""

    def __init__(self):
        self.rules: Rules | None = None
        self.lines: dict[int, dict[int, _Line]] = {}  # facility → đề án → its line


_batch: contextvars.ContextVar[_ReadOnce | None] = contextvars.ContextVar("support_caps", default=None)


def rules() -> Rules:
    """The caps: those read for the batch under way (`read_once`), or read now."""
    batch = _batch.get()
    if batch is None:
        return Rules()
    if batch.rules is None:
        batch.rules = Rules()
    return batch.rules


@contextlib.contextmanager
def read_once():
    """Read the caps at most once for the writes inside (an import's rows), not once per row."""
    token = _batch.set(_ReadOnce())
    try:
        yield
    finally:
        _batch.reset(token)


def preload(facility_ids) -> None:
    """Within `read_once`: read the capped lines of these facilities at once (a file's facilities)."""
    batch = _batch.get()
    if batch is None:
        return
    ids = sorted(set(facility_ids) - set(batch.lines))
    for start in range(0, len(ids), 5_000):
        chunk = ids[start : start + 5_000]
        batch.lines.update((facility_id, {}) for facility_id in chunk)
        rows = Beneficiary.objects.filter(facility_id__in=chunk, support_item__isnull=False).values_list(
            "facility_id", "project_id", "project__code", "support_item_id", "support_amount", "project__status",
            "project__decision_date", "project__plan__scheme__level", "province_id", "current_province_id",
        )  # fmt: skip
        for facility_id, project_id, *fields in rows:
            batch.lines[facility_id][project_id] = _Line(*fields)


def noted(line, project, *, stored=None, deleted: bool = False) -> None:
    """Keep the batch's preloaded lines as a write leaves them (a line saved, moved or deleted)."""
    batch = _batch.get()
    if batch is None:
        return
    if stored is not None and stored.facility_id in batch.lines:
        batch.lines[stored.facility_id].pop(stored.project_id, None)
    if deleted or line.facility_id not in batch.lines:
        return
    batch.lines[line.facility_id][project.pk] = _Line(
        project.code, line.support_item_id, line.support_amount, project.status, project.decision_date,
        project.plan.scheme.level, line.province_id, line.current_province_id,
    )  # fmt: skip


def approval_day(project) -> datetime.date:
    return project.decision_date or timezone.localdate()


def limit(rule: SupportCap, line) -> tuple[int | None, int | None]:
    """The percent limit (None without one, or without an eligible cost) and the absolute one."""
    by_percent = None
    if rule.percent is not None and line.eligible_cost is not None:
        by_percent = int((Decimal(line.eligible_cost) * rule.percent / 100).to_integral_value(ROUND_FLOOR))
    absolute = None
    if rule.amount is not None:
        absolute = rule.amount
        if (
            rule.multiplier
            and rule.multiplier_condition == SupportCap.Condition.TECHNOLOGY_LINE
            and line.technology_line
        ):
            absolute = int((Decimal(rule.amount) * rule.multiplier).to_integral_value(ROUND_FLOOR))
    return by_percent, absolute


def _absolute_text(rule: SupportCap, line, absolute: int) -> str:
    text = f"{cap_amount(absolute)}/{unit_label(rule.unit)}"
    if absolute != rule.amount:
        text += " " + _("(a whole technology line: %(multiplier)s × %(cap)s)") % {
            "multiplier": decimal_text(rule.multiplier),
            "cap": cap_amount(rule.amount),
        }
    return text


def _under(rule: SupportCap, other: _Line) -> bool:
    """Whether a line of another đề án counts under `rule` (the same filter as the query below)."""
    return (
        other.item_id == rule.item_id
        and other.status in statuses.APPROVED
        and other.level == rule.level
        and other.decided is not None
        and rule.applies_on(other.decided)
        and (not rule.province_id or rule.province_id in (other.province_id, other.current_id))
    )


def others_under(rule: SupportCap, line, project) -> list[tuple[str, int]]:
    """The facility's support for the line's item on its other approved đề án under the same rule:
    from the batch's preloaded lines when it has the facility's, else from the database."""
    batch = _batch.get()
    if batch is not None and line.facility_id in batch.lines:
        return sorted(
            (other.code, other.amount)
            for project_id, other in batch.lines[line.facility_id].items()
            if project_id != project.pk and _under(rule, other)
        )
    others = Beneficiary.objects.filter(
        facility_id=line.facility_id,
        support_item_id=rule.item_id,
        project__status__in=statuses.APPROVED,
        project__plan__scheme__level=rule.level,
        project__decision_date__gte=rule.valid_from,
    ).exclude(project_id=project.pk)
    if rule.valid_to:
        others = others.filter(project__decision_date__lte=rule.valid_to)
    if rule.province_id:
        others = others.filter(
            Q(project__plan__province_id=rule.province_id) | Q(project__plan__province__current_id=rule.province_id)
        )
    return list(others.order_by("project__code").values_list("project__code", "support_amount"))


def line_problems(
    line, project, *, rule_set: Rules | None = None, rule=None, others=None, describe: bool = True
) -> list[Problem]:
    """Why this beneficiary line's support is above its cap (empty: within it, or not capped).

    `rule`, when given, is the line's (a batch has found it); `others(rule)`, when given, returns the
    facility's other lines under the rule as (code, amount) pairs; by default both are read.
    `describe=False` finds the problems without writing their messages (a batch counting thousands).
    """
    if rule is None:
        rule = (rule_set or rules()).rule_for(project, line.support_item_id, approval_day(project))
    if rule is None:
        return []
    excepted = bool(line.cap_exception)
    support = line.support_amount or 0
    by_percent, absolute = limit(rule, line)
    found = []
    if rule.percent is not None and line.eligible_cost is None:
        found.append(
            (
                "eligible_cost",
                _("Enter the eligible cost: the support may be at most %(percent)s%% of %(base)s under %(basis)s.")
                % {"percent": decimal_text(rule.percent), "base": rule.percent_base, "basis": rule.basis}
                if describe
                else "",
            )
        )
    elif by_percent is not None and support > by_percent:
        found.append(
            (
                "support_amount",
                _("%(support)s đồng exceeds the cap of %(percent)s%% of %(base)s (%(limit)s đồng) under %(basis)s.")
                % {
                    "support": money(support),
                    "percent": decimal_text(rule.percent),
                    "base": rule.percent_base,
                    "limit": money(by_percent),
                    "basis": rule.basis,
                }
                if describe
                else "",
            )
        )
    if absolute is not None:
        if rule.unit not in CAP_UNITS_SUMMED:
            earlier_lines = []
        else:
            earlier_lines = others(rule) if others is not None else others_under(rule, line, project)
        earlier = sum(amount for _code, amount in earlier_lines)
        if support + earlier > absolute and not describe:
            found.append(("support_amount", ""))
        elif support + earlier > absolute:
            message = _("%(support)s đồng exceeds the cap of %(cap)s under %(basis)s.") % {
                "support": money(support + earlier),
                "cap": _absolute_text(rule, line, absolute),
                "basis": rule.basis,
            }
            if earlier_lines:
                message += " " + _("The facility already has %(earlier)s đồng for this item on %(projects)s.") % {
                    "earlier": money(earlier),
                    "projects": ", ".join(code for code, _amount in earlier_lines),
                }
            found.append(("support_amount", message))
    return [Problem(message, field, excepted=excepted) for field, message in found]


def refusals(problems: list[Problem]) -> dict[str, list[str]]:
    """The messages that refuse a write, by field: those not allowed by a recorded exception."""
    errors: dict[str, list[str]] = {}
    for problem in problems:
        if not problem.excepted:
            errors.setdefault(problem.field, []).append(problem.message)
    return errors


def project_problems(project) -> dict[int, list[Problem]]:
    """Each beneficiary line of `project` above its cap, by the line's id (rules read once)."""
    rule_set = rules()
    lines = Beneficiary.objects.filter(project_id=project.pk, support_item__isnull=False).select_related(
        "facility", "support_item"
    )
    found = {}
    for line in lines:
        problems = line_problems(line, project, rule_set=rule_set)
        if problems:
            found[line.pk] = (line, problems)
    return found


def project_refusals(project) -> list[str]:
    """What refuses the approval of `project`: each line over its cap without an exception, named."""
    messages = []
    for line, problems in project_problems(project).values():
        for message in (message for found in refusals(problems).values() for message in found):
            messages.append(
                _("%(facility)s (%(item)s): %(message)s")
                % {"facility": line.facility.name, "item": line.support_item.name, "message": message}
            )
    return messages


def supported_before(facility_ids) -> dict[int, list[tuple[int, int, str]]]:
    """Each facility's approved đề án: (đề án id, content id, code), for the double-support flag."""
    found = defaultdict(list)
    ids = sorted(set(facility_ids))
    for start in range(0, len(ids), 5_000):
        rows = Beneficiary.objects.filter(
            facility_id__in=ids[start : start + 5_000], project__status__in=statuses.APPROVED
        )
        for facility_id, project_id, content_id, code in rows.values_list(
            "facility_id", "project_id", "project__content_id", "project__code"
        ):
            found[facility_id].append((project_id, content_id, code))
    return found


def double_support(line, project, supported: dict) -> str:
    """The flag for a facility supported for the same content on another approved đề án (TTLT 26/2014
    Điều 7.4: not supported twice); empty when it is not."""
    codes = sorted(
        code
        for project_id, content_id, code in supported.get(line.facility_id, ())
        if content_id == project.content_id and project_id != project.pk
    )
    if not codes:
        return ""
    return _("%(facility)s is already supported for the same content on %(projects)s (not supported twice).") % {
        "facility": line.facility.name,
        "projects": ", ".join(codes),
    }

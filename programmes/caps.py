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
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal

from django.db.models import Q
from django.utils import timezone
from django.utils.formats import get_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from . import statuses
from .lib.formatting import money
from .models import CAP_UNITS_SUMMED, Beneficiary, CapUnit, SchemeLevel, SupportCap


@dataclass(frozen=True)
class Problem:
    """A line over its cap: the message, and whether a recorded exception allows it."""

    message: str
    field: str = "support_amount"
    excepted: bool = False


def unit_label(unit: str) -> str:
    labels = {
        CapUnit.FACILITY: pgettext("cap per", "facility"),
        CapUnit.MODEL: pgettext("cap per", "model"),
        CapUnit.ENTERPRISE: pgettext("cap per", "enterprise"),
        CapUnit.BOOTH: pgettext("cap per", "booth"),
        CapUnit.BRAND: pgettext("cap per", "brand"),
        CapUnit.CLUSTER: pgettext("cap per", "industrial cluster"),
        CapUnit.PROJECT: pgettext("cap per", "project"),
    }
    return labels[unit]


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

    def rule_for(self, project, item_id: int | None, day: datetime.date) -> SupportCap | None:
        if item_id is None:
            return None
        plan = project.plan
        level = plan.scheme.level
        provinces = [None] if level == SchemeLevel.NATIONAL else [plan.province_id, plan.province.current_id]
        for province_id in provinces:
            for rule in self.by_key.get((level, province_id, item_id), ()):
                if rule.applies_on(day):
                    return rule
        return None


class _ReadOnce:
    """The caps of a batch of writes, read when first asked (a file of payments never asks)."""

    rules: Rules | None = None


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


def others_under(rule: SupportCap, line, project) -> list[tuple[str, int]]:
    """The facility's support for the line's item on its other approved đề án under the same rule."""
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


def line_problems(line, project, *, rule_set: Rules | None = None, others=None) -> list[Problem]:
    """Why this beneficiary line's support is above its cap (empty: within it, or not capped).

    `others(rule)`, when given, returns the facility's other lines under the rule as (code, amount)
    pairs (a batch reads them at once); by default they are read from the database.
    """
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
                % {"percent": decimal_text(rule.percent), "base": rule.percent_base, "basis": rule.basis},
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
                },
            )
        )
    if absolute is not None:
        if rule.unit not in CAP_UNITS_SUMMED:
            earlier_lines = []
        else:
            earlier_lines = others(rule) if others is not None else others_under(rule, line, project)
        earlier = sum(amount for _code, amount in earlier_lines)
        if support + earlier > absolute:
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

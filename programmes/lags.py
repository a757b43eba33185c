"""Which đề án lag, and why, as of a day: five named rules, each a filter (the Ministry's status page, issue 18).

A rule reads only the đề án's dates, status and payments, so it answers for any day, not only
today: the status page asks it as of its period's last day (or today, when that is earlier). The
payments are read from the digest the payments' triggers keep on the đề án's row (the day of the
first payment, the advances to date; migration 0016), so counting the lagging đề án of the nation
reads no payment but those of a đề án whose advances to date are over the cap.

- **overdue** (quá hạn): approved by the day and not stopped by it, past its end date, and not
  accepted (nghiệm thu) by the day;
- **unsettled** (chậm quyết toán): accepted by the day and not settled by it, past the settlement
  deadline of its plan's year (a multi-year đề án's last year) — 22/01 of the next year for KCQG
  (domain.md §4), a setting for KCĐP (`KHUYENCONG_SETTLEMENT_DEADLINE`, day and month of the next year);
- **advance_over_cap** (tạm ứng vượt mức): not accepted by the day, with advances paid by then
  above KHUYENCONG_ADVANCE_CAP_PERCENT of its KC support (TTLT 26/2014 Điều 8.2b). The payment
  service refuses such an advance; this finds the ones recorded before the rule or adjusted since;
- **no_payment** (chưa giải ngân): approved more than KHUYENCONG_LAG_NO_PAYMENT_MONTHS months
  before the day, still payable then, with no payment by the day;
- **unused_plan_line** (kế hoạch chưa có đề án): a line of an approved plan with money and no đề án
  of its content, after mid-year (30/6 of the plan's year). A plan line, not a đề án
  (`unused_plan_lines`).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Exists, F, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from .models import Disbursement, Plan, Project
from .money import PaymentKind
from .statuses import DECIDED


@dataclass(frozen=True)
class Rule:
    key: str
    label: str
    explanation: str


RULES = (
    Rule("overdue", _("overdue"), _("Past its end date and not accepted.")),
    Rule(
        "unsettled",
        _("settlement late"),
        _("Accepted but not settled after the settlement deadline (22/01 of the next year for KCQG)."),
    ),
    Rule(
        "advance_over_cap",
        _("advances over the cap"),
        _("Before acceptance, advances above %(percent)s%% of the KC support."),
    ),
    Rule("no_payment", _("no payment yet"), _("No payment %(months)s months after its approval.")),
    Rule(
        "unused_plan_line",
        _("plan line without a project"),
        _("A plan line with money and no project of its content after mid-year."),
    ),
)
PROJECT_RULES = tuple(rule.key for rule in RULES if rule.key != "unused_plan_line")
RULE_KEYS = tuple(rule.key for rule in RULES)


def explanation(rule: Rule) -> str:
    return str(rule.explanation) % {
        "percent": settings.KHUYENCONG_ADVANCE_CAP_PERCENT,
        "months": settings.KHUYENCONG_LAG_NO_PAYMENT_MONTHS,
    }


def _months_before(day: datetime.date, months: int) -> datetime.date:
    month = day.month - months
    year = day.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return datetime.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)


def _last_settled_year(day: datetime.date, deadline: tuple[int, int]) -> int:
    """The latest plan year whose settlement deadline (day, month of the next year) is past on `day`."""
    this_year = datetime.date(day.year, deadline[1], deadline[0])
    return day.year - 1 if day > this_year else day.year - 2


def _approved_by(day: datetime.date) -> Q:
    return Q(status__in=list(DECIDED), decision_date__lte=day) & ~Q(stopped_on__lte=day)


def _not_accepted_by(day: datetime.date) -> Q:
    return Q(accepted_on__isnull=True) | Q(accepted_on__gt=day)


def annotate(projects, day: datetime.date):
    """The đề án with what the advance rule needs as of `day`: the advances paid by then.

    Read only for a đề án whose advances to date (the digest on its row, kept by the payments'
    triggers) are over the cap: the rule's cheaper terms come first, so the payments of the others
    are never read. Nothing else of the rules reads a payment: the day of the first payment is on
    the đề án's row too.
    """
    advances = (
        Disbursement.objects.filter(project=OuterRef("pk"), kind=PaymentKind.ADVANCE, paid_on__lte=day)
        .order_by()
        .values("project")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return projects.annotate(lag_advanced=Coalesce(Subquery(advances), Value(0)))


def condition(rule: str, day: datetime.date) -> Q:
    """The rule as a filter on đề án annotated by `annotate(…, day)`."""
    return _approved_by(day) & _condition_once_approved(rule, day)


def _condition_once_approved(rule: str, day: datetime.date) -> Q:
    """The rule for đề án approved by `day` and not stopped by it (all the rules ask that first)."""
    if rule == "overdue":
        return Q(end_date__lt=day) & _not_accepted_by(day)
    if rule == "unsettled":
        national = settings.KHUYENCONG_SETTLEMENT_DEADLINE["kcqg"]
        local = settings.KHUYENCONG_SETTLEMENT_DEADLINE["kcdp"]
        accepted = Q(accepted_on__lte=day) & (Q(settled_on__isnull=True) | Q(settled_on__gt=day))
        late = Q(plan__scheme__level="kcqg") & _last_year_by(_last_settled_year(day, national)) | Q(
            plan__scheme__level="kcdp"
        ) & _last_year_by(_last_settled_year(day, local))
        return accepted & late
    if rule == "advance_over_cap":
        cap = F("kc_support") * settings.KHUYENCONG_ADVANCE_CAP_PERCENT / 100
        # The advances by the day are at most those to date: only then are they read as of the day.
        return _not_accepted_by(day) & Q(advanced_amount__gt=cap) & Q(lag_advanced__gt=cap)
    if rule == "no_payment":
        months = settings.KHUYENCONG_LAG_NO_PAYMENT_MONTHS
        payable = Q(settled_on__isnull=True) | Q(settled_on__gt=day)
        unpaid = Q(first_paid_on__isnull=True) | Q(first_paid_on__gt=day)
        return payable & Q(decision_date__lt=_months_before(day, months)) & unpaid
    raise ValueError(rule)


def _last_year_by(year: int) -> Q:
    """The đề án whose last plan year is `year` or earlier: a multi-year one settles after its last share."""
    return Q(year__lte=year, final_year__isnull=True) | Q(final_year__lte=year)


def any_condition(day: datetime.date, *, years=None) -> Q:
    """Lagging by any of the đề án rules (approved by the day, then any rule's own terms).

    With `years` (the đề án are of those plan years), a rule that cannot hold for them is left out:
    settlement is late only for plan years whose deadline has passed by the day.
    """
    combined = Q()
    for rule in PROJECT_RULES:
        if rule == "unsettled" and years is not None and min(years) > _last_settled_year_any(day):
            continue
        combined |= _condition_once_approved(rule, day)
    return _approved_by(day) & combined


def _last_settled_year_any(day: datetime.date) -> int:
    return max(_last_settled_year(day, deadline) for deadline in settings.KHUYENCONG_SETTLEMENT_DEADLINE.values())


def lagging(projects, day: datetime.date, rule: str | None = None, *, years=None):
    """The đề án of `projects` that lag on `day` (by `rule`, or by any); `years` as for `any_condition`."""
    return annotate(projects, day).filter(condition(rule, day) if rule else any_condition(day, years=years))


def unused_plan_lines(lines, day: datetime.date):
    """The plan lines of approved plans with money and no đề án of their content, after mid-year."""
    used = Project.objects.filter(plan=OuterRef("plan"), content=OuterRef("content"))
    return lines.filter(
        plan__status=Plan.Status.APPROVED, planned_amount__gt=0, year__lte=day.year if day.month > 6 else day.year - 1
    ).exclude(Exists(used))

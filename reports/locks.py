"""The period lock an issued report sets, checked on every write (`programmes.locks`).

A write is refused when it would change a figure the issued report printed:

- a payment or an adjustment dated inside a locked period (its date before or after the write);
- a đề án whose lifecycle date (approval, contract, start, acceptance, settlement, stop) moves
  into, out of or within the period, or whose reported details (plan, content, implementing
  unit, place, dates) change while it is listed in the report (of the report's year, approved by
  the period's end); creating or deleting one that the report counted;
- a beneficiary or a planned output of a đề án the report listed; an achieved output dated in
  the period;
- the year's plans and plan lines (the report printed them as "kế hoạch năm"), except a plan's note.

The lock holds rows filed under the report's unit: a unit of today holds every row of its
lineage, a pre-merger unit the rows filed under it. Facilities and attachments are never locked.
"""

from __future__ import annotations

import datetime

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from programmes import locks
from programmes.models import (
    Beneficiary,
    Disbursement,
    Indicator,
    Plan,
    PlanLine,
    Project,
    ProjectAdjustment,
)

from .figures import is_listed_in
from .periods import Period

PROJECT_DATES = ("decision_date", "contracted_on", "started_on", "accepted_on", "settled_on", "stopped_on")
PROJECT_REPORTED = (
    "plan_id",
    "content_id",
    "implementing_unit_id",
    "commune_id",
    "location",
    "name",
    "start_date",
    "end_date",
    "is_group",
    "decision_number",
)
PLAN_REPORTED = ("scheme_id", "province_id", "year", "status", "decision_number", "decision_date", "decision_issuer")


def _active_locks(row):
    from .models import PeriodLock

    if hasattr(row, "fill_filed_under"):
        row.fill_filed_under()
    current = getattr(row, "current_province_id", None)
    if current is None:
        return []
    held = locks.memo(
        ("period_locks", current),
        lambda: list(
            PeriodLock.objects.filter(unlocked_at__isnull=True, current_province_id=current).select_related(
                "issued_report"
            )
        ),
    )
    return [lock for lock in held if lock.province_id in (current, row.province_id)]


def _inside(lock, *days) -> bool:
    return any(day is not None and lock.date_from <= day <= lock.date_until for day in days)


def _listed(lock, project: Project | None) -> bool:
    """Whether the lock's report listed the đề án (`figures.is_listed`: the report's own rule)."""
    return is_listed_in(project, _period(lock))


def _period(lock) -> Period:
    return Period(lock.year, lock.date_from, lock.date_until)


def _years(lock) -> list[int]:
    return _period(lock).years


def _changed(new, stored, names) -> list[str]:
    return [name for name in names if getattr(new, name) != getattr(stored, name)]


def _holds(lock, new, stored) -> bool:
    if isinstance(new, Disbursement):
        return _inside(lock, new.paid_on, stored and stored.paid_on)
    if isinstance(new, ProjectAdjustment):
        return _inside(lock, new.effective_on, stored and stored.effective_on)
    if isinstance(new, Project):
        if stored is None:  # created or deleted
            return _inside(lock, *(getattr(new, name) for name in PROJECT_DATES)) or _listed(lock, new)
        moved = _changed(new, stored, PROJECT_DATES)
        if any(_inside(lock, getattr(new, name), getattr(stored, name)) for name in moved):
            return True
        return bool(_changed(new, stored, PROJECT_REPORTED)) and (_listed(lock, stored) or _listed(lock, new))
    if isinstance(new, Beneficiary):
        return _listed(lock, new.project) or (stored is not None and _listed(lock, stored.project))
    if isinstance(new, Indicator):
        if new.plan_id is not None:
            return new.year in _years(lock)
        if _inside(lock, new.achieved_on, stored and stored.achieved_on) and (
            stored is None or _changed(new, stored, ("achieved", "achieved_on"))
        ):
            return True
        return (stored is None or new.planned != stored.planned) and _listed(lock, new.project)
    if isinstance(new, Plan):
        if stored is not None and not _changed(new, stored, PLAN_REPORTED):
            return False  # a note
        return new.year in _years(lock) or (stored is not None and stored.year in _years(lock))
    if isinstance(new, PlanLine):
        return new.year in _years(lock) or (stored is not None and stored.year in _years(lock))
    return False


@locks.register
def period_lock(new, stored=None) -> str | None:
    """The message naming the issued report whose period lock holds this write, or None."""
    if not isinstance(new, (Disbursement, ProjectAdjustment, Project, Beneficiary, Indicator, Plan, PlanLine)):
        return None
    for lock in _active_locks(new):
        if _holds(lock, new, stored):
            return lock_message(lock)
    return None


NOTICE_KINDS = {
    Disbursement: "payment",
    ProjectAdjustment: "adjustment",
    Project: "project",
    Beneficiary: "beneficiary",
}


@locks.register_holder
def holding(row) -> list[str]:
    """What a page says above a stored row that a lock holds as it stands, before anyone types: the
    write rule (`_holds`) asked of the row unchanged; a đề án, whose unchanged row no lock refuses, is held
    while the report lists it."""
    kind = NOTICE_KINDS.get(type(row))
    if kind is None:
        return []
    return [
        lock_notice(lock, kind)
        for lock in _active_locks(row)
        if (_listed(lock, row) if kind == "project" else _holds(lock, row, row))
    ]


LOCK_NOTICES = {
    "payment": gettext_noop(
        "Locked by report no. %(number)s of %(date)s (period %(start)s – %(end)s): this payment cannot be "
        "changed or deleted."
    ),
    "adjustment": gettext_noop(
        "Locked by report no. %(number)s of %(date)s (period %(start)s – %(end)s): this adjustment cannot be "
        "changed or deleted."
    ),
    "project": gettext_noop(
        "Listed in report no. %(number)s of %(date)s (period %(start)s – %(end)s): its reported details, its "
        "beneficiaries and its payments of the period are locked; the other fields can still be changed."
    ),
    "beneficiary": gettext_noop(
        "Locked by report no. %(number)s of %(date)s (period %(start)s – %(end)s), which listed its đề án: "
        "this beneficiary cannot be changed or deleted."
    ),
}


def lock_notice(lock, kind: str) -> str:
    issued = lock.issued_report
    return (
        _(LOCK_NOTICES[kind])
        % {
            "start": _date(lock.date_from),
            "end": _date(lock.date_until),
            "number": issued.number,
            "date": _date(issued.issued_on),
        }
        + " "
        + _("An administrator can unlock the period, giving a reason.")
    )


def lock_message(lock) -> str:
    issued = lock.issued_report
    return _(
        "The period %(start)s – %(end)s is locked by report no. %(number)s of %(date)s: its figures cannot "
        "change. An administrator can unlock the period, giving a reason."
    ) % {
        "start": _date(lock.date_from),
        "end": _date(lock.date_until),
        "number": issued.number,
        "date": _date(issued.issued_on),
    }


def _date(day: datetime.date) -> str:
    return day.strftime("%d/%m/%Y")

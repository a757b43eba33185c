"""Outputs (chỉ tiêu) of a plan or a đề án."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from ..models import (
    Indicator,
    Plan,
)
from .guard import (
    Actor,
    delete_row,
    lock_project,
    save_row,
)
from .plans import check_plan_open


@transaction.atomic
def indicator_save(*, indicator: Indicator, user: Actor = None, reason: str = "") -> Indicator:
    """Create or update a planned/achieved output of a đề án or of a plan line.

    A plan's targets follow its plan (a manager's once approved); a đề án's are kept by its staff.
    """
    if indicator.plan_id:
        Plan.objects.select_for_update(of=("self",)).filter(pk=indicator.plan_id).order_by().first()
        check_plan_open(user, indicator.plan)
    elif indicator.project_id:
        lock_project(indicator.project_id)
    return save_row(indicator, user, reason=reason, message=_("This indicator is already recorded here."))


@transaction.atomic
def indicator_delete(*, indicator: Indicator, user: Actor = None, reason: str = "") -> None:
    if indicator.plan_id:
        check_plan_open(user, indicator.plan)
    delete_row(indicator, user, reason=reason)

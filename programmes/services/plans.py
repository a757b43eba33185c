"""Annual plans and their lines."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .. import lifecycle
from ..access import (
    is_approver,
)
from ..models import (
    Plan,
    PlanLine,
)
from .guard import (
    Actor,
    authorise,
    delete_row,
    require,
    save_checked,
    save_row,
    stored_locked,
    with_author,
)


@transaction.atomic
def plan_save(*, plan: Plan, user: Actor = None, reason: str = "") -> Plan:
    """Create or update an annual plan; approving or re-opening one takes a manager."""
    stored = stored_locked(plan)
    authorise(user, plan, stored)
    if user is not None:
        errors = lifecycle.plan_move_errors(user, stored.status if stored else None, plan.status, reason=reason)
        if errors:
            raise ValidationError({"status": errors})
        if stored is not None and stored.status == Plan.Status.APPROVED and plan.status == stored.status:
            require(is_approver(user), _("Only a province manager may change an approved plan."))
    plan.full_clean()
    save_checked(
        with_author(plan, user, reason), message=_("This scheme already has a plan for this province and year.")
    )
    return plan


def check_plan_open(user, plan: Plan) -> None:
    if user is not None and plan.status == Plan.Status.APPROVED and not is_approver(user):
        raise PermissionDenied(_("Only a province manager may change an approved plan."))


@transaction.atomic
def plan_delete(*, plan: Plan, user: Actor = None, reason: str = "") -> None:
    stored = stored_locked(plan)
    if stored is None:
        return
    check_plan_open(user, stored)
    delete_row(stored, user, reason=reason, message=_("The plan has projects; it cannot be deleted."))


@transaction.atomic
def plan_line_save(*, line: PlanLine, user: Actor = None, reason: str = "") -> PlanLine:
    Plan.objects.select_for_update(of=("self",)).filter(pk=line.plan_id).order_by().first()
    check_plan_open(user, line.plan)
    stored = PlanLine.objects.filter(pk=line.pk).select_related("plan").first() if line.pk else None
    if stored is not None:
        check_plan_open(user, stored.plan)
    return save_row(line, user, reason=reason, message=_("This plan already has a line for this activity content."))


@transaction.atomic
def plan_line_delete(*, line: PlanLine, user: Actor = None, reason: str = "") -> None:
    check_plan_open(user, line.plan)
    delete_row(line, user, reason=reason)

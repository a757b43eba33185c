"""Beneficiaries of a đề án: the support allotted to each facility, within the đề án's."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .. import caps, statuses
from ..access import (
    is_approver,
)
from ..models import (
    Beneficiary,
    Disbursement,
    Project,
)
from ..money import beneficiary_limit_errors
from .guard import (
    Actor,
    authorise,
    delete_checked,
    lock_project,
    save_checked,
    with_author,
)


def _check_beneficiary_rules(user, project: Project) -> None:
    if project.status in statuses.CLOSED:
        raise ValidationError(
            _("The project is %(status)s: its beneficiaries can no longer change.")
            % {"status": project.get_status_display()}
        )
    if user is not None and project.is_group and project.status in statuses.DECIDED and not is_approver(user):
        raise PermissionDenied(_("Only a province manager may change the beneficiaries of an approved group project."))


# What the support cap reads: a line of an approved đề án is checked again when one of them changes.
CAP_INPUTS = (
    "project_id",
    "facility_id",
    "support_item_id",
    "support_amount",
    "eligible_cost",
    "technology_line",
    "cap_exception",
)


def _cap_inputs_changed(stored: Beneficiary | None, beneficiary: Beneficiary) -> bool:
    return stored is None or any(getattr(stored, name) != getattr(beneficiary, name) for name in CAP_INPUTS)


@transaction.atomic
def beneficiary_save(*, beneficiary: Beneficiary, user: Actor = None, reason: str = "") -> Beneficiary:
    """Create or update a beneficiary link, keeping support within the project's.

    A paid beneficiary keeps its đề án and facility: the payments reference the link (the database
    refuses the change too).
    """
    stored_project_id = (
        Beneficiary.objects.filter(pk=beneficiary.pk).values_list("project_id", flat=True).first()
        if beneficiary.pk
        else None
    )
    # Lock both đề án when the link moves (in id order, so two movers cannot deadlock), then read it.
    for project_id in sorted({stored_project_id or beneficiary.project_id, beneficiary.project_id}):
        locked = lock_project(project_id)
        if project_id == beneficiary.project_id:
            project = locked
    beneficiary.project = project
    stored = Beneficiary.objects.filter(pk=beneficiary.pk).first() if beneficiary.pk else None
    authorise(user, beneficiary, stored)
    _check_beneficiary_rules(user, project)
    moved = stored is not None and (stored.project_id, stored.facility_id) != (
        beneficiary.project_id,
        beneficiary.facility_id,
    )
    if moved and Disbursement.objects.filter(project_id=stored.project_id, facility_id=stored.facility_id).exists():
        raise ValidationError(
            {"facility": _("Money has been disbursed to this facility on this project; it cannot be replaced.")}
        )
    beneficiary.full_clean()
    old_amount = stored.support_amount if stored is not None and stored.project_id == project.pk else 0
    errors = beneficiary_limit_errors(project, beneficiary.support_amount - old_amount)
    if errors:
        raise ValidationError({"support_amount": errors})
    if project.status in statuses.APPROVED and _cap_inputs_changed(stored, beneficiary):
        cap_errors = caps.refusals(caps.line_problems(beneficiary, project))
        if cap_errors:
            raise ValidationError(cap_errors)
    save_checked(
        with_author(beneficiary, user, reason),
        message=_("Support to beneficiaries would exceed the project's KC support; nothing was saved."),
    )
    caps.noted(beneficiary, project, stored=stored)
    return beneficiary


@transaction.atomic
def beneficiary_delete(*, beneficiary: Beneficiary, user: Actor = None, reason: str = "") -> None:
    # Lock first: a payment to this facility takes the same lock, so none can land meanwhile.
    project = lock_project(beneficiary.project_id)
    stored = Beneficiary.objects.filter(pk=beneficiary.pk).first()
    if stored is None:
        return
    authorise(user, stored)
    _check_beneficiary_rules(user, project)
    message = _("Money has been disbursed to this facility; remove those disbursements first.")
    if project.disbursements.filter(facility_id=stored.facility_id).exists():
        raise ValidationError(message)
    delete_checked(with_author(stored, user, reason), message=message)
    caps.noted(stored, project, stored=stored, deleted=True)

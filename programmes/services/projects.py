"""Đề án: the lifecycle, the rules once approved, stopping, adjustments (điều chỉnh)."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

# `project_save`'s argument `allocations` would hide the module of that name.
from .. import allocations as by_year
from .. import caps, lifecycle, money, statuses
from ..access import (
    is_approver,
)
from ..models import (
    Project,
    ProjectAdjustment,
    ProjectAllocation,
    ProjectStatus,
)
from .guard import (
    Actor,
    authorise,
    delete_checked,
    lock_project,
    require,
    save_checked,
    unchanged,
    with_author,
)

S = ProjectStatus
# Fields a province officer may still change on a đề án once it is approved; the rest of the
# approval (decision, money, dates of each step) is the manager's, and money changes only by
# an adjustment decision.
STAFF_EDITABLE_AFTER_APPROVAL = {"name", "location", "historic_district", "commune", "note", "implementing_unit"}
MONEY_FIELDS = ("kc_support", "counterpart_funds", "other_funds")


def _project_edit_errors(user, stored: Project, project: Project) -> dict[str, list[str]]:
    """Return the fields of a decided đề án this user may not change, with the reason."""
    errors: dict[str, list[str]] = {}
    if stored.status not in statuses.DECIDED:
        return errors
    for field in MONEY_FIELDS:
        if getattr(project, field) != getattr(stored, field):
            errors[field] = [_("After approval, money changes only through an adjustment decision.")]
    if user is not None and not is_approver(user):
        for field in Project._meta.concrete_fields:
            name = field.attname
            if (
                field.editable
                and name not in STAFF_EDITABLE_AFTER_APPROVAL
                and name not in MONEY_FIELDS
                and name != "status"
                and getattr(project, name) != getattr(stored, name)
            ):
                errors.setdefault(field.name, []).append(
                    _("Once the project is approved, only a province manager may change this.")
                )
    return errors


def _stop_errors(project: Project) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not project.stop_reason.strip():
        errors["stop_reason"] = [_("Give the reason for stopping the project.")]
    # The stop date against the last payment is the model's rule (Project.clean), run by full_clean.
    return errors


def stored_shares(project: Project | None) -> list[by_year.Share]:
    """The shares by year of a stored đề án (none read for a đề án of one year)."""
    if project is None or project.pk is None or project.final_year is None:
        return []
    return by_year.shares_of(project.allocations.all())


def _share_errors(stored: Project | None, project: Project, shares, current: list[by_year.Share]) -> list[str]:
    """The shares as they would be saved (`shares`, or the stored ones, `current`, when None) against
    the đề án as it would be."""
    kept = shares is None
    if kept:
        if not current or all(getattr(stored, name) == getattr(project, name) for name in (*by_year.MONEY, "year")):
            return []
        shares = current
    errors = by_year.share_errors(project, shares)
    if errors and kept:
        errors.append(_("This project is shared among years: change the share of each year with it."))
    return errors


def _write_shares(project: Project, shares: list[by_year.Share], user: Actor, reason: str) -> None:
    """Store `shares` (already checked) as the đề án's, each change in the history, and its last year."""
    message = _("The shares by year do not add up to the project's money; nothing was saved.")
    stored = {row.year: row for row in project.allocations.all()} if project.final_year is not None else {}
    wanted = {share.year: share for share in shares}
    for year, row in stored.items():
        if year not in wanted:
            delete_checked(with_author(row, user, reason), message=message)
    for share in shares:
        row = stored.get(share.year) or ProjectAllocation(project=project, year=share.year)
        values = {name: share.amount(name) for name in by_year.MONEY}
        if row.pk and all(getattr(row, name) == value for name, value in values.items()):
            continue
        for name, value in values.items():
            setattr(row, name, value)
        save_checked(with_author(row, user, reason), message=message)
    final_year = max(wanted) if wanted else None
    if project.final_year != final_year:
        Project.objects.filter(pk=project.pk).update(final_year=final_year)
        project.final_year = final_year


@transaction.atomic
def project_save(*, project: Project, user: Actor = None, reason: str = "", allocations: list | None = None) -> Project:
    """Create or update a đề án, following the lifecycle (lifecycle.PROJECT_MOVES).

    `allocations`: its shares by year (`by_year.Share`), an empty list for a đề án of one year,
    None to keep the stored ones (which must still add up to its money).
    """
    shares = None if allocations is None else by_year.shares_of(allocations)
    stored = lock_project(project) if project.pk else None
    authorise(user, project, stored)
    errors: dict[str, list[str]] = {}
    current = stored_shares(stored)  # read once (none for a đề án of one year)
    if stored is not None:
        # The running totals and the payments' digest belong to the database triggers, never to a form.
        for name in (*Project.KEPT_BY_TRIGGERS, "final_year"):
            setattr(project, name, getattr(stored, name))
        errors.update(_project_edit_errors(user, stored, project))
        if shares is not None and shares == current:
            shares = None
        if shares is not None and stored.status in statuses.DECIDED:
            errors.setdefault("allocations", []).append(
                _("After approval, the shares by year change only through an adjustment decision.")
            )
    elif shares == []:
        shares = None
    share_errors = _share_errors(stored, project, shares, current)
    if share_errors:
        errors.setdefault("allocations", []).extend(share_errors)
    old_status = stored.status if stored else None
    move_errors = lifecycle.project_move_errors(
        user, old_status, project.status, reason=reason, paid=stored.disbursed_amount if stored else 0
    )
    if move_errors:
        errors.setdefault("status", []).extend(move_errors)
    if project.status in statuses.APPROVED and old_status not in statuses.APPROVED and stored is not None:
        # Approval: every beneficiary line within its cap in law, or allowed by a recorded decision.
        cap_errors = caps.project_refusals(project)
        if cap_errors:
            errors.setdefault("status", []).extend(cap_errors)
    if project.status == S.STOPPED and old_status != S.STOPPED and stored is not None:
        errors.update(_stop_errors(project))
    if old_status == S.STOPPED and project.status != S.STOPPED:
        # Re-opened: the stop stays in the history, not on the row.
        project.stopped_on, project.stop_reason = None, ""
    if errors:
        raise ValidationError(errors)
    project.full_clean()
    if not unchanged(stored, project):
        save_checked(
            with_author(project, user, reason),
            message=_("The project's KC support cannot be lower than what is disbursed or allotted."),
        )
    if shares is not None:
        _write_shares(project, shares, user, reason)
    return project


@transaction.atomic
def project_delete(*, project: Project, user: Actor = None, reason: str = "") -> None:
    stored = lock_project(project)
    authorise(user, stored)
    if user is not None and stored.status in statuses.DECIDED:
        require(is_approver(user), _("Only a province manager may delete an approved project."))
    if stored.disbursements.exists() or stored.adjustments.exists():
        raise ValidationError(_("The project has disbursements or adjustments on record; stop it instead."))
    for beneficiary in stored.beneficiaries.all():
        delete_checked(with_author(beneficiary, user, reason), message=_("The project has payments; stop it instead."))
    delete_checked(with_author(stored, user, reason), message=_("Other records depend on this project."))


@transaction.atomic
def project_adjust(
    *,
    project: Project,
    decision_number: str,
    decision_issuer: str,
    decision_date: datetime.date,
    effective_on: datetime.date | None = None,
    reason: str = "",
    kc_support: int | None = None,
    counterpart_funds: int | None = None,
    other_funds: int | None = None,
    end_date: datetime.date | None = None,
    user=None,
) -> ProjectAdjustment:
    """Record an adjustment decision and apply its values to the project from `effective_on`.

    The adjusted amount replaces the approved one (it never adds to it); the replaced values stay
    on the adjustment so reports for earlier dates use them. Only a manager adjusts.
    """
    project = lock_project(project)
    effective_on = effective_on or decision_date
    adjustment = ProjectAdjustment(
        project=project,
        decision_number=decision_number,
        decision_issuer=decision_issuer,
        decision_date=decision_date,
        effective_on=effective_on,
        reason=reason,
        old_kc_support=project.kc_support,
        new_kc_support=project.kc_support if kc_support is None else kc_support,
        old_counterpart_funds=project.counterpart_funds,
        new_counterpart_funds=project.counterpart_funds if counterpart_funds is None else counterpart_funds,
        old_other_funds=project.other_funds,
        new_other_funds=project.other_funds if other_funds is None else other_funds,
        old_end_date=project.end_date,
        new_end_date=project.end_date if end_date is None else end_date,
    )
    authorise(user, adjustment)
    if user is not None:
        require(is_approver(user), _("Only a province manager may record an adjustment."))
    errors: dict[str, list[str]] = {}
    if project.status not in statuses.PAYABLE:
        errors["project"] = [_("Only an approved project that is not settled or stopped can be adjusted.")]
    if effective_on and project.decision_date and effective_on < project.decision_date:
        errors["effective_on"] = [_("An adjustment cannot apply before the project's approval.")]
    latest = project.adjustments.order_by("-effective_on").first()
    if effective_on and latest and effective_on <= latest.effective_on:
        errors["effective_on"] = [
            _("A later adjustment already applies from %(date)s.") % {"date": f"{latest.effective_on:%d/%m/%Y}"}
        ]
    support = money.support_errors(
        adjustment.new_kc_support, disbursed=project.disbursed_amount, allotted=project.beneficiary_support
    )
    if support:
        errors["new_kc_support"] = support
    shares = None
    if project.final_year is not None and effective_on:
        # A multi-year đề án: the difference goes to the share of the year the adjustment applies in.
        new = {name: getattr(adjustment, f"new_{name}") for name in by_year.MONEY}
        shares, share_errors = by_year.adjusted_shares(project, stored_shares(project), effective_on, new)
        if share_errors:
            errors.setdefault("new_kc_support", []).extend(share_errors)
    if errors:
        raise ValidationError(errors)
    adjustment.full_clean()
    with_author(adjustment, user).save()

    project.kc_support = adjustment.new_kc_support
    project.counterpart_funds = adjustment.new_counterpart_funds
    project.other_funds = adjustment.new_other_funds
    project.end_date = adjustment.new_end_date
    project.full_clean()
    save_checked(
        with_author(project, user, _("Adjustment %(number)s") % {"number": decision_number}),
        message=_("The project's KC support cannot be lower than what is disbursed or allotted."),
    )
    if shares is not None:
        _write_shares(project, shares, user, _("Adjustment %(number)s") % {"number": decision_number})
    return adjustment

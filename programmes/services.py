"""Business actions: one function per action, used by the admin, imports and commands alike.

Each validates (full_clean), locks the đề án row where money moves, writes and returns. The
database enforces the same money limits (CHECK constraints fed by triggers); an IntegrityError
from them, e.g. when two people disburse at the same moment, becomes the same ValidationError.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from .lib.formatting import money
from .models import (
    PROVINCE_ROLES,
    Beneficiary,
    Disbursement,
    Facility,
    Plan,
    Project,
    ProjectAdjustment,
    ProjectStatus,
    Province,
    Role,
    UserProfile,
)

APPROVAL_STATUSES = {ProjectStatus.APPROVED}


def _with_author(instance, user):
    if user is not None:
        instance._history_user = user
    return instance


def _save_checked(instance, *, message: str, **save_kwargs) -> None:
    """Save inside a savepoint, turning a tripped database constraint into `message`."""
    try:
        with transaction.atomic():
            instance.save(**save_kwargs)
    except IntegrityError as exc:
        raise ValidationError(message) from exc


def _lock_project(project: Project | int) -> Project:
    pk = project.pk if isinstance(project, Project) else project
    return Project.objects.select_for_update(of=("self",)).select_related("plan__scheme", "plan__province").get(pk=pk)


# --- Money checks shared by the services and the admin formsets -------------------------------


@dataclass(frozen=True)
class DisbursementChange:
    """A disbursement as it would be after a write (amount 0 for a deletion)."""

    amount: int
    kind: str
    old_amount: int = 0
    old_kind: str | None = None


def disbursement_limit_errors(project: Project, changes: Iterable[DisbursementChange]) -> list[str]:
    """Return the messages that the changes would break the project's money limits with.

    `project.disbursed_amount` is the total in the database before the changes.
    """
    changes = list(changes)
    new_total = project.disbursed_amount + sum(c.amount - c.old_amount for c in changes)
    errors = []
    if new_total > project.kc_support:
        available = project.kc_support - project.disbursed_amount + sum(c.old_amount for c in changes)
        errors.append(
            _(
                "The disbursements exceed the approved KC support of %(support)s đồng. "
                "Still available to disburse: %(available)s đồng."
            )
            % {"support": money(project.kc_support), "available": money(max(available, 0))}
        )
    cap_percent = settings.KHUYENCONG_ADVANCE_CAP_PERCENT
    if project.accepted_on is None and any(c.kind == Disbursement.Kind.ADVANCE for c in changes):
        advanced = sum(project.disbursements.filter(kind=Disbursement.Kind.ADVANCE).values_list("amount", flat=True))
        advanced += sum(
            (c.amount if c.kind == Disbursement.Kind.ADVANCE else 0)
            - (c.old_amount if c.old_kind == Disbursement.Kind.ADVANCE else 0)
            for c in changes
        )
        cap = project.kc_support * cap_percent // 100
        if advanced > cap:
            errors.append(
                _(
                    "Before acceptance, advances may not exceed %(percent)s%% of the KC support "
                    "(%(cap)s đồng); advances would total %(advanced)s đồng."
                )
                % {"percent": cap_percent, "cap": money(cap), "advanced": money(advanced)}
            )
    return errors


def beneficiary_limit_errors(project: Project, delta: int) -> list[str]:
    """Return the message for beneficiary support that would exceed the project's KC support."""
    if project.beneficiary_support + delta <= project.kc_support:
        return []
    available = project.kc_support - project.beneficiary_support
    return [
        _(
            "Support to beneficiaries would exceed the project's KC support of %(support)s đồng. "
            "Still unallotted: %(available)s đồng."
        )
        % {"support": money(project.kc_support), "available": money(max(available, 0))}
    ]


# --- Disbursements ----------------------------------------------------------------------------


@transaction.atomic
def disbursement_create(
    *,
    project: Project,
    paid_on: datetime.date,
    amount: int,
    source: str,
    kind: str,
    facility: Facility | None = None,
    voucher_number: str = "",
    note: str = "",
    user=None,
) -> Disbursement:
    project = _lock_project(project)
    disbursement = Disbursement(
        project=project,
        paid_on=paid_on,
        amount=amount,
        source=source,
        kind=kind,
        facility=facility,
        voucher_number=voucher_number,
        note=note,
    )
    disbursement.full_clean()
    return _save_within_limits(disbursement, project, DisbursementChange(amount=amount, kind=kind), user)


@transaction.atomic
def disbursement_update(*, disbursement: Disbursement, user=None, **fields) -> Disbursement:
    old = Disbursement.objects.get(pk=disbursement.pk)
    project = _lock_project(fields.get("project", old.project))
    for name, value in fields.items():
        setattr(disbursement, name, value)
    disbursement.project = project
    disbursement.full_clean()
    if project.pk == old.project_id:
        change = DisbursementChange(disbursement.amount, disbursement.kind, old.amount, old.kind)
    else:
        change = DisbursementChange(disbursement.amount, disbursement.kind)
    return _save_within_limits(disbursement, project, change, user)


def _save_within_limits(disbursement: Disbursement, project: Project, change: DisbursementChange, user) -> Disbursement:
    errors = disbursement_limit_errors(project, [change])
    if errors:
        raise ValidationError({"amount": errors})
    _save_checked(
        _with_author(disbursement, user),
        message=_("The disbursement would exceed the approved KC support; nothing was saved."),
    )
    return disbursement


@transaction.atomic
def disbursement_delete(*, disbursement: Disbursement, user=None) -> None:
    _lock_project(disbursement.project_id)
    _with_author(disbursement, user).delete()


# --- Beneficiaries ----------------------------------------------------------------------------


@transaction.atomic
def beneficiary_save(*, beneficiary: Beneficiary, user=None) -> Beneficiary:
    """Create or update a beneficiary link, keeping support within the project's."""
    project = _lock_project(beneficiary.project_id)
    beneficiary.project = project
    beneficiary.full_clean()
    old_amount = 0
    if beneficiary.pk:
        old_amount = Beneficiary.objects.filter(pk=beneficiary.pk).values_list("support_amount", flat=True).first() or 0
    errors = beneficiary_limit_errors(project, beneficiary.support_amount - old_amount)
    if errors:
        raise ValidationError({"support_amount": errors})
    _save_checked(
        _with_author(beneficiary, user),
        message=_("Support to beneficiaries would exceed the project's KC support; nothing was saved."),
    )
    return beneficiary


@transaction.atomic
def beneficiary_delete(*, beneficiary: Beneficiary, user=None) -> None:
    if beneficiary.project.disbursements.filter(facility_id=beneficiary.facility_id).exists():
        raise ValidationError(_("Money has been disbursed to this facility; remove those disbursements first."))
    _lock_project(beneficiary.project_id)
    _with_author(beneficiary, user).delete()


# --- Plans and projects -----------------------------------------------------------------------


def _require_approver(user, permission: str) -> None:
    if user is not None and not user.has_perm(permission):
        raise PermissionDenied(_("Only a province manager may approve."))


@transaction.atomic
def plan_save(*, plan: Plan, user=None) -> Plan:
    was_approved = bool(plan.pk) and Plan.objects.filter(pk=plan.pk, status=Plan.Status.APPROVED).exists()
    if plan.status == Plan.Status.APPROVED and not was_approved:
        _require_approver(user, "programmes.approve_plan")
    plan.full_clean()
    _with_author(plan, user).save()
    return plan


@transaction.atomic
def project_save(*, project: Project, user=None) -> Project:
    """Create or update a đề án; approving one takes a manager."""
    if project.pk:
        stored = _lock_project(project)
        # The running totals belong to the database triggers, never to a form.
        project.disbursed_amount = stored.disbursed_amount
        project.beneficiary_support = stored.beneficiary_support
        approving = stored.status not in APPROVAL_STATUSES and project.status in APPROVAL_STATUSES
    else:
        approving = project.status in APPROVAL_STATUSES
    if approving:
        _require_approver(user, "programmes.approve_project")
    project.full_clean()
    _save_checked(
        _with_author(project, user),
        message=_("The project's KC support cannot be lower than what is disbursed or allotted."),
    )
    return project


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
    on the adjustment so reports for earlier dates use them.
    """
    project = _lock_project(project)
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
    errors: dict[str, list[str]] = {}
    if project.status not in (
        ProjectStatus.APPROVED,
        ProjectStatus.CONTRACTED,
        ProjectStatus.IN_PROGRESS,
        ProjectStatus.ACCEPTED,
    ):
        errors["project"] = [_("Only an approved project that is not settled or stopped can be adjusted.")]
    if project.decision_date and effective_on < project.decision_date:
        errors["effective_on"] = [_("An adjustment cannot apply before the project's approval.")]
    latest = project.adjustments.order_by("-effective_on").first()
    if latest and effective_on <= latest.effective_on:
        errors["effective_on"] = [
            _("A later adjustment already applies from %(date)s.") % {"date": f"{latest.effective_on:%d/%m/%Y}"}
        ]
    if adjustment.new_kc_support < project.disbursed_amount:
        errors["new_kc_support"] = [
            _("%(disbursed)s đồng has already been disbursed; the support cannot be lower.")
            % {"disbursed": money(project.disbursed_amount)}
        ]
    elif adjustment.new_kc_support < project.beneficiary_support:
        errors["new_kc_support"] = [
            _("%(allotted)s đồng is already allotted to beneficiaries; the support cannot be lower.")
            % {"allotted": money(project.beneficiary_support)}
        ]
    if errors:
        raise ValidationError(errors)
    adjustment.full_clean()
    _with_author(adjustment, user).save()

    project.kc_support = adjustment.new_kc_support
    project.counterpart_funds = adjustment.new_counterpart_funds
    project.other_funds = adjustment.new_other_funds
    project.end_date = adjustment.new_end_date
    project._change_reason = _("Adjustment %(number)s") % {"number": decision_number}
    project.full_clean()
    _save_checked(
        _with_author(project, user),
        message=_("The project's KC support cannot be lower than what is disbursed or allotted."),
    )
    return adjustment


# --- Users ------------------------------------------------------------------------------------


@transaction.atomic
def user_set_role(*, user, role: str, province: Province | None = None):
    """Give a user a role (and, for provincial roles, a province of today)."""
    if role in PROVINCE_ROLES:
        if province is None:
            raise ValidationError({"province": _("A provincial role needs a province.")})
        if province.valid_to is not None:
            raise ValidationError({"province": _("Choose a province of today (after 1/7/2025).")})
    else:
        province = None
    UserProfile.objects.update_or_create(user=user, defaults={"role": role, "province": province})
    user.is_staff = True
    user.is_superuser = role == Role.ADMINISTRATOR
    user.save(update_fields=["is_staff", "is_superuser"])
    user.groups.set(Group.objects.filter(name=role))
    user._profile_cache = None
    for cache in ("_perm_cache", "_user_perm_cache", "_group_perm_cache"):
        if hasattr(user, cache):
            delattr(user, cache)
    return user
